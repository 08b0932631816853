package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** numcodecs {@code lz4}: the decoded size as a little-endian int32, then one LZ4 block. */
final class Lz4Codec implements BytesCodec {
    @Override
    public String name() {
        return "lz4";
    }

    @Override
    public String toString() {
        return "lz4";
    }

    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        return size(encoded.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static int size(ByteBuffer in) throws CodecException {
        if (in.remaining() < 4) {
            throw new CodecException("lz4 data is " + in.remaining() + " bytes, shorter than its 4-byte size");
        }
        int size = in.getInt(0);
        if (size < 0) {
            throw new CodecException("lz4 data says it decodes to " + Integer.toUnsignedString(size)
                    + " bytes, over 2 GiB");
        }
        return size;
    }

    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        int size = size(in);
        if (size != dst.remaining()) {
            throw new CodecException("lz4 data says it decodes to " + size + " bytes, the destination has "
                    + dst.remaining());
        }
        Lz4Blocks.decompress(in, 4, in.limit() - 4, dst.slice(), 0, size, "lz4 block");
        dst.position(dst.limit());
    }
}
