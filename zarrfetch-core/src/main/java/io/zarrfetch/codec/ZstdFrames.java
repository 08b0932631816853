package io.zarrfetch.codec;

import java.nio.ByteBuffer;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Zstandard decompression through zstd-jni (the reference C library), chosen over aircompressor's Java decoder by
 * measurement (docs/decisions/0003-codecs.md), plus the frame-header arithmetic zstd-jni does not offer for any
 * buffer.
 */
final class ZstdFrames {
    private static final int MAGIC = 0xFD2FB528;
    private static final int SKIPPABLE_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;

    private ZstdFrames() {
    }

    /**
     * Decompresses the zstd frame(s) in {@code src[srcOff, srcOff + srcLen)} into {@code dst[dstOff, dstOff +
     * dstLen)}, which they must fill exactly. Frames need not record their content size: the output is bounded by
     * {@code dstLen} either way. Checksums in the frames are verified. Positions and limits do not change.
     *
     * @throws CodecException when the data is malformed, fails its checksum, or decodes to more or fewer than
     *                        {@code dstLen} bytes
     */
    static void decompress(ZstdDecompressCtx ctx, ByteBuffer src, int srcOff, int srcLen, ByteBuffer dst,
            int dstOff, int dstLen, String what) throws CodecException {
        if (!src.hasArray() && !src.isDirect()) {
            byte[] copy = new byte[srcLen]; // a read-only heap buffer: zstd-jni takes arrays or direct buffers
            src.get(srcOff, copy);
            src = ByteBuffer.wrap(copy);
            srcOff = 0;
        }
        long n;
        try {
            if (src.hasArray()) {
                byte[] s = src.array();
                int so = src.arrayOffset() + srcOff;
                n = dst.hasArray()
                        ? ctx.decompressByteArray(dst.array(), dst.arrayOffset() + dstOff, dstLen, s, so, srcLen)
                        : ctx.decompressByteArrayToDirectByteBuffer(dst, dstOff, dstLen, s, so, srcLen);
            } else {
                n = dst.hasArray()
                        ? ctx.decompressDirectByteBufferToByteArray(dst.array(), dst.arrayOffset() + dstOff, dstLen,
                                src, srcOff, srcLen)
                        : ctx.decompressDirectByteBuffer(dst, dstOff, dstLen, src, srcOff, srcLen);
            }
        } catch (ZstdException e) {
            String reason = e.getMessage();
            if (reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains("too small")) {
                throw new CodecException(what + " decodes to more than " + dstLen + " bytes", e);
            }
            throw new CodecException(what + " is not valid zstd data (" + reason + ")", e);
        }
        if (n != dstLen) {
            throw new CodecException(what + " decodes to " + n + " bytes, expected " + dstLen);
        }
    }

    /**
     * The decoded size the frames in {@code b[from, to)} record: the sum of every frame's content size (skippable
     * frames count 0), or -1 when a frame does not record it.
     *
     * @throws CodecException when a frame header is malformed or a frame is truncated
     */
    static long contentSize(ByteBuffer b, int from, int to) throws CodecException {
        long total = 0;
        int p = from;
        if (to - from < 4) {
            throw new CodecException("zstd data is " + (to - from) + " bytes, too short for a frame");
        }
        while (p < to) {
            if (to - p < 4) {
                throw new CodecException("zstd data has " + (to - p) + " stray bytes after its last frame");
            }
            int magic = b.getInt(p);
            if ((magic & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
                if (to - p < 8) {
                    throw new CodecException("zstd skippable frame at byte " + (p - from) + " is truncated");
                }
                long len = b.getInt(p + 4) & 0xFFFFFFFFL;
                if (len > to - p - 8) {
                    throw new CodecException("zstd skippable frame at byte " + (p - from) + " is truncated");
                }
                p += 8 + (int) len;
                continue;
            }
            if (magic != MAGIC) {
                throw new CodecException("zstd frame at byte " + (p - from) + " has magic 0x"
                        + Integer.toHexString(magic) + ", not 0x" + Integer.toHexString(MAGIC));
            }
            p += 4;
            if (p >= to) {
                throw new CodecException("zstd frame header is truncated");
            }
            int fhd = b.get(p++) & 0xFF;
            int fcsFlag = fhd >>> 6;
            boolean singleSegment = (fhd & 0x20) != 0;
            boolean checksum = (fhd & 0x04) != 0;
            int dictIdBytes = new int[] {0, 1, 2, 4}[fhd & 3];
            int fcsBytes = fcsFlag == 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
            int headerRest = (singleSegment ? 0 : 1) + dictIdBytes + fcsBytes;
            if ((fhd & 0x08) != 0) {
                throw new CodecException("zstd frame header sets a reserved bit");
            }
            if (to - p < headerRest) {
                throw new CodecException("zstd frame header is truncated");
            }
            p += (singleSegment ? 0 : 1) + dictIdBytes;
            long fcs = switch (fcsBytes) {
                case 0 -> -1;
                case 1 -> b.get(p) & 0xFFL;
                case 2 -> (b.getShort(p) & 0xFFFFL) + 256;
                case 4 -> b.getInt(p) & 0xFFFFFFFFL;
                default -> b.getLong(p);
            };
            if (fcsBytes == 8 && fcs < 0) {
                throw new CodecException("zstd frame records a content size over 2^63 bytes");
            }
            p += fcsBytes;
            // walk the blocks to find where the frame ends
            while (true) {
                if (to - p < 3) {
                    throw new CodecException("zstd frame is truncated (in a block header)");
                }
                int bh = (b.get(p) & 0xFF) | (b.get(p + 1) & 0xFF) << 8 | (b.get(p + 2) & 0xFF) << 16;
                p += 3;
                boolean last = (bh & 1) != 0;
                int type = (bh >>> 1) & 3;
                int size = bh >>> 3;
                if (type == 3) {
                    throw new CodecException("zstd frame has a block of reserved type 3");
                }
                int stored = type == 1 ? 1 : size; // an RLE block stores one byte
                if (to - p < stored) {
                    throw new CodecException("zstd frame is truncated (in a block)");
                }
                p += stored;
                if (last) {
                    break;
                }
            }
            if (checksum) {
                if (to - p < 4) {
                    throw new CodecException("zstd frame is truncated (in its checksum)");
                }
                p += 4;
            }
            if (fcs < 0 || total < 0) {
                total = -1;
            } else {
                total += fcs;
                if (total < 0) {
                    throw new CodecException("zstd frames record a total size over 2^63 bytes");
                }
            }
        }
        return total;
    }
}
