package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

/**
 * Zarr v3 {@code gzip} and numcodecs {@code gzip}: gzip data (RFC 1952), one member or several back to back (their
 * outputs concatenated, as Python's {@code gzip} module reads them), zero bytes allowed after the last member. Every
 * member's CRC-32 and length are verified, and its header CRC when it has one.
 */
final class GzipCodec implements BytesCodec {
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public String toString() {
        return "gzip";
    }

    /**
     * Always -1: a gzip trailer records its member's length modulo 2^32, and how many members there are shows only
     * once they are inflated. Checks the first member's header.
     */
    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() > 0) {
            header(in, 0, in.limit());
        }
        return -1;
    }

    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        int end = in.limit();
        ByteBuffer window = dst.slice();
        CRC32 crc = new CRC32();
        int p = 0;
        int members = 0;
        try (Scratch scratch = Scratch.acquire()) {
            while (p < end) {
                if (members > 0 && zeros(in, p, end)) {
                    break; // padding after the last member
                }
                String what = "gzip member " + members;
                int memberStart = window.position();
                p = header(in, p, end);
                Inflater inf = scratch.inflater(true);
                inf.setInput(in.slice(p, end - p));
                Inflation.inflate(inf, window, what, dst.remaining());
                p = end - inf.getRemaining();
                if (end - p < 8) {
                    throw new CodecException(what + " is truncated (its 8-byte trailer is missing)");
                }
                int storedCrc = in.getInt(p);
                int storedSize = in.getInt(p + 4);
                p += 8;
                int produced = window.position() - memberStart;
                crc.reset();
                crc.update(window.duplicate().flip().position(memberStart));
                if ((int) crc.getValue() != storedCrc) {
                    throw new CodecException(String.format("%s fails its CRC-32: stored %08x, computed %08x", what,
                            storedCrc, (int) crc.getValue()));
                }
                if (produced != storedSize) {
                    throw new CodecException(what + " decodes to " + produced + " bytes, its trailer says "
                            + Integer.toUnsignedString(storedSize));
                }
                members++;
            }
        }
        if (window.hasRemaining()) {
            throw new CodecException("gzip data decodes to " + window.position() + " bytes, expected "
                    + dst.remaining());
        }
        dst.position(dst.limit());
    }

    private static boolean zeros(ByteBuffer in, int from, int to) {
        for (int i = from; i < to; i++) {
            if (in.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Parses the member header at {@code p}; returns where its deflate data starts. */
    private static int header(ByteBuffer in, int p, int end) throws CodecException {
        int start = p;
        if (end - p < 10) {
            throw new CodecException("gzip member at byte " + start + " is truncated (in its header)");
        }
        if ((in.get(p) & 0xFF) != 0x1f || (in.get(p + 1) & 0xFF) != 0x8b) {
            throw new CodecException(String.format("data at byte %d is not gzip (magic %02x%02x, not 1f8b)", start,
                    in.get(p) & 0xFF, in.get(p + 1) & 0xFF));
        }
        if (in.get(p + 2) != 8) {
            throw new CodecException("gzip member at byte " + start + " uses compression method "
                    + (in.get(p + 2) & 0xFF) + ", not deflate (8)");
        }
        int flg = in.get(p + 3) & 0xFF;
        if ((flg & 0xE0) != 0) {
            throw new CodecException("gzip member at byte " + start + " sets reserved flag bits");
        }
        p += 10;
        if ((flg & FEXTRA) != 0) {
            if (end - p < 2) {
                throw new CodecException("gzip member at byte " + start + " is truncated (in its extra field)");
            }
            int xlen = in.getShort(p) & 0xFFFF;
            p += 2;
            if (end - p < xlen) {
                throw new CodecException("gzip member at byte " + start + " is truncated (in its extra field)");
            }
            p += xlen;
        }
        for (int field : new int[] {FNAME, FCOMMENT}) {
            if ((flg & field) != 0) {
                while (true) {
                    if (p >= end) {
                        throw new CodecException("gzip member at byte " + start + " is truncated (in its "
                                + (field == FNAME ? "file name" : "comment") + ")");
                    }
                    if (in.get(p++) == 0) {
                        break;
                    }
                }
            }
        }
        if ((flg & FHCRC) != 0) {
            if (end - p < 2) {
                throw new CodecException("gzip member at byte " + start + " is truncated (in its header CRC)");
            }
            CRC32 c = new CRC32();
            c.update(in.slice(start, p - start));
            int stored = in.getShort(p) & 0xFFFF;
            if (((int) c.getValue() & 0xFFFF) != stored) {
                throw new CodecException("gzip member at byte " + start + " fails its header CRC");
            }
            p += 2;
        }
        return p;
    }
}
