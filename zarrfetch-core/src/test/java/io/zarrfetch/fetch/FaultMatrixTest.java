package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultOutcome;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.FaultTally;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.TestPki;

/**
 * Every fault {@link FaultProxy} injects, against whole-object fetches (objects smaller than a part), multi-part
 * fetches (objects of 4 parts) and byte-range items of 3 parts, through a plain HTTP server (no listing: sizes come
 * from the first answer) and through S3 with a listing (sizes and ETags known up front), each over plain HTTP and over
 * TLS (the proxy serving HTTPS: a reset or cut connection then ends without close_notify, or inside a record). One
 * object of each run gets the fault; the run's other objects must arrive intact, and the faulted one either arrives
 * byte for byte (as it now is, when the fault changed it) or fails cleanly, naming its URL, its attempts and the
 * cause.
 *
 * <p>Timeouts are short (1 s to connect and between bytes), so stalls cost about a second each; retries do not wait.
 */
class FaultMatrixTest {
    static final int SMALL = 10_000;
    static final int BIG = 200_000; // 4 parts of 64 KiB
    static final long PART = 64 * 1024;
    static final String BUCKET = "faults";

    static S3Server s3;
    static HttpFileServer http;
    static final Map<String, String> SHA = new ConcurrentHashMap<>();
    /** The SHA-256 of each object (and range) as {@link Fault#OBJECT_CHANGED} and {@link Fault#OBJECT_GREW} make it. */
    static final Map<String, String> CHANGED = new ConcurrentHashMap<>();
    static final Map<String, String> GROWN = new ConcurrentHashMap<>();
    /** Faults injected by the whole class, per kind, for the log line and docs/reliability.md. */
    static final FaultTally INJECTED = new FaultTally();
    /** Objects delivered and compared with their SHA-256: bytes of those that matched, and those that did not. */
    static final LongAdder VERIFIED_OBJECTS = new LongAdder();
    static final LongAdder VERIFIED_BYTES = new LongAdder();
    static final LongAdder CORRUPT = new LongAdder();

    /** How the run reaches the proxy: a plain HTTP server or S3, each over http or https (the proxy serving TLS). */
    enum Via {
        HTTP(false, false), S3(true, false), HTTPS(false, true), S3_HTTPS(true, true);

        final boolean s3;
        final boolean tls;

        Via(boolean s3, boolean tls) {
            this.s3 = s3;
            this.tls = tls;
        }

        /** A fault proxy in front of this way's server: over TLS, with the test CA's certificate. */
        FaultProxy proxy(long seed) throws java.io.IOException {
            URI upstream = s3 ? FaultMatrixTest.s3.endpoint() : http.url();
            return tls ? FaultProxy.startTls(upstream, seed) : FaultProxy.start(upstream, seed);
        }
    }

    /**
     * Whole objects smaller than a part; whole objects of 4 parts; byte ranges of 3 parts inside the big objects
     * (as Zarr shard reads ask for), named {@code big-i@RANGE}.
     */
    enum Size { WHOLE, PARTS, RANGE }

    static final long RANGE_OFFSET = 1000;
    static final int RANGE_LENGTH = 150_000;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (int i = 0; i < 3; i++) {
            put("small-" + i, data(SMALL, i));
        }
        for (int i = 0; i < 2; i++) {
            put("big-" + i, data(BIG, 10 + i));
        }
        // S3Proxy's filesystem store keeps each object as a plain file: serve the same bytes over plain HTTP.
        http = HttpFileServer.start(s3.root().resolve(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        s3.close();
        System.out.println("FaultMatrixTest " + INJECTED);
        System.out.println("FaultMatrixTest delivered " + VERIFIED_OBJECTS.sum() + " objects, " + VERIFIED_BYTES.sum()
                + " bytes, equal to their SHA-256; corrupt deliveries: " + CORRUPT.sum());
    }

    static void put(String key, byte[] d) {
        s3.put(BUCKET, key, d);
        SHA.put(key, sha256(d));
        byte[] grown = java.util.Arrays.copyOf(d, d.length + 1);
        grown[d.length] = FaultProxy.GROWN_BYTE;
        CHANGED.put(key, sha256(inverted(d)));
        GROWN.put(key, sha256(grown));
        if (d.length > RANGE_OFFSET + RANGE_LENGTH) {
            byte[] range = java.util.Arrays.copyOfRange(d, (int) RANGE_OFFSET, (int) RANGE_OFFSET + RANGE_LENGTH);
            SHA.put(key + "@RANGE", sha256(range));
            CHANGED.put(key + "@RANGE", sha256(inverted(range)));
            GROWN.put(key + "@RANGE", sha256(range)); // the object grew at its end, not inside the range
        }
    }

    /** Every byte inverted: the other version {@link Fault#OBJECT_CHANGED} serves. */
    static byte[] inverted(byte[] d) {
        byte[] b = d.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ~b[i];
        }
        return b;
    }

