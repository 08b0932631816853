package io.zarrfetch.spark;

import java.io.Serializable;
import java.util.Arrays;

import io.zarrfetch.zarr.Selection;

/**
 * A hyper-rectangle of an array's elements, with steps: along axis {@code a}, the coordinates
 * {@code start[a] + k * step[a]} for {@code 0 <= k < count[a]}. Rows of the elements view come in C order of it.
 */
record Region(long[] start, long[] step, long[] count) implements Serializable {

    /** The whole of an array of {@code shape}. */
    static Region all(long[] shape) {
        long[] step = new long[shape.length];
        Arrays.fill(step, 1);
        return new Region(new long[shape.length], step, shape.clone());
    }

    /**
     * What a NumPy-style selection picks; an integer keeps its axis (one coordinate), as a row keeps its columns. An
     * axis walked backwards (a negative step) picks the same coordinates as walked forwards: rows carry their
     * coordinates, and their order is Spark's to set (ORDER BY), so the region holds them in the array's order.
     */
    static Region of(Selection selection, long[] shape) {
        Selection.Resolved r = selection.resolve(shape);
        long[] start = r.start().clone();
        long[] step = r.step().clone();
        for (int a = 0; a < step.length; a++) {
            if (step[a] < 0) {
                start[a] = r.count()[a] == 0 ? 0 : start[a] + (r.count()[a] - 1) * step[a]; // the lowest
                step[a] = r.count()[a] <= 1 ? 1 : -step[a];
            }
        }
        return new Region(start, step, r.count().clone());
    }

    int rank() {
        return start.length;
    }

    /** Elements in all. */
    long elements() {
        long n = 1;
        for (long c : count) {
            n = Math.multiplyExact(n, c);
        }
        return n;
    }

    boolean isEmpty() {
        for (long c : count) {
            if (c == 0) {
                return true;
            }
        }
        return false;
    }

    /** The last coordinate selected along {@code axis} (meaningless when it selects none). */
    long last(int axis) {
        return start[axis] + (count[axis] - 1) * step[axis];
    }

    /** The indices k, within this region, of the coordinates along {@code axis} that lie in {@code [lo, hi)}. */
    long[] kRange(int axis, long lo, long hi) {
        long s = start[axis];
        long st = step[axis];
        long k0 = lo <= s ? 0 : Math.ceilDiv(lo - s, st);
        long k1 = hi <= s ? 0 : Math.min(count[axis], Math.ceilDiv(hi - s, st));
        k0 = Math.min(k0, count[axis]);
        return new long[] {k0, Math.max(k0, k1)};
    }

    /** Receives one run of elements: the flat index (C order, within this region) of its first, and its length. */
    @FunctionalInterface
    interface Runs {
        void run(long at, long length);
    }

    /**
     * Walks the box of this region's elements whose indices start at {@code k0} and span {@code kn} along each
     * axis, in C order, as runs along the last axis; a box with an empty axis has none, one of rank 0 one element.
     */
    void forEachRun(long[] k0, long[] kn, Runs runs) {
        int n = rank();
        for (int a = 0; a < n; a++) {
            if (kn[a] == 0) {
                return;
            }
        }
        if (n == 0) {
            runs.run(0, 1);
            return;
        }
        long[] stride = new long[n];
        long s = 1;
        for (int a = n - 1; a >= 0; a--) {
            stride[a] = s;
            s *= count[a];
        }
        long[] k = new long[n];
        while (true) {
            long at = 0;
            for (int a = 0; a < n; a++) {
                at += (k0[a] + k[a]) * stride[a];
            }
            runs.run(at, kn[n - 1]);
            int a = n - 2;
            while (a >= 0 && ++k[a] == kn[a]) {
                k[a] = 0;
                a--;
            }
            if (a < 0) {
                return;
            }
        }
    }

    /**
     * Sets in {@code bits} the flat indices (C order, within this region) of its elements that lie in the box of
     * array coordinates {@code [origin, origin + shape)}: a missing chunk's, say.
     */
    void mark(java.util.BitSet bits, long[] origin, long[] shape) {
        int n = rank();
        long[] k0 = new long[n];
        long[] kn = new long[n];
        for (int a = 0; a < n; a++) {
            long[] k = kRange(a, origin[a], origin[a] + shape[a]);
            k0[a] = k[0];
            kn[a] = k[1] - k[0];
        }
        forEachRun(k0, kn, (at, run) -> bits.set((int) at, (int) (at + run)));
    }

    /** This region with axis {@code axis} cut to its indices {@code [k0, k1)}. */
    Region sub(int axis, long k0, long k1) {
        long[] s = start.clone();
        long[] c = count.clone();
        s[axis] = start[axis] + k0 * step[axis];
        c[axis] = k1 - k0;
        return new Region(s, step.clone(), c);
    }

    /** This region with axis {@code axis} cut to the coordinates in {@code [lo, hi)}. */
    Region within(int axis, long lo, long hi) {
        long[] k = kRange(axis, lo, hi);
        return sub(axis, k[0], k[1]);
    }

    /** The same elements as a selection, for {@link io.zarrfetch.zarr.ZarrArray#read}. */
    Selection toSelection() {
        Selection.Item[] items = new Selection.Item[rank()];
        for (int a = 0; a < items.length; a++) {
            long stop = count[a] == 0 ? start[a] : last(a) + 1;
            items[a] = new Selection.Slice(start[a], stop, step[a]);
        }
        return Selection.of(items);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && Arrays.equals(start, r.start) && Arrays.equals(step, r.step)
                && Arrays.equals(count, r.count);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(start) * 31 + Arrays.hashCode(count);
    }

    /** NumPy-style text: {@code 0:5,10:20:2}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < rank(); a++) {
            if (a > 0) {
                b.append(',');
            }
            long stop = count[a] == 0 ? start[a] : last(a) + 1;
            b.append(start[a]).append(':').append(stop);
            if (step[a] != 1) {
                b.append(':').append(step[a]);
            }
        }
        return b.toString();
    }
}
