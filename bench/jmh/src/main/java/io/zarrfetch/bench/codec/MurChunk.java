package io.zarrfetch.bench.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.zarrfetch.testkit.mur.MurDataset;

/** The benchmark's input: chunk 0 of the FULL-scale MUR-like data set, as stored (c-blosc 1.21.4, LZ4, shuffle). */
final class MurChunk {
    /** 5 x 1799 x 3600 int16. */
    static final int DECODED = 64_764_000;

    private MurChunk() {
    }

    /** The compressed chunk (deterministic: the same bytes on every machine). */
    static byte[] frame() {
        byte[] frame = new MurDataset(new MurDataset.Options(1, MurDataset.Scale.FULL, 1)).compressedChunk(0);
        ByteBuffer h = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(4) != DECODED || frame[3] != 2 || (frame[2] & 0xE1) != 0x21) {
            throw new IllegalStateException("unexpected chunk header " + Arrays.toString(Arrays.copyOf(frame, 16)));
        }
        return frame;
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b;
    }

    /**
     * The compressed streams of the frame: {offset, length, decoded length} triples, in order. The MUR chunk's
     * 256 KiB blocks are split into two 128 KiB streams (byte planes) each; the last, short block is one stream.
     */
    static int[][] streams(byte[] frame) {
        ByteBuffer h = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int nbytes = h.getInt(4);
        int blocksize = h.getInt(8);
        int typesize = frame[3];
        int nblocks = (nbytes + blocksize - 1) / blocksize;
        int[][] out = new int[3][2 * nblocks];
        int k = 0;
        for (int b = 0; b < nblocks; b++) {
            int bsize = Math.min(blocksize, nbytes - b * blocksize);
            int nsplits = bsize == blocksize ? typesize : 1;
            int pos = h.getInt(16 + 4 * b);
            for (int j = 0; j < nsplits; j++) {
                int len = h.getInt(pos);
                pos += 4;
                out[0][k] = pos;
                out[1][k] = len;
                out[2][k] = bsize / nsplits;
                k++;
                pos += len;
            }
        }
        for (int i = 0; i < 3; i++) {
            out[i] = Arrays.copyOf(out[i], k);
        }
        return out;
    }
}
