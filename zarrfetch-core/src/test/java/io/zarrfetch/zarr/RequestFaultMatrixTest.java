package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.HedgePolicy;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultOutcome;
import io.zarrfetch.testkit.FaultOutcome.Request;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultTally;
import io.zarrfetch.testkit.RequestFixtures;
import io.zarrfetch.testkit.TestPki;

/**
 * Every fault {@link FaultProxy} injects, against every kind of request that is not an object's GET (those are
 * FaultMatrixTest's), through the library: a ListObjectsV2 page (the second of three), a metadata document (a
 * sharded v3 array's {@code zarr.json}), a shard's index (the last bytes of shard {@code c/0/0}, read by
 * {@link ZarrArray#read}), and a HEAD; over S3 (S3Proxy) and, but for listings, plain HTTP (Jetty). The first
 * request of the kind gets the fault, and the outcome is {@link FaultOutcome#of(Fault, Request)}: what a run without
 * faults gives, or a clean failure naming the listing, document or shard and the cause, or, for a shard's 404, its
 * region read as the fill value; never a listing cut short or an array partly read. Requests are counted against a
 * run without faults: a retry is one more; a failure that does not pass sends nothing twice.
 */
class RequestFaultMatrixTest {
    static final String BUCKET = "requests";

    static RequestFixtures.Servers servers;
    /** The array's bytes as read without faults, and with shard c/0/0 absent (its region the fill value, 0). */
    static byte[] arrayBytes;
    static byte[] withoutShard00;
    static String metadata;
    static final Map<String, Integer> BASELINE = new ConcurrentHashMap<>();
    static final FaultTally INJECTED = new FaultTally();

    /** S3 (over http, and over https with the proxy serving TLS), or a plain HTTP server. */
    enum Via {
        S3(true, false), HTTP(false, false), S3_HTTPS(true, true);

        final boolean s3;
        final boolean tls;

        Via(boolean s3, boolean tls) {
            this.s3 = s3;
            this.tls = tls;
        }

        FaultProxy proxy(long seed) throws java.io.IOException {
            URI upstream = servers.upstream(s3);
            return tls ? FaultProxy.startTls(upstream, seed) : FaultProxy.start(upstream, seed);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = RequestFixtures.serve(BUCKET);
        try (Stores stores = new Stores(StoreOptions.defaults().withEndpoint(servers.s3().endpoint())
                .withAnonymous(true));
                Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            ZarrArray array = ZarrArray.open(stores, "s3://" + BUCKET + "/arr", fetcher);
            metadata = describe(array.metadata());
            arrayBytes = array.read(Selection.all()).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        withoutShard00 = arrayBytes.clone();
        for (int row = 0; row < 8; row++) {
            Arrays.fill(withoutShard00, row * 27 * 2, (row * 27 + 12) * 2, (byte) 0); // [0:8, 0:12] of int16 x 27
        }
    }

    @AfterAll
    static void stop() throws Exception {
        servers.close();
        System.out.println("RequestFaultMatrixTest " + INJECTED);
    }

    static Stream<Arguments> matrix() {
        return RequestFixtures.cases((kind, s3) -> kind != Request.LISTING || s3).stream() // HTTP cannot list
                .flatMap(c -> (c.s3() ? Stream.of(Via.S3, Via.S3_HTTPS) : Stream.of(Via.HTTP))
                        .map(via -> Arguments.of(c.kind(), c.fault(), via)));
    }

    static Stores stores(Via via, FaultProxy proxy) {
        StoreOptions o = StoreOptions.defaults().withAnonymous(true).withConnectTimeout(Duration.ofSeconds(1))
                .withReadTimeout(Duration.ofSeconds(1)).withRetry(new RetryPolicy(4, Duration.ZERO, Duration.ZERO))
                .withCaBundle(TestPki.local().caBundle());
        return new Stores(via.s3 ? o.withEndpoint(proxy.endpoint()) : o.withEndpoint(null));
    }

    static String base(Via via, FaultProxy proxy) {
        return via.s3 ? "s3://" + BUCKET + "/" : proxy.url().toString();
    }

    /** What one request of the kind gives: the listing's keys, the metadata, the array's bytes, the size. */
    static Object request(Request kind, Via via, FaultProxy proxy) throws Exception {
        try (Stores stores = stores(via, proxy);
                Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(4)
                        .withHedging(HedgePolicy.off()))) {
            Store store = stores.locate(base(via, proxy)).store();
            return switch (kind) {
                case LISTING -> store.list("many/").map(o -> o.key()).toList();
                case METADATA -> describe(ZarrArray.open(stores, base(via, proxy) + "arr", fetcher).metadata());
                case SHARD_INDEX -> ZarrArray.open(stores, base(via, proxy) + "arr", fetcher).read(Selection.all())
                        .data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                case HEAD -> store.head("one").size();
            };
        }
    }

