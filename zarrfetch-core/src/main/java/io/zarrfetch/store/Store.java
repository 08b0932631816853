package io.zarrfetch.store;

import java.io.IOException;
import java.util.stream.Stream;

/**
 * A place objects are read from: an S3 bucket, an HTTP server, a local folder, or memory.
 *
 * <p>A store only lists and reads, one request per call; it knows nothing of concurrency limits or buffers, which
 * are the {@link io.zarrfetch.fetch.Fetcher}'s business, nor of retries, which {@link RetryingStore} adds around any
 * store (the stores {@link Stores} opens have it). Every method may be called from many threads at once. Errors are
 * {@link StoreException}s that name the object's URL and the cause.
 */
public interface Store extends AutoCloseable {
    /** A URL naming this store, for messages: {@code s3://bucket/}, {@code https://host/}, {@code file:///dir/}. */
    String url();

    /** The URL of one object of this store, for messages. */
    String url(String key);

    /** Whether {@link #list(String)} works on this store (plain HTTP servers cannot list). */
    boolean canList();

    /**
     * The objects whose keys start with {@code prefix}, in the store's key order, with sizes. The stream is lazy:
     * pages are requested as it is consumed, so the first objects arrive before the listing is complete. An
     * error while listing is thrown from the stream's consumer as an {@link java.io.UncheckedIOException}.
     *
     * @throws UnsupportedOperationException if {@link #canList()} is false
     */
    Stream<ObjectInfo> list(String prefix);

    /**
     * One object's size and entity tag, without its bytes.
     *
     * @throws StoreException with status 404 when there is no such object
     */
    ObjectInfo head(String key) throws IOException;

    /**
     * Starts reading {@code length} bytes of an object from {@code offset}. {@code offset == 0} with
     * {@code length == ObjectInfo.UNKNOWN_SIZE} reads the whole object; a length past the end of the object is
     * cut to the object's end. The returned body must be closed.
     *
     * @param ifMatch when not null, the read fails with status 412 unless the object's entity tag equals it
     * @throws StoreException with status 404 when there is no such object
     */
    Body get(String key, long offset, long length, String ifMatch) throws IOException;

    /**
     * {@link #get(String, long, long, String)}, which another thread may give up on with {@code abort} while it
     * waits for the answer. Stores whose reads never wait on a network ignore {@code abort}.
     */
    default Body get(String key, long offset, long length, String ifMatch, Abort abort) throws IOException {
        return get(key, offset, length, ifMatch);
    }

    /**
     * Starts reading the last {@code length} bytes of an object (all of it when it is shorter): one request on
     * HTTP stores ({@code Range: bytes=-N}), so that an index at the end of an object of unknown size costs one
     * round trip. {@link Body#offset()} tells where the bytes start.
     */
    default Body getLast(String key, long length) throws IOException {
        ObjectInfo o = head(key);
        long n = Math.min(length, o.size());
        return get(key, o.size() - n, n, null);
    }

    /**
     * {@link #getLast(String, long)}, which another thread may give up on with {@code abort} while it waits for the
     * answer. Stores whose reads never wait on a network ignore {@code abort}.
     */
    default Body getLast(String key, long length, Abort abort) throws IOException {
        return getLast(key, length);
    }

    /** Releases what the store holds (connections, files). */
    @Override
    void close();
}
