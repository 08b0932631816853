package io.zarrfetch.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;

/**
 * Blosc's inverse shuffles, byte for byte what c-blosc 1.21 ({@code shuffle-generic.h}, {@code
 * bitshuffle-generic.c}) produces.
 *
 * <p>Byte shuffle: a block of {@code n = size / typesize} elements is stored as {@code typesize} planes of
 * {@code n} bytes (plane j holds byte j of every element); the {@code size % typesize} bytes left over at the end of
 * the block are stored as they are. Bit shuffle: the bits of the block's {@code n} elements are transposed the same
 * way (8 * typesize planes of n / 8 bytes) when {@code n} is a multiple of 8, with the leftover bytes as they are;
 * when it is not, c-blosc stores the whole block as it is.
 *
 * <p>Speed. The MUR-like case (typesize 2, 64.8 MB a chunk) dominates, and C2 vectorizes no byte interleave, nor
 * byte-to-short widening. It does vectorize int-to-long widening with shifts and masks in 64-bit lanes: 4 bytes of
 * each plane spread into one long of output ({@link #unshuffle2Lanes(MemorySegment, int, MemorySegment, long)}),
 * nearly as fast as a plain copy to memory (about 27 GB/s here, 2.4 ms a chunk against 4.0 for the widening
 * below). SuperWord only does so when it can tell the planes and the destination apart: one on the heap and the
 * other off-heap. So a block going to a heap
 * destination is decompressed into an off-heap scratch block (BloscCodec) and one going to a direct destination
 * into a heap one. When neither holds (a heap destination whose block is staged on the heap: bit shuffle, blocks
 * over 4 MiB), the JDK's one vectorized byte widening is used: its ISO-8859-1 decoder turns bytes into chars with
 * SIMD instructions (an intrinsic); each plane is widened to chars that way, the two are combined with a lane-wise
 * {@code a | b << 8}, and the chars are copied out in little-endian order (about 14 GB/s, against 9 for the best
 * scalar loop). Under C1 ({@code -XX:TieredStopAtLevel=1}, as the CLI runs) nothing is vectorized and the
 * intrinsic is absent; a shift-and-mask loop on longs does 4 GB/s there. The kernel is picked once from the JVM's
 * flags. Numbers and commands: docs/decisions/0003-codecs.md, bench/jmh ({@code UnshuffleBench}).
 */
final class Shuffle {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfChar CHAR_LE = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(
            ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
            ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE_LAYOUT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(
            ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE_LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(
            ByteOrder.LITTLE_ENDIAN);

    /** Below this many elements the widening path's per-pass overhead is not worth it. */
    private static final int WIDEN_MIN_ELEMENTS = 256;

    private Shuffle() {
    }

    /** Which typesize-2 kernel this JVM runs, decided once on first use. */
    static final class Kernel {
        /** True when only C1 compiles (the SIMD widening intrinsic is a C2 one). */
        static final boolean C1_ONLY = c1Only();

        private Kernel() {
        }

        private static boolean c1Only() {
            try {
                var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                        com.sun.management.HotSpotDiagnosticMXBean.class);
                if (bean == null) {
                    return false;
                }
                boolean tiered = Boolean.parseBoolean(bean.getVMOption("TieredCompilation").getValue());
                int stopAt = Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue());
                return tiered && stopAt < 4;
            } catch (RuntimeException | LinkageError e) {
                return false; // not HotSpot, or no jdk.management module: assume an optimizing JIT
            }
        }
    }

    /**
     * Undoes the byte shuffle of one block: {@code src[0, size)} (planes) to {@code out[outOff, outOff + size)}
     * (elements).
     */
    static void unshuffle(int typesize, int size, byte[] src, Output out, int outOff, Scratch scratch) {
        int n = size / typesize;
        int body = n * typesize;
        if (typesize == 2 && n >= WIDEN_MIN_ELEMENTS) {
            if (Kernel.C1_ONLY) {
                byte[] d = out.array != null ? out.array : scratch.spare(body);
                int dOff = out.array != null ? out.arrayOffset + outOff : 0;
                unshuffle2Longs(src, n, d, dOff);
                if (out.array == null) {
                    out.put(outOff, d, 0, body);
                }
            } else if (out.array == null) {
                unshuffle2Lanes(src, n, out.segment, outOff);
            } else {
                unshuffle2Widen(src, n, out.segment, outOff, scratch);
            }
        } else {
            byte[] d = out.array != null ? out.array : scratch.spare(body);
            int dOff = out.array != null ? out.arrayOffset + outOff : 0;
            unshuffleGeneric(typesize, src, n, d, dOff);
            if (out.array == null) {
                out.put(outOff, d, 0, body);
            }
        }
        if (body < size) {
            out.put(outOff + body, src, body, size - body);
        }
    }

