package io.zarrfetch.zarr;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import io.zarrfetch.codec.CodecException;
import io.zarrfetch.fetch.FetchFailure;
import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/**
 * One read of a selection into memory: which chunks to fetch ({@link ChunkProjection}; for sharded arrays, through
 * the {@link ShardReader}), fetched all at once through the fetcher, each decoded on other threads as it arrives and
 * placed in the result: straight into it when the chunk is a contiguous run of it, else through a scratch buffer and
 * a strided copy. Where there is no chunk, the fill value.
 */
final class ArrayRead {
    private final Store store;
    private final String path;
    private final String url;
    private final ArrayMetadata meta;
    private final Fetcher fetcher;
    private final Selection.Resolved sel;
    private final MemorySegment dst;
    private final boolean zeroed;
    private final ZarrArray.MissingChunks missing;
    private final int itemSize;
    private final long[] dstStride;
    private final boolean fillIsZero;
    /** At most one decode per processor at once, each with at most one scratch buffer. */
    private final Semaphore decoding;
    private final ConcurrentLinkedQueue<ByteBuffer> scratch = new ConcurrentLinkedQueue<>();

    /**
     * @param zeroed whether {@code dst} is new memory, all zeros (a zero fill value then needs no writing)
     * @param missing told of each chunk the selection needs that does not exist
     */
    ArrayRead(ZarrArray array, Fetcher fetcher, Selection.Resolved sel, MemorySegment dst, boolean zeroed,
            ZarrArray.MissingChunks missing, int decoders) {
        this.store = array.store();
        this.path = array.path();
        this.url = array.url();
        this.meta = array.metadata();
        this.fetcher = fetcher;
        this.sel = sel;
        this.dst = dst;
        this.zeroed = zeroed;
        this.missing = missing;
        this.itemSize = meta.dtype().size();
        this.decoding = new Semaphore(decoders);
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

    void run() throws IOException, InterruptedException {
        if (meta.codec() instanceof ChunkCodec.Sharded sharded) {
            sharded(sharded);
        } else {
            plain((ChunkCodec.Plain) meta.codec());
        }
    }

    // ---- unsharded ----

    private void plain(ChunkCodec.Plain codec) throws IOException, InterruptedException {
        int[] leaf = meta.chunks();
        checkDecodable(leaf);
        ChunkProjection projection = new ChunkProjection(sel, meta.shape(), leaf);
        Map<String, ChunkProjection.Region> regions = new ConcurrentHashMap<>();
        List<FetchItem> items = new ArrayList<>();
        projection.forEachChunk(c -> {
            String key = meta.keys().key(c);
            regions.put(key, projection.region(c));
            items.add(new FetchItem(store, ObjectInfo.of(path + key), key));
        });
        FetchReport report = fetcher.fetch(items.stream(), Sink.view((item, data) -> place(codec, projection,
                regions.get(item.name()), data, leaf, item.name())));
        settle(report, "chunks", url, name -> fill(regions.get(name), leaf));
    }

    // ---- sharded ----

    private void sharded(ChunkCodec.Sharded codec) throws IOException, InterruptedException {
        int[] leaf = codec.innerChunks;
        checkDecodable(leaf);
        ChunkProjection projection = new ChunkProjection(sel, meta.shape(), leaf);
        ShardReader reader = new ShardReader(store, path, meta.keys(), codec, fetcher);
        List<long[]> touched = new ArrayList<>();
        projection.forEachChunk(touched::add);
        Map<String, List<long[]>> byShard = reader.byShard(touched);
        Map<String, ShardReader.Index> indexes = reader.indexes(List.copyOf(byShard.keySet()));
        List<FetchItem> items = new ArrayList<>();
        Map<String, List<ShardReader.Inner>> innersByItem = new ConcurrentHashMap<>();
        for (Map.Entry<String, List<long[]>> e : byShard.entrySet()) {
            ShardReader.Index index = indexes.get(e.getKey());
            if (index == null) {
                e.getValue().forEach(c -> fill(projection.region(c), leaf)); // no shard: all fill
                continue;
            }
            for (long[] c : e.getValue()) {
                if (index.missing(reader.position(c))) {
                    fill(projection.region(c), leaf);
                }
            }
            for (ShardReader.Range r : reader.ranges(e.getKey(), index, e.getValue())) {
                items.add(r.item());
                innersByItem.put(r.item().name(), r.inners());
            }
        }
        if (items.isEmpty()) {
            return;
        }
        FetchReport report = fetcher.fetch(items.stream(), Sink.view((item, data) -> {
            for (ShardReader.Inner in : innersByItem.get(item.name())) {
                ByteBuffer slice = data.slice((int) (in.offset() - item.offset()), (int) in.length());
                place(codec.inner, projection, projection.region(in.coords()), slice, leaf, item.name()
                        + " inner chunk " + Arrays.toString(in.coords()));
            }
        }));
        settle(report, "chunks", url, name -> innersByItem.get(name).forEach(in -> fill(projection.region(
                in.coords()), leaf)));
    }

    // ---- placing ----

    private void checkDecodable(int[] leaf) {
        long leafBytes = Arrays.stream(leaf).asLongStream().reduce(itemSize, Math::multiplyExact);
        if (leafBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("chunks of " + leafBytes + " bytes are larger than the 2 GiB "
                    + "zarrfetch decodes at once");
        }
    }

    /** Decodes one chunk and writes its selected elements into the result. */
    private void place(ChunkCodec.Plain codec, ChunkProjection projection, ChunkProjection.Region r,
            ByteBuffer data, int[] leaf, String name) throws IOException, InterruptedException {
        int leafBytes = (int) Arrays.stream(leaf).asLongStream().reduce(itemSize, Math::multiplyExact);
        decoding.acquire();
        try {
            if (codec.cOrder() && projection.wholeChunk(r) && projection.contiguousInResult(r)) {
                // The chunk is a contiguous run of the result: decode straight into it.
                codec.decode(data, dst.asSlice(offset(r.outStart()), leafBytes).asByteBuffer());
                return;
            }
            ByteBuffer buf = scratch.poll();
            if (buf == null || buf.capacity() < leafBytes) {
                buf = ByteBuffer.allocateDirect(leafBytes);
            }
            try {
                buf.clear().limit(leafBytes);
                codec.decode(data, buf);
                copyFrom(MemorySegment.ofBuffer(buf.flip()), codec.axisOrder, leaf, r);
            } finally {
                scratch.offer(buf);
            }
        } catch (CodecException e) {
            throw new CodecException("chunk " + name + ": " + e.getMessage(), e);
        } finally {
            decoding.release();
        }
    }

    private long offset(long[] k) {
        long at = 0;
        for (int a = 0; a < k.length; a++) {
            at += k[a] * dstStride[a];
        }
        return at;
    }

    /** Copies a region's elements from a decoded chunk (laid out by {@code axisOrder}) to the result. */
    private void copyFrom(MemorySegment chunk, int[] axisOrder, int[] leaf, ChunkProjection.Region r) {
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
            srcBase += r.chunkStart()[a] * srcStride[a];
            srcStep[a] = r.step()[a] * srcStride[a];
        }
        Copy.strided(chunk, srcBase, srcStep, dst, offset(r.outStart()), dstStride, r.count(), itemSize);
    }

