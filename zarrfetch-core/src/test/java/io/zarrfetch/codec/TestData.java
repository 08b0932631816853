package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Deterministic inputs and helpers shared by the codec tests. */
final class TestData {
    private TestData() {
    }

    /** Array-like data: little-endian elements of {@code typesize} bytes varying slowly, with a little noise. */
    static byte[] smooth(int size, int typesize, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[size];
        long v = r.nextLong(1000);
        for (int i = 0; i < size; i += typesize) {
            v += r.nextInt(-2, 3);
            long x = v * 37 + (i / typesize) / 64;
            for (int k = 0; k < typesize && i + k < size; k++) {
                b[i + k] = (byte) (k < 8 ? x >>> (8 * k) : 0);
            }
        }
        return b;
    }

    /** Incompressible bytes. */
    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Long runs of a few values: very compressible, long LZ matches. */
    static byte[] runs(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[size];
        int i = 0;
        while (i < size) {
            int len = Math.min(size - i, 1 + r.nextInt(3000));
            Arrays.fill(b, i, i + len, (byte) r.nextInt(4));
            i += len;
        }
        return b;
    }

    /** {@code data} in a direct buffer. */
    static ByteBuffer direct(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length);
        b.put(data).flip();
        return b;
    }

    /** {@code data} in a heap buffer whose position and array offset are not 0, with bytes around it. */
    static ByteBuffer offsetHeap(byte[] data) {
        byte[] backing = new byte[data.length + 23];
        Arrays.fill(backing, (byte) 0x5A);
        System.arraycopy(data, 0, backing, 13, data.length);
        ByteBuffer outer = ByteBuffer.wrap(backing, 3, backing.length - 3).slice(); // arrayOffset 3
        return outer.position(10).limit(10 + data.length);
    }

    /** Decodes into a fresh heap buffer of {@code size} bytes and returns its bytes. */
    static byte[] decode(BytesCodec codec, byte[] encoded, int size) throws CodecException {
        ByteBuffer dst = ByteBuffer.allocate(size);
        codec.decode(ByteBuffer.wrap(encoded), dst);
        if (dst.hasRemaining()) {
            throw new AssertionError("dst not filled: " + dst);
        }
        return dst.array();
    }

    /** Decodes a direct copy of {@code encoded} into a direct buffer of {@code size} bytes; returns its bytes. */
    static byte[] decodeDirect(BytesCodec codec, byte[] encoded, int size) throws CodecException {
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        codec.decode(direct(encoded), dst);
        if (dst.hasRemaining()) {
            throw new AssertionError("dst not filled: " + dst);
        }
        byte[] out = new byte[size];
        dst.flip().get(out);
        return out;
    }

    /** A hand-made Blosc header. */
    static ByteBuffer bloscHeader(int capacity, int versionLz, int flags, int typesize, int nbytes, int blocksize,
            int cbytes) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 2).put((byte) versionLz).put((byte) flags).put((byte) typesize);
        b.putInt(nbytes).putInt(blocksize).putInt(cbytes);
        return b;
    }

    /** A one-block frame (don't-split flag, no shuffle) whose single stream is {@code stream}. */
    static byte[] oneStreamFrame(int format, int nbytes, byte[] stream) {
        int cbytes = 16 + 4 + 4 + stream.length;
        ByteBuffer b = bloscHeader(cbytes, 1, 0x10 | (format << 5), 1, nbytes, nbytes, cbytes);
        b.putInt(20).putInt(stream.length).put(stream);
        return b.array();
    }

    /** Header fields of a Blosc frame, for messages. */
    static String describe(byte[] frame) {
        if (frame.length < 16) {
            return "frame of " + frame.length + " bytes";
        }
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        return String.format("frame flags=0x%02x typesize=%d nbytes=%d blocksize=%d cbytes=%d", frame[2] & 0xFF,
                frame[3] & 0xFF, b.getInt(4), b.getInt(8), b.getInt(12));
    }
}
