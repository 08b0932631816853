package io.zarrfetch.fetch;

import static io.zarrfetch.fetch.FaultMatrixTest.data;
import static io.zarrfetch.fetch.FaultMatrixTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.TestPki;

/**
 * Straggler hedging against real servers behind {@link FaultProxy}: a request that stalls for good (until the proxy
 * closes) is overtaken by its hedge; a hedge that stalls loses to its original. The read timeout is a minute and
 * stalls last an hour, so only a hedge can end these runs within the tests' time limit; nothing here depends on
 * how fast the machine is, beyond a hedge being sent within seconds of being due.
 */
@Timeout(value = 45, unit = TimeUnit.SECONDS)
class HedgingTest {
    static final int BIG = 200_000; // 4 parts of 64 KiB
    static final int SMALL = 10_000;
    static final long PART = 64 * 1024;
    static final String BUCKET = "hedges";
    static final int OBJECTS = 12;

    static S3Server s3;
    static HttpFileServer http;
    static final Map<String, String> SHA = new TreeMap<>();

    @TempDir
    Path tmp;

    /** A plain HTTP server, or S3 (also over https, the proxy serving TLS: a hedge's abort then closes a TLS stream). */
    enum Via {
        HTTP(false, false), S3(true, false), S3_HTTPS(true, true);

        final boolean s3;
        final boolean tls;

        Via(boolean s3, boolean tls) {
            this.s3 = s3;
            this.tls = tls;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (int i = 0; i < OBJECTS; i++) {
            put(String.format("big-%02d", i), data(BIG, 100 + i));
            put(String.format("small-%02d", i), data(SMALL, 200 + i));
            byte[] d = data(SMALL, 300 + i);
            s3.putWithChecksum(BUCKET, String.format("sum-%02d", i), d);
            SHA.put(String.format("sum-%02d", i), sha256(d));
        }
        http = HttpFileServer.start(s3.root().resolve(BUCKET));
    }

    static void put(String key, byte[] d) {
        s3.put(BUCKET, key, d);
        SHA.put(key, sha256(d));
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        s3.close();
    }

    static FetchOptions options(HedgePolicy hedging) {
        return FetchOptions.defaults().withConcurrency(4).withPartSize(PART).withHedging(hedging);
    }

    /** Hedge a request once it got nothing for 2x the median wait for a head and 300 ms, after 3 requests. */
    static final HedgePolicy QUICK = HedgePolicy.defaults().after(2, Duration.ofMillis(300), 3);

