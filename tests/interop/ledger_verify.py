#!/usr/bin/python3
"""Independent verifier of a p2pnode ledger export, written from docs/ledger.md only.

Needs Python 3 with hashlib (standard) and PyNaCl (Debian: python3-nacl).

    ledger_verify.py EXPORT.jsonl [--min-witnesses N]   audit an export (docs/ledger.md section 6)
    ledger_verify.py --proof PROOF.json                  check one `p2pnode ledger prove` output

Prints one line per finding, "CODE author=.. seq=.. line=..: message", then a summary.
Exit code: 0 valid, 1 findings, 2 usage or I/O error.
"""
import hashlib
import json
import re
import struct
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

ZERO = bytes(32)
EMPTY_ROOT = hashlib.sha256(b"").digest()
KINDS = {1: "run_genesis", 2: "join", 3: "contribution", 4: "aggregation", 5: "attestation", 6: "checkpoint"}
HEX = re.compile(r"^(?:[0-9a-f]{2})*$")
MAX_STR = 65536
MAX_LINE_BYTES = 4 * 1024 * 1024  # section 5: longest export line, without its \n
MAX_LIST = 1048576


def H(b):
    return hashlib.sha256(b).digest()


def node(l, r):
    return H(b"\x01" + l + r)


def verify_sig(pub, context, data, sig):
    if len(pub) != 32 or len(sig) != 64:
        return False
    try:
        VerifyKey(pub).verify(context.encode("ascii") + b"\x00" + data, sig)
        return True
    except (BadSignatureError, ValueError, TypeError, Exception):
        return False


# ---- section 2: canonical decoding -------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, n):
        if len(self.d) - self.p < n:
            raise ValueError("truncated")
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def f64(self):
        v = struct.unpack(">d", self.take(8))[0]
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("non-finite float")
        return v

    def hash(self):
        return self.take(32)

    def str(self):
        n = self.u32()
        if n > MAX_STR:
            raise ValueError("string too long")
        return self.take(n).decode("utf-8")  # strict: raises on invalid UTF-8

    def count(self):
        n = self.u32()
        if n > MAX_LIST:
            raise ValueError("list too long")
        return n

    def end(self):
        if self.p != len(self.d):
            raise ValueError("trailing bytes")


def metrics(r):
    return [{"name": r.str(), "value": r.f64()} for _ in range(r.count())]


def decode_body(kind, r, version=1):
    """Returns the body as the JSON object of section 3.2 (hashes as hex)."""
    hx = lambda: r.hash().hex()
    if kind == 1:
        return {"name": r.str(), "model": r.str(), "hyperparameters": r.str(), "data_policy": r.str(), "initial_model": hx()}
    if kind == 2:
        return {"node_id": r.str(), "display_name": r.str(), "organisation": r.str(), "hardware": r.str(), "software_version": r.str()}
    if kind == 3:
        b = {"round": r.u64(), "base_model": hx(), "payload_hash": hx(), "payload_size": r.u64(), "samples": r.u64(),
             "inner_steps": r.u32(), "loss_before": r.f64(), "loss_after": r.f64()}
        b["metrics"] = metrics(r)
        b["compute_seconds"] = r.f64()
        return b
    if kind == 4:
        b = {"round": r.u64(), "base_model": hx()}
        b["used"] = [{"contribution": hx(), "weight": r.f64()} for _ in range(r.count())]
        b["rejected"] = [{"contribution": hx(), "reason": r.str()} for _ in range(r.count())]
        b["result_model"] = hx()
        if version == 2:  # section 3.1: a version 2 aggregation cites at least one judgement
            n = r.count()
            if n == 0:
                raise ValueError("version 2 aggregation cites no judgement")
            b["judgements"] = [hx() for _ in range(n)]
        return b
    if kind == 5:
        b = {"round": r.u64(), "contribution": hx(), "samples": r.u64(), "loss_before": r.f64(), "loss_after": r.f64()}
        b["metrics"] = metrics(r)
        return b
    if kind == 6:
        b = {"round": r.u64(), "model": hx(), "size": r.u64(), "chunk_size": r.u32()}
        b["chunks"] = [hx() for _ in range(r.count())]
        return b
    raise ValueError("unknown kind %d" % kind)


