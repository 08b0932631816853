"""Writes Zarr v2 fixtures with zarr-python, and what zarr-python itself reads back from them.

Usage: /usr/bin/python3 make_v2_fixtures.py OUT_DIR

For every case it writes the array OUT_DIR/<case>/ (zarr's DirectoryStore), deletes a few chunks so that they
read as the fill value, and for every selection writes OUT_DIR/<case>.<n>.npy with zarr-python's own result of
reading it, and OUT_DIR/<case>.<n>.sel with the selection text. OUT_DIR/cases.txt lists the cases.
The Java test reads the same selections with zarrfetch and compares the bytes.
"""
import os
import sys

import numpy as np
import zarr
from numcodecs import Blosc, Zstd, Zlib, GZip, LZ4, Delta, FixedScaleOffset, AsType, Quantize

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261125)


def data(shape, dtype, nan=True):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == 'b':
        a = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in 'iu':
        info = np.iinfo(dt)
        a = rng.integers(max(info.min, -10**6), min(info.max, 10**6), n, endpoint=True).astype(dt)
    elif dt.kind == 'f':
        a = (rng.standard_normal(n) * 100).astype(dt)
        if nan:
            a[::17] = np.nan
    elif dt.kind == 'c':
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)
    elif dt.kind == 'S':
        a = np.array([b'x%d' % (i % 997) for i in range(n)], dtype=dt)
    elif dt.kind == 'U':
        a = np.array(['\u00e9%d' % (i % 97) for i in range(n)], dtype=dt)
    elif dt.kind == 'M':
        a = (rng.integers(0, 10**9, n)).astype('i8').view(dt)
    else:
        raise ValueError(dtype)
    return a.reshape(shape)


# Selections: zarr-python (numpy basic indexing) text, as zarrfetch's --select takes it. The last of each list walks
# axes backwards (negative steps), which zarr-python 2 cannot read: NumPy applies it to the whole array zarr-python
# read.
SELECTIONS_3D = [':', '1:9,2:13,0:7', '::3,1::4,-5:', '4,...', '-1,-2,:', '0:0,:,:', '...,3', '2:100,3:4,1:6:2',
                 '::-1,14:1:-2,-2::-3']
SELECTIONS_2D = [':', '3:17,::5', '-3:,2', '5', '...,-1', '20:40,:', '::-4,20::-1']
SELECTIONS_1D = [':', '5:50:7', '-10:', '17', '90:3:-6']


def parse(sel, ndim):
    items = []
    for part in sel.split(','):
        p = part.strip()
        if p == '...':
            items.append(Ellipsis)
        elif ':' in p:
            bits = [int(x) if x.strip() else None for x in p.split(':')]
            items.append(slice(*bits))
        else:
            items.append(int(p))
    return tuple(items)


cases = []


def case(name, shape, chunks, dtype, order='C', compressor=None, filters=None, fill_value=0, sep='.',
         delete=2, sels=None, nan=True):
    path = os.path.join(out, name)
    store = zarr.DirectoryStore(path, dimension_separator=sep)
    z = zarr.open_array(store=store, mode='w', shape=shape, chunks=chunks, dtype=dtype, order=order,
                        compressor=compressor, filters=filters, fill_value=fill_value)
    z[...] = data(shape, dtype, nan)
    # Delete some chunks: they read as the fill value.
    keys = sorted(k for k in store.keys() if not k.startswith('.'))
    for k in keys[1:1 + delete * 3:3]:
        del store[k]
    if sels is None:
        sels = {1: SELECTIONS_1D, 2: SELECTIONS_2D, 3: SELECTIONS_3D}[len(shape)]
    z = zarr.open_array(store=zarr.DirectoryStore(path, dimension_separator=sep), mode='r')
    for i, sel in enumerate(sels):
        item = parse(sel, len(shape))
        if any(isinstance(x, slice) and (x.step or 1) < 0 for x in item):
            expected = z[...][item]
        else:
            expected = z[item]
        np.save(os.path.join(out, '%s.%d.npy' % (name, i)), np.asarray(expected, order='C'))
        with open(os.path.join(out, '%s.%d.sel' % (name, i)), 'w') as f:
            f.write(sel)
    cases.append(name)


