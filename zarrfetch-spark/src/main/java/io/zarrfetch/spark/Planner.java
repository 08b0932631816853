package io.zarrfetch.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the chunks a region touches into blocks: hyper-rectangles of whole chunks (of shards, for sharded arrays),
 * each up to a number of chunks, grown along the first axis first (then the next, once the first is whole), so
 * that each chunk is a contiguous run of its block's rows where it can be. A block is one partition.
 */
final class Planner {
    private Planner() {
    }

    /**
     * One block.
     *
     * @param region the elements of the region in the block's chunks (for whole-chunk blocks: all their elements)
     * @param firstChunk the grid index of its first chunk
     * @param chunksPerAxis how many chunks it spans along each axis
     * @param chunks how many of them the region touches (the elements view skips those a step jumps over)
     */
    record Block(Region region, long[] firstChunk, long[] chunksPerAxis, long chunks) implements Serializable {
    }

    /**
     * One run of chunks along an axis: chunks {@code [c0, c1)}, {@code touched} of which the region touches, and the
     * region's indices {@code [k0, k1)} in them.
     */
    private record Run(long c0, long c1, long touched, long k0, long k1) {
    }

    /** The chunks along each axis that the region touches. */
    static long[][] touched(Region region, long[] shape, int[] chunks) {
        int n = shape.length;
        long[][] out = new long[n][];
        for (int a = 0; a < n; a++) {
            List<Long> cs = new ArrayList<>();
            if (region.count()[a] > 0) {
                for (long c = region.start()[a] / chunks[a]; c <= region.last(a) / chunks[a]; c++) {
                    long[] k = region.kRange(a, c * chunks[a], Math.min((c + 1) * chunks[a], shape[a]));
                    if (k[1] > k[0]) {
                        cs.add(c);
                    }
                }
            }
            out[a] = cs.stream().mapToLong(Long::longValue).toArray();
        }
        return out;
    }

    /** Chunks the region touches. */
    static long touchedChunks(Region region, long[] shape, int[] chunks) {
        long n = 1;
        for (long[] axis : touched(region, shape, chunks)) {
            n = Math.multiplyExact(n, axis.length);
        }
        return n;
    }

    /**
     * The blocks of at most {@code chunksPerBlock} chunks that cover what {@code region} touches, in C order.
     *
     * @param wholeChunks whether a block covers its chunks whole (the chunks view) rather than the region's elements
     *     in them; whole-chunk blocks never span chunks the region skips
     */
    static List<Block> blocks(Region region, long[] shape, int[] chunks, long chunksPerBlock, boolean wholeChunks) {
        int n = shape.length;
        if (n == 0) {
            return List.of(new Block(region, new long[0], new long[0], 1));
        }
        long[][] touched = touched(region, shape, chunks);
        for (long[] t : touched) {
            if (t.length == 0) {
                return List.of();
            }
        }
        // Chunks per block along each axis, from the first: a block of chunks stacked along the first axis holds
        // each whole chunk as one contiguous run of its C-order rows, which zarrfetch decodes straight into place.
        long[] per = new long[n];
        java.util.Arrays.fill(per, 1);
        long left = Math.max(1, chunksPerBlock);
        for (int a = 0; a < n; a++) {
            per[a] = Math.max(1, Math.min(touched[a].length, left));
            left = Math.max(1, left / per[a]);
            if (per[a] < touched[a].length) {
                break;
            }
        }
        List<List<Run>> runs = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            List<Run> axis = new ArrayList<>();
            long[] t = touched[a];
            int from = 0;
            for (int i = 1; i <= t.length; i++) {
                boolean gap = i < t.length && wholeChunks && t[i] != t[i - 1] + 1;
                if (i == t.length || i - from == per[a] || gap) {
                    long c0 = t[from];
                    long c1 = t[i - 1] + 1;
                    long[] k = region.kRange(a, c0 * chunks[a], Math.min(c1 * chunks[a], shape[a]));
                    axis.add(new Run(c0, c1, i - from, k[0], k[1]));
                    from = i;
                }
            }
            runs.add(axis);
        }
        List<Block> out = new ArrayList<>();
        int[] idx = new int[n];
        while (true) {
            long[] first = new long[n];
            long[] span = new long[n];
            long touchedHere = 1;
            for (int a = 0; a < n; a++) {
                Run run = runs.get(a).get(idx[a]);
                first[a] = run.c0();
                span[a] = run.c1() - run.c0();
                touchedHere *= run.touched();
            }
            Region r;
            if (wholeChunks) {
                long[] start = new long[n];
                long[] step = new long[n];
                long[] count = new long[n];
                for (int a = 0; a < n; a++) {
                    start[a] = first[a] * chunks[a];
                    step[a] = 1;
                    count[a] = Math.min((first[a] + span[a]) * chunks[a], shape[a]) - start[a];
                }
                r = new Region(start, step, count);
            } else {
                r = cut(region, runs, idx);
            }
            out.add(new Block(r, first, span, touchedHere));
            int a = n - 1;
            while (a >= 0 && ++idx[a] == runs.get(a).size()) {
                idx[a] = 0;
                a--;
            }
            if (a < 0) {
                return out;
            }
        }
    }

    /** The region cut to the runs at {@code idx}. */
    private static Region cut(Region region, List<List<Run>> runs, int[] idx) {
        long[] start = region.start().clone();
        long[] count = region.count().clone();
        for (int a = 0; a < start.length; a++) {
            Run run = runs.get(a).get(idx[a]);
            start[a] = region.start()[a] + run.k0() * region.step()[a];
            count[a] = run.k1() - run.k0();
        }
        return new Region(start, region.step().clone(), count);
    }
}
