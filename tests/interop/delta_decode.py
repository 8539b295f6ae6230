#!/usr/bin/python3
"""Reference decoder of P2PNode delta payloads, written from docs/deltas.md alone.

The block between the BEGIN/END markers is section 7 of docs/deltas.md verbatim (a test checks that they are
identical), so running this file proves the document is enough to decode what the C# encoder produces.

usage: delta_decode.py [--json] PAYLOAD_FILE N [PAYLOAD_FILE N ...]
  For each payload, prints one line: the decoded n float32 values as hex of their little-endian bytes
  (default; bit-exact, keeps -0.0), or as a JSON array of numbers (--json). A payload the decoder rejects
  prints "error: <reason>" on that line; the exit code is then 1 (0 when every payload decoded).
Only the standard library is used.
"""
import json
import sys

# BEGIN docs/deltas.md section 7
import struct, math

def decode_delta(p: bytes, n_expected: int) -> list:
    if len(p) < 24: raise ValueError("truncated header")
    if p[0:4] != b"P2DL" or p[4] != 1 or p[7] != 0: raise ValueError("magic/version/reserved")
    codec, enc = p[5], p[6]
    n, k, bs, ib = struct.unpack_from("<IIII", p, 8)
    if codec not in (1, 2, 3, 4, 5) or enc not in (0, 1, 2): raise ValueError("codec/encoding")
    if n != n_expected or k > n: raise ValueError("counts")
    quant = codec in (4, 5)
    if quant and not (1 <= bs <= 65536 and (codec == 4 or bs % 2 == 0)): raise ValueError("block size")
    if not quant and bs != 0: raise ValueError("block size")
    if enc == 0 and (k != n or ib != 0): raise ValueError("dense")
    if enc == 1 and not (k <= ib <= 5 * k): raise ValueError("varint section size")
    if enc == 2 and ib != (n + 7) // 8: raise ValueError("bitmap size")
    nscales = (k + bs - 1) // bs if quant else 0
    vbytes = {1: 4 * k, 2: 2 * k, 3: 2 * k, 4: k, 5: (k + 1) // 2}[codec]
    if len(p) != 24 + ib + 4 * nscales + vbytes: raise ValueError("length")
    sec = p[24:24 + ib]
    if enc == 0:
        idx = list(range(n))
    elif enc == 1:
        idx, pos, cur = [], 0, 0
        for j in range(k):
            v, shift = 0, 0
            while True:
                if pos >= len(sec): raise ValueError("varint past end")
                b = sec[pos]; pos += 1
                if shift == 28 and b > 0x0F: raise ValueError("varint > 32 bits")
                v |= (b & 0x7F) << shift
                if b < 0x80:
                    if b == 0 and shift > 0: raise ValueError("overlong varint")
                    break
                shift += 7
            if j > 0 and v == 0: raise ValueError("duplicate index")
            cur = v if j == 0 else cur + v
            if cur >= n: raise ValueError("index out of range")
            idx.append(cur)
        if pos != len(sec): raise ValueError("index section leftover")
    else:
        idx = [i for i in range(n) if sec[i >> 3] >> (i & 7) & 1]
        if n % 8 and sec and sec[-1] >> (n % 8): raise ValueError("bitmap padding")
        if len(idx) != k: raise ValueError("bitmap count")
    so = 24 + ib
    scales = struct.unpack_from("<%df" % nscales, p, so)
    L = 127 if codec == 4 else 7
    for s in scales:
        if not math.isfinite(s) or math.copysign(1, s) < 0 or s * L > 3.4028234663852886e38:
            raise ValueError("scale")
    vo = so + 4 * nscales
    f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]   # round to binary32
    vals = []
    for j in range(k):
        if codec == 1:   v = struct.unpack_from("<f", p, vo + 4 * j)[0]
        elif codec == 2: v = struct.unpack_from("<e", p, vo + 2 * j)[0]
        elif codec == 3: v = struct.unpack("<f", b"\0\0" + p[vo + 2 * j:vo + 2 * j + 2])[0]
        elif codec == 4:
            c = struct.unpack_from("<b", p, vo + j)[0]
            if c == -128: raise ValueError("int8 -128")
            v = f32(c * scales[j // bs])
        else:
            nib = p[vo + j // 2] >> (4 * (j & 1)) & 0xF
            c = nib - 16 if nib >= 8 else nib
            if c == -8: raise ValueError("int4 -8")
            v = f32(c * scales[j // bs])
        if not math.isfinite(v): raise ValueError("value not finite")
        vals.append(v)
    if codec == 5 and k % 2 and p[-1] >> 4: raise ValueError("int4 padding")
    out = [0.0] * n
    for i, v in zip(idx, vals): out[i] = v
    return out
# END docs/deltas.md section 7


def main(argv):
    as_json = False
    if argv and argv[0] == "--json":
        as_json, argv = True, argv[1:]
    if not argv or len(argv) % 2:
        sys.stderr.write(__doc__)
        return 2
    failed = False
    for path, n_text in zip(argv[0::2], argv[1::2]):
        with open(path, "rb") as f:
            payload = f.read()
        try:
            out = decode_delta(payload, int(n_text))
        except ValueError as e:
            print("error: %s" % e)
            failed = True
            continue
        if as_json:
            print(json.dumps(out))
        else:
            print(struct.pack("<%df" % len(out), *out).hex())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