    /**
     * Undoes the byte shuffle of one typesize-2 block staged in native memory ({@code planes[0, size)}) into {@code
     * out[outOff, outOff + size)}, a heap destination: see {@link #unshuffle2Lanes(MemorySegment, int, MemorySegment,
     * long)}. Only for C2 (under C1 this loop is not compiled to vector code).
     */
    static void unshuffle2Native(MemorySegment planes, int size, Output out, int outOff) {
        int n = size / 2;
        unshuffle2Lanes(planes, n, out.segment, outOff);
        if (2 * n < size) {
            MemorySegment.copy(planes, 2L * n, out.segment, outOff + 2L * n, 1);
        }
    }

    /**
     * Typesize 2, C2, planes in native memory, destination on the heap: 4 bytes of each plane make one long of
     * output, {@code spread(a) | spread(b) << 8} in 64-bit lanes. C2's SuperWord turns this loop into vector code
     * (int-to-long widening, shifts, masks), because the two segments cannot overlap (one is off-heap, one is not);
     * with both planes and destination on the heap, or both off-heap, it cannot prove that and stays scalar. So a
     * heap destination gets planes staged off-heap and a direct one gets planes on the heap (the byte[] variant).
     */
    static void unshuffle2Lanes(MemorySegment planes, int n, MemorySegment dst, long dstOff) {
        int m = n >>> 2;
        long b0 = n;
        for (int j = 0; j < m; j++) {
            long a = planes.get(INT_LE_LAYOUT, 4L * j) & 0xFFFFFFFFL;
            long b = planes.get(INT_LE_LAYOUT, b0 + 4L * j) & 0xFFFFFFFFL;
            dst.set(LONG_LE_LAYOUT, dstOff + 8L * j, spread(a) | (spread(b) << 8));
        }
        for (int i = 4 * m; i < n; i++) {
            int v = (planes.get(ValueLayout.JAVA_BYTE, i) & 0xFF) | (planes.get(ValueLayout.JAVA_BYTE, b0 + i) << 8);
            dst.set(SHORT_LE, dstOff + 2L * i, (short) v);
        }
    }

    /** {@link #unshuffle2Lanes(MemorySegment, int, MemorySegment, long)} for planes on the heap, into native memory. */
    static void unshuffle2Lanes(byte[] planes, int n, MemorySegment dst, long dstOff) {
        int m = n >>> 2;
        for (int j = 0; j < m; j++) {
            long a = (int) INT_LE.get(planes, 4 * j) & 0xFFFFFFFFL;
            long b = (int) INT_LE.get(planes, n + 4 * j) & 0xFFFFFFFFL;
            dst.set(LONG_LE_LAYOUT, dstOff + 8L * j, spread(a) | (spread(b) << 8));
        }
        for (int i = 4 * m; i < n; i++) {
            dst.set(SHORT_LE, dstOff + 2L * i, (short) ((planes[i] & 0xFF) | (planes[n + i] << 8)));
        }
    }

