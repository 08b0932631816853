package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** What a run counts, and the progress and report made of it. */
class RunCountersTest {
    final MemoryStore store = new MemoryStore();
    final RunCounters counters = new RunCounters();

    Job job(String key, long size) {
        return new Job(new FetchItem(store, new ObjectInfo(key, size, null), key), RetryingStore.of(store));
    }

    @Test
    void everyRequestCountsForItsObjectAndLaterAttemptsAreRetries() {
        Job a = job("a", 10);
        counters.request(a, 1);
        counters.request(a, 2);
        counters.request(a, 1); // another part's first
        assertThat(counters.requests).hasValue(3);
        assertThat(counters.retries).hasValue(1);
        assertThat(a.attempts).hasValue(3);
    }

    @Test
    void aFailureNamesTheObjectItsAttemptsAndTheCauseItHadBeforeBeingResumable() {
        Job a = job("a", 10);
        a.attempts.set(3);
        StoreException cut = new StoreException("memory:/a", 0, true, "the answer ended after 4 of 10 bytes");
        a.fail(new Transfer.Resumable(cut, 4));
        counters.failed(a);
        Job b = job("b", 10);
        b.fail(new IllegalStateException("boom"));
        counters.failed(b);
        FetchReport r = counters.report(Duration.ofSeconds(1), 4, 1 << 20, 100, false);
        assertThat(r.failures()).hasSize(2);
        assertThat(r.failures().getFirst().cause()).isSameAs(cut);
        assertThat(r.failures().getFirst().describe()).isEqualTo("memory:/a: the answer ended after 4 of 10 bytes "
                + "(after 3 attempts)");
        assertThat(r.failures().get(1).attempts()).as("at least one").isEqualTo(1);
        assertThat(r.ok()).isFalse();
    }

    @Test
    void progressAndReportAreSnapshotsOfTheCounts() {
        Job a = job("a", 10);
        counters.seen(a.item);
        counters.seen(new FetchItem(store, ObjectInfo.of("unknown"), "unknown"));
        counters.bytesReceived.add(12);
        a.size = 10;
        a.verified = true;
        counters.delivered(a);
        Job again = job("c", 10).restarted(); // fetched again, changed since it was listed
        again.size = 10;
        counters.delivered(again);
        counters.inputFailed("s3://b/p/", new StoreException("s3://b/p/", 503, true, "throttled"));
        FetchProgress p = counters.progress(true, 8, 4096);
        assertThat(p).isEqualTo(new FetchProgress(2, true, 2, 1, 10, 12, 0, 8, 4096));
        FetchReport r = counters.report(Duration.ofMillis(5), 9, 1 << 20, 8192, true);
        assertThat(r.objects()).isEqualTo(2);
        assertThat(r.bytes()).isEqualTo(20);
        assertThat(r.verified()).isEqualTo(1);
        assertThat(r.changedSinceListing()).isEqualTo(1);
        assertThat(r.partSize()).isEqualTo(1 << 20);
        assertThat(r.bytesReceived()).isEqualTo(12);
        assertThat(r.maxConcurrency()).isEqualTo(9);
        assertThat(r.peakBufferBytes()).isEqualTo(8192);
        assertThat(r.cancelled()).isTrue();
        assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.name()).isNull());
    }
}
