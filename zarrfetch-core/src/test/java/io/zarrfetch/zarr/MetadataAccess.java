package io.zarrfetch.zarr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** The package-private metadata parsers and shard layout, for the fuzz tests in io.zarrfetch.fuzz. */
public final class MetadataAccess {
    private MetadataAccess() {
    }

    /** {@link Metadata#v2(byte[], byte[])}: throws IllegalArgumentException for malformed metadata. */
    public static ArrayMetadata v2(byte[] zarray, byte[] zattrs) {
        return Metadata.v2(zarray, zattrs);
    }

    /** {@link Metadata#v3(byte[])}: throws IllegalArgumentException for malformed metadata. */
    public static ArrayMetadata v3(byte[] zarrJson) {
        return Metadata.v3(zarrJson);
    }

    /**
     * Writes the right CRC-32C into a shard's index when the array's index has one and the shard is long enough,
     * so that a fuzzer's mutations of the index reach the code past the checksum.
     */
    public static void fixShardIndexChecksum(ArrayMetadata meta, byte[] shard) {
        if (!(meta.codec() instanceof ChunkCodec.Sharded s) || !s.indexChecksum || shard.length < s.indexBytes()) {
            return;
        }
        int n = (int) s.indexBytes();
        int start = s.indexAtEnd ? shard.length - n : 0;
        CRC32C crc = new CRC32C();
        crc.update(shard, start, n - 4);
        ByteBuffer.wrap(shard, start + n - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    }
}
