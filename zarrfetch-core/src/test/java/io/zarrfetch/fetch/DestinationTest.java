package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** Both kinds of destination, alone: room, copies, hand-over, discard, staging; bodies from a MemoryStore. */
class DestinationTest {
    static final int MIB = 1 << 20;
    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();
    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(MIB, false);
    /** A whole-object sink whose consumer does nothing. */
    static final Sink NOTHING = Sink.view((item, data) -> { });

    Destination of(Sink sink) {
        return Destination.of(sink, pool, counters, FetchOptions.DEFAULT_PART_SIZE);
    }

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Job job(String key, int size) {
        store.put(key, data(size, key.hashCode()));
        Job j = new Job(new FetchItem(store, new ObjectInfo(key, size, null), key), RetryingStore.of(store));
        j.size = size;
        return j;
    }

    /** Records what a copy reports. */
    static final class Recorder implements Destination.Progress {
        final List<Long> ends = new CopyOnWriteArrayList<>();
        long bytes;
        boolean stop;

        @Override
        public void check() throws StoreException {
            if (stop) {
                throw new StoreException("memory:/", 0, false, "stopped");
            }
        }

        @Override
        public void wrote(long end, int n) {
            ends.add(end);
            bytes += n;
        }
    }

    @Test
    void buffersHoldAnObjectAndHandAReadOnlyViewOfExactlyItsBytesToTheConsumer() throws Exception {
        Map<String, byte[]> got = new ConcurrentHashMap<>();
        Destination d = of(Sink.view((item, view) -> {
            assertThat(view.isReadOnly()).isTrue();
            byte[] b = new byte[view.remaining()];
            view.get(b);
            got.put(item.name(), b);
        }));
        Job job = job("a", 300_000);
        assertThat(d.reserve(job, 300_000)).isTrue();
        d.open(job, 300_000);
        Recorder r = new Recorder();
        try (Body second = store.get("a", 100_000, 200_000, null); Body first = store.get("a", 0, 100_000, null)) {
            assertThat(d.copy(job, second, 100_000, 200_000, null, r)).isEqualTo(200_000);
            assertThat(d.copy(job, first, 0, 100_000, null, r)).isEqualTo(100_000);
        }
        assertThat(r.bytes).isEqualTo(300_000);
        assertThat(r.ends.getLast()).isEqualTo(100_000);
        job.partsOpen.set(1);
        d.partFinished(job, false);
        d.awaitHandedOver();
        assertThat(got.get("a")).isEqualTo(data(300_000, "a".hashCode()));
        assertThat(counters.objectsDone).hasValue(1);
        assertThat(pool.lent()).as("the buffer is given back").isZero();
        assertThat(d.lastHandedOver()).isPositive();
    }

    @Test
    void anObjectLargerThanTheMemoryLimitHasNoRoomEver() {
        Destination d = of(NOTHING);
        Job huge = job("huge", 10);
        assertThatThrownBy(() -> d.reserve(huge, 2L * MIB)).isInstanceOf(StoreException.class)
                .hasMessageContaining("more than the 1048576-byte memory limit");
    }

