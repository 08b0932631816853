package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;

class S3StoreTest extends StoreConformanceTest {
    static S3Server server;
    static Stores stores;
    static int buckets;
    String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        stores = new Stores(StoreOptions.defaults().withEndpoint(server.endpoint()).withAnonymous(true));
    }

    @AfterAll
    static void stopServer() throws Exception {
        stores.close();
        server.close();
    }

    @BeforeEach
    void newBucket() {
        bucket = "bucket-" + (++buckets);
        server.createBucket(bucket);
    }

    @AfterEach
    void nothing() {
        // Each test has its own bucket; the server's folder goes when it stops.
    }

    @Override
    Store store() {
        return stores.locate("s3://" + bucket + "/").store();
    }

    @Override
    void put(String key, byte[] data) {
        server.put(bucket, key, data);
    }

    @Test
    void listsPastOneThousandKeysInOrder() throws Exception {
        List<String> keys = IntStream.range(0, 2345).mapToObj(i -> String.format("many/key-%05d", i)).toList();
        for (String k : keys) {
            put(k, new byte[] {1});
        }
        put("other", new byte[] {2});
        assertThat(store().list("many/").map(ObjectInfo::key).toList()).containsExactlyElementsOf(keys);
    }

    @Test
    void resolvesObjectsAndPrefixes() throws Exception {
        put("dir/a", bytes(5, 1));
        put("dir/sub/b", bytes(6, 1));
        put("file", bytes(7, 1));
        Source prefix = stores.resolve("s3://" + bucket + "/dir");
        assertThat(prefix.isPrefix()).isTrue();
        assertThat(prefix.objects().map(prefix::name).toList()).containsExactly("a", "sub/b");
        Source object = stores.resolve("s3://" + bucket + "/file");
        assertThat(object.isPrefix()).isFalse();
        assertThat(object.object().size()).isEqualTo(7);
        assertThat(object.name(object.object())).isEqualTo("file");
        Source pathStyle = stores.resolve(server.endpoint() + "/" + bucket + "/dir/sub/b");
        assertThat(pathStyle.object().size()).isEqualTo(6);
    }

    @Test
    void missingBucketIsNamed() {
        Store missing = stores.locate("s3://no-such-bucket/").store();
        assertThatThrownBy(() -> missing.list("").toList()).hasMessageContaining("s3://no-such-bucket/")
                .hasMessageContaining("NoSuchBucket");
    }

    @Test
    void aWholeObjectGetChecksTheCrc32cTheServerSends() throws Exception {
        byte[] d = bytes(100_000, 3);
        server.putWithChecksum(bucket, "summed", d);
        put("plain", d);
        try (Body body = store().get("summed", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            assertThat(body.verified()).isFalse();
            assertThat(read(body)).isEqualTo(d);
            assertThat(body.verified()).isTrue();
        }
        // S3 (and S3Proxy) send no checksum with a range, even one of every byte.
        try (Body ranged = store().get("summed", 0, d.length, null)) {
            assertThat(read(ranged)).isEqualTo(d);
            assertThat(ranged.verified()).isFalse();
        }
        try (Body plain = store().get("plain", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            assertThat(read(plain)).isEqualTo(d);
            assertThat(plain.verified()).as("stored without a checksum").isFalse();
        }
    }

    /** A store reaching the test's server through a fault proxy. */
    static Stores through(FaultProxy proxy) {
        return new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint()).withAnonymous(true));
    }

    @Test
    void aBodyThatDoesNotMatchItsChecksumFailsOnTheReadOfItsLastByteNamingBothChecksums() throws Exception {
        byte[] d = bytes(100_000, 4);
        server.putWithChecksum(bucket, "summed", d);
        byte[] damaged = d.clone();
        damaged[d.length / 2] = (byte) ~damaged[d.length / 2]; // as FaultProxy's CORRUPT_BODY does
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), 1).add(Rule.first(1, Fault.CORRUPT_BODY));
                Stores via = through(proxy)) {
            Store store = via.locate("s3://" + bucket + "/").store();
            try (Body body = store.get("summed", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                ByteBuffer buf = ByteBuffer.allocate(d.length).limit(d.length - 1);
                while (buf.hasRemaining()) {
                    assertThat(body.read(buf)).isPositive();
                }
                assertThatThrownBy(() -> body.read(buf.limit(d.length))).isInstanceOfSatisfying(StoreException.class,
                        e -> {
                            assertThat(e.getMessage()).contains("s3://" + bucket + "/summed")
                                    .contains("x-amz-checksum-crc32c is " + S3Server.crc32c(d))
                                    .contains("the 100000 bytes received have CRC-32C " + S3Server.crc32c(damaged));
                            assertThat(e.retryable()).isTrue();
                            assertThat(e.resumable()).as("the bytes received are not to be kept").isFalse();
                        });
                assertThat(body.verified()).isFalse();
            }
            assertThat(proxy.injected(Fault.CORRUPT_BODY)).isEqualTo(1);
            assertThat(proxy.requests()).singleElement()
                    .satisfies(q -> assertThat(q.header("x-amz-checksum-mode")).isEqualTo("ENABLED"));
            // The next answer is the server's own, and matches.
            try (Body again = store.get("summed", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                assertThat(read(again)).isEqualTo(d);
                assertThat(again.verified()).isTrue();
            }
        }
    }

    @Test
    void aCutBodyWithAChecksumIsNotResumableOneWithoutIs() throws Exception {
        byte[] d = bytes(10_000, 5);
        server.putWithChecksum(bucket, "summed", d);
        put("plain", d);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), 1).add(Rule.sometimes(1.0, Fault.CUT_SHORT));
                Stores via = through(proxy)) {
            Store store = via.locate("s3://" + bucket + "/").store();
            for (String key : List.of("summed", "plain")) {
                try (Body body = store.get(key, 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                    assertThatThrownBy(() -> read(body)).isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.getMessage()).contains(key).contains("5000 of 10000 bytes");
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.resumable()).as(key).isEqualTo(key.equals("plain"));
                    });
                }
            }
        }
    }

    @Test
    void compositeAndRangedChecksumsAreNotChecked() throws Exception {
        byte[] d = bytes(10_000, 6);
        server.putWithChecksum(bucket, "summed", d);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), 1)
                .add(Rule.first(1, Fault.COMPOSITE_CHECKSUM))
                .add(Rule.sometimes(1.0, Fault.WRONG_CHECKSUM).onRanged(true));
                Stores via = through(proxy)) {
            Store store = via.locate("s3://" + bucket + "/").store();
            try (Body composite = store.get("summed", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                assertThat(read(composite)).isEqualTo(d);
                assertThat(composite.verified()).isFalse();
            }
            try (Body ranged = store.get("summed", 0, d.length, null);
                    Body tail = store.getLast("summed", 100)) {
                assertThat(read(ranged)).isEqualTo(d);
                assertThat(read(tail)).hasSize(100);
                assertThat(ranged.verified()).isFalse();
            }
            assertThat(proxy.injected(Fault.COMPOSITE_CHECKSUM)).isEqualTo(1);
            assertThat(proxy.injected(Fault.WRONG_CHECKSUM)).isEqualTo(2);
            assertThat(proxy.requests()).hasSize(3)
                    .allSatisfy(q -> assertThat(q.header("x-amz-checksum-mode")).isEqualTo("ENABLED"));
        }
    }
}
