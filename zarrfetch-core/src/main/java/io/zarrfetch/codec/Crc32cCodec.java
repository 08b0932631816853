package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Zarr v3 {@code crc32c}: the payload, then the CRC-32C of the payload as a little-endian uint32. */
final class Crc32cCodec implements BytesCodec {
    @Override
    public String name() {
        return "crc32c";
    }

    @Override
    public String toString() {
        return "crc32c";
    }

    /** The encoded length less the 4-byte checksum. */
    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        if (encoded.remaining() < 4) {
            throw new CodecException("crc32c data is " + encoded.remaining() + " bytes, shorter than its checksum");
        }
        return encoded.remaining() - 4;
    }

    /** Verifies the checksum, then copies the payload. */
    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        int payload = (int) decodedSize(encoded);
        if (payload != dst.remaining()) {
            throw new CodecException("crc32c data holds " + payload + " bytes, the destination has "
                    + dst.remaining());
        }
        ByteBuffer in = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(in.slice(0, payload));
        int stored = in.getInt(payload);
        if ((int) crc.getValue() != stored) {
            throw new CodecException(String.format(
                    "crc32c checksum mismatch: stored %08x, computed %08x over %d bytes: the data is corrupt",
                    stored, (int) crc.getValue(), payload));
        }
        dst.put(in.slice(0, payload));
    }
}
