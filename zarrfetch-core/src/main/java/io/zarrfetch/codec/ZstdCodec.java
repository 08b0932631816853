package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Zarr v3 {@code zstd} and numcodecs {@code zstd}: Zstandard frames (RFC 8878), usually one. Frames that do not
 * record their content size decode too, bounded by the destination. Frame checksums, when present, are verified.
 */
final class ZstdCodec implements BytesCodec {
    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public String toString() {
        return "zstd";
    }

    /** The sum of the frames' recorded content sizes, or -1 when a frame does not record it. */
    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        return ZstdFrames.contentSize(in, 0, in.limit());
    }

    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        long recorded = ZstdFrames.contentSize(in, 0, in.limit()); // also rejects garbage before the native call
        if (recorded >= 0 && recorded != dst.remaining()) {
            throw new CodecException("zstd frames record " + recorded + " decoded bytes, the destination has "
                    + dst.remaining());
        }
        try (Scratch scratch = Scratch.acquire()) {
            ZstdFrames.decompress(scratch.zstd(), in, 0, in.limit(), dst.slice(), 0, dst.remaining(), "zstd data");
        }
        dst.position(dst.limit());
    }
}
