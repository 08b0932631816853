package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zarrfetch.testkit.S3Server;

/** S3 with authentication on: SigV4 with good keys works, bad keys fail clearly, secrets never show. */
class S3SignedTest {
    static final String KEY_ID = "AKIAZARRFETCHTEST";
    static final String SECRET = "s3cr3t-Zarrfetch-Test-Key/1234567890abcd";
    static S3Server server;

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.startWithCredentials(KEY_ID, SECRET);
        server.createBucket("private");
        server.put("private", "dir/a b+c.bin", new byte[] {1, 2, 3, 4, 5});
        server.put("private", "dir/other", new byte[1000]);
        server.putWithChecksum("private", "sums/summed", new byte[] {6, 7, 8});
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    StoreOptions options() {
        return StoreOptions.defaults().withEndpoint(server.endpoint()).withRegion("us-east-1");
    }

    @Test
    void signedRequestsListAndRead() throws Exception {
        try (Stores stores = new Stores(options().withCredentials(Credentials.of(KEY_ID, SECRET)))) {
            Store store = stores.locate("s3://private/").store();
            assertThat(store.list("dir/").map(ObjectInfo::key).toList()).containsExactly("dir/a b+c.bin", "dir/other");
            try (Body body = store.get("dir/a b+c.bin", 1, 3, null)) {
                assertThat(StoreConformanceTest.read(body)).containsExactly(2, 3, 4);
            }
            assertThat(store.head("dir/other").size()).isEqualTo(1000);
        }
    }

    @Test
    void signedGetsAskForTheChecksumAndCheckIt() throws Exception {
        try (Stores stores = new Stores(options().withCredentials(Credentials.of(KEY_ID, SECRET)))) {
            Store store = stores.locate("s3://private/").store();
            // x-amz-checksum-mode is signed: S3Proxy, like S3, refuses an x-amz- header the signature leaves out.
            try (Body body = store.get("sums/summed", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                assertThat(StoreConformanceTest.read(body)).containsExactly(6, 7, 8);
                assertThat(body.verified()).isTrue();
            }
        }
    }

    @Test
    void aWrongSecretIsAClearErrorNamingTheBucketAndNeverShowsTheSecret() {
        String wrong = "wrong-secret-Never-Print-Me-0987654321";
        try (Stores stores = new Stores(options().withCredentials(Credentials.of(KEY_ID, wrong)))) {
            Store store = stores.locate("s3://private/").store();
            assertThatThrownBy(() -> store.list("").toList()).isInstanceOf(UncheckedIOException.class)
                    .cause().isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("s3://private/").contains("access denied")
                                .doesNotContain(wrong).doesNotContain(SECRET);
                    });
            assertThatThrownBy(() -> store.get("dir/other", 0, -1, null)).isInstanceOfSatisfying(
                    StoreException.class, e -> assertThat(e.getMessage()).contains("s3://private/dir/other")
                            .contains("403").doesNotContain(wrong));
        }
    }

    @Test
    void unsignedRequestsToAPrivateBucketSaySo() {
        try (Stores stores = new Stores(options().withAnonymous(true))) {
            Store store = stores.locate("s3://private/").store();
            assertThatThrownBy(() -> store.get("dir/other", 0, -1, null)).isInstanceOfSatisfying(
                    StoreException.class, e -> assertThat(e.getMessage()).contains("unsigned"));
        }
    }

    @Test
    void credentialsNeverPrintTheirSecret() {
        assertThat(Credentials.of(KEY_ID, SECRET).toString()).doesNotContain(SECRET).contains(KEY_ID);
        assertThat(options().withCredentials(new Credentials(KEY_ID, SECRET, "tok3n")).toString())
                .doesNotContain(SECRET).doesNotContain("tok3n");
    }
}
