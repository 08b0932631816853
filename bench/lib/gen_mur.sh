#!/usr/bin/env bash
# ZF_DATA_CMD for bench/run: writes the MUR-like data set (real c-blosc LZ4 frames, ~28 MB each) with
# zarrfetch's own generator: DIR/analysed_sst/{i}.1.0 for i < $ZF_BENCH_OBJECTS, plus Zarr metadata.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/zarrfetch" demo --quiet --chunks "${ZF_BENCH_OBJECTS:?}" --write-to "$1"
