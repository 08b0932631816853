package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;

/**
 * Finding inner chunks in shards: the index arithmetic, the merging of nearby ranges, and the index reads through
 * the fetcher, against S3Proxy serving zarrita's sharded fixtures (src/test/resources/io/zarrfetch/zarr/v3) behind
 * {@link FaultProxy}, which shows what was asked for.
 */
class ShardReaderTest {
    static final String BUCKET = "shards";
    static S3Server s3;

    /** The fixtures put through S3 (so that S3Proxy keeps their ETags, as S3 has one for every object). */
    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        Path v3 = Path.of(ShardReaderTest.class.getResource("v3").toURI());
        for (String c : List.of("shard_end_gzip_index_crc32c", "shard_start_gzip_index_crc32c")) {
            try (Stream<Path> files = Files.walk(v3.resolve(c))) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    s3.put(BUCKET, c + "/" + v3.resolve(c).relativize(p).toString().replace('\\', '/'),
                            Files.readAllBytes(p));
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static ChunkCodec.Sharded codec(ZarrArray a) {
        return (ChunkCodec.Sharded) a.metadata().codec();
    }

    static ShardReader reader(ZarrArray a, Fetcher fetcher) {
        return new ShardReader(a.store(), a.path(), a.metadata().keys(), codec(a), fetcher);
    }

    @Test
    void innerChunksFindTheirShardAndTheirPlaceInItsIndex() throws Exception {
        try (Stores stores = new Stores(StoreOptions.defaults().withEndpoint(s3.endpoint()).withAnonymous(true));
                Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            // shards of 8 x 12 holding inner chunks of 4 x 4: 2 x 3 of them
            ZarrArray a = ZarrArray.open(stores, "s3://" + BUCKET + "/shard_end_gzip_index_crc32c", fetcher);
            ShardReader r = reader(a, fetcher);
            assertThat(r.shardOf(new long[] {3, 5})).containsExactly(1, 1);
            assertThat(r.position(new long[] {0, 0})).isZero();
            assertThat(r.position(new long[] {3, 5})).as("row 1, column 2 of the shard's 2 x 3").isEqualTo(5);
            Map<String, List<long[]>> byShard = r.byShard(List.of(new long[] {0, 0}, new long[] {3, 5},
                    new long[] {1, 2}));
            assertThat(byShard.keySet()).containsExactly("c/0/0", "c/1/1");
            assertThat(byShard.get("c/0/0")).hasSize(2);
        }
    }

    @Test
    void nearbyInnerChunksGoInOneRequestOfTheIndexedVersionAndMissingOnesInNone() throws Exception {
        MemoryStore store = new MemoryStore();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withPartSize(256 * 1024))) {
            ChunkCodec.Sharded codec = new ChunkCodec.Sharded(new int[] {4}, new int[] {1}, plainBytes(), true,
                    false, java.nio.ByteOrder.LITTLE_ENDIAN);
            ShardReader r = new ShardReader(store, "arr/", ChunkKeys.v3Default("/"), codec, fetcher);
            long far = 1_000_000;
            ShardReader.Index index = new ShardReader.Index(new long[] {0, 100, 100, 100, -1, -1, far, 10},
                    "\"v1\"");
            List<ShardReader.Range> ranges = r.ranges("c/0", index, List.of(new long[] {3}, new long[] {1},
                    new long[] {0}, new long[] {2}));
            assertThat(ranges).hasSize(2);
            assertThat(ranges.get(0).item().offset()).isZero();
            assertThat(ranges.get(0).item().object().size()).isEqualTo(200);
            assertThat(ranges.get(0).inners()).extracting(i -> i.coords()[0]).containsExactly(0L, 1L);
            assertThat(ranges.get(1).item().offset()).as("over 64 KiB away: a request of its own").isEqualTo(far);
            assertThat(ranges).allSatisfy(x -> {
                assertThat(x.item().object().etag()).as("If-Match: the indexed version").isEqualTo("\"v1\"");
                assertThat(x.item().object().key()).isEqualTo("arr/c/0");
            });
            ShardReader.Index wide = new ShardReader.Index(new long[] {0, 200_000, 200_000, 200_000, -1, -1, -1, -1},
                    null);
            assertThat(r.ranges("c/0", wide, List.of(new long[] {0}, new long[] {1})))
                    .as("not past one part of the fetcher").hasSize(2);
        }
    }

    static ChunkCodec.Plain plainBytes() {
        return new ChunkCodec.Plain(DataType.v2("<i2"), new int[] {0}, List.of(), List.of());
    }

    @Test
    void indexesAreReadThroughTheFetcherOneRequestAShard() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint())
                        .withAnonymous(true));
                Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            for (String array : List.of("shard_end_gzip_index_crc32c", "shard_start_gzip_index_crc32c")) {
                ZarrArray a = ZarrArray.open(stores, "s3://" + BUCKET + "/" + array, fetcher);
                long n = codec(a).indexBytes();
                int before = proxy.requests().size();
                Map<String, ShardReader.Index> indexes = reader(a, fetcher).indexes(List.of("c/0/0", "c/1/1",
                        "c/9/9"));
                assertThat(indexes.keySet()).as("c/9/9 does not exist: no index").containsExactlyInAnyOrder(
                        "c/0/0", "c/1/1");
                assertThat(indexes.get("c/0/0").etag()).as("the shard's version").isNotNull();
                List<FaultProxy.Request> asked = proxy.requests().subList(before, proxy.requests().size());
                assertThat(asked).hasSize(3).allSatisfy(q -> assertThat(q.header("Range")).isEqualTo(
                        codec(a).indexAtEnd ? "bytes=-" + n : "bytes=0-" + (n - 1)));
            }
        }
    }

    @Test
    void aShardShorterThanItsIndexOrWithAMalformedOneFailsNamingIt() throws Exception {
        MemoryStore store = new MemoryStore();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(2))) {
            ChunkCodec.Sharded codec = new ChunkCodec.Sharded(new int[] {4}, new int[] {1}, plainBytes(), true,
                    true, java.nio.ByteOrder.LITTLE_ENDIAN);
            store.put("arr/c/0", new byte[10]);
            store.put("arr/c/1", new byte[(int) codec.indexBytes()]); // a checksum of zeros: wrong
            ShardReader r = new ShardReader(store, "arr/", ChunkKeys.v3Default("/"), codec, fetcher);
            assertThatThrownBy(() -> r.indexes(List.of("c/0"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("memory:/arr/c/0 (last " + codec.indexBytes() + " bytes): the object is "
                            + "only 10 bytes");
            assertThatThrownBy(() -> r.indexes(List.of("c/1"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("memory:/arr/c/1").hasMessageContaining("checksum");
        }
    }

    @Test
    void aShardRewrittenAfterItsIndexWasReadFailsInsteadOfMixingVersions() throws Exception {
        String ifMatch;
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.first(1, Fault.OBJECT_CHANGED).onMethod("GET").onPath("/c/0/0").onRanged(true));
                Stores stores = new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint())
                        .withAnonymous(true));
                Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            ZarrArray a = ZarrArray.open(stores, "s3://" + BUCKET + "/shard_end_gzip_index_crc32c", fetcher);
            assertThatThrownBy(() -> a.read(Selection.parse("0:4,0:4"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("c/0/0").hasMessageContaining("changed");
            ifMatch = proxy.requests().getLast().header("If-Match");
        }
        try (Stores direct = new Stores(StoreOptions.defaults().withEndpoint(s3.endpoint()).withAnonymous(true))) {
            Store store = direct.locate("s3://" + BUCKET + "/").store();
            assertThat(ifMatch).isEqualTo(store.head("shard_end_gzip_index_crc32c/c/0/0").etag());
        }
    }
}
