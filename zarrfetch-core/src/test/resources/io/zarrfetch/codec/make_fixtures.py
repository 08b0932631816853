#!/usr/bin/python3
"""Writes the numcodecs reference frames the codec tests decode (see README.md beside this file).

Run with Debian's python3 (python3-numcodecs 0.11, which links the system c-blosc 1.21.3 with Snappy, and numpy),
from any directory:  /usr/bin/python3 make_fixtures.py
It rewrites every *.raw / *.bin file here and manifest.tsv. gzip members carry the time of the run, so a rerun
changes those bytes (not what they decode to).
"""
import gzip
import os
import subprocess
import sys

import numcodecs
import numpy as np
from numcodecs import GZip, LZ4, Blosc, Zlib, Zstd

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20251125)

# Inputs: small, deterministic, shaped like array chunks.
t = np.arange(10000)
inputs = {
    "int16_smooth": (1500 * np.sin(t / 300.0) + rng.integers(-1, 2, t.size)).astype("<i2"),
    "float32_field": (np.cos(np.arange(3001) / 50.0) * 20 + rng.normal(0, 0.01, 3001)).astype("<f4"),
    "uint64_ramp": (np.arange(3000, dtype="<u8") * 1000003) // 7,
    "bytes_text": np.frombuffer(b"".join(
        b"chunk %05d of the MUR-like data set; " % i for i in range(300))[:10007], dtype="u1"),
    "tiny": np.arange(25, dtype="<i2"),  # 50 bytes: Blosc stores buffers under 128 bytes as a plain copy
}
manifest = []


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def add(encoded, codec, input_name, producer):
    name = f"{codec}-{len(manifest):03d}.bin"
    write(name, encoded)
    manifest.append((name, codec, input_name + ".raw", producer))


for name, arr in inputs.items():
    write(name + ".raw", arr.tobytes())

nc = f"numcodecs {numcodecs.__version__}"
blosc_version = numcodecs.blosc.VERSION_STRING

# Blosc: every compressor x shuffle on typesize 2 and 4, plus the corner cases.
for cname in ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]:
    for shuffle in [0, 1, 2]:
        for inp in ["int16_smooth", "float32_field"]:
            codec = Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=0)
            add(codec.encode(inputs[inp]), "blosc", inp,
                f"{nc} Blosc(cname={cname}, clevel=5, shuffle={shuffle}) / c-blosc {blosc_version}")
for cname, clevel, shuffle, blocksize, inp in [
    ("lz4", 0, 1, 0, "int16_smooth"),          # clevel 0: plain copy
    ("lz4", 9, 1, 2048, "float32_field"),      # forced small blocks, a short last one
    ("blosclz", 9, 1, 2048, "float32_field"),
    ("zstd", 3, 2, 2048, "float32_field"),
    ("snappy", 5, 1, 4096, "int16_smooth"),
    ("lz4", 5, 2, 0, "bytes_text"),            # typesize 1 with bit shuffle
    ("blosclz", 1, 1, 0, "uint64_ramp"),
    ("zstd", 9, 2, 0, "uint64_ramp"),
    ("zlib", 1, 1, 2048, "uint64_ramp"),
    ("lz4", 5, 1, 0, "tiny"),
]:
    codec = Blosc(cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize)
    add(codec.encode(inputs[inp]), "blosc", inp,
        f"{nc} Blosc(cname={cname}, clevel={clevel}, shuffle={shuffle}, blocksize={blocksize}) / c-blosc {blosc_version}")

for inp in ["int16_smooth", "bytes_text"]:
    for level in [1, 5, 22]:
        add(Zstd(level=level).encode(inputs[inp]), "zstd", inp, f"{nc} Zstd(level={level})")
    for level in [1, 9]:
        add(Zlib(level=level).encode(inputs[inp]), "zlib", inp, f"{nc} Zlib(level={level})")
        add(GZip(level=level).encode(inputs[inp]), "gzip", inp, f"{nc} GZip(level={level})")
    for accel in [1, 10]:
        add(LZ4(acceleration=accel).encode(inputs[inp]), "lz4", inp, f"{nc} LZ4(acceleration={accel})")

# zstd frames without a content size (the CLI cannot know the size of a pipe), with and without checksum.
zstd_cli = subprocess.run(["zstd", "--version"], capture_output=True, text=True).stdout.strip()
for flags in [["--check"], ["--no-check"]]:
    out = subprocess.run(["zstd", "-q", "-c", "-3"] + flags, input=inputs["int16_smooth"].tobytes(),
                         capture_output=True, check=True).stdout
    add(out, "zstd", "int16_smooth", f"{zstd_cli}, stdin, {' '.join(flags)} (no content size)")

# gzip: two members back to back; a member with a file name, comment and header CRC is made by hand.
raw = inputs["bytes_text"].tobytes()
add(gzip.compress(raw[:4000], mtime=0) + gzip.compress(raw[4000:], mtime=0), "gzip", "bytes_text",
    f"Python {sys.version.split()[0]} gzip.compress, two members")
import struct, zlib as _zlib
hdr = b"\x1f\x8b\x08" + bytes([0x02 | 0x04 | 0x08 | 0x10]) + struct.pack("<I", 0) + b"\x00\xff"
hdr += struct.pack("<H", 4) + b"ab\x00\x00" + b"chunk.raw\x00" + b"a comment\x00"
hdr += struct.pack("<H", _zlib.crc32(hdr) & 0xFFFF)
co = _zlib.compressobj(6, _zlib.DEFLATED, -15)
body = co.compress(raw) + co.flush()
add(hdr + body + struct.pack("<II", _zlib.crc32(raw), len(raw)), "gzip", "bytes_text",
    f"Python {sys.version.split()[0]} zlib, FEXTRA+FNAME+FCOMMENT+FHCRC member")

with open(os.path.join(HERE, "manifest.tsv"), "w") as f:
    f.write("# encoded\tcodec\tdecodes to\tproduced by\n")
    for row in manifest:
        f.write("\t".join(row) + "\n")
print(f"{len(manifest)} fixtures")