S3, C3 = (11, 17, 9), (4, 5, 4)        # edge chunks on every axis
S2, C2 = (41, 23), (10, 7)
S1, C1 = (103,), (20,)

# dtypes, C order, no compressor
for dt in ['|b1', '|i1', '|u1', '<i2', '>i2', '<u2', '<i4', '>i4', '<u4', '<i8', '>u8', '<f2', '<f4', '>f4', '<f8',
           '>f8', '<c8', '<c16', '|S5', '<U3', '<M8[s]']:
    safe = dt.replace('<', 'le').replace('>', 'be').replace('|', 'na').replace('[', '').replace(']', '')
    fill = {'b': False, 'S': b'', 'U': '', 'M': 0, 'c': 0}.get(np.dtype(dt).kind, 0)
    case('dtype_' + safe, S3, C3, dt, fill_value=fill)

# Fortran order, several dtypes and compressors
case('order_f_i2_blosc', S3, C3, '<i2', order='F', compressor=Blosc('lz4', 5, Blosc.SHUFFLE))
case('order_f_f8', S2, C2, '>f8', order='F')
case('order_f_u1_zlib', S3, C3, '|u1', order='F', compressor=Zlib(3))

# compressors
case('blosc_lz4_shuffle', S3, C3, '<i2', compressor=Blosc('lz4', 5, Blosc.SHUFFLE), fill_value=-32768)
case('blosc_lz4hc_noshuffle', S3, C3, '<f4', compressor=Blosc('lz4hc', 9, Blosc.NOSHUFFLE))
case('blosc_blosclz_bitshuffle', S3, C3, '<i8', compressor=Blosc('blosclz', 5, Blosc.BITSHUFFLE))
case('blosc_zstd_bitshuffle', S2, C2, '>f8', compressor=Blosc('zstd', 3, Blosc.BITSHUFFLE))
case('blosc_zlib_shuffle', S2, C2, '<u4', compressor=Blosc('zlib', 5, Blosc.SHUFFLE))
case('blosc_clevel0', S1, C1, '<i4', compressor=Blosc('lz4', 0, Blosc.SHUFFLE))
case('zstd', S3, C3, '<u2', compressor=Zstd(3))
case('zlib', S3, C3, '<i4', compressor=Zlib(5))
case('gzip', S2, C2, '<f4', compressor=GZip(6))
case('lz4', S3, C3, '<i8', compressor=LZ4())

# filters
case('filter_delta', S1, C1, '<i4', filters=[Delta(dtype='<i4', astype='<i2')], compressor=Zlib(1))
case('filter_fixedscaleoffset', S2, C2, '<f8',
     filters=[FixedScaleOffset(offset=-500, scale=10, dtype='<f8', astype='<u2')], compressor=Blosc('lz4'),
     fill_value=1000.0, nan=False)
case('filter_astype', S1, C1, '<f8', filters=[AsType(encode_dtype='<f4', decode_dtype='<f8')])
case('filter_quantize', S2, C2, '<f8', filters=[Quantize(digits=2, dtype='<f8')], compressor=Zstd(1))

# separators and fill values
case('sep_slash', S3, C3, '<i2', compressor=Blosc('lz4'), sep='/')
case('fill_nan', S2, C2, '<f4', fill_value=float('nan'), compressor=Zlib(1), delete=4)
# zarr-python leaves the region of a missing chunk uninitialised when there is no fill value: keep them all.
case('fill_none', S2, C2, '<i4', fill_value=None, delete=0)
case('fill_big_u8', S1, C1, '<u8', fill_value=2**64 - 1, delete=2)
case('zero_d', (), (), '<f8', sels=['...'])

with open(os.path.join(out, 'cases.txt'), 'w') as f:
    f.write('\n'.join(cases) + '\n')
print(len(cases), 'cases written by zarr', zarr.__version__, 'numcodecs', __import__('numcodecs').__version__)