    static Stores stores(Via via, FaultProxy proxy) {
        StoreOptions o = StoreOptions.defaults().withEndpoint(null).withAnonymous(true)
                .withReadTimeout(Duration.ofSeconds(60))
                .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO)) // retries that do not wait
                .withCaBundle(TestPki.local().caBundle());
        return new Stores(via.s3 ? o.withEndpoint(proxy.endpoint()) : o);
    }

    /** Listed on S3 (sizes known: the first request is already a part), named by key on HTTP (a probe first). */
    static List<FetchItem> items(Stores stores, FaultProxy proxy, Via via, String prefix) {
        if (via.s3) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            return store.list(prefix).map(o -> FetchItem.of(store, o)).toList();
        }
        Store store = stores.locate(proxy.url().toString()).store();
        return SHA.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> new FetchItem(store, ObjectInfo.of(k),
                k)).toList();
    }

    static FaultProxy proxy(Via via) throws Exception {
        java.net.URI upstream = via.s3 ? s3.endpoint() : http.url();
        return (via.tls ? FaultProxy.startTls(upstream, 7) : FaultProxy.start(upstream, 7)).stall(Duration.ofHours(1));
    }

    static void assertAllExact(Map<String, String> got, String prefix) {
        Map<String, String> want = new TreeMap<>(SHA);
        want.keySet().removeIf(k -> !k.startsWith(prefix));
        assertThat(new TreeMap<>(got)).isEqualTo(want);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aBodyThatStallsForGoodIsOvertakenByItsHedge(Via via) throws Exception {
        try (FaultProxy proxy = proxy(via)
                .add(Rule.first(1, Fault.STALL_MID_BODY).onMethod("GET").onPath("/big-07"));
                Stores stores = stores(via, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, via, "big-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(proxy.injected(Fault.STALL_MID_BODY)).isEqualTo(1);
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "big-");
            assertThat(r.hedgesWon()).as("the stalled request can only end by its hedge").isGreaterThanOrEqualTo(1);
            assertThat(r.hedges()).isGreaterThanOrEqualTo(r.hedgesWon());
            assertThat(r.retries()).as("no read timeout came").isZero();
        }
    }

    /** Into files: the hedge writes the missing bytes at their offsets; nothing partial is left. */
    @ParameterizedTest
    @EnumSource(Via.class)
    void aStalledPartOfAFileIsCompletedByItsHedge(Via via) throws Exception {
        Path dest = tmp.resolve("out");
        try (FaultProxy proxy = proxy(via)
                .add(Rule.first(1, Fault.STALL_MID_BODY).onMethod("GET").onPath("/big-03").onRanged(true));
                Stores stores = stores(via, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            FetchReport r = fetcher.fetch(items(stores, proxy, via, "big-").stream(), Sink.files(dest));
            assertThat(r.failures()).isEmpty();
            assertThat(r.hedgesWon()).isGreaterThanOrEqualTo(1);
        }
        Map<String, String> got = new TreeMap<>();
        try (Stream<Path> files = Files.list(dest)) {
            for (Path p : files.toList()) {
                got.put(p.getFileName().toString(), sha256(Files.readAllBytes(p)));
            }
        }
        assertAllExact(got, "big-"); // and no other file: no .zf- partial is left
    }

    /**
     * A request stalled before its answer's head (sizes known from the listing, so it is a part's request from
     * the start) is overtaken too; the run ends without waiting for it, since the hedge's win aborts its wait.
     */
    @Test
    void aRequestStalledBeforeItsHeadIsOvertakenAndAbandoned() throws Exception {
        try (FaultProxy proxy = proxy(Via.S3)
                .add(Rule.first(1, Fault.STALL_BEFORE_HEADERS).onMethod("GET").onPath("/small-05"));
                Stores stores = stores(Via.S3, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, Via.S3, "small-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(proxy.injected(Fault.STALL_BEFORE_HEADERS)).isEqualTo(1);
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "small-");
            assertThat(r.hedgesWon()).isGreaterThanOrEqualTo(1);
            assertThat(r.retries()).isZero();
            long requests = proxy.requests().stream().filter(q -> q.target().contains("/small-05")).count();
            assertThat(requests).as("the original and its hedge").isEqualTo(2);
        }
    }

    /**
     * Without a listing the first request for an object is a probe of unknown size; a probe stalled before its
     * head is raced by a second request, whose answer the probe then reads.
     */
    @Test
    void aProbeStalledBeforeItsHeadIsRacedByAHedge() throws Exception {
        try (FaultProxy proxy = proxy(Via.HTTP)
                .add(Rule.first(1, Fault.STALL_BEFORE_HEADERS).onMethod("GET").onPath("/big-02"));
                Stores stores = stores(Via.HTTP, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, Via.HTTP, "big-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(proxy.injected(Fault.STALL_BEFORE_HEADERS)).isEqualTo(1);
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "big-");
            assertThat(r.hedgesWon()).isGreaterThanOrEqualTo(1);
            assertThat(r.retries()).isZero();
            long requests = proxy.requests().stream().filter(q -> q.target().contains("/big-02")).count();
            assertThat(requests).as("the stalled probe, its hedge, 3 more parts").isEqualTo(5);
        }
    }

    /**
     * A whole object's plain GET may carry a checksum, which a range never does: its hedge is a plain GET of the
     * whole object too, so the object is verified whichever wins.
     */
    @Test
    void theHedgeOfAChecksummedObjectIsCheckedToo() throws Exception {
        try (FaultProxy proxy = proxy(Via.S3)
                .add(Rule.first(1, Fault.STALL_MID_BODY).onMethod("GET").onPath("/sum-04"));
                Stores stores = stores(Via.S3, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, Via.S3, "sum-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "sum-");
            assertThat(r.hedgesWon()).isGreaterThanOrEqualTo(1);
            assertThat(r.verified()).as("every object, the hedged one included").isEqualTo(OBJECTS);
            assertThat(proxy.requests().stream().filter(q -> q.target().contains("/sum-04")))
                    .hasSize(2).allSatisfy(q -> assertThat(q.header("Range")).isNull());
        }
    }

    /**
     * The original wins when it is slow but its hedge stalls: the hedge is abandoned, the object arrives once, and
     * the run does not wait for the stalled hedge.
     */
    @Test
    void theOriginalWinsWhenItsHedgeStalls() throws Exception {
        try (FaultProxy proxy = proxy(Via.S3).slowFirstByte(Duration.ofSeconds(3))
                .add(Rule.first(1, Fault.SLOW_FIRST_BYTE).onMethod("GET").onPath("/small-09"))
                .add(Rule.first(1, Fault.STALL_BEFORE_HEADERS).onMethod("GET").onPath("/small-09"));
                Stores stores = stores(Via.S3, proxy);
                Fetcher fetcher = new Fetcher(options(QUICK))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, Via.S3, "small-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "small-");
            assertThat(proxy.injected(Fault.STALL_BEFORE_HEADERS)).as("the hedge was sent, and stalled").isEqualTo(1);
            long requests = proxy.requests().stream().filter(q -> q.target().contains("/small-09")).count();
            assertThat(requests).as("the original and its hedge").isEqualTo(2);
            assertThat(r.hedges()).isGreaterThanOrEqualTo(1);
        }
    }

    /** With hedging off, the same stall ends only by the read timeout (1 s here) and a retry. */
    @Test
    void withHedgingOffAStallWaitsForTheReadTimeout() throws Exception {
        try (FaultProxy proxy = proxy(Via.S3)
                .add(Rule.first(1, Fault.STALL_MID_BODY).onMethod("GET").onPath("/big-07"));
                Stores stores = new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint()).withAnonymous(true)
                        .withReadTimeout(Duration.ofSeconds(1)));
                Fetcher fetcher = new Fetcher(options(HedgePolicy.off()))) {
            Map<String, String> got = new ConcurrentHashMap<>();
            FetchReport r = fetcher.fetch(items(stores, proxy, Via.S3, "big-").stream(),
                    Sink.bytes((item, bytes) -> got.put(item.name(), sha256(bytes))));
            assertThat(r.failures()).isEmpty();
            assertAllExact(got, "big-");
            assertThat(r.hedges()).isZero();
            assertThat(r.retries()).isEqualTo(1);
        }
    }

    /** The rule that decides, with made-up timings. */
    @Test
    void aStragglerIsARequestThatGetsNothingForLongerThanItsPeersWaited() {
        HedgePolicy p = HedgePolicy.defaults(); // 3x the median wait for a head, at least 1 s, after 8 samples
        Pace pace = new Pace();
        long ms = 1_000_000L;
        for (int i = 0; i < 7; i++) {
            pace.add(30 * ms);
        }
        assertThat(pace.straggler(p, 60_000 * ms)).as("too few samples yet").isFalse();
        pace.add(30 * ms);
        assertThat(pace.medianHeadNanos()).isEqualTo(30 * ms);
        assertThat(pace.straggler(p, 900 * ms)).as("under the 1 s floor").isFalse();
        assertThat(pace.straggler(p, 1100 * ms)).as("over 1 s and 3 x 30 ms").isTrue();
        assertThat(pace.straggler(HedgePolicy.off(), 60_000 * ms)).isFalse();

        // Where answers are slow to start for everyone, a request is measured against those.
        Pace slow = new Pace();
        for (int i = 0; i < 64; i++) {
            slow.add(2000 * ms);
        }
        assertThat(slow.straggler(p, 5000 * ms)).isFalse();
        assertThat(slow.straggler(p, 6500 * ms)).isTrue();
    }

    /** What the watcher counts as getting nothing: since the attempt started, or since its progress last moved. */
    @Test
    void quietIsMeasuredFromTheLastProgressSeen() {
        Flight<String> f = new Flight<>("job", 0, 1000);
        f.attempt(100, 0);
        assertThat(f.quietSince(150)).as("nothing yet: since it was sent").isEqualTo(100);
        f.progress = 10;
        assertThat(f.quietSince(300)).as("bytes came: since this look").isEqualTo(300);
        assertThat(f.quietSince(900)).as("no more since").isEqualTo(300);
        f.attempt(1000, 10);
        assertThat(f.quietSince(1200)).as("a retry: since it was sent").isEqualTo(1000);
    }
}