    /** Writes the fill value where a chunk's region would have gone, the chunk (of shape {@code leaf}) missing. */
    private void fill(ChunkProjection.Region r, int[] leaf) {
        long[] origin = new long[leaf.length];
        long[] extent = new long[leaf.length];
        for (int a = 0; a < leaf.length; a++) {
            origin[a] = r.coords()[a] * leaf[a];
            extent[a] = Math.min(leaf[a], meta.shape()[a] - origin[a]);
        }
        missing.missing(origin, extent);
        if (zeroed && fillIsZero) {
            return; // new memory is zeroed already
        }
        Copy.fill(meta.fillValue(), dst, offset(r.outStart()), dstStride, r.count(), itemSize);
    }

    /**
     * Ends a fetch of a read: each item that does not exist (404) is given to {@code missing} (what Zarr says of an
     * absent chunk or shard), every other failure fails the read, naming the items (up to five) and their causes.
     *
     * @param what what the items are, for the message ("chunks")
     * @throws InterruptedIOException when the fetch was cancelled
     */
    static void settle(FetchReport report, String what, String url, Consumer<String> missing) throws IOException {
        List<FetchFailure> failed = new ArrayList<>();
        for (FetchFailure f : report.failures()) {
            if (f.cause() instanceof StoreException se && se.notFound() && f.name() != null) {
                missing.accept(f.name());
            } else {
                failed.add(f);
            }
        }
        if (report.cancelled()) {
            throw new InterruptedIOException("the read of " + url + " was cancelled");
        }
        if (!failed.isEmpty()) {
            StringBuilder m = new StringBuilder(failed.size() + " of the " + what + " of " + url
                    + " could not be read: ");
            failed.stream().limit(5).forEach(f -> m.append("\n  ").append(f.describe()));
            if (failed.size() > 5) {
                m.append("\n  ...");
            }
            throw new IOException(m.toString(), failed.getFirst().cause());
        }
    }
}