class Entry:
    """A decoded entry (section 3.1) with its signature and entry hash (3.3)."""

    def __init__(self, e_bytes, sig):
        if len(sig) != 64:
            raise ValueError("signature is not 64 bytes")
        r = Reader(e_bytes)
        version = r.u8()
        if version not in (1, 2):
            raise ValueError("unsupported version")
        self.kind = r.u8()
        if self.kind not in KINDS:
            raise ValueError("unknown kind")
        if version == 2 and self.kind != 4:
            raise ValueError("version 2 is only for aggregations")
        self.author = r.hash()
        self.seq = r.u64()
        self.prev = r.hash()
        self.time_ms = r.i64()
        self.run = r.hash()
        self.body = decode_body(self.kind, r, version)
        r.end()
        self.bytes, self.sig = e_bytes, sig
        self.hash = H(b"\x00" + e_bytes + sig)
        self._ok = None

    def sig_ok(self):
        if self._ok is None:
            self._ok = verify_sig(self.author, "p2pnode/ledger/entry/v1", self.bytes, self.sig)
        return self._ok


def sth_bytes(author, size, root, time_ms):
    return b"\x01" + author + struct.pack(">Q", size) + root + struct.pack(">q", time_ms)


class Head:
    def __init__(self, o):
        self.author = unhex(o["author"])
        self.size = need_u64(o["size"])
        self.root = unhex(o["root"])
        self.time_ms = need_i64(o["time_ms"])
        self.sig = unhex(o["sig"])
        if len(self.author) != 32 or len(self.root) != 32:
            raise ValueError("author and root must be 32 bytes")

    def T(self):
        return sth_bytes(self.author, self.size, self.root, self.time_ms)

    def sig_ok(self):
        return verify_sig(self.author, "p2pnode/ledger/sth/v1", self.T(), self.sig)


# ---- section 4: Merkle --------------------------------------------------------------------------

def mth(leaves):
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


class Tree:
    """Roots of every prefix, built incrementally (a stack of complete subtrees)."""

    def __init__(self):
        self.leaves = []

    def root(self, size):
        # Fold the complete subtrees of the first `size` leaves from right to left.
        stack = []
        for i in range(size):
            stack.append((self.leaves[i], 1))
            while len(stack) >= 2 and stack[-1][1] == stack[-2][1]:
                (r, n), (l, _) = stack.pop(), stack.pop()
                stack.append((node(l, r), 2 * n))
        if not stack:
            return EMPTY_ROOT
        acc = stack.pop()[0]
        while stack:
            acc = node(stack.pop()[0], acc)
        return acc


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size or len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def roots_from_path(size1, size2, path):
    if size1 == 0 or size1 >= size2 or not path or any(len(p) != 32 for p in path):
        return None
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return (fr, sr) if sn == 0 else None


def verify_consistency(size1, size2, root1, root2, proof):
    if size1 == 0 or size1 > size2:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if not proof or len(root1) != 32 or len(root2) != 32 or any(len(p) != 32 for p in proof):
        return False
    path = [root1] + list(proof) if size1 & (size1 - 1) == 0 else list(proof)
    rs = roots_from_path(size1, size2, path)
    return rs is not None and rs[0] == root1 and rs[1] == root2


