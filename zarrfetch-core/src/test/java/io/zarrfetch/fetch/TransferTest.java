package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;

/**
 * A part's requests, one room alone: sent, checked, copied into a buffer, retried and resumed, against S3Proxy
 * behind {@link FaultProxy} (the whole engine under every fault is FaultMatrixTest).
 */
class TransferTest {
    static final String BUCKET = "transfer";
    static final int SIZE = 100_000;
    static final byte[] DATA = new byte[SIZE];
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        new Random(3).nextBytes(DATA);
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        s3.put(BUCKET, "obj", DATA);
        s3.putWithChecksum(BUCKET, "summed", DATA);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(1 << 20, false);
    final Destination destination = Destination.of(Sink.view((i, d) -> { }), pool, counters, SIZE);
    final Scheduler scheduler = new Scheduler(SIZE, 1, destination, counters);
    final Transfer transfer = new Transfer(destination, scheduler, counters);

    static final RetryPolicy THREE = new RetryPolicy(3, Duration.ZERO, Duration.ZERO);

    /** S3Proxy behind a fault proxy with one rule, stores through it, and a listed object's job. */
    record Setup(FaultProxy proxy, Stores stores, Job job) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stores.close();
            proxy.close();
        }
    }

    /** The job of object {@code key}, its buffer reserved as the scheduler does at admission. */
    Setup setup(Rule rule, RetryPolicy retry, String key) throws Exception {
        FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).add(rule);
        Stores stores = new Stores(StoreOptions.defaults().withEndpoint(proxy.endpoint()).withAnonymous(true)
                .withReadTimeout(Duration.ofSeconds(5)).withRetry(retry));
        Store store = stores.locate("s3://" + BUCKET + "/").store();
        Job job = transfer.job(FetchItem.of(store, store.head(key)));
        assertThat(destination.reserve(job, SIZE)).isTrue();
        job.size = SIZE;
        return new Setup(proxy, stores, job);
    }

    static byte[] bytes(Job job, int length) {
        byte[] b = new byte[length];
        job.buffer.get(0, b);
        return b;
    }

    List<String> gets(FaultProxy proxy) {
        return proxy.requests().stream().filter(q -> q.method().equals("GET"))
                .map(q -> String.valueOf(q.header("Range"))).toList();
    }

    @Test
    void aBodyCutShortIsResumedFromItsLastByte() throws Exception {
        try (Setup x = setup(Rule.first(1, Fault.CUT_SHORT).onMethod("GET"), THREE, "obj")) {
            Job job = x.job();
            assertThat(transfer.transfer(job, 0, SIZE, null, null, 0, false)).isTrue();
            assertThat(bytes(job, SIZE)).isEqualTo(DATA);
            List<String> ranges = gets(x.proxy());
            assertThat(ranges).containsExactly("bytes=0-" + (SIZE - 1), "bytes=" + SIZE / 2 + "-" + (SIZE - 1));
            assertThat(counters.requests).hasValue(2);
            assertThat(counters.retries).hasValue(1);
            assertThat(job.attempts).hasValue(2);
            assertThat(counters.bytesReceived.sum()).as("nothing fetched twice").isEqualTo(SIZE);
        }
    }

    @Test
    void aWholeObjectWhoseChecksumFailsIsReadAgainFromItsFirstByte() throws Exception {
        try (Setup x = setup(Rule.first(1, Fault.CORRUPT_BODY).onMethod("GET"), THREE, "summed")) {
            Job job = x.job();
            assertThat(transfer.transfer(job, 0, SIZE, null, null, 0, true)).isTrue();
            assertThat(bytes(job, SIZE)).isEqualTo(DATA);
            assertThat(job.verified).isTrue();
            assertThat(gets(x.proxy())).as("plain GETs, the second from byte 0").containsExactly("null", "null");
        }
    }

    @Test
    void aFailureThatDoesNotPassFailsThePartAfterOneRequest() throws Exception {
        try (Setup x = setup(Rule.first(1, Fault.FORBIDDEN_403).onMethod("GET"), THREE, "obj")) {
            Job job = x.job();
            assertThatThrownBy(() -> transfer.transfer(job, 0, SIZE, null, null, 0, false))
                    .isInstanceOf(StoreException.class).hasMessageContaining("403");
            assertThat(gets(x.proxy())).hasSize(1);
            assertThat(counters.retries).hasValue(0);
        }
    }

    @Test
    void aPartOfAnotherVersionFailsAsChangedAfterOneRequest() throws Exception {
        try (Setup x = setup(Rule.first(1, Fault.OBJECT_CHANGED).onMethod("GET"), THREE, "obj")) {
            Job job = x.job();
            assertThat(transfer.transfer(job, 0, SIZE / 2, null, null, 0, false)).isTrue();
            // Not retried as a request: the object as a whole is fetched again (Scheduler.restart).
            assertThatThrownBy(() -> transfer.transfer(job, SIZE / 2, SIZE / 2, null, null, 0, false))
                    .isInstanceOf(ObjectChanged.class).hasMessageContaining("the object changed while it was fetched")
                    .hasMessageContaining("412");
            assertThat(gets(x.proxy())).hasSize(2);
            assertThat(x.proxy().requests().getLast().header("If-Match")).isEqualTo(job.etag);
        }
    }

    @Test
    void aPartsRetriesStopWhenItsStoresBudgetIsSpent() throws Exception {
        try (Setup x = setup(Rule.sometimes(1.0, Fault.SLOW_DOWN_503).onMethod("GET"),
                new RetryPolicy(5, Duration.ZERO, Duration.ZERO).withBudget(1, 0), "obj")) {
            Job job = x.job();
            assertThatThrownBy(() -> transfer.transfer(job, 0, SIZE, null, null, 0, false))
                    .hasMessageContaining("the retry budget is spent (1 retries that got no answer, for 1 good answers)");
            assertThat(gets(x.proxy())).hasSize(2);
        }
    }

    @Test
    void checkRefusesAnswersThatAreNotTheBytesAskedFor() throws Exception {
        MemoryStore memory = new MemoryStore();
        memory.put("k", Arrays.copyOf(DATA, 120));
        String etag = memory.head("k").etag();
        try (Body body = memory.get("k", 0, 120, null)) {
            Job stale = transfer.job(FetchItem.of(memory, new ObjectInfo("k", 100, null)));
            stale.size = 100;
            assertThatThrownBy(() -> Transfer.check(stale, body, 0, 100)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("the object is now 120 bytes, not 100")
                    .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());

            Job job = transfer.job(FetchItem.of(memory, new ObjectInfo("k", 120, null)));
            job.size = 120;
            assertThatThrownBy(() -> Transfer.check(job, body, 10, 110)).hasMessageContaining("asked for 110 bytes "
                    + "at 10, got 120 at 0").satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
            Transfer.check(job, body, 0, 120);
            assertThat(job.etag).as("the first ETag seen").isEqualTo(etag);
            job.etag = "\"another\"";
            assertThatThrownBy(() -> Transfer.check(job, body, 0, 120)).hasMessageContaining("ETag \"another\" became");

            Job range = transfer.job(FetchItem.range(memory, "k", 0, 50, "k@0"));
            range.total.set(119);
            assertThatThrownBy(() -> Transfer.check(range, body, 0, 50)).hasMessageContaining("it was 119 bytes, now "
                    + "120");
        }
    }

    @Test
    void aStoreWithoutRetriesOfItsOwnGetsTheDefaultsOncePerRun() {
        MemoryStore memory = new MemoryStore();
        Job a = transfer.job(FetchItem.of(memory, ObjectInfo.of("a")));
        Job b = transfer.job(FetchItem.of(memory, ObjectInfo.of("b")));
        assertThat(a.retrying).isSameAs(b.retrying);
        assertThat(a.retrying.retries().policy()).isEqualTo(RetryPolicy.defaults());
        RetryingStore own = RetryingStore.wrap(memory, RetryPolicy.none());
        assertThat(transfer.job(FetchItem.of(own, ObjectInfo.of("c"))).retrying).isSameAs(own);
    }
}
