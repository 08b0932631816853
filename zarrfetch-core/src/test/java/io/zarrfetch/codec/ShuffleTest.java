package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The unshuffle kernels against straightforward ports of c-blosc's generic C code ({@code unshuffle_generic_inline},
 * {@code bshuf_trans_byte_bitrow_scal} + {@code bshuf_shuffle_bit_eightelem_scal}), whichever kernel this JVM picks.
 */
class ShuffleTest {

    /** c-blosc's generic unshuffle. */
    private static byte[] referenceUnshuffle(int typesize, byte[] src, int size) {
        byte[] d = new byte[size];
        int n = size / typesize;
        int rem = size % typesize;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < typesize; j++) {
                d[i * typesize + j] = src[j * n + i];
            }
        }
        System.arraycopy(src, size - rem, d, size - rem, rem);
        return d;
    }

    /** c-blosc's scalar bit-unshuffle, two passes as in C, including blosc_internal_bitunshuffle's rules. */
    private static byte[] referenceBitunshuffle(int typesize, byte[] in, int blocksize) {
        int size = blocksize / typesize;
        byte[] out = new byte[blocksize];
        if (size % 8 != 0) {
            System.arraycopy(in, 0, out, 0, blocksize);
            return out;
        }
        int nbyteRow = size / 8;
        byte[] tmp = new byte[size * typesize];
        for (int jj = 0; jj < typesize; jj++) {
            for (int ii = 0; ii < nbyteRow; ii++) {
                for (int kk = 0; kk < 8; kk++) {
                    tmp[ii * 8 * typesize + jj * 8 + kk] = in[(jj * 8 + kk) * nbyteRow + ii];
                }
            }
        }
        int nbyte = typesize * size;
        ByteBuffer t = ByteBuffer.wrap(tmp).order(ByteOrder.LITTLE_ENDIAN);
        for (int jj = 0; jj < 8 * typesize; jj += 8) {
            for (int ii = 0; ii + 8 * typesize - 1 < nbyte; ii += 8 * typesize) {
                long x = t.getLong(ii + jj);
                long u;
                u = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
                x = x ^ u ^ (u << 7);
                u = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
                x = x ^ u ^ (u << 14);
                u = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
                x = x ^ u ^ (u << 28);
                for (int kk = 0; kk < 8; kk++) {
                    out[ii + jj / 8 + kk * typesize] = (byte) x;
                    x >>>= 8;
                }
            }
        }
        int offset = size * typesize;
        System.arraycopy(in, offset, out, offset, blocksize - offset);
        return out;
    }

    private static byte[] run(boolean bit, int typesize, byte[] src, int size, boolean direct) {
        ByteBuffer dst = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        try (Scratch s = Scratch.acquire()) {
            Output out = new Output(dst);
            if (bit) {
                Shuffle.bitunshuffle(typesize, size, src, out, 0, s);
            } else {
                Shuffle.unshuffle(typesize, size, src, out, 0, s);
            }
        }
        byte[] got = new byte[size];
        dst.get(0, got);
        return got;
    }

    @Test
    void unshuffleMatchesCBloscForEveryTypesizeAndSize() {
        SplittableRandom r = new SplittableRandom(1);
        for (int typesize = 1; typesize <= 20; typesize++) {
            for (int size : new int[] {0, 1, 2, 3, 15, 16, 17, 255, 511, 512, 513, 1000, 4097, 65_536, 262_144 + 3}) {
                byte[] src = new byte[size];
                r.nextBytes(src);
                byte[] expected = referenceUnshuffle(typesize, src, size);
                assertThat(run(false, typesize, src, size, false)).as("typesize %d size %d heap", typesize, size)
                        .isEqualTo(expected);
                assertThat(run(false, typesize, src, size, true)).as("typesize %d size %d direct", typesize, size)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void bothTypesize2KernelsMatchCBlosc() {
        SplittableRandom r = new SplittableRandom(2);
        for (int n : new int[] {0, 1, 7, 8, 9, 255, 256, 8191, 8192, 8193, 16_384, 100_001, 131_072}) {
            byte[] src = new byte[2 * n];
            r.nextBytes(src);
            byte[] expected = referenceUnshuffle(2, src, 2 * n);

            byte[] longs = new byte[2 * n + 10];
            Shuffle.unshuffle2Longs(src, n, longs, 5);
            assertThat(java.util.Arrays.copyOfRange(longs, 5, 5 + 2 * n)).as("longs n=%d", n).isEqualTo(expected);

            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer dst = direct ? ByteBuffer.allocateDirect(2 * n + 10) : ByteBuffer.allocate(2 * n + 10);
                try (Scratch s = Scratch.acquire()) {
                    Shuffle.unshuffle2Widen(src, n, java.lang.foreign.MemorySegment.ofBuffer(dst), 5, s);
                }
                byte[] got = new byte[2 * n];
                dst.get(5, got);
                assertThat(got).as("widen n=%d direct=%s", n, direct).isEqualTo(expected);
            }

            // the lane kernels: planes off-heap into a heap destination, planes on the heap into a direct one
            java.lang.foreign.MemorySegment planes = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, 2 * n));
            java.lang.foreign.MemorySegment.copy(src, 0, planes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 2 * n);
            byte[] lanesHeap = new byte[2 * n + 10];
            Shuffle.unshuffle2Lanes(planes, n, java.lang.foreign.MemorySegment.ofArray(lanesHeap), 5);
            assertThat(java.util.Arrays.copyOfRange(lanesHeap, 5, 5 + 2 * n)).as("lanes off-heap n=%d", n)
                    .isEqualTo(expected);
            ByteBuffer lanesDirect = ByteBuffer.allocateDirect(2 * n + 10);
            Shuffle.unshuffle2Lanes(src, n, java.lang.foreign.MemorySegment.ofBuffer(lanesDirect), 5);
            byte[] gotDirect = new byte[2 * n];
            lanesDirect.get(5, gotDirect);
            assertThat(gotDirect).as("lanes heap n=%d", n).isEqualTo(expected);
            for (int extra = 0; extra <= 1; extra++) { // a leftover byte after the elements
                byte[] block = java.util.Arrays.copyOf(src, 2 * n + extra);
                if (extra == 1) {
                    block[2 * n] = 42;
                }
                java.lang.foreign.MemorySegment staged = java.lang.foreign.Arena.ofAuto().allocate(block.length + 1);
                java.lang.foreign.MemorySegment.copy(block, 0, staged, java.lang.foreign.ValueLayout.JAVA_BYTE, 0,
                        block.length);
                ByteBuffer dst = ByteBuffer.allocate(block.length + 3);
                Shuffle.unshuffle2Native(staged, block.length, new Output(dst.position(3)), 0);
                byte[] got = java.util.Arrays.copyOfRange(dst.array(), 3, 3 + block.length);
                assertThat(got).as("native n=%d extra=%d", n, extra)
                        .isEqualTo(referenceUnshuffle(2, block, block.length));
            }

            byte[] generic = new byte[2 * n];
            Shuffle.unshuffleGeneric(2, src, n, generic, 0);
            assertThat(generic).as("generic n=%d", n).isEqualTo(expected);
        }
    }

    @Test
    void bitunshuffleMatchesCBlosc() {
        SplittableRandom r = new SplittableRandom(3);
        for (int typesize : new int[] {1, 2, 3, 4, 5, 8, 16, 17}) {
            for (int size : new int[] {0, 7, 8, 64, 100, 128, 1000, 1024, 4096 + 3, 32_768, 65_536 + 100}) {
                if (size < typesize) {
                    continue; // c-blosc does not bit-shuffle blocks smaller than an element
                }
                byte[] src = new byte[size];
                r.nextBytes(src);
                byte[] expected = referenceBitunshuffle(typesize, src, size);
                assertThat(run(true, typesize, src, size, false)).as("typesize %d size %d", typesize, size)
                        .isEqualTo(expected);
                assertThat(run(true, typesize, src, size, true)).as("typesize %d size %d direct", typesize, size)
                        .isEqualTo(expected);
            }
        }
    }
}