    /** The SHA-256 of an object (or range) as it is after {@code fault} changed it. */
    static String after(Fault fault, String name) {
        return (fault == Fault.OBJECT_CHANGED ? CHANGED : GROWN).get(name);
    }

    static byte[] data(int size, long seed) {
        byte[] d = new byte[size];
        new Random(seed).nextBytes(d);
        return d;
    }

    static String sha256(byte[] d) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The SHA-256 of what was delivered, tallied against the object's own (or that of the one version a fault may
     * change it to): every delivery of every test here goes through this, so the class can say how many bytes it
     * checked and that none arrived corrupt, neither damaged nor stitched from two versions.
     */
    static String delivered(String name, byte[] bytes) {
        String sha = sha256(bytes);
        if (sha.equals(SHA.get(name)) || sha.equals(CHANGED.get(name)) || sha.equals(GROWN.get(name))) {
            VERIFIED_OBJECTS.increment();
            VERIFIED_BYTES.add(bytes.length);
        } else {
            CORRUPT.increment();
        }
        return sha;
    }

    static void record(FaultProxy proxy) {
        INJECTED.add(proxy);
    }

    /** The outcome the engine must reach for one fault, as docs/reliability.md lists it. */
    static FaultOutcome expected(Fault fault, Size size, Via via) {
        return FaultOutcome.of(fault, size == Size.WHOLE, size == Size.WHOLE && via.s3);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Fault f : Fault.values()) {
            for (Size s : Size.values()) {
                for (Via v : Via.values()) {
                    cases.add(Arguments.of(f, s, v));
                }
            }
        }
        return cases.stream();
    }

    /** Timeouts of a second; retries that do not wait. */
    static StoreOptions storeOptions() {
        return StoreOptions.defaults().withEndpoint(null).withAnonymous(true).withConnectTimeout(Duration.ofSeconds(1))
                .withReadTimeout(Duration.ofSeconds(1)).withRetry(new RetryPolicy(4, Duration.ZERO, Duration.ZERO))
                .withCaBundle(TestPki.local().caBundle());
    }

    /** Stores reaching the proxy: as an S3 endpoint, or as a plain HTTP origin (trusting the proxy's TLS). */
    static Stores stores(Via via, FaultProxy proxy) {
        return new Stores(via.s3 ? storeOptions().withEndpoint(proxy.endpoint()) : storeOptions());
    }

    static FetchOptions fetchOptions(int concurrency) {
        return FetchOptions.defaults().withConcurrency(concurrency).withPartSize(PART)
                .withHedging(HedgePolicy.off()); // retries alone, whatever the timing (HedgingTest hedges)
    }

    /** The items of a run: the small or the big objects, listed on S3, named by key on HTTP. */
    static List<FetchItem> items(Stores stores, FaultProxy proxy, Via via, String prefix) {
        if (prefix.endsWith("@RANGE")) {
            Store store = via.s3 ? stores.locate("s3://" + BUCKET + "/").store()
                    : stores.locate(proxy.url().toString()).store();
            return List.of("big-0", "big-1").stream()
                    .map(k -> FetchItem.range(store, k, RANGE_OFFSET, RANGE_LENGTH, k + "@RANGE")).toList();
        }
        if (via.s3) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            return store.list(prefix).map(o -> FetchItem.of(store, o)).toList();
        }
        Store store = stores.locate(proxy.url().toString()).store();
        return SHA.keySet().stream().filter(k -> k.startsWith(prefix) && !k.endsWith("@RANGE")).sorted()
                .map(k -> new FetchItem(store, ObjectInfo.of(k), k)).toList();
    }

    @ParameterizedTest(name = "{0} {1} via {2}")
    @MethodSource("matrix")
    void eachFaultEndsInTheExactBytesOrACleanFailure(Fault fault, Size size, Via via) throws Exception {
        String prefix = switch (size) {
            case WHOLE -> "small-";
            case PARTS -> "big-";
            case RANGE -> "big-@RANGE";
        };
        String key = size == Size.WHOLE ? "small-0" : "big-0";
        String target = size == Size.RANGE ? key + "@RANGE" : key;
        // Faults go to the object's GETs only, never to the listing; object changes follow a ranged GET.
        Rule rule = Rule.first(1, fault).onMethod("GET").onPath("/" + key);
        if (fault == Fault.OBJECT_CHANGED || fault == Fault.OBJECT_GREW) {
            rule = rule.onRanged(true);
        }
        FaultOutcome outcome = expected(fault, size, via);
        Map<String, String> got = new ConcurrentHashMap<>();
        FetchReport r;
        try (FaultProxy proxy = via.proxy(42).add(rule);
                Stores stores = stores(via, proxy);
                Fetcher fetcher = new Fetcher(fetchOptions(4))) {
            List<FetchItem> items = items(stores, proxy, via, prefix);
            assertThat(items).hasSizeGreaterThan(1);
            r = fetcher.fetch(items.stream(), Sink.bytes((item, bytes) -> got.put(item.name(), delivered(item.name(), bytes))));
            record(proxy);
            if (outcome == FaultOutcome.PASSES) {
                assertThat(proxy.injected(fault)).as("the fault does not apply: nothing injected").isZero();
            } else {
                assertThat(proxy.injected(fault)).as("the fault was injected").isGreaterThanOrEqualTo(1);
            }
            long targetRequests = proxy.requests().stream().filter(q -> q.target().contains("/" + key)).count();

            // Every other object arrives intact.
            for (FetchItem item : items) {
                if (!item.name().equals(target)) {
                    assertThat(got.get(item.name())).as(item.name()).isEqualTo(SHA.get(item.name()));
                }
            }
            switch (outcome) {
                case REFETCHED -> {
                    assertThat(r.failures()).isEmpty();
                    assertThat(got.get(target)).as("as it now is, byte for byte").isEqualTo(after(fault, target));
                    assertThat(got).hasSize(items.size());
                    assertThat(r.retries()).as("fetched again").isGreaterThanOrEqualTo(1);
                    assertThat(r.changedSinceListing()).isEqualTo(1);
                    String first = "bytes=" + (size == Size.RANGE ? RANGE_OFFSET : 0) + "-";
                    List<FaultProxy.Request> fromFirst = proxy.requests().stream()
                            .filter(q -> q.target().contains("/" + key) && q.header("Range") != null
                                    && q.header("Range").startsWith(first)).toList();
                    assertThat(fromFirst).as("fetched again from its first byte").hasSizeGreaterThanOrEqualTo(2);
                    assertThat(fromFirst.getLast().header("If-Match")).as("not asking for the version that is gone")
                            .isNull();
                }
                case RECOVERS, DELIVERED, PASSES -> {
                    assertThat(r.failures()).isEmpty();
                    assertThat(got.get(target)).as("byte for byte").isEqualTo(SHA.get(target));
                    assertThat(got).hasSize(items.size());
                    if (outcome == FaultOutcome.RECOVERS) {
                        assertThat(r.retries()).isGreaterThanOrEqualTo(1);
                    } else {
                        assertThat(r.retries()).isZero();
                    }
                }
                case ABSENT -> throw new AssertionError("an object GET is never taken for absent");
                case FAILS -> {
                    assertThat(got).doesNotContainKey(target).hasSize(items.size() - 1);
                    assertThat(r.failures()).singleElement().satisfies(f -> {
                        assertThat(f.name()).isEqualTo(target);
                        assertThat(f.url()).contains(key);
                        assertThat(f.attempts()).as("every request for the object counts")
                                .isEqualTo((int) targetRequests);
                        String text = f.describe();
                        assertThat(text).contains(f.url()).contains("after " + f.attempts() + " attempt");
                        switch (fault) {
                            case FORBIDDEN_403 -> assertThat(text).contains("403");
                            case NOT_FOUND_404 -> assertThat(text).contains("404");
                            default -> assertThat(text).contains("changed");
                        }
                    });
                    assertThat(r.retries()).as("not retried").isZero();
                }
            }
        }
    }

    /** Once an answer named the object's ETag, every later request for it says If-Match with that ETag. */
    @Test
    void resumedAndLaterPartsAskForTheFirstVersion() throws Exception {
        for (Via via : Via.values()) {
            try (FaultProxy proxy = via.proxy(1)
                    .add(Rule.first(2, Fault.RESET_MID_BODY).onMethod("GET").onPath("/big-1"));
                    Stores stores = stores(via, proxy);
                    Fetcher fetcher = new Fetcher(fetchOptions(1))) {
                List<FetchItem> items = items(stores, proxy, via, "big-1");
                Map<String, String> got = new ConcurrentHashMap<>();
                FetchReport r = fetcher.fetch(items.stream(), Sink.bytes((i, b) -> got.put(i.name(), delivered(i.name(), b))));
                record(proxy);
                assertThat(r.failures()).isEmpty();
                assertThat(got.get("big-1")).isEqualTo(SHA.get("big-1"));
                List<FaultProxy.Request> gets = proxy.requests().stream()
                        .filter(q -> q.target().contains("/big-1")).toList();
                assertThat(gets).hasSizeGreaterThanOrEqualTo(6); // 4 parts and 2 resumptions
                Stores.Location object = stores.locate(via.s3 ? "s3://" + BUCKET + "/big-1"
                        : proxy.url() + "big-1");
                String etag = object.store().head(object.key()).etag();
                assertThat(etag).isNotNull();
                if (etag.startsWith("W/")) {
                    // A weak ETag never matches If-Match; the engine compares it after each answer instead.
                    assertThat(gets).allSatisfy(q -> assertThat(q.header("If-Match")).isNull());
                } else {
                    assertThat(gets.subList(1, gets.size()))
                            .allSatisfy(q -> assertThat(q.header("If-Match")).as(via.name()).isEqualTo(etag));
                }
            }
        }
    }

    /** A dead endpoint (every answer 503) fails each object after its first attempt once the budget is spent. */
    @Test
    void aDeadEndpointSpendsTheRetryBudgetAndFailsFast() throws Exception {
        int objects = 40;
        try (FaultProxy proxy = FaultProxy.start(http.url(), 7)
                .add(Rule.sometimes(1.0, Fault.SLOW_DOWN_503));
                Stores stores = new Stores(storeOptions().withRetry(new RetryPolicy(5, Duration.ZERO,
                        Duration.ZERO)));
                Fetcher fetcher = new Fetcher(fetchOptions(1))) {
            Store store = stores.locate(proxy.url().toString()).store();
            List<FetchItem> items = new ArrayList<>();
            for (int i = 0; i < objects; i++) {
                items.add(new FetchItem(store, ObjectInfo.of("small-" + (i % 3)), "n" + i));
            }
            FetchReport r = fetcher.fetch(items.stream(), Sink.bytes((i, b) -> { }));
            record(proxy);
            assertThat(r.failures()).hasSize(objects);
            assertThat(r.retries()).isEqualTo(RetryPolicy.DEFAULT_BUDGET_BASE);
            assertThat(r.requests()).isEqualTo(objects + RetryPolicy.DEFAULT_BUDGET_BASE)
                    .isEqualTo(proxy.requests().size()).isLessThan(objects * 5L);
            FetchFailure last = r.failures().getLast();
            assertThat(last.describe()).contains(last.url()).contains("503").contains("retry budget is spent")
                    .contains("after 1 attempt");
        }
    }

    /**
     * Random faults (seeded; one request at a time, so the draws fall on the same requests every run) over many
     * objects: every object arrives intact.
     */
    @Test
    void randomFaultsOverManyObjectsAllRecover() throws Exception {
        for (Via via : Via.values()) {
            try (FaultProxy proxy = via.proxy(2026);
                    Stores stores = stores(via, proxy);
                    Fetcher fetcher = new Fetcher(fetchOptions(1))) {
                List<FetchItem> items = new ArrayList<>();
                for (int round = 0; round < 6; round++) {
                    items.addAll(items(stores, proxy, via, ""));
                }
                // Listed first: the faults go to the objects' GETs.
                proxy.add(Rule.sometimes(0.04, Fault.SLOW_DOWN_503))
                        .add(Rule.sometimes(0.04, Fault.RESET_BEFORE_HEADERS))
                        .add(Rule.sometimes(0.04, Fault.RESET_MID_BODY))
                        .add(Rule.sometimes(0.04, Fault.CUT_SHORT))
                        .add(Rule.sometimes(0.04, Fault.LENGTH_TOO_LARGE).onRanged(true))
                        .add(Rule.sometimes(0.04, Fault.WRONG_CONTENT_RANGE).onRanged(true));
                Map<String, Integer> good = new ConcurrentHashMap<>();
                FetchReport r = fetcher.fetch(items.stream(), Sink.bytes((i, b) -> {
                    if (delivered(i.name(), b).equals(SHA.get(i.name()))) {
                        good.merge(i.name(), 1, Integer::sum);
                    }
                }));
                record(proxy);
                assertThat(proxy.injectedTotal()).isGreaterThan(3);
                assertThat(r.failures()).isEmpty();
                assertThat(good.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(items.size());
                assertThat(r.retries()).isGreaterThanOrEqualTo(proxy.injectedTotal());
            }
        }
    }
}
