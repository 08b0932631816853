package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;

class FetcherTest {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    @TempDir
    static Path served;
    static HttpFileServer http;
    static S3Server s3;
    static Stores stores;
    static final Map<String, Long> CHECKSUMS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        http = HttpFileServer.start(served);
        s3 = S3Server.start();
        stores = new Stores(StoreOptions.defaults().withEndpoint(s3.endpoint()).withAnonymous(true)
                .withMaxConnectionsPerHost(64));
    }

    @AfterAll
    static void stop() throws Exception {
        stores.close();
        http.close();
        s3.close();
    }

    static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static long crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return c.getValue();
    }

    static long crc(byte[] b) {
        return crc(ByteBuffer.wrap(b));
    }

    /** Writes objects of the given sizes under {@code served/dir} and returns their keys. */
    static List<String> serve(String dir, int... sizes) throws Exception {
        List<String> keys = new ArrayList<>();
        Files.createDirectories(served.resolve(dir));
        for (int i = 0; i < sizes.length; i++) {
            String key = dir + "/obj-" + i;
            byte[] d = data(sizes[i], key.hashCode());
            Files.write(served.resolve(key), d);
            CHECKSUMS.put(key, crc(d));
            keys.add(key);
        }
        return keys;
    }

    static Stream<FetchItem> httpItems(List<String> keys) {
        Store store = stores.locate(http.url().toString()).store();
        return keys.stream().map(k -> FetchItem.of(store, ObjectInfo.of(k)));
    }

    /** A consumer that checks every object against its checksum, and counts what it saw. */
    static final class Checker implements Sink.ObjectConsumer {
        final AtomicLong objects = new AtomicLong();
        final List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void accept(FetchItem item, ByteBuffer data) {
            assertThat(data.isReadOnly()).isTrue();
            Long expected = CHECKSUMS.get(item.name());
            if (expected == null || expected != crc(data)) {
                wrong.add(item.name());
            }
            objects.incrementAndGet();
        }
    }

    @Test
    void fetchesObjectsOfUnknownSizeByteExactInPartsOverHttp() throws Exception {
        int[] sizes = IntStream.range(0, 30).map(i -> i == 0 ? 0 : (i * 97_531) % 1_500_000 + 1).toArray();
        List<String> keys = serve("unknown", sizes);
        Checker checker = new Checker();
        FetchOptions o = FetchOptions.defaults().withConcurrency(6).withPartSize(64 * KIB).withMemoryLimit(16 * MIB);
        try (Fetcher fetcher = new Fetcher(o)) {
            FetchReport r = fetcher.fetch(httpItems(keys).map(i -> new FetchItem(i.store(), i.object(),
                    i.object().key())), Sink.view(checker));
            assertThat(r.failures()).isEmpty();
            assertThat(r.objects()).isEqualTo(keys.size());
            assertThat(r.bytes()).isEqualTo(IntStream.of(sizes).asLongStream().sum());
            assertThat(checker.wrong).isEmpty();
            assertThat(checker.objects.get()).isEqualTo(keys.size());
            assertThat(r.requests()).as("objects over 64 KiB were split into parts")
                    .isGreaterThan(keys.size() * 5L);
        }
    }

    @Test
    void holdsTheConnectionCapAndReusesConnections() throws Exception {
        List<String> keys = serve("capped", IntStream.range(0, 60).map(i -> 200_000 + i).toArray());
        // A server of its own, so that no other test's idle connections count.
        try (HttpFileServer own = HttpFileServer.start(served);
                Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(4).withPartSize(64 * KIB));
                Stores capped = new Stores(StoreOptions.defaults().withMaxConnectionsPerHost(4))) {
            Store store = capped.locate(own.url().toString()).store();
            Checker checker = new Checker();
            FetchReport r = fetcher.fetch(keys.stream().map(k -> new FetchItem(store, ObjectInfo.of(k), k)),
                    Sink.view(checker));
            assertThat(r.ok()).isTrue();
            assertThat(checker.wrong).isEmpty();
            assertThat(r.requests()).isGreaterThan(60 * 3);
            assertThat(own.maxOpenConnections()).as("connections open at once").isBetween(1, 4);
            assertThat(own.connectionsOpened()).as("connections opened for %s requests", r.requests())
                    .isLessThanOrEqualTo(4);
        }
    }

    @Test
    void adaptiveConcurrencyStaysWithinItsCap() throws Exception {
        List<String> keys = serve("adaptive", IntStream.range(0, 40).map(i -> 150_000 + i).toArray());
        try (HttpFileServer own = HttpFileServer.start(served);
                Fetcher fetcher = new Fetcher(FetchOptions.defaults().withAdaptiveConcurrency(6)
                        .withPartSize(64 * KIB));
                Stores capped = new Stores(StoreOptions.defaults().withMaxConnectionsPerHost(6))) {
            Store store = capped.locate(own.url().toString()).store();
            Checker checker = new Checker();
            FetchRun run = fetcher.start(keys.stream().map(k -> new FetchItem(store, ObjectInfo.of(k), k)),
                    Sink.view(checker));
            assertThat(run.progress().concurrency()).as("adaptive concurrency starts low").isEqualTo(6);
            FetchReport r = run.await();
            assertThat(r.ok()).isTrue();
            assertThat(checker.wrong).isEmpty();
            assertThat(r.maxConcurrency()).isBetween(1, 6);
            assertThat(own.maxOpenConnections()).isLessThanOrEqualTo(6);
        }
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            FetchRun run = fetcher.start(Stream.empty(), Sink.discard());
            assertThat(run.progress().concurrency()).isEqualTo(FetchOptions.START_CONCURRENCY);
            assertThat(run.await().maxConcurrency()).isEqualTo(FetchOptions.START_CONCURRENCY);
        }
    }

    @Test
    void holdsTheMemoryLimitWhileFetchingFarMore() throws Exception {
        List<String> keys = serve("bounded", IntStream.range(0, 120).map(i -> 700_000 + 1000 * i).toArray());
        long limit = 3 * MIB;
        AtomicLong heldAtOnce = new AtomicLong();
        AtomicLong maxHeld = new AtomicLong();
        Checker checker = new Checker();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(8).withMemoryLimit(limit)
                .withPartSize(128 * KIB))) {
            FetchReport r = fetcher.fetch(httpItems(keys), Sink.view((item, data) -> {
                maxHeld.accumulateAndGet(heldAtOnce.addAndGet(data.remaining()), Math::max);
                checker.accept(item, data);
                heldAtOnce.addAndGet(-data.remaining());
            }));
            assertThat(r.failures()).isEmpty();
            assertThat(r.bytes()).isGreaterThan(20 * limit);
            assertThat(checker.wrong).isEmpty();
            assertThat(r.peakBufferBytes()).isLessThanOrEqualTo(limit);
            assertThat(fetcher.peakBufferBytes()).isLessThanOrEqualTo(limit);
            assertThat(maxHeld.get()).isLessThanOrEqualTo(limit);
        }
    }

    @Test
    void fetchesAListedS3PrefixByteExact() throws Exception {
        s3.createBucket("listed");
        List<byte[]> objects = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            byte[] d = data(i * 50_000 + 17, i);
            objects.add(d);
            s3.put("listed", "arr/" + i + ".1.0", d);
        }
        Source src = stores.resolve("s3://listed/arr/");
        Map<String, Long> got = new ConcurrentHashMap<>();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(8).withPartSize(64 * KIB))) {
            FetchReport r = fetcher.fetch(src.objects().map(o -> new FetchItem(src.store(), o, src.name(o))),
                    Sink.view((item, data) -> got.put(item.name(), crc(data))));
            assertThat(r.failures()).isEmpty();
            assertThat(r.objects()).isEqualTo(25);
        }
        for (int i = 0; i < 25; i++) {
            assertThat(got.get(i + ".1.0")).as("object %d", i).isEqualTo(crc(objects.get(i)));
        }
    }

    /** The last bytes of objects of unknown size: one request each, delivered as the range they turned out to be. */
    @Test
    void fetchesTheLastBytesOfObjectsAndSaysWhereTheyStart() throws Exception {
        s3.createBucket("tails");
        byte[] d = data(300_000, 9);
        s3.put("tails", "long", d);
        s3.put("tails", "short", data(100, 10));
        Store store = stores.locate("s3://tails/").store();
        String etag = store.head("long").etag();
        Map<String, FetchItem> items = new ConcurrentHashMap<>();
        Map<String, Long> got = new ConcurrentHashMap<>();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(2).withPartSize(64 * KIB))) {
            FetchReport r = fetcher.fetch(Stream.of(FetchItem.last(store, "long", 100_000, "long"),
                    FetchItem.last(store, "short", 1000, "short")), Sink.view((item, data) -> {
                        items.put(item.name(), item);
                        got.put(item.name(), crc(data));
                    }));
            assertThat(r.requests()).as("one request each, though over a part").isEqualTo(2);
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.url()).isEqualTo("s3://tails/short (last 1000 bytes)");
                assertThat(f.describe()).contains("the object is only 100 bytes: it ends before the 1000 bytes asked "
                        + "for from its end (after 1 attempt)");
            });
        }
        assertThat(got.get("long")).isEqualTo(crc(java.util.Arrays.copyOfRange(d, 200_000, 300_000)));
        assertThat(items.get("long").offset()).isEqualTo(200_000);
        assertThat(items.get("long").object()).isEqualTo(new ObjectInfo("long", 100_000, etag));
    }

    @Test
    void reportsMissingObjectsAndRefusedConnectionsPerObjectWhileTheRestSucceed() throws Exception {
        List<String> keys = serve("mixed", 100_000, 200_000, 300_000);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        RetryPolicy twice = new RetryPolicy(2, java.time.Duration.ZERO, java.time.Duration.ZERO);
        Store dead = RetryingStore.wrap(stores.locate("http://127.0.0.1:" + deadPort + "/").store(), twice);
        Store live = RetryingStore.wrap(stores.locate(http.url().toString()).store(), twice);
        List<FetchItem> items = new ArrayList<>();
        keys.forEach(k -> items.add(new FetchItem(live, ObjectInfo.of(k), k)));
        items.add(1, new FetchItem(live, ObjectInfo.of("mixed/missing"), "missing"));
        items.add(new FetchItem(dead, ObjectInfo.of("x/y"), "refused"));
        Checker checker = new Checker();
        FetchOptions o = FetchOptions.defaults().withConcurrency(3);
        try (Fetcher fetcher = new Fetcher(o)) {
            FetchReport r = fetcher.fetch(items.stream(), Sink.view(checker));
            assertThat(r.objects()).isEqualTo(3);
            assertThat(checker.wrong).isEmpty();
            assertThat(r.failures()).hasSize(2);
            FetchFailure missing = r.failures().stream().filter(f -> "missing".equals(f.name())).findFirst()
                    .orElseThrow();
            assertThat(missing.describe()).contains(http.url() + "mixed/missing").contains("404");
            assertThat(missing.attempts()).as("404 is not retried").isEqualTo(1);
            FetchFailure refused = r.failures().stream().filter(f -> "refused".equals(f.name())).findFirst()
                    .orElseThrow();
            assertThat(refused.describe()).contains("127.0.0.1:" + deadPort).contains("connection refused");
            assertThat(refused.attempts()).as("refused connections are retried").isEqualTo(2);
        }
    }

    @Test
    void refusesObjectsLargerThanTheMemoryLimitAndFetchesTheRest() throws Exception {
        MemoryStore store = new MemoryStore();
        store.put("small", data(1000, 1));
        store.put("huge", data((int) (3 * MIB), 2));
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withMemoryLimit(2 * MIB))) {
            FetchReport r = fetcher.fetch(store, store.list(""), Sink.view((item, d) -> got.add(item.name())));
            assertThat(got).containsExactly("small");
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("huge");
                assertThat(f.describe()).contains("memory limit");
            });
        }
    }

    @Test
    void aThrowingConsumerFailsOnlyItsObject() throws Exception {
        MemoryStore store = new MemoryStore();
        for (int i = 0; i < 10; i++) {
            store.put("k" + i, data(5000, i));
        }
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            FetchReport r = fetcher.fetch(store, store.list(""), Sink.view((item, d) -> {
                if (item.name().equals("k3")) {
                    throw new IllegalStateException("boom");
                }
            }));
            assertThat(r.objects()).isEqualTo(9);
            assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.describe()).contains("k3")
                    .contains("boom"));
        }
    }

    @Test
    void copiesOutToArrays() throws Exception {
        MemoryStore store = new MemoryStore();
        byte[] d = data(3_000_000, 9);
        store.put("big", d);
        Map<String, byte[]> got = new ConcurrentHashMap<>();
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withPartSize(256 * KIB))) {
            FetchReport r = fetcher.fetch(store, store.list(""), Sink.bytes((item, bytes) -> got.put(item.name(),
                    bytes)));
            assertThat(r.ok()).isTrue();
        }
        assertThat(got.get("big")).isEqualTo(d);
    }
}
