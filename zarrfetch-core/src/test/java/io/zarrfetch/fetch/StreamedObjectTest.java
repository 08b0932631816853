package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** One object's parts on their way to its stream, alone: order, the window, buffers given back, endings. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // a hang guard: the writer waits on a condition
class StreamedObjectTest {
    static final int PART = 4096;

    final MemoryStore store = new MemoryStore();
    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(64 * PART, false);
    final Destination.Deliveries deliveries = new Destination.Deliveries();
    final Job job = new Job(new FetchItem(store, new ObjectInfo("k", 3L * PART, null), "k"), RetryingStore.of(store));

    /** What a stream was told, in order: "open", "write:<first byte>:<length>", "complete", "abandon:<cause>". */
    final List<String> events = new CopyOnWriteArrayList<>();

    Sink.StreamConsumer recorder() {
        return item -> {
            events.add("open");
            return new Sink.ObjectStream() {
                @Override
                public void write(ByteBuffer data) {
                    assertThat(data.isReadOnly()).isTrue();
                    events.add("write:" + data.get(0) + ":" + data.remaining());
                }

                @Override
                public void complete(FetchItem i) {
                    events.add("complete");
                }

                @Override
                public void abandon(Throwable cause) {
                    events.add("abandon:" + cause.getMessage());
                }
            };
        };
    }

    StreamedObject streamed(Sink.StreamConsumer consumer, int window) {
        job.size = 3L * PART;
        StreamedObject s = new StreamedObject(job, consumer, pool, counters, deliveries, window);
        s.total(3);
        return s;
    }

    /** Claims part {@code index} and fills it with its index as every byte. */
    static void fill(StreamedObject s, int index) {
        ByteBuffer b = s.buffer(index);
        for (int i = 0; i < b.limit(); i++) {
            b.put(i, (byte) index);
        }
    }

    @Test
    void partsThatCompleteOutOfOrderAreWrittenInOrderEachBufferGivenBackOnceWritten() throws Exception {
        StreamedObject s = streamed(recorder(), 3);
        for (int i = 0; i < 3; i++) {
            assertThat(s.claim(i, PART)).isTrue();
            fill(s, i);
        }
        assertThat(pool.lent()).isEqualTo(3L * PART);
        s.ready(2);
        s.ready(1);
        assertThat(events).as("part 0 is not there yet").isEmpty();
        s.ready(0);
        s.end();
        deliveries.await();
        assertThat(events).containsExactly("open", "write:0:4096", "write:1:4096", "write:2:4096", "complete");
        assertThat(pool.lent()).isZero();
        assertThat(counters.objectsDone).hasValue(1);
        assertThat(counters.bytesDone).hasValue(3L * PART);
    }

    @Test
    void noPartIsClaimedAWindowOrMoreAheadOfTheOneTheStreamWaitsFor() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StreamedObject s = streamed(item -> data -> {
            writing.countDown();
            release.await(); // the stream is slow: part 0 stays until it returns
        }, 2);
        assertThat(s.claim(0, PART)).isTrue();
        assertThat(s.claim(1, PART)).isTrue();
        assertThat(s.claim(2, PART)).as("two parts held: the window is full").isFalse();
        s.ready(0);
        writing.await();
        assertThat(s.claim(2, PART)).as("part 0 is being written, not yet given back").isFalse();
        release.countDown();
        s.ready(1);
        // Once part 0 is written, part 2 fits in the window.
        while (!s.claim(2, PART)) {
            Thread.onSpinWait();
        }
        s.ready(2);
        s.end();
        deliveries.await();
        assertThat(counters.objectsDone).hasValue(1);
        assertThat(pool.lent()).isZero();
    }

    @Test
    void aClaimFailsWhenThePoolHasNoRoom() {
        StreamedObject s = streamed(recorder(), 4);
        ByteBuffer all = pool.tryAcquire(pool.limit());
        assertThat(s.claim(0, PART)).isFalse();
        pool.release(all);
        assertThat(s.claim(0, PART)).isTrue();
    }

    @Test
    void anAbandonedObjectAbandonsItsOpenStreamAndGivesEveryBufferBack() throws Exception {
        StreamedObject s = streamed(recorder(), 3);
        for (int i = 0; i < 3; i++) {
            s.claim(i, PART);
            fill(s, i);
        }
        s.ready(0);
        s.ready(2); // complete, but waiting for part 1
        while (!events.contains("write:0:4096")) {
            Thread.onSpinWait();
        }
        s.abandon(new StoreException("memory:/k", 412, false, "changed"));
        assertThat(events).containsExactly("open", "write:0:4096", "abandon:memory:/k: changed");
        assertThat(pool.lent()).as("parts 1 and 2 given back too").isZero();
        assertThat(counters.objectsDone).hasValue(0);
    }

    @Test
    void anObjectAbandonedBeforeAnyPartWasReadyNeverOpensAStream() {
        StreamedObject s = streamed(recorder(), 3);
        s.claim(0, PART);
        s.abandon(new StoreException("memory:/k", 403, false, "forbidden"));
        assertThat(events).isEmpty();
        assertThat(pool.lent()).isZero();
    }

    @Test
    void aStreamThatThrowsFailsTheObjectOnceWhicheverEndComesFirst() throws Exception {
        StreamedObject s = streamed(item -> data -> {
            throw new IllegalStateException("disk full");
        }, 3);
        for (int i = 0; i < 3; i++) {
            s.claim(i, PART);
        }
        s.ready(0);
        while (job.failure == null) {
            Thread.onSpinWait();
        }
        deliveries.await(); // the writer has stopped
        assertThat(job.failure).hasMessageContaining("memory:/k").hasMessageContaining("disk full");
        s.ready(1);
        s.ready(2);
        s.end(); // every part had ended well: the object ends here, failed
        assertThat(counters.failureCount()).isEqualTo(1);
        assertThat(pool.lent()).isZero();
    }

    @Test
    void anEmptyObjectOpensAndCompletesWithoutAWrite() throws Exception {
        Job empty = new Job(new FetchItem(store, new ObjectInfo("e", 0, null), "e"), RetryingStore.of(store));
        empty.size = 0;
        StreamedObject s = new StreamedObject(empty, recorder(), pool, counters, deliveries, 2);
        s.total(1);
        assertThat(s.claim(0, 0)).isTrue();
        s.ready(0);
        s.end();
        deliveries.await();
        assertThat(events).containsExactly("open", "complete");
        assertThat(pool.allocated()).as("no buffer for no bytes").isZero();
        assertThat(deliveries.last()).as("when it left the destination's hands").isNotZero();
    }
}
