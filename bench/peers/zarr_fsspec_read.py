"""zarr-python 2.13 + fsspec over HTTP(S): read a region of the MUR-like array, as a Python user would.

Usage: /usr/bin/python3 zarr_fsspec_read.py [--cafile PEM] BASE_URL SELECTION

--cafile: trust this CA for https:// (bench/read's TLS profiles): fsspec's HTTP filesystem passes
the ssl= storage option to every aiohttp request, here ssl.create_default_context(cafile=PEM).
"""
import argparse
import ssl

import fsspec
import zarr

ap = argparse.ArgumentParser()
ap.add_argument("--cafile")
ap.add_argument("base")
ap.add_argument("sel")
a = ap.parse_args()
options = {"ssl": ssl.create_default_context(cafile=a.cafile)} if a.cafile else {}
store = fsspec.get_mapper(a.base, **options)
z = zarr.open(store, mode='r')['analysed_sst']
index = tuple(slice(*[int(x) if x else None for x in part.split(':')]) for part in a.sel.split(','))
arr = z[index]
print(arr.shape, arr.dtype, arr.nbytes)
