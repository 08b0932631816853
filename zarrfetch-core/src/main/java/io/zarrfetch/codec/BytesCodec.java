package io.zarrfetch.codec;

import java.nio.ByteBuffer;

/**
 * The decoding side of a bytes-to-bytes codec, in Zarr v3's terms (blosc, gzip, zstd, crc32c, ...); Zarr v2's
 * compressors are the same thing. Implementations are thread-safe and never trust what they read: every size an
 * encoding announces is checked against the size the caller expects before anything is allocated or written.
 */
public interface BytesCodec {
    /** The codec's name as metadata spells it: {@code blosc}, {@code zstd}, {@code gzip}, {@code zlib}, ... */
    String name();

    /**
     * The decoded size that {@code encoded} announces in a header (a Blosc header, an LZ4 size prefix, a zstd
     * frame's content size; four bytes less for crc32c), or -1 when the encoding does not say. Reads only the
     * header and leaves {@code encoded}'s position alone. Callers bound it before they allocate anything.
     *
     * @throws CodecException when the header is malformed
     */
    long decodedSize(ByteBuffer encoded) throws CodecException;

    /**
     * Decodes {@code encoded} (from its position to its limit; its position is left alone) into {@code dst}, which
     * must come out filled exactly from its position to its limit; dst's position is then its limit. More bytes
     * or fewer, a header that lies, a checksum that fails: a {@link CodecException} saying which, and dst's content
     * is undefined.
     */
    void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException;
}
