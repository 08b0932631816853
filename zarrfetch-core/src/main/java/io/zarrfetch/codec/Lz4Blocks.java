package io.zarrfetch.codec;

import java.nio.ByteBuffer;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 block decompression through lz4-java (at.yawk.lz4 fork): its JNI binding of the reference C library where
 * the platform has one (LZ4_decompress_safe: bounds-checked against both buffers), else its pure-Java safe
 * decoder. Chosen over aircompressor by measurement (docs/decisions/0003-codecs.md). Only the safe decompressor
 * is used: the "fast" one trusts its input.
 */
final class Lz4Blocks {
    private static final LZ4SafeDecompressor DECOMPRESSOR = pick();

    private Lz4Blocks() {
    }

    private static LZ4SafeDecompressor pick() {
        try {
            return LZ4Factory.nativeInstance().safeDecompressor();
        } catch (RuntimeException | LinkageError e) {
            return LZ4Factory.safeInstance().safeDecompressor();
        }
    }

    /** Which implementation runs: for reports and tests. */
    static String implementation() {
        return DECOMPRESSOR.toString();
    }

    /**
     * Decompresses the LZ4 block {@code src[srcOff, srcOff + srcLen)} into {@code dst[dstOff, dstOff + dstLen)},
     * which it must fill exactly. Neither buffer's position or limit changes.
     *
     * @param what names the block in error messages
     * @throws CodecException when the block is malformed, or decodes to more or fewer than {@code dstLen} bytes
     */
    static void decompress(ByteBuffer src, int srcOff, int srcLen, ByteBuffer dst, int dstOff, int dstLen,
            String what) throws CodecException {
        if (!src.hasArray() && !src.isDirect()) {
            // a read-only heap buffer: lz4-java would silently take its slow Java path, so hand it a copy
            byte[] copy = new byte[srcLen];
            src.get(srcOff, copy);
            src = ByteBuffer.wrap(copy);
            srcOff = 0;
        }
        int n;
        try {
            n = DECOMPRESSOR.decompress(src, srcOff, srcLen, dst, dstOff, dstLen);
        } catch (LZ4Exception e) {
            throw new CodecException(what + " is not a valid LZ4 block of at most " + dstLen + " bytes ("
                    + e.getMessage() + ")", e);
        }
        if (n != dstLen) {
            throw new CodecException(what + " decodes to " + n + " bytes, expected " + dstLen);
        }
    }
}
