package io.zarrfetch.zarr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;
import io.zarrfetch.store.Stores;

/**
 * A Zarr array (v2 or v3) in a store, read region by region.
 *
 * <p>{@link #read(Selection)} fetches exactly the chunks the selection touches (for sharded arrays, the shard
 * indexes and then only the inner chunks it needs, nearby ones in one ranged GET), all at once through the
 * {@link Fetcher}, and decodes each on other threads as it arrives, straight into the result when the chunk maps to
 * a contiguous run of it, else through a scratch buffer. Chunks that do not exist read as the fill value. Memory is
 * the fetcher's limit, the result, and at most one scratch chunk per processor. Every request, the metadata's
 * included, goes through the store's retries ({@link RetryingStore}).
 *
 * <p>Inside: {@link ChunkProjection} says which chunks a selection touches and where their elements go,
 * {@link ShardReader} finds inner chunks in shards, and {@link ArrayRead} runs one read.
 */
public final class ZarrArray {
    private final Store store;
    private final String path;
    private final ArrayMetadata meta;
    private final Fetcher fetcher;
    private final int decoders = Math.max(1, Runtime.getRuntime().availableProcessors());

    private ZarrArray(Store store, String path, ArrayMetadata meta, Fetcher fetcher) {
        this.store = store;
        this.path = path;
        this.meta = meta;
        this.fetcher = fetcher;
    }

    /**
     * Opens the array at {@code path} in {@code store} ({@code ""} for the store's root): reads {@code zarr.json},
     * else {@code .zarray} and {@code .zattrs}.
     *
     * @throws StoreException with status 404 when there is no array there
     * @throws IllegalArgumentException when the metadata is malformed or uses what zarrfetch does not read
     */
    public static ZarrArray open(Store store, String path, Fetcher fetcher) throws IOException {
        store = RetryingStore.of(store); // its requests retried, the metadata's and the chunks' alike
        String p = path.isEmpty() || path.endsWith("/") ? path : path + "/";
        byte[] v3 = Node.readSmall(store, p + "zarr.json");
        try {
            if (v3 != null) {
                return new ZarrArray(store, p, Metadata.v3(v3), fetcher);
            }
            byte[] zarray = Node.readSmall(store, p + ".zarray");
            if (zarray != null) {
                return new ZarrArray(store, p, Metadata.v2(zarray, Node.readSmall(store, p + ".zattrs")), fetcher);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(store.url(p) + ": " + e.getMessage(), e);
        }
        throw new StoreException(store.url(p), 404, false, "no Zarr array here (neither zarr.json nor .zarray)");
    }

    /** Opens the array a URL names. */
    public static ZarrArray open(Stores stores, String url, Fetcher fetcher) throws IOException {
        Stores.Location loc = stores.locate(url);
        return open(loc.store(), loc.key(), fetcher);
    }

    public ArrayMetadata metadata() {
        return meta;
    }

    /** The array's URL. */
    public String url() {
        return store.url(path);
    }

    /** The store the array is in. */
    public Store store() {
        return store;
    }

    /** The array's path in its store: "" or ending in '/'. */
    public String path() {
        return path;
    }

    /**
     * Reads a selection into new memory (released when the result is no longer referenced).
     *
     * @throws IndexOutOfBoundsException for an index outside the array
     * @throws IllegalArgumentException when the selection is larger than the JVM may allocate
     * @throws IOException naming the chunks that could not be read, and why
     */
    public ArrayData read(Selection selection) throws IOException, InterruptedException {
        Selection.Resolved r = selection.resolve(meta.shape());
        long bytes = Math.multiplyExact(r.elements(), meta.dtype().size());
        MemorySegment dst;
        try {
            dst = Arena.ofAuto().allocate(Math.max(bytes, 1), 8).asSlice(0, bytes);
        } catch (OutOfMemoryError e) { // the JVM's limit on native memory (-XX:MaxDirectMemorySize), not the heap
            throw new IllegalArgumentException("the selection is " + bytes + " bytes, more than this JVM may allocate ("
                    + e.getMessage() + "): read it in parts, or into memory of your own (a file mapping, say) with "
                    + "read(Selection, MemorySegment)", e);
        }
        read(r, dst, true, NO_REPORT);
        return new ArrayData(meta.dtype(), r.resultShape(), dst);
    }

    /**
     * Reads a selection into a caller's memory: exactly the selection's bytes, C order, in the array's byte order.
     *
     * @throws IllegalArgumentException when {@code dst} is not the selection's size
     */
    public void read(Selection selection, MemorySegment dst) throws IOException, InterruptedException {
        read(selection.resolve(meta.shape()), dst, false, NO_REPORT);
    }

    /**
     * Told of the chunks a read needs that do not exist: they read as the fill value, and a caller that must tell
     * "no data" from a stored fill value (a v2 array without one, a SQL NULL) learns where they are.
     */
    @FunctionalInterface
    public interface MissingChunks {
        /**
         * One missing chunk (for sharded arrays: one inner chunk, absent from its shard or in a shard that does not
         * exist), as the box of array elements it covers: {@code shape[a]} elements from {@code origin[a]} along
         * each axis, cut at the array's edge. Called once per chunk, from any thread, before the read returns.
         */
        void missing(long[] origin, long[] shape);
    }

    private static final MissingChunks NO_REPORT = (origin, shape) -> { };

    /**
     * {@link #read(Selection, MemorySegment)}, telling {@code missing} of each chunk the selection touches that does
     * not exist.
     */
    public void read(Selection selection, MemorySegment dst, MissingChunks missing) throws IOException,
            InterruptedException {
        read(selection.resolve(meta.shape()), dst, false, java.util.Objects.requireNonNull(missing, "missing"));
    }

    private void read(Selection.Resolved r, MemorySegment dst, boolean zeroed, MissingChunks missing)
            throws IOException, InterruptedException {
        long bytes = Math.multiplyExact(r.elements(), meta.dtype().size());
        if (dst.byteSize() != bytes) {
            throw new IllegalArgumentException("the selection is " + bytes + " bytes, the destination "
                    + dst.byteSize());
        }
        if (bytes == 0) {
            return;
        }
        new ArrayRead(this, fetcher, r, dst, zeroed, missing, decoders).run();
    }
}