def evidence_holds(kind, author, a, b, path):
    """Section 4.6. Returns None when the evidence holds, else the reason."""
    if kind == "entry_fork":
        if a.author != author or b.author != author:
            return "entries are not by the accused author"
        if a.seq != b.seq:
            return "different seq"
        if a.bytes == b.bytes:
            return "identical entries"
        if not (a.sig_ok() and b.sig_ok()):
            return "a signature fails"
        return None
    if a.author != author or b.author != author:
        return "heads are not by the accused author"
    if not (a.sig_ok() and b.sig_ok()):
        return "a signature fails"
    if a.size > b.size:
        return "a larger than b"
    if a.size == b.size:
        return None if a.root != b.root and not path else "no fork"
    if a.size == 0:
        return None if a.root != EMPTY_ROOT else "empty head is consistent"
    rs = roots_from_path(a.size, b.size, path)
    if rs is None or rs[1] != b.root:
        return "path does not reproduce b"
    return None if rs[0] != a.root else "heads are consistent"


# ---- section 5/6: the export and the audit ------------------------------------------------------

def unhex(s):
    if not isinstance(s, str) or not HEX.match(s):
        raise ValueError("not lowercase hex")
    return bytes.fromhex(s)


def export_lines(f):
    """Section 5: lines split on \n, streamed from a binary file; a line over MAX_LINE_BYTES is yielded as None and
    skipped without being held."""
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if line.endswith(b"\n"):
            yield line[:-1]
        elif len(line) <= MAX_LINE_BYTES:
            yield line
        else:
            while line and not line.endswith(b"\n"):
                line = f.readline(1 << 20)
            yield None


def no_lone_surrogates(v):
    """Step 1: a string holding an escaped lone surrogate (e.g. \\udcff) is not Unicode text."""
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise ValueError("lone surrogate")
    elif isinstance(v, dict):
        for k, x in v.items():
            no_lone_surrogates(k)
            no_lone_surrogates(x)
    elif isinstance(v, list):
        for x in v:
            no_lone_surrogates(x)
    return v


def need_u64(v):
    if not 0 <= need_int(v) < 1 << 64:
        raise ValueError("not a u64")
    return v


def need_i64(v):
    if not -(1 << 63) <= need_int(v) < 1 << 63:
        raise ValueError("not an i64")
    return v


