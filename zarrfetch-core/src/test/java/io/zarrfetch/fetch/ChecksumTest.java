package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.S3Server;

/**
 * S3's {@code x-amz-checksum-crc32c}, end to end: objects uploaded to S3Proxy with a CRC-32C are fetched through a
 * {@link FaultProxy} that can break the checksum or the bytes. A whole object whose bytes do not match is never
 * handed to a consumer nor written to its final name: it is fetched again from its first byte, and fails naming its
 * URL and both checksums if it never matches. Composite checksums, ranges and parts are not checked.
 */
class ChecksumTest {
    static final String BUCKET = "sums";
    static final int SMALL = 10_000;
    static final long PART = 64 * 1024;
    static final Map<String, byte[]> DATA = new ConcurrentHashMap<>();
    static S3Server s3;

    @TempDir
    Path tmp;

    /** Where a fetch delivers: a view handed to a consumer, or a file in a folder. */
    enum To { VIEW, FILES }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        upload("a", data(SMALL, 1));
        upload("b", data(SMALL, 2));
        upload("big", data(200_000, 3)); // 4 parts of 64 KiB
        byte[] plain = data(SMALL, 4);
        s3.put(BUCKET, "plain", plain);
        DATA.put("plain", plain);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static void upload(String key, byte[] d) throws Exception {
        s3.putWithChecksum(BUCKET, key, d);
        DATA.put(key, d);
    }

    static byte[] data(int size, long seed) {
        byte[] d = new byte[size];
        new Random(seed).nextBytes(d);
        return d;
    }

