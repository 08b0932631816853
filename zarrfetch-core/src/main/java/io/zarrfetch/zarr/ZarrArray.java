package io.zarrfetch.zarr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import io.zarrfetch.codec.CodecException;
import io.zarrfetch.fetch.FetchFailure;
import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;
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
 * the fetcher's limit, the result, and at most one scratch chunk per processor.
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
        read(r, dst, true);
        return new ArrayData(meta.dtype(), r.resultShape(), dst);
    }

    /**
     * Reads a selection into a caller's memory: exactly the selection's bytes, C order, in the array's byte order.
     *
     * @throws IllegalArgumentException when {@code dst} is not the selection's size
     */
    public void read(Selection selection, MemorySegment dst) throws IOException, InterruptedException {
        read(selection.resolve(meta.shape()), dst, false);
    }

    private void read(Selection.Resolved r, MemorySegment dst, boolean zeroed) throws IOException,
            InterruptedException {
        long bytes = Math.multiplyExact(r.elements(), meta.dtype().size());
        if (dst.byteSize() != bytes) {
            throw new IllegalArgumentException("the selection is " + bytes + " bytes, the destination "
                    + dst.byteSize());
        }
        if (bytes == 0) {
            return;
        }
        Read read = new Read(r, dst, zeroed);
        if (meta.codec() instanceof ChunkCodec.Sharded sharded) {
            read.sharded(sharded);
        } else {
            read.plain((ChunkCodec.Plain) meta.codec());
        }
    }

    /** One read: the selection, the destination, and the chunk placement arithmetic. */
    private final class Read {
        private final Selection.Resolved sel;
        private final MemorySegment dst;
        private final boolean zeroed;
        private final int itemSize = meta.dtype().size();
        private final long[] dstStride;
        private final Semaphore decoding = new Semaphore(decoders);
        private final ConcurrentLinkedQueue<ByteBuffer> scratch = new ConcurrentLinkedQueue<>();
        private final boolean fillIsZero;

        Read(Selection.Resolved sel, MemorySegment dst, boolean zeroed) {
            this.sel = sel;
            this.dst = dst;
            this.zeroed = zeroed;
            int n = sel.count().length;
            dstStride = new long[n];
            long s = itemSize;
            for (int a = n - 1; a >= 0; a--) {
                dstStride[a] = s;
                s *= sel.count()[a];
            }
            boolean zero = true;
            for (byte b : meta.fillValue()) {
                zero &= b == 0;
            }
            fillIsZero = zero;
        }

        /** The coordinates of the leaf chunks (of shape {@code leaf}) the selection touches, axis by axis. */
        private long[][] touched(int[] leaf) {
            int n = leaf.length;
            long[][] out = new long[n][];
            for (int a = 0; a < n; a++) {
                long first = sel.start()[a];
                long last = first + (sel.count()[a] - 1) * sel.step()[a];
                List<Long> cs = new ArrayList<>();
                for (long c = first / leaf[a]; c <= last / leaf[a]; c++) {
                    long[] k = kRange(a, c, leaf);
                    if (k[1] > k[0]) {
                        cs.add(c);
                    }
                }
                out[a] = cs.stream().mapToLong(Long::longValue).toArray();
            }
            return out;
        }

        /** The result indices [k0, k1) along {@code axis} that fall in leaf chunk {@code c}. */
        private long[] kRange(int axis, long c, int[] leaf) {
            long origin = c * leaf[axis];
            long end = Math.min(origin + leaf[axis], meta.shape()[axis]);
            long start = sel.start()[axis];
            long step = sel.step()[axis];
            long k0 = origin <= start ? 0 : (origin - start + step - 1) / step;
            long k1 = end <= start ? 0 : Math.min(sel.count()[axis], (end - start + step - 1) / step);
            return new long[] {k0, Math.max(k0, k1)};
        }

        /** Calls {@code each} for every combination of per-axis coordinates. */
        private void forEach(long[][] perAxis, java.util.function.Consumer<long[]> each) {
            int n = perAxis.length;
            for (long[] axis : perAxis) {
                if (axis.length == 0) {
                    return;
                }
            }
            int[] idx = new int[n];
            while (true) {
                long[] coords = new long[n];
                for (int a = 0; a < n; a++) {
                    coords[a] = perAxis[a][idx[a]];
                }
                each.accept(coords);
                int a = n - 1;
                while (a >= 0 && ++idx[a] == perAxis[a].length) {
                    idx[a] = 0;
                    a--;
                }
                if (a < 0) {
                    return;
                }
            }
        }

        // ---- unsharded ----

        void plain(ChunkCodec.Plain codec) throws IOException, InterruptedException {
            int[] leaf = meta.chunks();
            long chunkBytes = Math.multiplyExact(meta.chunkElements(), itemSize);
            if (chunkBytes > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("chunks of " + chunkBytes + " bytes are larger than the 2 GiB "
                        + "zarrfetch decodes at once");
            }
            Map<String, long[]> coordsByName = new ConcurrentHashMap<>();
            List<FetchItem> items = new ArrayList<>();
            forEach(touched(leaf), c -> {
                String key = meta.keys().key(c);
                coordsByName.put(key, c);
                items.add(new FetchItem(store, ObjectInfo.of(path + key), key));
            });
            FetchReport report = fetcher.fetch(items.stream(), Sink.view((item, data) -> {
                long[] c = coordsByName.get(item.name());
                place(codec, c, leaf, data, item.name());
            }));
            settle(report, name -> fill(coordsByName.get(name), leaf));
        }

        /** Decodes one leaf chunk and writes its selected elements into the destination. */
        private void place(ChunkCodec.Plain codec, long[] c, int[] leaf, ByteBuffer data, String name)
                throws IOException, InterruptedException {
            long leafElements = 1;
            for (int s : leaf) {
                leafElements *= s;
            }
            int leafBytes = (int) (leafElements * itemSize);
            long[] k0 = new long[leaf.length];
            long[] kn = new long[leaf.length];
            boolean whole = codec.cOrder();
            for (int a = 0; a < leaf.length; a++) {
                long[] k = kRange(a, c[a], leaf);
                k0[a] = k[0];
                kn[a] = k[1] - k[0];
                whole &= sel.step()[a] == 1 && kn[a] == leaf[a];
            }
            decoding.acquire();
            try {
                if (whole && contiguous(kn)) {
                    // The chunk is a contiguous run of the result: decode straight into it.
                    long at = offset(k0);
                    ByteBuffer target = dst.asSlice(at, leafBytes).asByteBuffer();
                    codec.decode(data, target);
                    return;
                }
                ByteBuffer buf = scratch.poll();
                if (buf == null || buf.capacity() < leafBytes) {
                    buf = ByteBuffer.allocateDirect(leafBytes);
                }
                try {
                    buf.clear().limit(leafBytes);
                    codec.decode(data, buf);
                    copyFrom(MemorySegment.ofBuffer(buf.flip()), codec.axisOrder, leaf, c, k0, kn);
                } finally {
                    scratch.offer(buf);
                }
            } catch (CodecException e) {
                throw new CodecException("chunk " + name + ": " + e.getMessage(), e);
            } finally {
                decoding.release();
            }
        }

        /** Whether a region of these per-axis counts is one contiguous run in the C-order destination. */
        private boolean contiguous(long[] kn) {
            int n = kn.length;
            int a = 0;
            while (a < n && kn[a] == 1) {
                a++;
            }
            for (int i = a + 1; i < n; i++) {
                if (kn[i] != sel.count()[i]) {
                    return false;
                }
            }
            return true;
        }

        private long offset(long[] k) {
            long at = 0;
            for (int a = 0; a < k.length; a++) {
                at += k[a] * dstStride[a];
            }
            return at;
        }

        /** Copies the selected elements of a decoded leaf chunk (laid out by {@code axisOrder}) to the result. */
        private void copyFrom(MemorySegment chunk, int[] axisOrder, int[] leaf, long[] c, long[] k0, long[] kn) {
            int n = leaf.length;
            long[] srcStride = new long[n];
            long s = itemSize;
            for (int j = n - 1; j >= 0; j--) {
                srcStride[axisOrder[j]] = s;
                s *= leaf[axisOrder[j]];
            }
            long srcBase = 0;
            long[] srcStep = new long[n];
            for (int a = 0; a < n; a++) {
                long local = sel.start()[a] + k0[a] * sel.step()[a] - c[a] * leaf[a];
                srcBase += local * srcStride[a];
                srcStep[a] = sel.step()[a] * srcStride[a];
            }
            Copy.strided(chunk, srcBase, srcStep, dst, offset(k0), dstStride, kn, itemSize);
        }

        /** Writes the fill value where the leaf chunk at {@code c} would have gone. */
        private void fill(long[] c, int[] leaf) {
            if (zeroed && fillIsZero) {
                return; // new memory is zeroed already
            }
            long[] k0 = new long[leaf.length];
            long[] kn = new long[leaf.length];
            for (int a = 0; a < leaf.length; a++) {
                long[] k = kRange(a, c[a], leaf);
                k0[a] = k[0];
                kn[a] = k[1] - k[0];
            }
            Copy.fill(meta.fillValue(), dst, offset(k0), dstStride, kn, itemSize);
        }

        /**
         * Fills in what does not exist (404) and fails with every other failure.
         *
         * @param missing called with the name of each item that was not found
         */
        private void settle(FetchReport report, java.util.function.Consumer<String> missing) throws IOException {
            List<FetchFailure> failed = new ArrayList<>();
            for (FetchFailure f : report.failures()) {
                if (f.cause() instanceof StoreException se && se.notFound() && f.name() != null) {
                    missing.accept(f.name());
                } else {
                    failed.add(f);
                }
            }
            if (report.cancelled()) {
                throw new java.io.InterruptedIOException("the read of " + url() + " was cancelled");
            }
            if (!failed.isEmpty()) {
                StringBuilder m = new StringBuilder(failed.size() + " of the chunks of " + url()
                        + " could not be read: ");
                failed.stream().limit(5).forEach(f -> m.append("\n  ").append(f.describe()));
                if (failed.size() > 5) {
                    m.append("\n  ...");
                }
                throw new IOException(m.toString(), failed.getFirst().cause());
            }
        }

        // ---- sharded ----

        void sharded(ChunkCodec.Sharded codec) throws IOException, InterruptedException {
            int[] leaf = codec.innerChunks;
            int[] shard = meta.chunks();
            int n = leaf.length;
            // The inner chunks the selection touches, grouped by shard.
            Map<String, List<long[]>> byShard = new java.util.LinkedHashMap<>();
            Map<String, long[]> shardCoords = new ConcurrentHashMap<>();
            forEach(touched(leaf), c -> {
                long[] sc = new long[n];
                for (int a = 0; a < n; a++) {
                    sc[a] = c[a] / codec.chunksPerShard[a];
                }
                String key = meta.keys().key(sc);
                shardCoords.putIfAbsent(key, sc);
                byShard.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            });
            Map<String, long[]> indexes = readIndexes(codec, byShard.keySet());
            // Ranges of the inner chunks needed, nearby ones merged into one request.
            List<FetchItem> items = new ArrayList<>();
            Map<String, List<Inner>> innersByItem = new ConcurrentHashMap<>();
            for (Map.Entry<String, List<long[]>> e : byShard.entrySet()) {
                long[] index = indexes.get(e.getKey());
                if (index == null) {
                    e.getValue().forEach(c -> fill(c, leaf)); // no shard: all fill
                    continue;
                }
                long[] sc = shardCoords.get(e.getKey());
                List<Inner> inners = new ArrayList<>();
                for (long[] c : e.getValue()) {
                    int i = innerIndex(c, sc, codec);
                    if (index[2 * i] == ChunkCodec.Sharded.MISSING) {
                        fill(c, leaf);
                    } else {
                        inners.add(new Inner(c, index[2 * i], index[2 * i + 1]));
                    }
                }
                inners.sort(Comparator.comparingLong(Inner::offset));
                int start = 0;
                for (int i = 1; i <= inners.size(); i++) {
                    if (i == inners.size() || !mergeable(inners.get(start), inners.get(i - 1), inners.get(i))) {
                        List<Inner> group = inners.subList(start, i);
                        long from = group.getFirst().offset();
                        long to = group.stream().mapToLong(x -> x.offset() + x.length()).max().orElse(from);
                        String name = e.getKey() + "#" + from;
                        innersByItem.put(name, List.copyOf(group));
                        items.add(FetchItem.range(store, path + e.getKey(), from, to - from, name));
                        start = i;
                    }
                }
            }
            if (items.isEmpty()) {
                return;
            }
            FetchReport report = fetcher.fetch(items.stream(), Sink.view((item, data) -> {
                for (Inner in : innersByItem.get(item.name())) {
                    ByteBuffer slice = data.slice((int) (in.offset() - item.offset()), (int) in.length());
                    place(codec.inner, in.coords(), leaf, slice, item.name() + " inner chunk "
                            + Arrays.toString(in.coords()));
                }
            }));
            settle(report, name -> innersByItem.get(name).forEach(in -> fill(in.coords(), leaf)));
        }

        private record Inner(long[] coords, long offset, long length) {
        }

        /** Ranges closer than this are fetched in one request rather than two. */
        private static final long GAP = 64 * 1024;
        /** And merged ranges stay within one part of the fetcher. */
        private boolean mergeable(Inner first, Inner last, Inner next) {
            return next.offset() - (last.offset() + last.length()) <= GAP
                    && next.offset() + next.length() - first.offset() <= fetcher.options().partSize();
        }

        /** The position of inner chunk {@code c} (global inner coordinates) in its shard's index. */
        private int innerIndex(long[] c, long[] shardCoords, ChunkCodec.Sharded codec) {
            int i = 0;
            for (int a = 0; a < c.length; a++) {
                i = i * codec.chunksPerShard[a] + (int) (c[a] - shardCoords[a] * codec.chunksPerShard[a]);
            }
            return i;
        }

        /** Reads the indexes of the given shards, at once; a shard that does not exist maps to null. */
        private Map<String, long[]> readIndexes(ChunkCodec.Sharded codec, java.util.Set<String> shardKeys)
                throws IOException, InterruptedException {
            Map<String, long[]> out = new ConcurrentHashMap<>();
            Semaphore slots = new Semaphore(Math.max(1, fetcher.options().concurrency()));
            List<Future<?>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String key : shardKeys) {
                    futures.add(pool.submit(() -> {
                        slots.acquire();
                        try {
                            long[] index = readIndex(codec, path + key);
                            if (index != null) {
                                out.put(key, index);
                            }
                        } finally {
                            slots.release();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        futures.forEach(x -> x.cancel(true));
                        if (e.getCause() instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException(e.getCause());
                    }
                }
            }
            return out;
        }

        /** One shard's index, or null when the shard does not exist. */
        private long[] readIndex(ChunkCodec.Sharded codec, String key) throws IOException {
            return RetryingStore.of(store).read(s -> readIndex(codec, s, key));
        }

        private long[] readIndex(ChunkCodec.Sharded codec, Store store, String key) throws IOException {
            long n = codec.indexBytes();
            try (Body body = codec.indexAtEnd ? store.getLast(key, n) : store.get(key, 0, n, null)) {
                ByteBuffer buf = ByteBuffer.allocate((int) n);
                while (buf.hasRemaining() && body.read(buf) >= 0) {
                    // read it all
                }
                if (buf.hasRemaining() || (codec.indexAtEnd && body.offset() + n != body.objectSize())) {
                    throw new CodecException(store.url(key) + ": the shard is shorter (" + body.objectSize()
                            + " bytes) than its index (" + n + " bytes)");
                }
                try {
                    return codec.parseIndex(buf.flip(), body.objectSize() >= 0 ? body.objectSize() : Long.MAX_VALUE);
                } catch (CodecException e) {
                    throw new CodecException(store.url(key) + ": " + e.getMessage(), e);
                }
            } catch (StoreException e) {
                if (e.notFound()) {
                    return null;
                }
                throw e;
            }
        }
    }
}
