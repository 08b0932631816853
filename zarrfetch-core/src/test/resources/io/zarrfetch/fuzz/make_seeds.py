#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz tests (io.zarrfetch.fuzz) from the codec and Zarr v3 fixtures.

Run from this directory: python3 make_seeds.py. Seeds are named seed-*; crash-* files next to them are inputs
Jazzer found, kept as regression tests (see docs/reliability.md).
"""
import gzip
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CODEC = os.path.join(HERE, "..", "codec")
V3 = os.path.join(HERE, "..", "zarr", "v3")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(cls, method, name, data):
    d = os.path.join(HERE, cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def codec_input(flags, size, encoded):
    """CodecHarness's layout: a flags byte, the destination size (u24 little-endian), the encoded bytes."""
    return bytes([flags]) + struct.pack("<I", size)[:3] + encoded


manifest = {}
for line in read(os.path.join(CODEC, "manifest.tsv")).decode().splitlines():
    if not line.startswith("#"):
        enc, codec, raw, _ = line.split("\t")
        manifest[enc] = (codec, raw)


def fixture_seeds(cls, method, names):
    for i, name in enumerate(names):
        codec, raw = manifest[name]
        size = len(read(os.path.join(CODEC, raw)))
        # alternate heap and direct destinations (flag bit 0)
        write(cls, method, name, codec_input(i % 2, size, read(os.path.join(CODEC, name))))


fixture_seeds("BloscFuzzTest", "blosc", ["blosc-%03d.bin" % n for n in (0, 4, 8, 20, 26, 34, 38, 41, 42, 45)])
# a plain-copy (memcpyed) frame of 20 bytes, typesize 4
payload = bytes(range(20))
write("BloscFuzzTest", "blosc", "memcpyed",
      codec_input(0, 20, struct.pack("<BBBBiii", 2, 1, 0x03, 4, 20, 20, 36) + payload))
fixture_seeds("ZstdFuzzTest", "zstd", ["zstd-046.bin", "zstd-055.bin", "zstd-064.bin", "zstd-065.bin"])
fixture_seeds("ZlibFuzzTest", "zlib", ["zlib-049.bin", "zlib-058.bin"])
fixture_seeds("GzipFuzzTest", "gzip", ["gzip-050.bin", "gzip-066.bin", "gzip-067.bin"])
fixture_seeds("Lz4FuzzTest", "lz4", ["lz4-053.bin", "lz4-062.bin"])
small = b"zarrfetch fuzz seed " * 3
write("ZlibFuzzTest", "zlib", "small", codec_input(0, len(small), zlib.compress(small)))
write("GzipFuzzTest", "gzip", "small", codec_input(1, len(small), gzip.compress(small, mtime=0)))
crc = b"crc32c payload"
# flag bit 3 asks the harness to fix the checksum, so mutations get past it
write("Crc32cFuzzTest", "crc32c", "fixed", codec_input(0x08, len(crc), crc + b"\0\0\0\0"))
write("Crc32cFuzzTest", "crc32c", "empty", codec_input(0x08, 0, b"\0\0\0\0"))

# S3 ListObjectsV2 pages
write("S3ListingFuzzTest", "listing", "page", b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>a/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>a/zarr.json</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>812</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>a/c/0/0</Key><ETag>"x"</ETag><Size>0</Size></Contents>
</ListBucketResult>""")
write("S3ListingFuzzTest", "listing", "url-encoded", b"""<ListBucketResult><EncodingType>url</EncodingType>
<IsTruncated>false</IsTruncated><Contents><Key>a%2Fb+c%C3%A9</Key><Size>7</Size></Contents>
<Contents><Key><![CDATA[x&y]]></Key><Size> 12 </Size></Contents></ListBucketResult>""")
write("S3ListingFuzzTest", "listing", "empty", b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")

# Zarr v3 zarr.json documents
for name in ("spec_sharding_example", "combo_transpose_gzip_crc32c", "blosc_zstd_bitshuffle", "fill_float32_nan",
             "dtype_bool", "key_v2_dot", "zero_d_float64", "shard_start_gzip_index_crc32c", "unit_dims"):
    write("ZarrV3MetadataFuzzTest", "zarrJson", name, read(os.path.join(V3, name, "zarr.json")))

# Zarr v2: .zarray, a NUL, .zattrs
V2 = [
    (b'{"zarr_format": 2, "shape": [100, 80], "chunks": [30, 25], "dtype": "<f8", "order": "C", '
     b'"fill_value": "NaN", "filters": null, "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, '
     b'"shuffle": 1, "blocksize": 0}, "dimension_separator": "/"}', b'{"_ARRAY_DIMENSIONS": ["y", "x"]}'),
    (b'{"zarr_format": 2, "shape": [10], "chunks": [4], "dtype": "<i4", "order": "F", "fill_value": -1, '
     b'"filters": [{"id": "delta", "dtype": "<i4", "astype": "<i2"}], "compressor": {"id": "zlib", "level": 1}}',
     b''),
    (b'{"zarr_format": 2, "shape": [3, 4], "chunks": [3, 4], "dtype": "|S5", "order": "C", "fill_value": "AAAAAAA=", '
     b'"filters": [{"id": "fixedscaleoffset", "dtype": "<f8", "astype": "<u1", "scale": 10, "offset": 1}], '
     b'"compressor": null}', b'{"a": [1, 2.5, null, true]}'),
    (b'{"zarr_format": 2, "shape": [], "chunks": [], "dtype": "<M8[ns]", "fill_value": "NaT", '
     b'"compressor": {"id": "zstd", "level": 3}}', b'{}'),
    (b'{"zarr_format": 2, "shape": [5, 5], "chunks": [2, 2], "dtype": "<U3", "fill_value": "ab", '
     b'"compressor": {"id": "gzip", "level": 9}, "filters": [{"id": "astype", "decode_dtype": "<U3", '
     b'"encode_dtype": "<U3"}]}', b''),
]
for i, (zarray, zattrs) in enumerate(V2):
    write("ZarrV2MetadataFuzzTest", "zarray", "v2-%d" % i, zarray + b"\0" + zattrs)

# Chunks: a byte choosing the array (ChunkReadFuzzTest.ARRAYS), a flags byte (bit 0: fix a shard index's crc32c),
# then the bytes of the array's first chunk (or shard; for shard_inner_transpose_3d another shard, of the same shape)
ARRAYS = ["shard_1d_uint8_v2_key", "shard_end_blosc_index_bytes_only", "shard_start_gzip_index_crc32c",
          "shard_inner_transpose_3d", "shard_unordered_with_gaps", "shard_index_big_endian_key_dot",
          "combo_transpose_gzip_crc32c", "blosc_zstd_bitshuffle"]
FIRST = {"shard_1d_uint8_v2_key": "0"}
for i, name in enumerate(ARRAYS):
    d = os.path.join(V3, name)
    key = FIRST.get(name)
    if key is None:
        files = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs
                       if not f.endswith(".json") and "expected" not in r)
        key = files[0]
    write("ChunkReadFuzzTest", "read", name, bytes([i, 1]) + read(os.path.join(d, key)))