    /**
     * Typesize 2, C2: widen each plane to chars with the JDK's SIMD ISO-8859-1 decoder, combine lane-wise, copy out
     * as little-endian chars.
     */
    static void unshuffle2Widen(byte[] src, int n, MemorySegment dst, long dstOff, Scratch scratch) {
        char[] a = scratch.charsA();
        char[] b = scratch.charsB();
        CharBuffer aBuf = scratch.charsABuffer();
        CharBuffer bBuf = scratch.charsBBuffer();
        MemorySegment aSeg = scratch.charsASegment();
        CharsetDecoder latin1 = scratch.latin1().reset();
        ByteBuffer in = scratch.wrap(src);
        for (int k0 = 0; k0 < n; k0 += Scratch.CHARS) {
            int m = Math.min(Scratch.CHARS, n - k0);
            widen(latin1, in, k0, m, aBuf);
            widen(latin1, in, n + k0, m, bBuf);
            for (int k = 0; k < m; k++) {
                a[k] = (char) (a[k] | (b[k] << 8));
            }
            MemorySegment.copy(aSeg, ValueLayout.JAVA_CHAR, 0, dst, CHAR_LE, dstOff + 2L * k0, m);
        }
    }

    private static void widen(CharsetDecoder latin1, ByteBuffer in, int from, int count, CharBuffer to) {
        in.limit(from + count).position(from);
        to.clear();
        // endOfInput false: every byte decodes on its own, and the decoder may be called again without a reset
        CoderResult r = latin1.decode(in, to, false);
        if (!r.isUnderflow() || to.position() != count) {
            throw new IllegalStateException("ISO-8859-1 decoder stopped after " + to.position() + " of " + count
                    + " bytes: " + r);
        }
    }

