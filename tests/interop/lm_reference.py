#!/usr/bin/python3
"""Independent reference for p2pnode's exported language models, written from docs/training.md alone
("Models", "Language model (lm/v2)", "Parameter names and order", "Model hash", "Checkpoints and
safetensors", "Exported models"), without reading p2pnode's code. Python 3.11, standard library and NumPy.

usage: lm_reference.py EXPORT_DIR --tokens 1,2,3,... [--out logits.json]

EXPORT_DIR is what `p2pnode export` writes (model.safetensors and config.json). The script
  1. parses model.safetensors by hand and checks its structure, its tensor names and shapes against the
     spec's parameter list, and its metadata against config.json;
  2. recomputes the model hash ("Model hash") and compares it with config.json's `model_hash` and the
     file's metadata;
  3. runs the forward pass in float32 on the given token ids (one sequence, 1 <= T <= context).
It prints (or writes to --out) {"model_hash": hex, "hash_ok": true, "logits": [[V floats] per position]}.
Any structural problem exits with code 2, a hash mismatch with code 3, each with "error: ..." on stderr;
nothing is written then, so a corrupt model can never yield logits.
"""
import argparse
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np

MAX_HEADER = 16 << 20


class RefError(Exception):
    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


def fail(message):
    raise RefError(message)


# ---- spec -------------------------------------------------------------------------------------------------

