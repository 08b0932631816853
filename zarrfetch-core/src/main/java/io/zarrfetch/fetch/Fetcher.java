package io.zarrfetch.fetch;

import java.util.Objects;
import java.util.stream.Stream;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;

/**
 * Fetches many objects at once, as fast as the link allows, in bounded memory.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>at most {@link FetchOptions#concurrency()} requests are in flight at once, each on a worker thread of its
 *       own (consumers run on virtual threads);
 *   <li>buffers never hold more than {@link FetchOptions#memoryLimit()} bytes, whatever the number or size of the
 *       objects; they are pooled and reused, so steady state allocates next to nothing per object;
 *   <li>objects larger than {@link FetchOptions#partSize()} are fetched as parallel ranged GETs into one buffer, or
 *       straight into their file, or into a buffer per part written to a stream in order ({@link Sink#stream}, whose
 *       parts are at most a sixteenth of the memory limit);
 *   <li>each object succeeds or fails on its own: a failure never loses another object, and the
 *       {@link FetchReport} names every failed object with its cause;
 *   <li>a delivered object is complete and exactly as long as its listing or its server said, and of one version:
 *       later requests send If-Match with the first ETag, and an object whose answers show another version (a 412,
 *       another ETag, another size) is fetched again from its first byte as it now is, within its store's retry
 *       policy ({@link FetchReport#changedSinceListing()}); parts of two versions are never put together. A byte
 *       range given with an ETag asks for that version only, and fails when it is gone;
 *   <li>every request goes through its store's {@link io.zarrfetch.store.Retries}: failures that may pass are
 *       retried, bounded per request ({@link io.zarrfetch.store.RetryPolicy#maxAttempts()}) and by a budget shared
 *       with the store's other requests, so a dead endpoint fails fast; a body cut short resumes from its last
 *       byte.
 * </ul>
 * A fetcher may run many fetches, one after another or at once; they share its memory limit. Close it to drop its
 * buffers.
 */
public final class Fetcher implements AutoCloseable {
    /** Pooled buffers live off the heap unless -Dzarrfetch.buffers=heap (kept for measurements). */
    static final boolean OFF_HEAP = !"heap".equals(System.getProperty("zarrfetch.buffers"));

    private final FetchOptions options;
    private final BufferPool pool;

    public Fetcher(FetchOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.pool = new BufferPool(options.memoryLimit(), OFF_HEAP);
    }

    public FetchOptions options() {
        return options;
    }

    /** Starts fetching in the background; the items are consumed lazily, as a listing streams in. */
    public FetchRun start(Stream<FetchItem> items, Sink sink) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(sink, "sink");
        return new FetchRun(options, pool, items, sink);
    }

    /**
     * Fetches every item and returns when all are delivered or failed.
     *
     * @throws InterruptedException when the calling thread is interrupted; the fetch is cancelled first
     */
    public FetchReport fetch(Stream<FetchItem> items, Sink sink) throws InterruptedException {
        return start(items, sink).await();
    }

    /** Fetches objects of one store, named by their keys. */
    public FetchReport fetch(Store store, Stream<ObjectInfo> objects, Sink sink) throws InterruptedException {
        return fetch(objects.map(o -> FetchItem.of(store, o)), sink);
    }

    /** Bytes held in pooled buffers now, lent out or idle. */
    public long bufferBytes() {
        return pool.allocated();
    }

    /** The most bytes ever held in pooled buffers at once. */
    public long peakBufferBytes() {
        return pool.peakAllocated();
    }

    /** Drops idle buffers. Running fetches keep working. */
    @Override
    public void close() {
        pool.trim();
    }
}