    /** Typesize 2, C1: interleave 8 + 8 bytes into two longs with shifts and masks. */
    static void unshuffle2Longs(byte[] src, int n, byte[] d, int dOff) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long a = (long) LONG_LE.get(src, i);
            long b = (long) LONG_LE.get(src, n + i);
            LONG_LE.set(d, dOff + 2 * i, spread(a & 0xFFFFFFFFL) | (spread(b & 0xFFFFFFFFL) << 8));
            LONG_LE.set(d, dOff + 2 * i + 8, spread(a >>> 32) | (spread(b >>> 32) << 8));
        }
        for (; i < n; i++) {
            d[dOff + 2 * i] = src[i];
            d[dOff + 2 * i + 1] = src[n + i];
        }
    }

    /** Moves byte k (k = 0..3) of {@code x} to byte 2k. */
    private static long spread(long x) {
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        return (x | (x << 8)) & 0x00FF00FF00FF00FFL;
    }

    /** Any typesize: {@code n} elements from planes {@code src[j * n + i]} to {@code d[dOff + i * typesize + j]}. */
    static void unshuffleGeneric(int typesize, byte[] src, int n, byte[] d, int dOff) {
        switch (typesize) {
            case 1 -> System.arraycopy(src, 0, d, dOff, n);
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    d[dOff + 2 * i] = src[i];
                    d[dOff + 2 * i + 1] = src[n + i];
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int o = dOff + 4 * i;
                    d[o] = src[i];
                    d[o + 1] = src[n + i];
                    d[o + 2] = src[2 * n + i];
                    d[o + 3] = src[3 * n + i];
                }
            }
            case 8 -> {
                int i = 0;
                // 8 elements at a time: one long from each plane, an 8x8 byte transpose, 8 longs out
                for (; i + 8 <= n; i += 8) {
                    long r0 = (long) LONG_LE.get(src, i);
                    long r1 = (long) LONG_LE.get(src, n + i);
                    long r2 = (long) LONG_LE.get(src, 2 * n + i);
                    long r3 = (long) LONG_LE.get(src, 3 * n + i);
                    long r4 = (long) LONG_LE.get(src, 4 * n + i);
                    long r5 = (long) LONG_LE.get(src, 5 * n + i);
                    long r6 = (long) LONG_LE.get(src, 6 * n + i);
                    long r7 = (long) LONG_LE.get(src, 7 * n + i);
                    long t;
                    t = (r0 >>> 32) ^ (r4 & 0xFFFFFFFFL); r0 ^= t << 32; r4 ^= t;
                    t = (r1 >>> 32) ^ (r5 & 0xFFFFFFFFL); r1 ^= t << 32; r5 ^= t;
                    t = (r2 >>> 32) ^ (r6 & 0xFFFFFFFFL); r2 ^= t << 32; r6 ^= t;
                    t = (r3 >>> 32) ^ (r7 & 0xFFFFFFFFL); r3 ^= t << 32; r7 ^= t;
                    t = ((r0 >>> 16) ^ r2) & 0x0000FFFF0000FFFFL; r0 ^= t << 16; r2 ^= t;
                    t = ((r1 >>> 16) ^ r3) & 0x0000FFFF0000FFFFL; r1 ^= t << 16; r3 ^= t;
                    t = ((r4 >>> 16) ^ r6) & 0x0000FFFF0000FFFFL; r4 ^= t << 16; r6 ^= t;
                    t = ((r5 >>> 16) ^ r7) & 0x0000FFFF0000FFFFL; r5 ^= t << 16; r7 ^= t;
                    t = ((r0 >>> 8) ^ r1) & 0x00FF00FF00FF00FFL; r0 ^= t << 8; r1 ^= t;
                    t = ((r2 >>> 8) ^ r3) & 0x00FF00FF00FF00FFL; r2 ^= t << 8; r3 ^= t;
                    t = ((r4 >>> 8) ^ r5) & 0x00FF00FF00FF00FFL; r4 ^= t << 8; r5 ^= t;
                    t = ((r6 >>> 8) ^ r7) & 0x00FF00FF00FF00FFL; r6 ^= t << 8; r7 ^= t;
                    int o = dOff + 8 * i;
                    LONG_LE.set(d, o, r0);
                    LONG_LE.set(d, o + 8, r1);
                    LONG_LE.set(d, o + 16, r2);
                    LONG_LE.set(d, o + 24, r3);
                    LONG_LE.set(d, o + 32, r4);
                    LONG_LE.set(d, o + 40, r5);
                    LONG_LE.set(d, o + 48, r6);
                    LONG_LE.set(d, o + 56, r7);
                }
                for (; i < n; i++) {
                    int o = dOff + 8 * i;
                    d[o] = src[i];
                    d[o + 1] = src[n + i];
                    d[o + 2] = src[2 * n + i];
                    d[o + 3] = src[3 * n + i];
                    d[o + 4] = src[4 * n + i];
                    d[o + 5] = src[5 * n + i];
                    d[o + 6] = src[6 * n + i];
                    d[o + 7] = src[7 * n + i];
                }
            }
            default -> {
                // plane by plane: sequential reads, strided writes into a block that stays in cache
                for (int j = 0; j < typesize; j++) {
                    int base = j * n;
                    for (int i = 0, o = dOff + j; i < n; i++, o += typesize) {
                        d[o] = src[base + i];
                    }
                }
            }
        }
    }

    /**
     * Undoes the bit shuffle of one block: {@code src[0, size)} to {@code out[outOff, outOff + size)}.
     *
     * <p>c-blosc's scalar code takes two passes ({@code bshuf_trans_byte_bitrow} then {@code
     * bshuf_shuffle_bit_eightelem}) that end in a byte scatter. The same transform factors differently: transposing
     * each 8x8 bit matrix (bit rows 8j..8j+7 at byte column g) yields byte j of elements 8g..8g+7, which is exactly
     * where a byte-shuffled block keeps them (plane j). So the bits are turned into byte planes with one long store
     * per matrix, and the byte unshuffle above, with its fast kernels, finishes the job.
     */
    static void bitunshuffle(int typesize, int size, byte[] src, Output out, int outOff, Scratch scratch) {
        int n = size / typesize;
        if (n % 8 != 0) {
            out.put(outOff, src, 0, size); // c-blosc does not bit-shuffle such blocks
            return;
        }
        int body = n * typesize;
        byte[] planes = scratch.planes(body);
        bitsToBytePlanes(typesize, n, src, planes);
        unshuffle(typesize, body, planes, out, outOff, scratch);
        if (body < size) {
            out.put(outOff + body, src, body, size - body);
        }
    }

    /** {@code n} (a multiple of 8) elements: 8 * typesize bit rows of n / 8 bytes to typesize byte planes of n. */
    static void bitsToBytePlanes(int typesize, int n, byte[] src, byte[] planes) {
        int rowBytes = n / 8;
        for (int j = 0; j < typesize; j++) {
            int p = 8 * j * rowBytes; // bit rows 8j..8j+7 start at p, p + rowBytes, ...
            int o = j * n; // plane j
            int g = 0;
            // 8 columns at a time: 8 long loads, an 8x8 byte transpose gives each column's 8 bytes in a long
            for (; g + 8 <= rowBytes; g += 8) {
                int q = p + g;
                long r0 = (long) LONG_LE.get(src, q);
                long r1 = (long) LONG_LE.get(src, q + rowBytes);
                long r2 = (long) LONG_LE.get(src, q + 2 * rowBytes);
                long r3 = (long) LONG_LE.get(src, q + 3 * rowBytes);
                long r4 = (long) LONG_LE.get(src, q + 4 * rowBytes);
                long r5 = (long) LONG_LE.get(src, q + 5 * rowBytes);
                long r6 = (long) LONG_LE.get(src, q + 6 * rowBytes);
                long r7 = (long) LONG_LE.get(src, q + 7 * rowBytes);
                long t;
                // swap 4x4 byte blocks, then 2x2, then single bytes
                t = (r0 >>> 32) ^ (r4 & 0xFFFFFFFFL); r0 ^= t << 32; r4 ^= t;
                t = (r1 >>> 32) ^ (r5 & 0xFFFFFFFFL); r1 ^= t << 32; r5 ^= t;
                t = (r2 >>> 32) ^ (r6 & 0xFFFFFFFFL); r2 ^= t << 32; r6 ^= t;
                t = (r3 >>> 32) ^ (r7 & 0xFFFFFFFFL); r3 ^= t << 32; r7 ^= t;
                t = ((r0 >>> 16) ^ r2) & 0x0000FFFF0000FFFFL; r0 ^= t << 16; r2 ^= t;
                t = ((r1 >>> 16) ^ r3) & 0x0000FFFF0000FFFFL; r1 ^= t << 16; r3 ^= t;
                t = ((r4 >>> 16) ^ r6) & 0x0000FFFF0000FFFFL; r4 ^= t << 16; r6 ^= t;
                t = ((r5 >>> 16) ^ r7) & 0x0000FFFF0000FFFFL; r5 ^= t << 16; r7 ^= t;
                t = ((r0 >>> 8) ^ r1) & 0x00FF00FF00FF00FFL; r0 ^= t << 8; r1 ^= t;
                t = ((r2 >>> 8) ^ r3) & 0x00FF00FF00FF00FFL; r2 ^= t << 8; r3 ^= t;
                t = ((r4 >>> 8) ^ r5) & 0x00FF00FF00FF00FFL; r4 ^= t << 8; r5 ^= t;
                t = ((r6 >>> 8) ^ r7) & 0x00FF00FF00FF00FFL; r6 ^= t << 8; r7 ^= t;
                int w = o + 8 * g;
                LONG_LE.set(planes, w, transBits(r0));
                LONG_LE.set(planes, w + 8, transBits(r1));
                LONG_LE.set(planes, w + 16, transBits(r2));
                LONG_LE.set(planes, w + 24, transBits(r3));
                LONG_LE.set(planes, w + 32, transBits(r4));
                LONG_LE.set(planes, w + 40, transBits(r5));
                LONG_LE.set(planes, w + 48, transBits(r6));
                LONG_LE.set(planes, w + 56, transBits(r7));
            }
            for (; g < rowBytes; g++) {
                int q = p + g;
                long x = (src[q] & 0xFFL)
                        | (src[q + rowBytes] & 0xFFL) << 8
                        | (src[q + 2 * rowBytes] & 0xFFL) << 16
                        | (src[q + 3 * rowBytes] & 0xFFL) << 24
                        | (src[q + 4 * rowBytes] & 0xFFL) << 32
                        | (src[q + 5 * rowBytes] & 0xFFL) << 40
                        | (src[q + 6 * rowBytes] & 0xFFL) << 48
                        | (src[q + 7 * rowBytes] & 0xFFL) << 56;
                LONG_LE.set(planes, o + 8 * g, transBits(x));
            }
        }
    }

    /** Transposes the 8x8 bit matrix in {@code x} (byte k = row k): c-blosc's TRANS_BIT_8X8. */
    private static long transBits(long x) {
        long t;
        t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
        x = x ^ t ^ (t << 7);
        t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
        x = x ^ t ^ (t << 14);
        t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
        return x ^ t ^ (t << 28);
    }
}