    @Test
    void aBufferForABodyOfUnknownLengthGrowsAsItComes() throws Exception {
        Destination d = of(NOTHING);
        Job job = job("u", 200_000);
        try (Body body = store.get("u", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            d.readToEnd(job, body, 64 * 1024, null, new Recorder());
        }
        assertThat(job.size).isEqualTo(200_000);
        byte[] b = new byte[200_000];
        job.buffer.get(0, b);
        assertThat(b).isEqualTo(data(200_000, "u".hashCode()));
        d.discard(job);
        assertThat(pool.lent()).isZero();
    }

    @Test
    void aConsumerThatFailsFailsItsObjectNamingIt() throws Exception {
        Destination d = of(Sink.view((item, view) -> {
            throw new IllegalStateException("no thanks");
        }));
        Job job = job("c", 10);
        d.reserve(job, 10);
        try (Body body = store.get("c", 0, 10, null)) {
            d.copy(job, body, 0, 10, null, new Recorder());
        }
        job.partsOpen.set(1);
        d.partFinished(job, false);
        d.awaitHandedOver();
        assertThat(counters.report(java.time.Duration.ZERO, 1, 0, 0, false).failures()).singleElement()
                .satisfies(f -> assertThat(f.describe()).contains("memory:/c").contains("the consumer failed")
                        .contains("no thanks"));
        assertThat(pool.lent()).isZero();
    }

    @Test
    void filesAreWrittenAtTheirPartsOffsetsAndRenamedWhenComplete() throws Exception {
        Destination d = of(Sink.files(tmp));
        Job job = job("dir/f", 300_000);
        assertThat(d.reserve(job, 300_000)).as("a file needs no memory per object").isTrue();
        d.open(job, 300_000);
        Destination.Staging staging = d.staging(false, 4);
        assertThat(staging.buffer().capacity()).isLessThanOrEqualTo(Destination.MAX_STAGING);
        try (Body second = store.get("dir/f", 150_000, 150_000, null); Body first = store.get("dir/f", 0, 150_000,
                null)) {
            d.copy(job, second, 150_000, 150_000, staging.buffer(), new Recorder());
            d.copy(job, first, 0, 150_000, staging.buffer(), new Recorder());
        }
        d.release(staging);
        assertThat(Files.exists(tmp.resolve("dir/f"))).as("not before it is complete").isFalse();
        job.partsOpen.set(2);
        d.partFinished(job, false);
        d.partFinished(job, false);
        assertThat(Files.readAllBytes(tmp.resolve("dir/f"))).isEqualTo(data(300_000, "dir/f".hashCode()));
        assertThat(FileSinkTest.tree(tmp)).containsExactly("dir", "dir/f");
        assertThat(pool.lent()).isZero();
    }

    @Test
    void aFailedOrCancelledObjectLeavesNoFile() throws Exception {
        Destination d = of(Sink.files(tmp));
        Job failed = job("failed", 100);
        d.open(failed, 100);
        failed.fail(new StoreException("memory:/failed", 500, true, "broken"));
        failed.partsOpen.set(1);
        d.partFinished(failed, false);
        Job cancelled = job("cancelled", 100);
        d.open(cancelled, 100);
        cancelled.partsOpen.set(1);
        d.partFinished(cancelled, true);
        assertThat(FileSinkTest.tree(tmp)).isEmpty();
        assertThat(counters.report(java.time.Duration.ZERO, 1, 0, 0, true).failures())
                .extracting(FetchFailure::describe).containsExactlyInAnyOrder(
                        "memory:/failed: broken (after 1 attempt)", "memory:/cancelled: cancelled (after 1 attempt)");
    }

    @Test
    void aFileShorterThanItsObjectIsNotKept() throws Exception {
        Destination d = of(Sink.files(tmp));
        Job job = job("short", 100);
        d.open(job, 100);
        job.file.write(ByteBuffer.wrap(new byte[60]), 0);
        job.partsOpen.set(1);
        d.partFinished(job, false);
        assertThat(FileSinkTest.tree(tmp)).isEmpty();
        assertThat(job.failure).hasMessageContaining("wrote 60 bytes but the object has 100");
    }

    @Test
    void aHedgeCopiesThroughAStagingBufferOnlyWhenMemoryCanSpareOne() {
        Destination files = of(Sink.files(tmp));
        ByteBuffer all = pool.tryAcquire(MIB);
        assertThat(files.staging(true, 4)).as("no memory: no hedge").isNull();
        Destination.Staging worker = files.staging(false, 4);
        assertThat(worker.pooled()).as("a worker's comes from the heap then").isFalse();
        pool.release(all);
        Destination.Staging hedge = files.staging(true, 4);
        assertThat(hedge.pooled()).isTrue();
        files.release(hedge);
        assertThat(pool.lent()).isZero();
        assertThat(of(NOTHING).staging(true, 4))
                .isSameAs(Destination.Staging.NONE);
    }

    @Test
    void aCopyStopsWhenTheRunIs() throws Exception {
        Destination d = of(NOTHING);
        Job job = job("s", 10);
        d.reserve(job, 10);
        Recorder r = new Recorder();
        r.stop = true;
        try (Body body = store.get("s", 0, 10, null)) {
            assertThatThrownBy(() -> d.copy(job, body, 0, 10, null, r)).hasMessageContaining("stopped");
        }
        assertThat(r.bytes).isZero();
    }
}
