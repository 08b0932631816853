"""Writes selections over chunk grids, with what zarr-python's BasicIndexer and NumPy make of them.

Usage: /usr/bin/python3 make_projection_cases.py OUT_FILE

One JSON line per case: the array's shape, the chunk shape, a selection as zarrfetch parses it (NumPy's basic
indexing: slices with steps, negative bounds, integers, '...'), and
  - "projections": zarr.indexing.BasicIndexer's ChunkProjections, each as the chunk's coordinates and, per axis,
    the chunk-local indices it takes and the result indices they go to (null for an axis an integer drops);
  - "shape" and "values": numpy.arange(size).reshape(shape)[selection], flattened in C order.
Seeded, so the cases are the same every run.
"""
import json
import sys

import numpy as np
import zarr
from zarr.indexing import BasicIndexer

rng = np.random.default_rng(20261126)


def indices(sel, length):
    """The indices a slice or an integer takes along an axis of `length`."""
    if isinstance(sel, slice):
        return list(range(*sel.indices(length)))
    return [int(sel)]


def item(length):
    """A random item for one axis: a slice (parts optional, maybe negative, maybe past the end) or an integer."""
    r = rng.random()
    if r < 0.2:
        i = int(rng.integers(-length, length))
        return i, str(i)
    def bound():
        if rng.random() < 0.25:
            return None
        return int(rng.integers(-length - 3, length + 4))
    start, stop = bound(), bound()
    step = None if rng.random() < 0.4 else int(rng.choice([1, 2, 3, 5, 7, length + 1]))
    text = ('' if start is None else str(start)) + ':' + ('' if stop is None else str(stop))
    if step is not None:
        text += ':' + str(step)
    return slice(start, stop, step), text


cases = []
for n in range(300):
    rank = int(rng.integers(1, 5))
    shape = tuple(int(rng.integers(1, 23)) for _ in range(rank))
    chunks = tuple(int(rng.integers(1, s + 3)) for s in shape)
    items = [item(s) for s in shape]
    selection = tuple(i for i, _ in items)
    texts = [t for _, t in items]
    if rank > 1 and rng.random() < 0.2:
        # leave trailing axes out, or stand '...' for some
        k = int(rng.integers(1, rank))
        if rng.random() < 0.5:
            selection, texts = selection[:k], texts[:k]
        else:
            selection = (Ellipsis,) + selection[k:]
            texts = ['...'] + texts[k:]
    z = zarr.zeros(shape, chunks=chunks, dtype='i8')
    projections = []
    for p in BasicIndexer(selection, z):
        axes = []
        out = list(p.out_selection)
        for a, cs in enumerate(p.chunk_selection):
            clen = min(chunks[a], shape[a] - p.chunk_coords[a] * chunks[a])
            taken = indices(cs, clen)
            if isinstance(cs, slice):
                o = out.pop(0)
                axes.append({'chunk': taken, 'out': list(range(o.start, o.stop))})
            else:
                axes.append({'chunk': taken, 'out': None})
        projections.append({'coords': list(p.chunk_coords), 'axes': axes})
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[selection]
    cases.append({'shape': list(shape), 'chunks': list(chunks), 'selection': ','.join(texts),
                  'projections': projections, 'result_shape': list(np.shape(values)),
                  'values': np.ravel(values).tolist()})

with open(sys.argv[1], 'w') as f:
    for c in cases:
        f.write(json.dumps(c) + '\n')
