#!/usr/bin/python3
"""Placeholder MUR-like data for bench/run: DIR/analysed_sst/{i}.1.0, i = 0..N-1.

Each object is SIZE pseudo-random bytes from numpy's PCG64 seeded with (seed, i), so an object's
bytes depend only on the seed and its index (not on N), and they do not compress, like the
Blosc-compressed ocean chunks of the real store. Objects that already exist with the right size
are kept (bench/run records the seed next to the set and regenerates when it changes).
"""
import argparse
import os
import sys
import time

import numpy as np

CHUNK = 4_000_000  # bytes drawn per call; keeps the generator's memory small


def write_object(path: str, size: int, seed: int, index: int) -> None:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index])))
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        left = size
        while left > 0:
            n = min(CHUNK, left)
            f.write(rng.bytes(n))
            left -= n
    os.replace(tmp, path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--objects", type=int, required=True)
    ap.add_argument("--size", type=int, default=28_000_000)
    ap.add_argument("--seed", type=int, required=True)
    a = ap.parse_args()
    if a.objects < 1 or a.size < 1:
        ap.error("--objects and --size must be positive")
    out = os.path.join(a.dir, "analysed_sst")
    os.makedirs(out, exist_ok=True)
    made = 0
    t0 = time.monotonic()
    for i in range(a.objects):
        path = os.path.join(out, f"{i}.1.0")
        try:
            if os.path.getsize(path) == a.size:
                continue
        except FileNotFoundError:
            pass
        write_object(path, a.size, a.seed, i)
        made += 1
    print(f"gen_placeholder: wrote {made} of {a.objects} objects of {a.size} bytes "
          f"(seed {a.seed}) into {out} in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
