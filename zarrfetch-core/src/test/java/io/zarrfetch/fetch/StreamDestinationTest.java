package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** The streaming destination alone: its part size, room per part, copies into parts, bodies read as they come. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // a hang guard: a body read to its end waits for room on a condition
class StreamDestinationTest {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    final MemoryStore store = new MemoryStore();
    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(MIB, false);
    final Map<String, ByteArrayOutputStream> written = new ConcurrentHashMap<>();
    final Map<String, Boolean> completed = new ConcurrentHashMap<>();

    /** Collects what each object's stream is given. */
    final Sink.StreamConsumer collect = item -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        written.put(item.name(), out);
        return new Sink.ObjectStream() {
            @Override
            public void write(ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                out.write(b, 0, b.length);
            }

            @Override
            public void complete(FetchItem i) {
                completed.put(i.name(), true);
            }
        };
    };

    StreamDestination destination(long partSize) {
        StreamDestination d = (StreamDestination) Destination.of(Sink.stream(collect), pool, counters, partSize);
        pool.addReleaseListener(d::roomFreed); // as FetchRun does
        return d;
    }

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Job job(String key, byte[] d) {
        store.put(key, d);
        return new Job(new FetchItem(store, new ObjectInfo(key, d.length, null), key), RetryingStore.of(store));
    }

    /** Counts nothing, stops nothing. */
    static final Destination.Progress QUIET = new Destination.Progress() {
        @Override
        public void check() {
        }

        @Override
        public void wrote(long end, int n) {
        }
    };

    @Test
    void partsAreAtMostASixteenthOfTheLimitAndOneObjectHoldsAtMostHalfOfThem() {
        assertThat(StreamDestination.partSize(64 * MIB, 8 * MIB)).isEqualTo(4 * MIB);
        assertThat(StreamDestination.partSize(100 * MIB, 8 * MIB)).as("a power of two").isEqualTo(4 * MIB);
        assertThat(StreamDestination.partSize(512 * MIB, 8 * MIB)).as("as asked").isEqualTo(8 * MIB);
        assertThat(StreamDestination.partSize(64 * MIB, MIB)).as("smaller, as asked").isEqualTo(MIB);
        assertThat(StreamDestination.partSize(MIB, 8 * MIB)).isEqualTo(64 * KIB);
        StreamDestination d = destination(8 * MIB);
        assertThat(d.partSize()).isEqualTo(64 * KIB);
        assertThat(d.window()).as("16 parts fit: 8 of one object").isEqualTo(8);
    }

    @Test
    void anObjectLargerThanTheLimitIsAdmittedWithRoomForItsFirstPartAndWrittenPartByPartInOrder() throws Exception {
        StreamDestination d = destination(8 * MIB);
        int size = (int) (3 * MIB);
        byte[] content = data(size, 1);
        Job job = job("big", content);
        job.size = size;
        assertThat(d.reserve(job, size)).isTrue();
        assertThat(pool.lent()).as("one part").isEqualTo(64 * KIB);
        job.partCount = Job.partCount(size, d.partSize());
        job.partsOpen.set(job.partCount);
        // Parts fetched out of order, up to the window, each handed over as it completes.
        int parts = job.partCount;
        int done = 0;
        int claimed = 1;
        while (done < parts) {
            while (claimed < parts && d.claim(job, claimed, Math.min(d.partSize(), size - claimed * d.partSize()))) {
                claimed++;
            }
            assertThat(pool.lent()).isLessThanOrEqualTo(pool.limit());
            // Complete the claimed parts backwards: the last claimed first.
            for (int i = claimed - 1; i >= done; i--) {
                long offset = i * d.partSize();
                long length = Math.min(d.partSize(), size - offset);
                try (Body body = store.get("big", offset, length, null)) {
                    assertThat(d.copy(job, body, offset, length, null, QUIET)).isEqualTo(length);
                }
                d.partDone(job, offset);
                d.partFinished(job, false);
            }
            done = claimed;
            while (pool.lent() > 0 && done < parts) {
                Thread.onSpinWait(); // until the stream has been given the parts, and their buffers are back
            }
        }
        d.awaitHandedOver();
        assertThat(written.get("big").toByteArray()).isEqualTo(content);
        assertThat(completed).containsKey("big");
        assertThat(pool.lent()).isZero();
        assertThat(pool.peakAllocated()).isLessThanOrEqualTo(pool.limit());
    }

    @Test
    void aBodyOfUnknownLengthFarLargerThanTheLimitIsReadAsItComesAndWaitsForRoom() throws Exception {
        StreamDestination d = destination(8 * MIB);
        byte[] content = data((int) (10 * MIB), 2); // ten times the memory limit
        Job job = job("unknown", content);
        job.partCount = 1;
        job.partsOpen.set(1);
        try (Body body = store.get("unknown", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            d.readToEnd(job, body, 64 * KIB, null, QUIET);
        }
        assertThat(job.size).isEqualTo(content.length);
        d.partFinished(job, false);
        d.awaitHandedOver();
        assertThat(written.get("unknown").toByteArray()).isEqualTo(content);
        assertThat(pool.peakAllocated()).isLessThanOrEqualTo(pool.limit());
        assertThat(pool.lent()).isZero();
    }

    @Test
    void theLastBytesOfAnObjectInOneRequestMustFitTheLimit() {
        StreamDestination d = destination(8 * MIB);
        Job last = new Job(FetchItem.last(store, "k", 2 * MIB, "k"), RetryingStore.of(store));
        assertThatThrownBy(() -> d.reserve(last, 2 * MIB)).isInstanceOf(StoreException.class)
                .hasMessageContaining("memory:/k").hasMessageContaining("more than the 1048576-byte memory limit");
    }

    @Test
    void aRunThatStopsEndsAWaitForRoom() throws Exception {
        StreamDestination d = destination(8 * MIB);
        ByteBuffer all = pool.tryAcquire(pool.limit()); // no room for anything
        Job job = job("u", data(1000, 3));
        job.partCount = 1;
        CompletableFuture<Throwable> reading = CompletableFuture.supplyAsync(() -> {
            try (Body body = store.get("u", 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                d.readToEnd(job, body, 64 * KIB, null, QUIET);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(reading).isNotDone();
        d.stop();
        assertThat(reading.get(10, TimeUnit.SECONDS)).hasMessageContaining("memory:/u").hasMessageContaining(
                "cancelled");
        pool.release(all);
    }
}