    static String describe(ArrayMetadata m) {
        return Arrays.toString(m.shape()) + Arrays.toString(m.chunks()) + m.dtype().numpyDescr() + m.codecNames()
                + m.attributes();
    }

    /** Requests a run without faults makes (each kind's are the same every run). */
    static int baseline(Request kind, Via via) throws Exception {
        String key = kind + " " + via;
        Integer n = BASELINE.get(key);
        if (n == null) {
            try (FaultProxy proxy = via.proxy(1)) {
                request(kind, via, proxy);
                n = proxy.requests().size();
            }
            BASELINE.put(key, n);
        }
        return n;
    }

    static Object expected(Request kind, FaultOutcome outcome) {
        return switch (kind) {
            case LISTING -> RequestFixtures.KEYS;
            case METADATA -> metadata;
            case SHARD_INDEX -> outcome == FaultOutcome.ABSENT ? withoutShard00 : arrayBytes;
            case HEAD -> 10_000L;
        };
    }

    @ParameterizedTest(name = "{0} {1} via {2}")
    @MethodSource("matrix")
    void eachFaultEndsInWhatARunWithoutItGivesOrACleanFailure(Request kind, Fault fault, Via via) throws Exception {
        FaultOutcome outcome = FaultOutcome.of(fault, kind);
        int baseline = baseline(kind, via);
        try (FaultProxy proxy = via.proxy(42)
                .add(RequestFixtures.rule(kind, fault))) {
            Object got = null;
            Exception failure = null;
            try {
                got = request(kind, via, proxy);
            } catch (UncheckedIOException e) {
                failure = e.getCause(); // a listing fails from its stream
            } catch (IOException | IllegalArgumentException e) {
                failure = e;
            }
            INJECTED.add(proxy);
            int requests = proxy.requests().size();
            String report = outcome + ", " + requests + " requests against " + baseline + " without faults: "
                    + (failure != null ? failure.getMessage() : "no failure");
            if (outcome == FaultOutcome.PASSES) {
                assertThat(proxy.injected(fault)).as("nothing to inject").isZero();
            } else {
                assertThat(proxy.injected(fault)).as("the fault was injected").isGreaterThanOrEqualTo(1);
            }
            switch (outcome) {
                case REFETCHED -> throw new AssertionError("only whole objects and ranges without an ETag are "
                        + "fetched again as they now are: " + report);
                case RECOVERS, DELIVERED, PASSES, ABSENT -> {
                    assertThat(failure).as(report).isNull();
                    assertThat(got).as(report).isEqualTo(expected(kind, outcome));
                    if (outcome == FaultOutcome.RECOVERS) {
                        assertThat(requests).as("retried: " + report).isGreaterThan(baseline);
                    } else if (outcome == FaultOutcome.ABSENT) {
                        assertThat(requests).as("the absent shard's chunks are not asked for: " + report)
                                .isLessThan(baseline);
                    } else {
                        assertThat(requests).as("no retry: " + report).isEqualTo(baseline);
                    }
                }
                case FAILS -> {
                    assertThat(failure).as(report).isNotNull();
                    String where = switch (kind) {
                        case LISTING -> base(via, proxy) + "many/ (continued)";
                        case METADATA -> base(via, proxy) + "arr/";
                        case SHARD_INDEX, HEAD -> via.s3 ? base(via, proxy) : "127.0.0.1";
                    };
                    assertThat(failure.getMessage()).as(report).contains(where).contains(switch (fault) {
                        case FORBIDDEN_403 -> "403";
                        case NOT_FOUND_404 -> kind == Request.METADATA ? "no Zarr array here" : "404";
                        default -> "changed";
                    });
                    assertThat(proxy.requests()).as("not retried: nothing asked for twice: " + report)
                            .extracting(q -> q.method() + " " + q.target() + " " + q.header("Range"))
                            .doesNotHaveDuplicates();
                }
            }
        }
    }

}
