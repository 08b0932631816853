package io.zarrfetch.store;

import java.nio.channels.ReadableByteChannel;

/**
 * The bytes of one GET, read in order with {@link #read(java.nio.ByteBuffer)}.
 *
 * <p>A body knows, before any byte is read, which bytes of which object it carries: {@link #offset()} and
 * {@link #length()} within an object of {@link #objectSize()} bytes. Reading past {@link #length()} returns -1;
 * a body that ends early throws an {@link java.io.IOException} naming the object rather than returning -1.
 * Closing a body before its end gives its connection up instead of reusing it.
 */
public interface Body extends ReadableByteChannel {
    /** The first byte of the object this body carries. */
    long offset();

    /** How many bytes this body carries, or {@link ObjectInfo#UNKNOWN_SIZE} when the server did not say. */
    long length();

    /** The whole object's size, or {@link ObjectInfo#UNKNOWN_SIZE} when the server did not say. */
    long objectSize();

    /** The object's entity tag as the server sent it, or {@code null}. */
    String etag();

    /**
     * Ends this body from another thread: a read blocked on it fails soon (its connection is closed), and so does
     * every later one. The reading thread must still {@link #close()} it. Bodies read from memory or local files,
     * whose reads never wait on a network, may ignore it.
     */
    default void abort() {
    }

    /**
     * Whether the bytes read matched a checksum the server sent for exactly these bytes: true once the last byte was
     * read and matched. A body that does not match throws a {@link StoreException} on the read that delivers its last
     * byte instead. Only S3's {@code x-amz-checksum-crc32c} on a whole object is checked (docs/reliability.md).
     */
    default boolean verified() {
        return false;
    }
}
