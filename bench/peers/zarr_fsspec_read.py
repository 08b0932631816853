"""zarr-python 2.13 + fsspec over HTTP: read a region of the MUR-like array, as a Python user would.

Usage: /usr/bin/python3 zarr_fsspec_read.py BASE_URL SELECTION
"""
import sys

import fsspec
import zarr

base, sel = sys.argv[1], sys.argv[2]
store = fsspec.get_mapper(base)
z = zarr.open(store, mode='r')['analysed_sst']
index = tuple(slice(*[int(x) if x else None for x in part.split(':')]) for part in sel.split(','))
a = z[index]
print(a.shape, a.dtype, a.nbytes)
