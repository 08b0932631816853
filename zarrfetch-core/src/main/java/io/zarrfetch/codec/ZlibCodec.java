package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.util.zip.Inflater;

/** numcodecs {@code zlib}: one zlib stream (RFC 1950), as Python's {@code zlib.compress} writes. */
final class ZlibCodec implements BytesCodec {
    @Override
    public String name() {
        return "zlib";
    }

    @Override
    public String toString() {
        return "zlib";
    }

    /** Always -1: a zlib stream does not record its decoded size. Checks the 2-byte header. */
    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        checkHeader(encoded);
        return -1;
    }

    private static void checkHeader(ByteBuffer encoded) throws CodecException {
        if (encoded.remaining() < 2) {
            throw new CodecException("zlib data is " + encoded.remaining() + " bytes, shorter than a zlib header");
        }
        int cmf = encoded.get(encoded.position()) & 0xFF;
        int flg = encoded.get(encoded.position() + 1) & 0xFF;
        if ((cmf & 0x0F) != 8 || (cmf * 256 + flg) % 31 != 0) {
            throw new CodecException(String.format("zlib data starts with 0x%02x%02x, which is not a zlib header",
                    cmf, flg));
        }
    }

    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        checkHeader(encoded);
        ByteBuffer window = dst.slice();
        try (Scratch scratch = Scratch.acquire()) {
            Inflater inf = scratch.inflater(false);
            inf.setInput(encoded.slice());
            Inflation.inflate(inf, window, "zlib stream", dst.remaining());
            if (window.hasRemaining()) {
                throw new CodecException("zlib stream decodes to " + window.position() + " bytes, expected "
                        + dst.remaining());
            }
            if (inf.getRemaining() > 0) {
                throw new CodecException(inf.getRemaining() + " bytes follow the end of the zlib stream");
            }
        }
        dst.position(dst.limit());
    }
}
