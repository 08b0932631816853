package io.zarrfetch.zarr;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A selection over a chunk grid: which chunks it touches and, for each, which of the chunk's elements it takes and
 * where they go in the result, as zarr-python's {@code BasicIndexer} yields its {@code ChunkProjection}s. Pure
 * arithmetic on a resolved selection and a chunk shape (checked against zarr-python and NumPy by
 * ChunkProjectionTest); reading and copying bytes is {@link ArrayRead}'s.
 *
 * <p>Result indices count along every axis of the array, dropped ones included (where the count is 1); the
 * result's shape leaves those out, its layout does not change.
 *
 * <p>An axis walked backwards (a negative step) is worked out as the same elements walked forwards, whose result
 * indices then run the other way: each chunk gives a run of the result taken from its last selected element down.
 */
final class ChunkProjection {
    private final Selection.Resolved sel;
    private final long[] shape;
    private final int[] chunk;
    /** Per axis, the elements selected in the array's order: the first (lowest), the distance between two. */
    private final long[] first;
    private final long[] stride;

    /**
     * @param sel the selection, resolved against {@code shape}
     * @param chunk the chunks' shape (for sharded arrays, the inner chunks')
     */
    ChunkProjection(Selection.Resolved sel, long[] shape, int[] chunk) {
        if (shape.length != chunk.length || sel.count().length != shape.length) {
            throw new IllegalArgumentException("a selection of " + sel.count().length + " axes over chunks of "
                    + chunk.length + " axes in an array of " + shape.length);
        }
        this.sel = sel;
        this.shape = shape;
        this.chunk = chunk;
        int n = shape.length;
        first = new long[n];
        stride = new long[n];
        for (int a = 0; a < n; a++) {
            long step = sel.step()[a];
            long count = sel.count()[a];
            stride[a] = count <= 1 ? 1 : Math.abs(step); // one element: no step to take (and -2^63 has no abs)
            first[a] = step > 0 || count == 0 ? sel.start()[a] : sel.start()[a] + (count - 1) * step;
        }
    }

    /** Whether the selection walks {@code axis} backwards. */
    private boolean backwards(int axis) {
        return sel.step()[axis] < 0;
    }

    /**
     * What one chunk gives the result: along each axis, {@code count} elements from the chunk's index
     * {@code chunkStart} on, every {@code step}-th (backwards for a negative step), to the result's indices
     * {@code outStart} on.
     *
     * @param coords the chunk's coordinates in the grid
     */
    record Region(long[] coords, long[] outStart, long[] count, long[] chunkStart, long[] step) {
        /** Elements the region holds. */
        long elements() {
            long n = 1;
            for (long c : count) {
                n *= c;
            }
            return n;
        }
    }

    /** The chunk coordinates the selection touches, axis by axis, in increasing order. */
    long[][] chunksPerAxis() {
        int n = chunk.length;
        long[][] out = new long[n][];
        for (int a = 0; a < n; a++) {
            if (sel.count()[a] == 0) {
                out[a] = new long[0];
                continue;
            }
            long lo = first[a];
            long step = stride[a];
            long count = sel.count()[a];
            if (step >= chunk[a]) {
                // Each element selected lies in a chunk of its own: as many chunks as elements.
                long[] cs = new long[Math.toIntExact(count)];
                for (int k = 0; k < count; k++) {
                    cs[k] = (lo + k * step) / chunk[a];
                }
                out[a] = cs;
                continue;
            }
            // Steps shorter than a chunk: the chunks between the first and the last element, fewer than the
            // elements plus one; a chunk a step jumps over is not touched.
            long last = lo + (count - 1) * step;
            long[] cs = new long[Math.toIntExact(last / chunk[a] - lo / chunk[a] + 1)];
            int k = 0;
            for (long c = lo / chunk[a]; c <= last / chunk[a]; c++) {
                long[] r = outRange(a, c);
                if (r[1] > r[0]) {
                    cs[k++] = c;
                }
            }
            out[a] = Arrays.copyOf(cs, k);
        }
        return out;
    }

    /** Calls {@code each} with the coordinates of every chunk the selection touches, in C order. */
    void forEachChunk(Consumer<long[]> each) {
        long[][] perAxis = chunksPerAxis();
        int n = perAxis.length;
        for (long[] axis : perAxis) {
            if (axis.length == 0) {
                return;
            }
        }
        int[] idx = new int[n];
        while (true) {
            long[] coords = new long[n];
            for (int a = 0; a < n; a++) {
                coords[a] = perAxis[a][idx[a]];
            }
            each.accept(coords);
            int a = n - 1;
            while (a >= 0 && ++idx[a] == perAxis[a].length) {
                idx[a] = 0;
                a--;
            }
            if (a < 0) {
                return;
            }
        }
    }

    /** What the chunk at {@code coords} gives the result. */
    Region region(long[] coords) {
        int n = chunk.length;
        long[] outStart = new long[n];
        long[] count = new long[n];
        long[] chunkStart = new long[n];
        long[] step = new long[n];
        for (int a = 0; a < n; a++) {
            long[] r = outRange(a, coords[a]);
            count[a] = r[1] - r[0];
            if (backwards(a)) {
                // The run's last element in the array comes first in the result.
                outStart[a] = sel.count()[a] - r[1];
                chunkStart[a] = first[a] + (r[1] - 1) * stride[a] - coords[a] * chunk[a];
                step[a] = -stride[a];
            } else {
                outStart[a] = r[0];
                chunkStart[a] = first[a] + r[0] * stride[a] - coords[a] * chunk[a];
                step[a] = stride[a];
            }
        }
        return new Region(coords, outStart, count, chunkStart, step);
    }

    /** Whether a region is all of its chunk, in order: every element, step 1, none of it outside the array. */
    boolean wholeChunk(Region r) {
        for (int a = 0; a < chunk.length; a++) {
            if (r.step()[a] != 1 || r.count()[a] != chunk[a]) {
                return false;
            }
        }
        return true;
    }

    /** Whether a region is one contiguous run of the C-order result. */
    boolean contiguousInResult(Region r) {
        int n = chunk.length;
        int a = 0;
        while (a < n && r.count()[a] == 1) {
            a++;
        }
        for (int i = a + 1; i < n; i++) {
            if (r.count()[i] != sel.count()[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The selected elements [k0, k1) along {@code axis} that fall in chunk {@code c}, numbered in the array's order
     * (the result's, unless the axis is walked backwards).
     */
    private long[] outRange(int axis, long c) {
        long origin = c * chunk[axis];
        long end = Math.min(origin + chunk[axis], shape[axis]);
        long start = first[axis];
        long step = stride[axis];
        long k0 = origin <= start ? 0 : (origin - start + step - 1) / step;
        long k1 = end <= start ? 0 : Math.min(sel.count()[axis], (end - start + step - 1) / step);
        return new long[] {k0, Math.max(k0, k1)};
    }
}
