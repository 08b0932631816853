package io.zarrfetch.zarr;

import java.lang.foreign.MemorySegment;

/** Strided copies of N-dimensional regions between flat byte segments. */
final class Copy {
    private Copy() {
    }

    /**
     * Copies {@code counts} elements of {@code itemSize} bytes: element {@code k} (per axis) is read at
     * {@code srcBase + sum(k[a] * srcStep[a])} and written at {@code dstBase + sum(k[a] * dstStep[a])}. Runs that are
     * contiguous on both sides along the last axis go as one block.
     */
    static void strided(MemorySegment src, long srcBase, long[] srcStep, MemorySegment dst, long dstBase,
            long[] dstStep, long[] counts, int itemSize) {
        int n = counts.length;
        for (long c : counts) {
            if (c == 0) {
                return;
            }
        }
        if (n == 0) {
            MemorySegment.copy(src, srcBase, dst, dstBase, itemSize);
            return;
        }
        int last = n - 1;
        boolean block = srcStep[last] == itemSize && dstStep[last] == itemSize;
        long[] k = new long[n];
        long s = srcBase;
        long d = dstBase;
        while (true) {
            if (block) {
                MemorySegment.copy(src, s, dst, d, counts[last] * itemSize);
            } else {
                long ss = s;
                long dd = d;
                for (long i = 0; i < counts[last]; i++) {
                    MemorySegment.copy(src, ss, dst, dd, itemSize);
                    ss += srcStep[last];
                    dd += dstStep[last];
                }
            }
            int a = last - 1;
            while (a >= 0) {
                s += srcStep[a];
                d += dstStep[a];
                if (++k[a] < counts[a]) {
                    break;
                }
                s -= srcStep[a] * counts[a];
                d -= dstStep[a] * counts[a];
                k[a] = 0;
                a--;
            }
            if (a < 0) {
                return;
            }
        }
    }

    /** Writes the element {@code fill} at every position of a region laid out as in {@link #strided}. */
    static void fill(byte[] fill, MemorySegment dst, long dstBase, long[] dstStep, long[] counts, int itemSize) {
        int n = counts.length;
        long run = n == 0 ? 1 : counts[n - 1];
        for (long c : counts) {
            if (c == 0) {
                return;
            }
        }
        // One run of the last axis, filled once, is then copied to every position of the other axes.
        MemorySegment pattern = MemorySegment.ofArray(new byte[(int) Math.min(run, 1 << 20) * itemSize]);
        for (long i = 0; i < pattern.byteSize() / itemSize; i++) {
            MemorySegment.copy(MemorySegment.ofArray(fill), 0, pattern, i * itemSize, itemSize);
        }
        long[] step = new long[n];
        long[] cnt = counts.clone();
        if (n > 0 && dstStep[n - 1] == itemSize && run <= (1 << 20)) {
            long[] srcStep = new long[n];
            srcStep[n - 1] = itemSize;
            strided(pattern, 0, srcStep, dst, dstBase, dstStep, cnt, itemSize);
        } else {
            strided(MemorySegment.ofArray(fill), 0, step, dst, dstBase, dstStep, cnt, itemSize);
        }
    }
}