def need_int(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("not an integer")
    return v


def need_str(v):
    if not isinstance(v, str):
        raise ValueError("not a string")
    return v


class Audit:
    def __init__(self, min_witnesses=0):
        self.findings = []
        self.flagged = set()
        self.min_witnesses = min_witnesses

    def add(self, code, author="", seq=None, line=None, msg=""):
        self.findings.append((code, author, seq, line, msg))

    def run(self, raw):
        entries, heads, evidence = self.read(raw)                       # steps 1-2
        for e, line in entries:                                         # step 3
            if not e.sig_ok():
                self.add("BAD_ENTRY_SIGNATURE", e.author.hex(), e.seq, line, "signature does not verify")
        authors = sorted({e.author.hex() for e, _ in entries} | {h.author.hex() for h, *_ in heads})
        logs = {}
        for a in authors:
            mine = [(e, l) for e, l in entries if e.author.hex() == a]
            log = self.order(a, mine)                                   # step 4
            tree = Tree()
            kept = []
            for s, e in enumerate(log):                                 # step 5
                if e.seq != s:
                    self.add("SEQ_GAP", a, s, None, "entry %d missing" % s)
                    break
                want = ZERO if s == 0 else log[s - 1].hash
                if e.prev != want:
                    self.add("BROKEN_CHAIN", a, e.seq, None, "prev does not chain")
                tree.leaves.append(e.hash)
                kept.append(e)
            logs[a] = kept
            self.heads(a, [h for h in heads if h[0].author.hex() == a], tree)   # step 6
        for kind, author, x, y, path, line in evidence:                 # step 7
            why = evidence_holds(kind, author, x, y, path)
            if why is None:
                self.flagged.add(author.hex())
                self.add("EQUIVOCATION", author.hex(), None, line, "evidence: " + kind)
            else:
                self.add("BAD_EVIDENCE", author.hex(), None, line, why)
        self.lineage(authors, logs)                                     # steps 8-9

    def read(self, lines):
        """Section 5 and step 1: `lines` from export_lines, each decoded on its own."""
        entries, heads, evidence = [], [], []
        n = 0
        end_at, declared = None, None
        for n, raw_line in enumerate(lines, start=1):
            try:
                if raw_line is None:
                    raise ValueError("line longer than %d bytes" % MAX_LINE_BYTES)
                o = no_lone_surrogates(json.loads(raw_line.decode("utf-8")))
                if not isinstance(o, dict):
                    raise ValueError("not an object")
                t = o["type"]
                if end_at is not None:
                    raise ValueError("after end")
                if n == 1 and t != "header":
                    raise ValueError("first line is not the header")
                if t == "header":
                    if n != 1 or o["format"] != "p2pnode-ledger-export" or o["version"] != 1:
                        raise ValueError("bad header")
                elif t == "entry":
                    self.read_entry(o, n, entries)
                elif t == "sth":
                    h = Head(o)
                    c = o.get("consistency")
                    cons = None if c is None else (need_u64(c["from_size"]), [unhex(p) for p in c["proof"]])
                    cos = [(unhex(x["witness"]), need_i64(x["time_ms"]), unhex(x["sig"])) for x in o["cosignatures"]]
                    heads.append((h, cons, cos, n))
                elif t == "evidence":
                    author = unhex(o["author"])
                    kind = o["kind"]
                    if kind == "entry_fork":
                        x = Entry(unhex(o["a"]["bytes"]), unhex(o["a"]["sig"]))
                        y = Entry(unhex(o["b"]["bytes"]), unhex(o["b"]["sig"]))
                        path = []
                    elif kind == "tree_head_fork":
                        x, y = Head(o["a"]), Head(o["b"])
                        path = [unhex(p) for p in o["path"]]
                    else:
                        raise ValueError("unknown evidence kind")
                    evidence.append((kind, author, x, y, path, n))
                elif t == "end":
                    end_at, declared = n, need_u64(o["lines"])
                else:
                    raise ValueError("unknown type")
            except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as ex:
                self.add("MALFORMED_LINE", line=n, msg=str(ex))
        if end_at is None:
            self.add("EXPORT_TRUNCATED", line=n or None, msg="no end line")
        elif declared != end_at - 1:
            self.add("EXPORT_TRUNCATED", line=end_at, msg="end line count differs")
        return entries, heads, evidence

    def read_entry(self, o, n, entries):
        author, seq = need_str(o["author"]), need_u64(o["seq"])
        need_i64(o["time_ms"])
        b, s = unhex(o["bytes"]), unhex(o["sig"])
        fields = {k: o[k] for k in ("kind", "time_ms", "run", "prev", "hash", "body")}
        try:
            e = Entry(b, s)
        except (ValueError, UnicodeDecodeError) as ex:
            self.add("BAD_ENTRY_ENCODING", author, seq, n, str(ex))
            return
        entries.append((e, n))
        checks = [("author", author == e.author.hex()), ("seq", seq == e.seq), ("kind", fields["kind"] == KINDS[e.kind]),
                  ("time_ms", fields["time_ms"] == e.time_ms), ("run", fields["run"] == e.run.hex()),
                  ("prev", fields["prev"] == e.prev.hex()), ("hash", fields["hash"] == e.hash.hex()),
                  ("body", fields["body"] == e.body)]
        for name, ok in checks:
            if not ok:
                self.add("FIELD_MISMATCH", e.author.hex(), e.seq, n, "field %s" % name)

    def order(self, a, mine):
        for (x, _), (y, ly) in zip(mine, mine[1:]):
            if y.seq < x.seq:
                self.add("ENTRY_OUT_OF_ORDER", a, y.seq, ly, "seq goes down")
                break
        kept = {}
        for e, line in mine:
            k = kept.get(e.seq)
            if k is None:
                kept[e.seq] = e
            elif k.bytes == e.bytes and k.sig == e.sig:
                self.add("DUPLICATE_ENTRY", a, e.seq, line, "replayed")
            elif e.sig_ok() and k.sig_ok() and k.bytes != e.bytes:
                self.flagged.add(a)
                self.add("EQUIVOCATION", a, e.seq, line, "two signed entries at one seq")
            elif e.sig_ok() and not k.sig_ok():
                kept[e.seq] = e
        return [kept[s] for s in sorted(kept)]

    def heads(self, a, hs, tree):
        prev = None
        valid_by_size = {}
        latest = None  # (size, witnesses, line)
        for h, cons, cos, line in hs:
            if prev is not None and h.size <= prev.size:
                self.add("ENTRY_OUT_OF_ORDER", a, None, line, "head sizes not increasing")
            if not h.sig_ok():
                self.add("BAD_STH_SIGNATURE", a, None, line, "head %d" % h.size)
                prev = h
                continue
            twin = valid_by_size.get(h.size)
            if twin is not None and twin.root != h.root:
                self.flagged.add(a)
                self.add("EQUIVOCATION", a, None, line, "two heads of size %d" % h.size)
            valid_by_size.setdefault(h.size, h)
            if h.size > len(tree.leaves):
                self.add("STH_BEYOND_LOG", a, None, line, "head %d beyond %d leaves" % (h.size, len(tree.leaves)))
            elif tree.root(h.size) != h.root:
                self.add("STH_ROOT_MISMATCH", a, None, line, "head %d" % h.size)
            if prev is not None:
                if cons is None or cons[0] != prev.size:
                    self.add("STH_INCONSISTENT", a, None, line, "no proof from previous head")
                elif prev.size > 0 and not verify_consistency(prev.size, h.size, prev.root, h.root, cons[1]):
                    self.add("STH_INCONSISTENT", a, None, line, "proof fails")
            elif cons is not None:
                self.add("STH_INCONSISTENT", a, None, line, "first head carries a proof")
            witnesses = set()
            for w, t, s in cos:
                msg = h.T() + w + struct.pack(">q", t)
                if not verify_sig(w, "p2pnode/ledger/cosig/v1", msg, s):
                    self.add("BAD_COSIGNATURE", a, None, line, "witness %s" % w.hex())
                elif w.hex() != a:
                    witnesses.add(w)
            if latest is None or h.size >= latest[0]:
                latest = (h.size, len(witnesses), line)
            prev = h
        if latest is None and self.min_witnesses > 0:
            self.add("TOO_FEW_WITNESSES", a, None, None, "no valid tree head")
        elif latest is not None and latest[1] < self.min_witnesses:
            self.add("TOO_FEW_WITNESSES", a, None, latest[2], "%d witnesses" % latest[1])

    def lineage(self, authors, logs):
        live = {a: [e for e in logs[a] if e.sig_ok()] for a in authors}
        by_hash = {}
        for a in authors:
            for e in live[a]:
                by_hash.setdefault(e.hash, e)
        genesis = {e.hash: e.body for a in authors for e in live[a] if e.kind == 1}
        results = {}
        for a in authors:
            for e in live[a]:
                if e.kind == 4:
                    results.setdefault((e.run, e.body["round"]), set()).add(e.body["result_model"])

        def allowed(run, r, m):
            if r == 0:
                return run in genesis and genesis[run]["initial_model"] == m
            return m in results.get((run, r - 1), set())

        for a in authors:
            joined = set()
            used_before = set()
            for e in live[a]:
                b = e.body

                def inp(c, r, late_allowed):
                    x = by_hash.get(bytes.fromhex(c))
                    if x is None or x.kind != 3 or x.run != e.run:
                        self.add("LINEAGE_MISSING_INPUT", a, e.seq, None, "input %s" % c[:16])
                    elif not (x.body["round"] == r or (late_allowed and x.body["round"] < r and r - x.body["round"] <= 4)):
                        self.add("LINEAGE_ROUND_MISMATCH", a, e.seq, None, "input %s" % c[:16])

                if e.kind == 1:
                    if e.run != ZERO:
                        self.add("UNKNOWN_RUN", a, e.seq, None, "genesis with a run id")
                    continue
                if e.run not in genesis:
                    self.add("UNKNOWN_RUN", a, e.seq, None, "no such run")
                    continue
                if e.kind == 2:
                    joined.add(e.run)
                    continue
                if e.run not in joined:
                    self.add("NOT_JOINED", a, e.seq, None, "acts before joining")
                if e.kind == 3 and not allowed(e.run, b["round"], b["base_model"]):
                    self.add("LINEAGE_BASE_MISMATCH", a, e.seq, None, "base model")
                elif e.kind == 4:
                    if not allowed(e.run, b["round"], b["base_model"]):
                        self.add("LINEAGE_BASE_MISMATCH", a, e.seq, None, "base model")
                    for u in b["used"]:
                        inp(u["contribution"], b["round"], True)
                        if u["contribution"] in used_before:
                            self.add("LINEAGE_DOUBLE_USE", a, e.seq, None, "input %s used twice" % u["contribution"][:16])
                        used_before.add(u["contribution"])
                    for x in b["rejected"]:
                        inp(x["contribution"], b["round"], True)
                    for msg in judging(e, by_hash):
                        self.add("JUDGING_MISMATCH", a, e.seq, None, msg)
                elif e.kind == 5:
                    inp(b["contribution"], b["round"], False)
                elif e.kind == 6:
                    ok = b["model"] in results.get((e.run, b["round"]), set()) or (b["round"] == 0 and allowed(e.run, 0, b["model"]))
                    if not ok:
                        self.add("LINEAGE_UNKNOWN_MODEL", a, e.seq, None, "checkpoint model")


# ---- section 6 step 9: judging -------------------------------------------------------------------

MAD_MULTIPLE, RELATIVE_FLOOR, MIN_SCORES, MIN_VOTES = 3.0, 1e-3, 3, 2
BEFORE_JUDGING = ("wrong_base", "malformed_delta")


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def harmful_set(inputs, scores):
    """The judging rule. inputs: {contribution hex: author hex}; scores: [(judge, contribution, before, after)] in
    citation order. Returns the set of contributions more than two thirds of at least MIN_VOTES judges found harmful."""
    per_judge, befores, cheats = {}, {}, set()
    for judge, c, before, after in scores:
        if judge not in inputs.values() or c not in inputs or inputs[c] == judge:
            continue  # only an input's author judges, and never its own input
        change = after - before
        if change in (float("inf"), float("-inf")):
            continue  # finite losses whose difference overflows a double say nothing
        mine = per_judge.setdefault(judge, {})
        if c in mine:
            if mine[c] != change:
                cheats.add(judge)  # two different scores of one contribution: all its votes go
            continue
        mine[c] = change
        befores.setdefault(judge, []).append(before)
    votes, harmful = {}, {}
    for judge, mine in per_judge.items():
        if judge in cheats or len(mine) < MIN_SCORES:
            continue
        m = median(mine.values())
        mad = median([abs(x - m) for x in mine.values()])
        bar = max(0.0, m + MAD_MULTIPLE * max(mad, RELATIVE_FLOOR * abs(median(befores[judge]))))
        for c, change in mine.items():
            votes[c] = votes.get(c, 0) + 1
            if change > bar:
                harmful[c] = harmful.get(c, 0) + 1
    return {c for c in inputs if votes.get(c, 0) >= MIN_VOTES and 3 * harmful.get(c, 0) > 2 * votes[c]}


def judging(e, by_hash):
    """Step 9, judging: the messages of an aggregation's JUDGING_MISMATCH findings (empty when it holds)."""
    b, out = e.body, []
    r = b["round"]
    claimed = {x["contribution"] for x in b["rejected"] if x["reason"] == "judged_harmful"}
    cited = b.get("judgements", [])
    if not cited:
        if claimed:
            out.append("round %d aggregation excludes %d input(s) as judged_harmful but cites no judgement" % (r, len(claimed)))
        return out
    inputs = {}
    for c in [u["contribution"] for u in b["used"]] + [x["contribution"] for x in b["rejected"] if x["reason"] not in BEFORE_JUDGING]:
        x = by_hash.get(bytes.fromhex(c))
        if x is not None and x.kind == 3 and x.run == e.run and x.body["round"] == r:
            inputs.setdefault(c, x.author.hex())
    scores = []
    for h in cited:
        t = by_hash.get(bytes.fromhex(h))
        if t is None or t.kind != 5 or t.run != e.run:
            out.append("round %d aggregation cites %s, which is not an attestation of this run in the ledger" % (r, h[:16]))
        elif t.body["round"] != r or t.body["contribution"] not in inputs:
            out.append("round %d aggregation cites attestation %s of round %d about %s, not one of its judged inputs"
                       % (r, h[:16], t.body["round"], t.body["contribution"][:16]))
        else:
            scores.append((t.author.hex(), t.body["contribution"], t.body["loss_before"], t.body["loss_after"]))
    found = harmful_set(inputs, scores)
    out += ["round %d aggregation: its judges found %s harmful, but it was not excluded as judged_harmful" % (r, c[:16])
            for c in sorted(found - claimed)]
    out += ["round %d aggregation excludes %s as judged_harmful, which its cited judgements do not support" % (r, c[:16])
            for c in sorted(claimed - found)]
    return out


def check_proof(o):
    """Section 6, `ledger prove`: returns a list of problems (empty when the proof holds)."""
    problems = []
    e = Entry(unhex(o["entry"]["bytes"]), unhex(o["entry"]["sig"]))
    h = Head(o["tree_head"])
    if e.author.hex() != o["author"] or e.seq != o["seq"]:
        problems.append("entry is not author:seq")
    if not e.sig_ok():
        problems.append("entry signature fails")
    if e.hash.hex() != o["entry"]["hash"]:
        problems.append("entry hash differs")
    if h.author != e.author or not h.sig_ok():
        problems.append("tree head signature fails or is by someone else")
    if not verify_inclusion(e.seq, h.size, e.hash, [unhex(p) for p in o["proof"]], h.root):
        problems.append("inclusion proof fails")
    return problems


def main(argv):
    try:
        if len(argv) == 2 and argv[0] == "--proof":
            with open(argv[1], "rb") as f:
                problems = check_proof(json.loads(f.read()))
            for p in problems:
                print("PROOF_INVALID: " + p)
            print("proof valid" if not problems else "proof INVALID")
            return 1 if problems else 0
        min_w = 0
        if len(argv) == 3 and argv[1] == "--min-witnesses":
            min_w = int(argv[2])
        elif len(argv) != 1:
            print(__doc__, file=sys.stderr)
            return 2
        audit = Audit(min_w)
        with open(argv[0], "rb") as f:
            audit.run(export_lines(f))
    except (OSError, ValueError, KeyError) as ex:
        print("ledger_verify: %s" % ex, file=sys.stderr)
        return 2
    for code, author, seq, line, msg in audit.findings:
        print("%s author=%s seq=%s%s: %s" % (code, author or "-", "-" if seq is None else seq,
                                             "" if line is None else " line=%d" % line, msg))
    for a in sorted(audit.flagged):
        print("flagged %s" % a)
    print("valid" if not audit.findings else "INVALID: %d finding(s)" % len(audit.findings))
    return 1 if audit.findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
