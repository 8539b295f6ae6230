#!/usr/bin/python3
"""Independent checker of P2PNode training-run messages, written from docs/runtime.md section 2 and
docs/ledger.md sections 2-3 alone (no P2PNode code was read to write it).

usage: runtime_message.py [--run HEX] [--origin HEX] MESSAGE_FILE [MESSAGE_FILE ...]
  For each file (one gossip payload of a run topic) prints one JSON line:
    {"file": F, "ok": true, "kind": "contribution", "round": r, "author": hex, "entry_hash": hex,
     "base_model": hex, "payload_size": n, "samples": s}
    {"file": F, "ok": true, "kind": "status", "round": r, "model": hex, "object": hex, "n": n, "momentum": hex or null}
    {"file": F, "ok": false, "reason": CLASS, "detail": text}
  CLASS is one of: header, version, kind, length, entry, not_contribution, signature, payload_size,
  payload_hash, wrong_run, not_author, status_length, status_n, status_value, status_size.
  --run: the run id (64 hex) the contribution must belong to; --origin: the gossip origin's public key (64 hex)
  the entry's author must equal. Exit code 0 when every message is accepted, 1 otherwise, 2 on usage errors.
Needs Debian's python3-nacl (Ed25519).
"""
import hashlib
import json
import math
import struct
import sys

import nacl.exceptions
import nacl.signing

ENTRY_CONTEXT = b"p2pnode/ledger/entry/v1"
KINDS = {1: "run_genesis", 2: "join", 3: "contribution", 4: "aggregation", 5: "attestation", 6: "checkpoint"}


class Refused(Exception):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason


class Reader:
    """docs/ledger.md section 2: canonical primitives; every violation is a malformed entry."""

    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, n):
        if self.o + n > len(self.d):
            raise Refused("entry", "entry truncated")
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def u8(self): return self.take(1)[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]
    def u64(self): return struct.unpack(">Q", self.take(8))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]
    def hash(self): return self.take(32)

    def f64(self):
        v = struct.unpack(">d", self.take(8))[0]
        if not math.isfinite(v):
            raise Refused("entry", "non-finite f64")
        return v

    def str(self):
        n = self.u32()
        if n > 65536:
            raise Refused("entry", "string longer than 65536 bytes")
        try:
            return self.take(n).decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise Refused("entry", "invalid UTF-8")

    def count(self):
        n = self.u32()
        if n > 1048576:
            raise Refused("entry", "list longer than 1048576 items")
        return n


def parse_contribution_entry(e):
    """docs/ledger.md 3.1 header, then the contribution body of 3.2; nothing may follow."""
    r = Reader(e)
    version, kind = r.u8(), r.u8()
    if version != 1:
        raise Refused("entry", f"entry version {version}")
    if kind not in KINDS:
        raise Refused("entry", f"unknown entry kind {kind}")
    head = {"author": r.hash(), "seq": r.u64(), "prev": r.hash(), "time_ms": r.i64(), "run": r.hash()}
    if kind != 3:
        raise Refused("not_contribution", f"entry is a {KINDS[kind]}, not a contribution")
    body = {"round": r.u64(), "base_model": r.hash(), "payload_hash": r.hash(), "payload_size": r.u64(),
            "samples": r.u64(), "inner_steps": r.u32(), "loss_before": r.f64(), "loss_after": r.f64()}
    body["metrics"] = [(r.str(), r.f64()) for _ in range(r.count())]
    body["compute_seconds"] = r.f64()
    if r.o != len(e):
        raise Refused("entry", f"{len(e) - r.o} trailing bytes after the entry body")
    return head, body


def check_contribution(m, run=None, origin=None):
    if len(m) < 6:
        raise Refused("header", "contribution shorter than its 6-byte header")
    (length,) = struct.unpack_from(">I", m, 2)
    if 6 + length + 64 > len(m):
        raise Refused("length", f"entry length {length} + signature run past the message ({len(m)} bytes)")
    entry, sig, delta = m[6:6 + length], m[6 + length:6 + length + 64], m[6 + length + 64:]
    head, body = parse_contribution_entry(entry)
    try:
        nacl.signing.VerifyKey(head["author"]).verify(ENTRY_CONTEXT + b"\x00" + entry, sig)
    except (nacl.exceptions.BadSignatureError, ValueError, nacl.exceptions.CryptoError):
        raise Refused("signature", "entry signature does not verify")
    if len(delta) != body["payload_size"]:
        raise Refused("payload_size", f"delta is {len(delta)} bytes, entry says {body['payload_size']}")
    if hashlib.sha256(delta).digest() != body["payload_hash"]:
        raise Refused("payload_hash", "SHA-256 of the delta is not payload_hash")
    if origin is not None and head["author"] != origin:
        raise Refused("not_author", "entry author is not the gossip origin")
    if run is not None and head["run"] != run:
        raise Refused("wrong_run", "entry belongs to another run")
    entry_hash = hashlib.sha256(b"\x00" + entry + sig).hexdigest()
    return {"kind": "contribution", "round": body["round"], "author": head["author"].hex(), "entry_hash": entry_hash,
            "base_model": body["base_model"].hex(), "payload_size": body["payload_size"], "samples": body["samples"]}


def check_status(m):
    if len(m) < 76:
        raise Refused("status_length", f"status of {len(m)} bytes is shorter than its 76-byte header")
    rnd, = struct.unpack_from(">Q", m, 2)
    model = m[10:42]
    obj = m[42:74]
    n, = struct.unpack_from(">H", m, 74)
    if n > 64:
        raise Refused("status_n", f"sketch of {n} values exceeds 64")
    end = 76 + 4 * n
    if len(m) not in (end, end + 32):  # the momentum object id after the sketch is optional
        raise Refused("status_length", f"status is {len(m)} bytes, expected {end} or {end + 32}")
    values = struct.unpack_from(f">{n}f", m, 76)
    if not all(math.isfinite(v) for v in values):
        raise Refused("status_value", "sketch holds a non-finite value")
    if n not in (0, 32):
        raise Refused("status_size", f"sketch of {n} values (p2pnode uses 32, or 0 before its first sketch)")
    momentum = m[end:].hex() if len(m) == end + 32 else None
    return {"kind": "status", "round": rnd, "model": model.hex(), "object": obj.hex(), "n": n, "momentum": momentum}


def check(m, run=None, origin=None):
    if len(m) < 2:
        raise Refused("header", "message shorter than its 2-byte header")
    if m[0] != 1:
        raise Refused("version", f"version {m[0]}")
    if m[1] == 1:
        return check_contribution(m, run, origin)
    if m[1] == 2:
        return check_status(m)
    raise Refused("kind", f"unknown kind {m[1]}")


def main(argv):
    run = origin = None
    files = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--run", "--origin"):
            if i + 1 >= len(argv):
                print(f"{a} needs a value", file=sys.stderr)
                return 2
            value = bytes.fromhex(argv[i + 1])
            if len(value) != 32:
                print(f"{a} must be 64 hex digits", file=sys.stderr)
                return 2
            run, origin = (value, origin) if a == "--run" else (run, value)
            i += 2
            continue
        files.append(a)
        i += 1
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    status = 0
    for f in files:
        with open(f, "rb") as fh:
            m = fh.read()
        try:
            out = {"file": f, "ok": True, **check(m, run, origin)}
        except Refused as e:
            out = {"file": f, "ok": False, "reason": e.reason, "detail": str(e)}
            status = 1
        print(json.dumps(out))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