    static String sha256(ByteBuffer b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String sha256(byte[] b) {
        return sha256(ByteBuffer.wrap(b));
    }

    static Stores stores(FaultProxy proxy) {
        return stores(proxy, 3);
    }

    static Stores stores(FaultProxy proxy, int attempts) {
        return new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint()).withAnonymous(true)
                .withRetry(new RetryPolicy(attempts, Duration.ZERO, Duration.ZERO)));
    }

    static Fetcher fetcher() {
        return new Fetcher(FetchOptions.defaults().withConcurrency(2).withPartSize(PART));
    }

    /** The named objects, listed (before any rule is added, so faults go to their GETs only). */
    static List<FetchItem> items(Stores stores, String... keys) {
        Store store = stores.locate("s3://" + BUCKET + "/").store();
        List<String> wanted = List.of(keys);
        return store.list("").filter(o -> wanted.contains(o.key())).map(o -> FetchItem.of(store, o)).toList();
    }

    /** The requests the proxy saw for one object, in order. */
    static List<FaultProxy.Request> requestsFor(FaultProxy proxy, String key) {
        return proxy.requests().stream().filter(q -> q.target().startsWith("/" + BUCKET + "/" + key)).toList();
    }

    /** A fetch's deliveries, one "name sha256" entry each, whatever sink it used. */
    record Run(FetchReport report, List<String> delivered) {
    }

    Run fetch(Fetcher fetcher, List<FetchItem> items, To to) throws Exception {
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        if (to == To.VIEW) {
            FetchReport r = fetcher.fetch(items.stream(), Sink.view((item, view) ->
                    delivered.add(item.name() + " " + sha256(view))));
            return new Run(r, List.copyOf(delivered));
        }
        Path dest = tmp.resolve("dest");
        FetchReport r = fetcher.fetch(items.stream(), Sink.files(dest));
        try (Stream<Path> files = Files.walk(dest)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                delivered.add(dest.relativize(p) + " " + sha256(Files.readAllBytes(p)));
            }
        }
        return new Run(r, List.copyOf(delivered));
    }

    static String exact(String key) {
        return key + " " + sha256(DATA.get(key));
    }

    @Test
    void matchingChecksumsAreVerifiedAndEveryGetAsksForThem() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).addChecksums(true);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            Run run = fetch(fetcher, items(stores, "a", "b", "plain"), To.VIEW);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("a"), exact("b"), exact("plain"));
            assertThat(run.report().verified()).as("a and b as uploaded, plain with the proxy's").isEqualTo(3);
            assertThat(proxy.checksumsAdded()).isEqualTo(1);
            assertThat(run.report().retries()).isZero();
            List<FaultProxy.Request> gets = proxy.requests().stream()
                    .filter(q -> q.method().equals("GET") && !q.target().contains("list-type")).toList();
            assertThat(gets).hasSize(3).allSatisfy(q -> {
                assertThat(q.header("x-amz-checksum-mode")).isEqualTo("ENABLED");
                assertThat(q.header("Range")).as("whole objects, in one plain GET each").isNull();
            });
        }
    }

    @Test
    void aWrongChecksumIsFetchedAgainFromTheFirstByte() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(stores, "a", "b");
            proxy.add(Rule.first(1, Fault.WRONG_CHECKSUM).onPath("/" + BUCKET + "/a"));
            Run run = fetch(fetcher, items, To.VIEW);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("a"), exact("b"));
            assertThat(run.report().retries()).isEqualTo(1);
            assertThat(run.report().verified()).as("the second answer for a matched").isEqualTo(2);
            assertThat(proxy.injected(Fault.WRONG_CHECKSUM)).isEqualTo(1);
            assertThat(requestsFor(proxy, "a")).hasSize(2)
                    .allSatisfy(q -> assertThat(q.header("Range")).as("not resumed: all of it again").isNull());
        }
    }

    @ParameterizedTest
    @EnumSource(To.class)
    void aCorruptBodyNeverReachesTheConsumerOrTheFileAndIsFetchedAgain(To to) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(stores, "a", "b");
            proxy.add(Rule.first(1, Fault.CORRUPT_BODY).onPath("/" + BUCKET + "/a"));
            Run run = fetch(fetcher, items, to);
            assertThat(proxy.injected(Fault.CORRUPT_BODY)).isEqualTo(1);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).as("each once, exact; no partial file")
                    .containsExactlyInAnyOrder(exact("a"), exact("b"));
            assertThat(run.report().verified()).isEqualTo(2);
            assertThat(requestsFor(proxy, "a")).hasSize(2)
                    .allSatisfy(q -> assertThat(q.header("Range")).isNull());
        }
    }

    @ParameterizedTest
    @EnumSource(To.class)
    void aChecksumThatNeverMatchesFailsTheObjectNamingItsUrlAndBothChecksums(To to) throws Exception {
        byte[] damaged = DATA.get("a").clone();
        damaged[SMALL / 2] = (byte) ~damaged[SMALL / 2]; // as CORRUPT_BODY damages it
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(stores, "a", "b");
            proxy.add(Rule.sometimes(1.0, Fault.CORRUPT_BODY).onPath("/" + BUCKET + "/a"));
            Run run = fetch(fetcher, items, to);
            assertThat(run.delivered()).as("a never, not even in part").containsExactly(exact("b"));
            assertThat(run.report().objects()).isEqualTo(1);
            assertThat(run.report().verified()).isEqualTo(1);
            assertThat(run.report().retries()).isEqualTo(2);
            assertThat(requestsFor(proxy, "a")).hasSize(3).allSatisfy(q -> assertThat(q.header("Range")).isNull());
            assertThat(run.report().failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("a");
                assertThat(f.attempts()).isEqualTo(3);
                assertThat(f.describe()).isEqualTo("s3://" + BUCKET + "/a: the body does not match its checksum: "
                        + "x-amz-checksum-crc32c is " + S3Server.crc32c(DATA.get("a")) + " but the " + SMALL
                        + " bytes received have CRC-32C " + S3Server.crc32c(damaged) + " (after 3 attempts)");
            });
        }
    }

    @Test
    void aCutBodyWithAChecksumIsFetchedAgainFromItsFirstByteOneWithoutResumes() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(stores, "a", "plain");
            proxy.add(Rule.first(1, Fault.CUT_SHORT).onPath("/" + BUCKET + "/a"))
                    .add(Rule.first(1, Fault.CUT_SHORT).onPath("/" + BUCKET + "/plain"));
            Run run = fetch(fetcher, items, To.VIEW);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("a"), exact("plain"));
            assertThat(run.report().verified()).as("a, whole from its second answer").isEqualTo(1);
            assertThat(requestsFor(proxy, "a")).hasSize(2).allSatisfy(q -> assertThat(q.header("Range")).isNull());
            assertThat(requestsFor(proxy, "plain")).hasSize(2).last()
                    .satisfies(q -> assertThat(q.header("Range")).isEqualTo("bytes=5000-9999"));
        }
    }

    @Test
    void compositeChecksumsAreNotVerified() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(stores, "a", "b");
            proxy.add(Rule.first(1, Fault.COMPOSITE_CHECKSUM).onPath("/" + BUCKET + "/a"));
            Run run = fetch(fetcher, items, To.VIEW);
            assertThat(proxy.injected(Fault.COMPOSITE_CHECKSUM)).isEqualTo(1);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("a"), exact("b"));
            assertThat(run.report().retries()).isZero();
            assertThat(run.report().verified()).as("b only").isEqualTo(1);
        }
    }

    /** S3Proxy's own multipart uploads: a COMPOSITE checksum is not checked, a FULL_OBJECT one is. */
    @Test
    void multipartUploadsAreVerifiedOnlyWithAFullObjectChecksum() throws Exception {
        byte[] first = data(5 * 1024 * 1024, 5);
        byte[] last = data(1000, 6);
        byte[] all = new byte[first.length + last.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(last, 0, all, first.length, last.length);
        s3.putMultipart(BUCKET, "mpu-composite", List.of(first, last), false);
        s3.putMultipart(BUCKET, "mpu-full", List.of(first, last), true);
        DATA.put("mpu-composite", all);
        DATA.put("mpu-full", all);
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                // Default 8 MiB parts: each object in one plain GET, whose answer carries the checksum.
                Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(2))) {
            Run run = fetch(fetcher, items(stores, "mpu-composite", "mpu-full"), To.VIEW);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("mpu-composite"), exact("mpu-full"));
            assertThat(run.report().verified()).isEqualTo(1);
            assertThat(run.report().requests()).isEqualTo(2);
        }
    }

    /** Ranges and parts carry no checksum of their own; one put on them is not the range's, and is ignored. */
    @Test
    void rangedAndMultiPartFetchesAreUnaffected() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1);
                Stores stores = stores(proxy);
                Fetcher fetcher = fetcher()) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            List<FetchItem> items = new ArrayList<>(items(stores, "big"));
            items.add(FetchItem.range(store, "a", 1000, 5000, "a@range"));
            proxy.add(Rule.sometimes(1.0, Fault.WRONG_CHECKSUM));
            Run run = fetch(fetcher, items, To.VIEW);
            assertThat(run.report().failures()).isEmpty();
            assertThat(run.delivered()).containsExactlyInAnyOrder(exact("big"), "a@range "
                    + sha256(ByteBuffer.wrap(DATA.get("a"), 1000, 5000)));
            assertThat(run.report().retries()).isZero();
            assertThat(run.report().verified()).isZero();
            assertThat(proxy.injected(Fault.WRONG_CHECKSUM)).isEqualTo(5); // 4 parts and the range
            assertThat(proxy.requests().stream().filter(q -> !q.target().contains("list-type")))
                    .hasSize(5).allSatisfy(q -> assertThat(q.header("Range")).isNotNull());
        }
    }
}
