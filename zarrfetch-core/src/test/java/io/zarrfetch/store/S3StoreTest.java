package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
}
