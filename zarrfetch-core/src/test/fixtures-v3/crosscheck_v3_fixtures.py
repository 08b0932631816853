#!/usr/bin/python3
"""Second, independent reading of the v3 fixtures (optional; not needed to regenerate them).

Decodes every case with Python numcodecs (Debian's python3-numcodecs: c-blosc, zstd, zlib) and
NumPy, with the Zarr v3 layout rules (chunk keys, transpose, bytes endianness, crc32c, sharding index
at start or end) written out below, and compares each expected/<n>.json (produced by zarrita) with
NumPy indexing of the array read here. This is the only reader of the index_location "start" shards
besides the byte comparison with their "end" twins in check_v3_fixtures.mjs.

    /usr/bin/python3 crosscheck_v3_fixtures.py      # apt-get install python3-numpy python3-numcodecs
"""
import json
import math
import os
import sys

import numpy as np
from numcodecs import Blosc, GZip, Zstd

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "../resources/io/zarrfetch/zarr/v3"))


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_T = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283
assert crc32c(bytes(32)) == 0x8A9136AA

NP = {"bool": "b1", "int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
      "uint32": "u4", "int64": "i8", "uint64": "u8", "float16": "f2", "float32": "f4", "float64": "f8"}


def fill_scalar(dtype, fv):
    if dtype == "bool":
        return bool(fv)
    if dtype.startswith("float"):
        return {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(fv, fv)
    return fv


def decode_bytes_to_bytes(codecs, data):
    for c in reversed([c for c in codecs if c["name"] in ("gzip", "zstd", "blosc", "crc32c")]):
        n = c["name"]
        if n == "crc32c":
            body, stored = data[:-4], int.from_bytes(data[-4:], "little")
            if crc32c(body) != stored:
                raise ValueError("crc32c mismatch")
            data = body
        elif n == "gzip":
            data = bytes(GZip().decode(data))
        elif n == "zstd":
            data = bytes(Zstd().decode(data))
        elif n == "blosc":
            data = bytes(Blosc().decode(data))
    return data


def decode_chunk(codecs, data, shape, dtype):
    """Decodes one chunk (or inner chunk) with a codec list; returns an array of `shape`."""
    a2a = [c for c in codecs if c["name"] == "transpose"]
    a2b = [c for c in codecs if c["name"] in ("bytes", "sharding_indexed")][0]
    enc_shape = list(shape)
    for t in a2a:
        enc_shape = [enc_shape[i] for i in t["configuration"]["order"]]
    if a2b["name"] == "sharding_indexed":
        raise ValueError("nested sharding not expected here")
    raw = decode_bytes_to_bytes(codecs, data)
    endian = (a2b.get("configuration") or {}).get("endian", "little")
    dt = np.dtype(("<" if endian == "little" else ">") + NP[dtype]) if dtype != "bool" else np.dtype("?")
    arr = np.frombuffer(raw, dtype=dt).reshape(enc_shape)
    for t in reversed(a2a):
        arr = arr.transpose(np.argsort(t["configuration"]["order"]))
    return arr


def chunk_key(enc, coords):
    if enc["name"] == "default":
        sep = (enc.get("configuration") or {}).get("separator", "/")
        return sep.join(["c"] + [str(x) for x in coords])
    sep = (enc.get("configuration") or {}).get("separator", ".")
    return sep.join(str(x) for x in coords) if coords else "0"


def read_array(path):
    meta = json.load(open(os.path.join(path, "zarr.json")))
    shape = meta["shape"]
    dtype = meta["data_type"]
    cshape = meta["chunk_grid"]["configuration"]["chunk_shape"]
    fv = fill_scalar(dtype, meta["fill_value"])
    out = np.full(shape, fv, dtype=np.dtype(NP[dtype]) if dtype != "bool" else np.dtype("?"))
    grid = [math.ceil(s / c) for s, c in zip(shape, cshape)]
    codecs = meta["codecs"]
    shard = codecs[0] if codecs[0]["name"] == "sharding_indexed" else None
    for coords in np.ndindex(*grid):
        key = chunk_key(meta["chunk_key_encoding"], list(coords))
        fp = os.path.join(path, key)
        if not os.path.exists(fp):
            continue
        data = open(fp, "rb").read()
        if shard is None:
            chunk = decode_chunk(codecs, data, cshape, dtype)
        else:
            cfg = shard["configuration"]
            inner = cfg["chunk_shape"]
            cps = [s // i for s, i in zip(cshape, inner)]
            n = int(np.prod(cps))
            icodecs = cfg["index_codecs"]
            size = 16 * n + (4 if any(c["name"] == "crc32c" for c in icodecs) else 0)
            loc = cfg.get("index_location", "end")
            idx_bytes = data[:size] if loc == "start" else data[len(data) - size:]
            index = decode_chunk(icodecs, idx_bytes, cps + [2], "uint64")
            chunk = np.full(cshape, fv, dtype=out.dtype)
            for ic in np.ndindex(*cps):
                off, nb = (int(x) for x in index[ic])
                if off == 2**64 - 1 and nb == 2**64 - 1:
                    continue
                sl = tuple(slice(i * s, (i + 1) * s) for i, s in zip(ic, inner))
                chunk[sl] = decode_chunk(cfg["codecs"], data[off:off + nb], inner, dtype)
        dst = tuple(slice(c * s, min((c + 1) * s, n)) for c, s, n in zip(coords, cshape, shape))
        src = tuple(slice(0, d.stop - d.start) for d in dst)
        out[dst] = chunk[src]
    return meta, out


def numpy_selection(text, ndim):
    text = text.strip()
    if text == "":
        return ()
    parts = []
    for p in text.split(","):
        p = p.strip()
        if p == "...":
            parts.append(Ellipsis)
        elif ":" in p:
            parts.append(slice(*[int(x) if x else None for x in p.split(":")]))
        else:
            parts.append(int(p))
    return tuple(parts)


def expected_array(doc, dtype):
    vals = doc["values"]
    if dtype.startswith("float"):
        vals = [{"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(v, v) if isinstance(v, str) else v for v in vals]
    elif dtype in ("int64", "uint64"):
        vals = [int(v) for v in vals]
    return np.array(vals, dtype=np.dtype(NP[dtype]) if dtype != "bool" else np.dtype("?")).reshape(doc["shape"])


def main():
    failures = 0
    checked = 0
    for root, dirs, files in sorted(os.walk(OUT)):
        if "zarr.json" not in files or "expected" not in dirs:
            continue
        name = os.path.relpath(root, OUT)
        meta, arr = read_array(root)
        dtype = meta["data_type"]
        edir = os.path.join(root, "expected")
        for f in sorted(os.listdir(edir), key=lambda x: int(x.split(".")[0])):
            doc = json.load(open(os.path.join(edir, f)))
            got = np.asarray(arr[numpy_selection(doc["selection"], arr.ndim)])
            exp = expected_array(doc, dtype)
            same = got.shape == exp.shape and np.array_equal(got, exp, equal_nan=dtype.startswith("float"))
            if same and dtype.startswith("float"):
                same = np.array_equal(np.signbit(got), np.signbit(exp))
            if same:
                bo = doc["dtype"][0]
                same = doc["dtype"][1:] == NP[dtype] and (bo == "|") == (np.dtype(NP[dtype]).itemsize == 1)
            checked += 1
            if not same:
                failures += 1
                print(f"FAIL {name} expected/{f} ({doc['selection']})")
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