def parse_spec(canonical):
    """The lm canonical text -> shape dict. lm/v1 is the byte model with learned positions, untied head."""
    kind, _, rest = canonical.partition(" ")
    pairs = [p.split("=", 1) for p in rest.split(" ")]
    if any(len(p) != 2 for p in pairs):
        fail(f"spec '{canonical}': expected key=value pairs")
    keys = [k for k, _ in pairs]
    kv = dict(pairs)
    if kind == "lm/v1":
        if keys != ["vocab", "layers", "width", "heads", "context"]:
            fail(f"spec '{canonical}': lm/v1 keys out of order")
        kv.update(positions="learned", tied="false")
    elif kind == "lm/v2":
        if keys != ["tokenizer", "sha256", "vocab", "layers", "width", "heads", "context", "positions", "tied"]:
            fail(f"spec '{canonical}': lm/v2 keys out of order")
    else:
        fail(f"spec '{canonical}' is not a language model (lm/v1 or lm/v2)")
    s = dict(vocab=int(kv["vocab"]), layers=int(kv["layers"]), width=int(kv["width"]),
             heads=int(kv["heads"]), context=int(kv["context"]), positions=kv["positions"],
             tied=kv["tied"] == "true", tokenizer=kv.get("tokenizer"), sha256=kv.get("sha256"))
    if s["positions"] not in ("learned", "rotary") or kv["tied"] not in ("true", "false"):
        fail(f"spec '{canonical}': bad positions or tied")
    if min(s["vocab"], s["layers"], s["width"], s["heads"], s["context"]) <= 0 or s["width"] % s["heads"]:
        fail(f"spec '{canonical}': bad sizes")
    if s["positions"] == "rotary" and (s["width"] // s["heads"]) % 2:
        fail(f"spec '{canonical}': rotary needs an even head size")
    return s


def expected_parameters(s):
    """'Parameter names and order' for lm: [(name, shape)] in flat (named_parameters) order."""
    V, W, T = s["vocab"], s["width"], s["context"]
    out = [("pos", [T, W])] if s["positions"] == "learned" else []
    out.append(("tok.weight", [V, W]))
    for i in range(s["layers"]):
        b = f"blocks.{i}."
        out += [(b + "ln1.weight", [W]), (b + "ln1.bias", [W]),
                (b + "qkv.weight", [3 * W, W]), (b + "qkv.bias", [3 * W]),
                (b + "proj.weight", [W, W]), (b + "proj.bias", [W]),
                (b + "ln2.weight", [W]), (b + "ln2.bias", [W]),
                (b + "fc1.weight", [4 * W, W]), (b + "fc1.bias", [4 * W]),
                (b + "fc2.weight", [W, 4 * W]), (b + "fc2.bias", [W])]
    out += [("ln_f.weight", [W]), ("ln_f.bias", [W])]
    if not s["tied"]:
        out.append(("head.weight", [V, W]))
    return out


def parameter_count(s):
    """The docs' closed form, checked against the sum of the listed shapes."""
    V, W, T, L = s["vocab"], s["width"], s["context"], s["layers"]
    return (V * W + (T * W if s["positions"] == "learned" else 0) + L * (12 * W * W + 13 * W) + 2 * W
            + (0 if s["tied"] else V * W))


def same(a, b):
    """JSON equality that does not let true pass for 1 (Python's bool is an int)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b and isinstance(a, (int, float)) == isinstance(b, (int, float))


def check_config(cfg, s):
    want = {"format": "p2pnode-export/1", "kind": "lm", "vocab_size": s["vocab"], "n_layer": s["layers"],
            "n_embd": s["width"], "n_head": s["heads"], "n_ctx": s["context"], "positions": s["positions"],
            "tied_embeddings": s["tied"], "mlp_ratio": 4, "activation": "gelu_erf", "layer_norm_eps": 1e-5,
            "parameters": parameter_count(s)}
    if s["positions"] == "rotary":
        want["rope_base"] = 10000
    for key, value in want.items():
        if key not in cfg:
            fail(f"config.json: missing '{key}'")
        if not same(cfg[key], value):
            fail(f"config.json: '{key}' is {cfg[key]!r}, the spec says {value!r}")
    tok = cfg.get("tokenizer")
    if not isinstance(tok, dict) or "name" not in tok or "sha256" not in tok:
        fail("config.json: 'tokenizer' must be an object with 'name' and 'sha256'")
    if s["tokenizer"] is not None and (tok["name"], tok["sha256"]) != (s["tokenizer"], s["sha256"]):
        fail(f"config.json: tokenizer {tok} differs from the spec's {s['tokenizer']} {s['sha256']}")


# ---- safetensors ------------------------------------------------------------------------------------------

def no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            fail(f"safetensors header: duplicate key '{k}'")
        d[k] = v
    return d


def read_safetensors(path):
    """-> (metadata dict, [(name, shape, float32 array)] in header order, data section bytes)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail("model.safetensors: truncated")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if not 0 < n <= MAX_HEADER:
        fail(f"model.safetensors: header length {n} out of range")
    if len(blob) < 8 + n:
        fail("model.safetensors: truncated")
    header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        fail("model.safetensors: header is not a JSON object")
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        fail("model.safetensors: __metadata__ must map strings to strings")
    tensors, end_prev = [], 0
    for name, e in header.items():
        if e.get("dtype") != "F32":
            fail(f"model.safetensors: '{name}' is {e.get('dtype')}, expected F32")
        shape, (begin, end) = e["shape"], e["data_offsets"]
        count = math.prod(shape)
        if any(d < 0 for d in shape) or end - begin != 4 * count:
            fail(f"model.safetensors: '{name}' offsets do not match its shape")
        if begin != end_prev:  # our writer stores tensors contiguously in header (= layout) order
            fail(f"model.safetensors: '{name}' leaves a gap or overlaps")
        end_prev = end
        tensors.append((name, shape, np.frombuffer(data, dtype="<f4", count=count, offset=begin).reshape(shape)))
    if end_prev != len(data):
        fail(f"model.safetensors: data section is {len(data)} bytes, tensors cover {end_prev}")
    return meta, tensors, data


def model_hash(spec, tensors):
    """docs/training.md 'Model hash': header text, then the flat vector as float32 little-endian."""
    h = hashlib.sha256()
    h.update(b"p2pnode-model/v1\n" + spec.encode("utf-8") + b"\n")
    for name, shape, _ in tensors:
        h.update(f"{name} {','.join(str(d) for d in shape)}\n".encode("utf-8"))
    h.update(b"\n")
    for _, _, a in tensors:
        h.update(a.astype("<f4", copy=False).tobytes())
    return h.hexdigest()


def load(export_dir):
    with open(os.path.join(export_dir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    s = parse_spec(cfg.get("spec", ""))
    check_config(cfg, s)
    meta, tensors, _ = read_safetensors(os.path.join(export_dir, "model.safetensors"))
    if meta.get("format") != "p2pnode-checkpoint/v1" or meta.get("spec") != cfg["spec"]:
        fail(f"model.safetensors: metadata format/spec {meta.get('format')!r} {meta.get('spec')!r} "
             f"do not match config.json")
    want = expected_parameters(s)
    got = [(n, list(sh)) for n, sh, _ in tensors]
    if got != want:
        fail(f"model.safetensors: tensors {got} are not the spec's {want}")
    if sum(math.prod(sh) for _, sh in want) != cfg["parameters"]:
        fail("config.json: 'parameters' is not the sum of the tensor sizes")
    actual = model_hash(cfg["spec"], tensors)
    for where, claimed in (("config.json", cfg.get("model_hash")), ("safetensors metadata", meta.get("model_hash"))):
        if claimed != actual:
            raise RefError(f"model hash mismatch: {where} says {claimed}, the file hashes to {actual}", 3)
    return s, {n: a for n, _, a in tensors}, actual


# ---- forward pass (docs/training.md "Language model (lm/v2)", all float32) --------------------------------

F32 = np.float32
_erf = np.vectorize(math.erf, otypes=[np.float64])


def layer_norm(z, w, b):
    mean = z.mean(axis=-1, keepdims=True, dtype=F32)
    var = ((z - mean) ** 2).mean(axis=-1, keepdims=True, dtype=F32)  # population variance
    return (z - mean) / np.sqrt(var + F32(1e-5)) * w + b


def gelu(z):
    z64 = z.astype(np.float64)
    return (z64 * (1.0 + _erf(z64 / math.sqrt(2.0))) / 2.0).astype(F32)


def rope_tables(T, d):
    half = d // 2
    m = np.arange(half, dtype=np.float64)
    f = 10000.0 ** (-2.0 * m / d)
    a = np.arange(T, dtype=np.float64)[:, None] * f[None, :]  # [T, half], in double
    c, s = np.cos(a).astype(F32), np.sin(a).astype(F32)
    return np.concatenate([c, c], axis=1), np.concatenate([s, s], axis=1)  # [T, d]


def rotate_half(z):
    half = z.shape[-1] // 2
    return np.concatenate([-z[..., half:], z[..., :half]], axis=-1)


def forward(s, P, ids):
    T, W, H = len(ids), s["width"], s["heads"]
    d = W // H
    h = P["tok.weight"][ids].astype(F32)
    if s["positions"] == "learned":
        h = h + P["pos"][:T]
    else:
        cos, sin = rope_tables(T, d)
    causal = np.triu(np.ones((T, T), dtype=bool), k=1)  # u > t
    for i in range(s["layers"]):
        p = lambda n: P[f"blocks.{i}.{n}"]
        a = layer_norm(h, p("ln1.weight"), p("ln1.bias"))
        qkv = a @ p("qkv.weight").T + p("qkv.bias")  # [T, 3W]
        q, k, v = (qkv[:, j * W:(j + 1) * W].reshape(T, H, d).transpose(1, 0, 2) for j in range(3))  # [H, T, d]
        if s["positions"] == "rotary":
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        scores = (q @ k.transpose(0, 2, 1)) / F32(math.sqrt(d))
        scores = np.where(causal, F32(-np.inf), scores)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        y = (scores / scores.sum(axis=-1, keepdims=True)) @ v  # [H, T, d]
        y = y.transpose(1, 0, 2).reshape(T, W)
        h = h + (y @ p("proj.weight").T + p("proj.bias"))
        m = gelu(layer_norm(h, p("ln2.weight"), p("ln2.bias")) @ p("fc1.weight").T + p("fc1.bias"))
        h = h + (m @ p("fc2.weight").T + p("fc2.bias"))
    h = layer_norm(h, P["ln_f.weight"], P["ln_f.bias"])
    head = P["tok.weight"] if s["tied"] else P["head.weight"]
    return (h @ head.T).astype(F32)  # [T, V]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("export_dir")
    ap.add_argument("--tokens", required=True, help="comma-separated token ids")
    ap.add_argument("--out", help="write the JSON here instead of stdout")
    args = ap.parse_args(argv)
    try:
        s, P, digest = load(args.export_dir)
        ids = [int(t) for t in args.tokens.split(",")]
        if not 1 <= len(ids) <= s["context"] or not all(0 <= t < s["vocab"] for t in ids):
            fail(f"--tokens: need 1..{s['context']} ids in [0, {s['vocab']})")
        logits = forward(s, P, np.asarray(ids, dtype=np.int64))
    except RefError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.code
    result = {"model_hash": digest, "hash_ok": True, "logits": [[float(x) for x in row] for row in logits]}
    text = json.dumps(result)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
