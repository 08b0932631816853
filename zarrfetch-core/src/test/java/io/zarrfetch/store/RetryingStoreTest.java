package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.RequestFixtures;
import io.zarrfetch.testkit.S3Server;

/**
 * A store's requests through {@link RetryingStore}, against S3Proxy behind {@link FaultProxy}: what each kind of
 * request does when it fails (the fault matrices of every kind are RequestFaultMatrixTest).
 */
class RetryingStoreTest {
    static final String BUCKET = "retries";
    static final List<String> KEYS = RequestFixtures.KEYS; // three pages
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        RequestFixtures.putPages(s3, BUCKET);
        s3.put(BUCKET, "one", StoreConformanceTest.bytes(50_000, 1));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static Stores stores(FaultProxy proxy, RetryPolicy policy) {
        return new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint()).withAnonymous(true)
                .withReadTimeout(Duration.ofSeconds(1)).withRetry(policy));
    }

    static final RetryPolicy NO_WAIT = new RetryPolicy(3, Duration.ZERO, Duration.ZERO);

    /** The requests for the listing's pages (1000 keys each), in order. */
    static List<String> pages(FaultProxy proxy) {
        return proxy.requests().stream().map(FaultProxy.Request::target).filter(t -> t.contains("list-type=2"))
                .toList();
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"SLOW_DOWN_503", "RESET_MID_BODY", "CUT_SHORT", "LENGTH_TOO_LARGE"})
    void aFailedPageIsAskedForAgainWithTheSameTokenAndTheListingGoesOn(Fault fault) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.first(1, fault).onPath("continuation-token"));
                Stores stores = stores(proxy, NO_WAIT)) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            assertThat(store.list("many/").map(ObjectInfo::key).toList()).containsExactlyElementsOf(KEYS);
            assertThat(proxy.injected(fault)).isEqualTo(1);
            List<String> pages = pages(proxy);
            assertThat(pages).hasSize(4);
            assertThat(pages.get(1)).contains("continuation-token=").isEqualTo(pages.get(2));
            assertThat(pages.get(3)).contains("continuation-token=").isNotEqualTo(pages.get(1));
        }
    }

    @Test
    void aPageThatKeepsFailingFailsTheListingNamingItAfterItsAttempts() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.sometimes(1.0, Fault.SLOW_DOWN_503).onPath("continuation-token"));
                Stores stores = stores(proxy, NO_WAIT)) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            List<String> seen = new java.util.ArrayList<>();
            assertThatThrownBy(() -> store.list("many/").forEach(o -> seen.add(o.key())))
                    .isInstanceOf(java.io.UncheckedIOException.class).cause()
                    .hasMessageStartingWith("s3://" + BUCKET + "/many/ (continued): service unavailable");
            assertThat(seen).as("the first page, then nothing more").containsExactlyElementsOf(KEYS.subList(0, 1000));
            assertThat(pages(proxy)).hasSize(1 + 3);
        }
    }

    @Test
    void aFailureThatDoesNotPassIsNotSentAgain() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).add(Rule.first(1, Fault.FORBIDDEN_403));
                Stores stores = stores(proxy, NO_WAIT)) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            assertThatThrownBy(() -> store.head("one")).isInstanceOf(StoreException.class).hasMessageContaining("403");
            assertThat(proxy.requests()).hasSize(1);
        }
    }

    @Test
    void headsAndGetsAreRetriedUntilTheirAnswer() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.first(1, Fault.INTERNAL_500).onMethod("HEAD"))
                .add(Rule.first(1, Fault.RESET_BEFORE_HEADERS).onMethod("GET"));
                Stores stores = stores(proxy, NO_WAIT)) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            assertThat(store.head("one").size()).isEqualTo(50_000);
            try (Body body = store.get("one", 100, 1000, null)) {
                assertThat(StoreConformanceTest.read(body)).hasSize(1000);
            }
            assertThat(proxy.requests()).hasSize(4);
        }
    }

    @Test
    void aSmallReadIsReadAgainWholeWhenItsBodyIsCut() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.first(1, Fault.RESET_MID_BODY).onMethod("GET"));
                Stores stores = stores(proxy, NO_WAIT)) {
            RetryingStore store = (RetryingStore) stores.locate("s3://" + BUCKET + "/").store();
            byte[] got = store.read(s -> {
                try (Body body = s.get("one", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                    return StoreConformanceTest.read(body);
                }
            });
            assertThat(got).isEqualTo(StoreConformanceTest.bytes(50_000, 1));
            assertThat(proxy.requests()).hasSize(2).allSatisfy(r -> assertThat(r.header("Range")).isNull());
            assertThat(store.retries().retries()).isEqualTo(1);
        }
    }

    @Test
    void theStoresOfOneStoresShareOneBudget() throws Exception {
        s3.createBucket(BUCKET + "-2");
        s3.put(BUCKET + "-2", "two", new byte[] {2});
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.sometimes(1.0, Fault.SLOW_DOWN_503).onMethod("HEAD"));
                Stores stores = stores(proxy, NO_WAIT.withBudget(1, 0))) {
            Store first = stores.locate("s3://" + BUCKET + "/").store();
            Store second = stores.locate("s3://" + BUCKET + "-2/").store();
            // The first store's HEAD is retried once, which spends the budget; the second store's is not retried.
            assertThatThrownBy(() -> first.head("one")).hasMessageContaining("the retry budget is spent (1 retries");
            assertThatThrownBy(() -> second.head("two")).hasMessageContaining("the retry budget is spent (1 retries");
            assertThat(proxy.requests()).hasSize(2 + 1);
            assertThat(proxy.requests().getLast().target()).contains(BUCKET + "-2/two");
        }
    }

    @Test
    void storesAreWrappedOnceAndBareStoresGetTheDefaults() {
        MemoryStore memory = new MemoryStore();
        RetryingStore once = RetryingStore.of(memory);
        assertThat(once.store()).isSameAs(memory);
        assertThat(once.retries().policy()).isEqualTo(RetryPolicy.defaults());
        assertThat(RetryingStore.of(once)).isSameAs(once);
        RetryingStore again = RetryingStore.wrap(once, NO_WAIT);
        assertThat(again.store()).as("not a retry of retries").isSameAs(memory);
        assertThat(again.retries().policy()).isEqualTo(NO_WAIT);
        assertThat(again.url("k")).isEqualTo(memory.url("k"));
    }
}
