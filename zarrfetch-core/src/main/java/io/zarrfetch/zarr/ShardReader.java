package io.zarrfetch.zarr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.zarrfetch.codec.CodecException;
import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;

/**
 * Where the inner chunks of a sharded array are ({@code sharding_indexed}, {@link ChunkCodec.Sharded}): the shards'
 * indexes, read through the fetcher like chunks (the index at the end with one suffix range per shard: its size is
 * not known), then the byte ranges of the inner chunks a read needs, nearby ones merged into one request. Inner
 * chunks are read as the version of the shard their index came from ({@code If-Match} with its ETag), so a shard
 * rewritten in between fails instead of decoding another version's bytes.
 */
final class ShardReader {
    /** Ranges closer than this are fetched in one request rather than two. */
    static final long GAP = 64 * 1024;

    private final Store store;
    private final String path;
    private final ChunkCodec.Sharded codec;
    private final ChunkKeys keys;
    private final Fetcher fetcher;

    /**
     * @param path the array's path in the store: "" or ending in '/'
     */
    ShardReader(Store store, String path, ChunkKeys keys, ChunkCodec.Sharded codec, Fetcher fetcher) {
        this.store = store;
        this.path = path;
        this.keys = keys;
        this.codec = codec;
        this.fetcher = fetcher;
    }

    /** One shard's index: per inner chunk, in C order of the shard's grid, its offset and length (or missing). */
    record Index(long[] pairs, String etag) {
        boolean missing(int inner) {
            return pairs[2 * inner] == ChunkCodec.Sharded.MISSING;
        }
    }

    /** One inner chunk in its shard: its global inner coordinates and where its bytes are. */
    record Inner(long[] coords, long offset, long length) {
    }

    /** One request: a range of a shard, and the inner chunks it holds. */
    record Range(FetchItem item, List<Inner> inners) {
    }

    /** The coordinates of the shard an inner chunk (by its global inner coordinates) is in. */
    long[] shardOf(long[] inner) {
        long[] shard = new long[inner.length];
        for (int a = 0; a < inner.length; a++) {
            shard[a] = inner[a] / codec.chunksPerShard[a];
        }
        return shard;
    }

    /** Groups inner chunks (global coordinates) by the key of their shard, in the order given. */
    Map<String, List<long[]>> byShard(List<long[]> inners) {
        Map<String, List<long[]>> out = new LinkedHashMap<>();
        for (long[] c : inners) {
            out.computeIfAbsent(keys.key(shardOf(c)), k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    /** The position of an inner chunk (global coordinates) in its shard's index. */
    int position(long[] inner) {
        int i = 0;
        for (int a = 0; a < inner.length; a++) {
            i = i * codec.chunksPerShard[a] + (int) (inner[a] % codec.chunksPerShard[a]);
        }
        return i;
    }

    /**
     * Reads the indexes of these shards (keys below the array), all at once through the fetcher. A shard that does
     * not exist (404) has none: all its inner chunks are fill.
     *
     * @throws IOException naming the shards whose index could not be read, or is malformed
     */
    Map<String, Index> indexes(List<String> shardKeys) throws IOException, InterruptedException {
        long n = codec.indexBytes();
        List<FetchItem> items = new ArrayList<>();
        for (String key : shardKeys) {
            items.add(codec.indexAtEnd ? FetchItem.last(store, path + key, n, key)
                    : FetchItem.range(store, path + key, 0, n, key));
        }
        Map<String, Index> out = new ConcurrentHashMap<>();
        FetchReport report = fetcher.fetch(items.stream(), Sink.view((item, data) -> {
            // The end of an index at the end is the shard's; an index at the start is read without the shard's
            // size, so an entry past the shard's end fails the read of that inner chunk instead.
            long shardSize = codec.indexAtEnd ? item.offset() + n : Long.MAX_VALUE;
            try {
                out.put(item.name(), new Index(codec.parseIndex(data, shardSize), item.object().etag()));
            } catch (CodecException e) {
                throw new CodecException(store.url(path + item.name()) + ": " + e.getMessage(), e);
            }
        }));
        ArrayRead.settle(report, "shard indexes", store.url(path), name -> { }); // absent: no index, all fill
        return out;
    }

    /**
     * The requests for the inner chunks of one shard whose index says they exist: sorted by offset, nearby ones
     * merged, each range within one part of the fetcher.
     */
    List<Range> ranges(String shardKey, Index index, List<long[]> inners) {
        List<Inner> present = new ArrayList<>();
        for (long[] c : inners) {
            int i = position(c);
            if (!index.missing(i)) {
                present.add(new Inner(c, index.pairs()[2 * i], index.pairs()[2 * i + 1]));
            }
        }
        present.sort(Comparator.comparingLong(Inner::offset));
        List<Range> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= present.size(); i++) {
            if (i == present.size() || !mergeable(present.get(start), present.get(i - 1), present.get(i))) {
                List<Inner> group = List.copyOf(present.subList(start, i));
                long from = group.getFirst().offset();
                long to = group.stream().mapToLong(x -> x.offset() + x.length()).max().orElse(from);
                out.add(new Range(new FetchItem(store, new ObjectInfo(path + shardKey, to - from, index.etag()),
                        shardKey + "#" + from, from), group));
                start = i;
            }
        }
        return out;
    }

    /** Whether {@code next} joins the range from {@code first} to {@code last}: close, and within one part. */
    private boolean mergeable(Inner first, Inner last, Inner next) {
        return next.offset() - (last.offset() + last.length()) <= GAP
                && next.offset() + next.length() - first.offset() <= fetcher.options().partSize();
    }
}
