"""Writes selections over chunk grids, with what zarr-python's BasicIndexer and NumPy make of them.

Usage: /usr/bin/python3 make_projection_cases.py OUT_FILE

One JSON line per case: the array's shape, the chunk shape, a selection as zarrfetch parses it (NumPy's basic
indexing: slices with steps, negative bounds, integers, '...'), and
  - "projections": zarr.indexing.BasicIndexer's ChunkProjections, each as the chunk's coordinates and, per axis,
    the chunk-local indices it takes and the result indices they go to (null for an axis an integer drops);
  - "shape" and "values": numpy.arange(size).reshape(shape)[selection], flattened in C order.
Then selections with negative steps, which zarr-python 2 refuses (NegativeStepError): their projections are made
from NumPy's own indexing instead (per axis, numpy.arange(length)[item]: the elements it takes, in the result's
order, grouped by the chunk they lie in), the chunks in C order.
Seeded, so the cases are the same every run.
"""
import itertools
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


def item(length, rng=rng, steps=(1, 2, 3, 5, 7)):
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
    step = None if rng.random() < 0.4 else int(rng.choice(list(steps) + [length + 1 if steps[0] > 0 else -length - 1]))
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


def numpy_projections(shape, chunks, selection):
    """The chunks a selection touches and, per axis, what each takes and where it goes, from NumPy's indexing."""
    full = list(selection)
    if Ellipsis in full:
        i = full.index(Ellipsis)
        full[i:i + 1] = [slice(None)] * (len(shape) - len(full) + 1)
    full += [slice(None)] * (len(shape) - len(full))
    per_axis = []
    for a, sel in enumerate(full):
        taken = np.arange(shape[a])[sel]
        taken = np.atleast_1d(taken)
        groups = {}
        for out, element in enumerate(taken.tolist()):
            groups.setdefault(element // chunks[a], []).append((out, element))
        per_axis.append([(c, [e - c * chunks[a] for _, e in g],
                          None if not isinstance(sel, slice) else [o for o, _ in g])
                         for c, g in sorted(groups.items())])
    projections = []
    for combo in itertools.product(*per_axis):
        projections.append({'coords': [c for c, _, _ in combo],
                            'axes': [{'chunk': taken, 'out': out} for _, taken, out in combo]})
    return projections


backwards = np.random.default_rng(20261205)
for n in range(150):
    rank = int(backwards.integers(1, 5))
    shape = tuple(int(backwards.integers(1, 23)) for _ in range(rank))
    chunks = tuple(int(backwards.integers(1, s + 3)) for s in shape)
    items = [item(s, backwards, (-1, -2, -3, -5, -7)) for s in shape]
    if not any(isinstance(i, slice) and i.step is not None and i.step < 0 for i, _ in items):
        continue  # only selections that walk some axis backwards
    selection = tuple(i for i, _ in items)
    texts = [t for _, t in items]
    if rank > 1 and backwards.random() < 0.2:
        k = int(backwards.integers(1, rank))
        selection = (Ellipsis,) + selection[k:]
        texts = ['...'] + texts[k:]
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[selection]
    cases.append({'shape': list(shape), 'chunks': list(chunks), 'selection': ','.join(texts),
                  'projections': numpy_projections(shape, chunks, selection),
                  'result_shape': list(np.shape(values)), 'values': np.ravel(values).tolist()})

with open(sys.argv[1], 'w') as f:
    for c in cases:
        f.write(json.dumps(c) + '\n')
