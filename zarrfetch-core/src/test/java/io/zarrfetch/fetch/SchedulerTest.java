package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** The scheduler alone: which part a worker gets next, admission within the memory limit, targets, cancel. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // a hang guard: a worker that waits, waits on a condition
class SchedulerTest {
    static final long PART = 64 * 1024;
    static final long MIB = 1 << 20;

    final MemoryStore store = new MemoryStore();
    final RetryingStore retrying = RetryingStore.of(store);
    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(MIB, false);
    final Destination destination = Destination.of(Sink.view((i, d) -> { }), pool, counters, PART);

    Scheduler scheduler(int target) {
        return new Scheduler(PART, target, destination, counters);
    }

    Job job(String key, long size) {
        return new Job(new FetchItem(store, new ObjectInfo(key, size, null), key), retrying);
    }

    /** Feeds the jobs and ends the input, on this thread. */
    static void feed(Scheduler s, Job... jobs) {
        List<Job> list = List.of(jobs);
        s.feed(list.stream().map(j -> j.item), item -> list.stream().filter(j -> j.item == item).findFirst()
                .orElseThrow());
    }

    @Test
    void partsOfStartedObjectsComeBeforeNewObjects() {
        Scheduler s = scheduler(4);
        Job big = job("big", 3 * PART);
        Job small = job("small", 10);
        feed(s, big, small);
        Job.Part first = s.next();
        assertThat(first.job()).isSameAs(big);
        assertThat(first.index()).isZero();
        assertThat(big.partCount).isEqualTo(3);
        assertThat(big.partsOpen).hasValue(3);
        s.enqueueRest(big); // what the worker running part 0 does
        assertThat(List.of(s.next(), s.next())).extracting(Job.Part::job, Job.Part::index, Job.Part::offset,
                Job.Part::length).containsExactly(org.assertj.core.groups.Tuple.tuple(big, 1, PART, PART),
                        org.assertj.core.groups.Tuple.tuple(big, 2, 2 * PART, PART));
        Job.Part last = s.next();
        assertThat(last.job()).isSameAs(small);
        assertThat(last.length()).isEqualTo(10);
        assertThat(counters.objectsSeen).hasValue(2);
        assertThat(counters.bytesSeen).hasValue(3 * PART + 10);
    }

    @Test
    void asManyTasksRunAsTheTargetSaysAndTheRunEndsWhenNothingIsLeft() throws Exception {
        Scheduler s = scheduler(1);
        feed(s, job("a", 10), job("b", 10));
        assertThat(s.workersToStart()).isEqualTo(1);
        assertThat(s.workersToStart()).as("already alive").isZero();
        Job.Part a = s.next();
        CompletableFuture<Job.Part> waiting = CompletableFuture.supplyAsync(s::next);
        assertThat(waiting).as("one task at a time").isNotDone();
        s.taskDone();
        assertThat(waiting.get(10, TimeUnit.SECONDS).job().item.name()).isEqualTo("b");
        assertThat(a.job().item.name()).isEqualTo("a");
        assertThat(s.finishedAt()).isZero();
        s.taskDone();
        assertThat(s.next()).as("nothing left: the worker ends").isNull();
        assertThat(s.finishedAt()).isPositive();
        assertThat(s.workersToStart()).as("a finished run starts none").isZero();
    }

    @Test
    void anObjectWaitsUntilItsBufferFitsAndOneThatNeverFitsFails() throws Exception {
        Scheduler s = scheduler(4);
        Job first = job("first", 600 * 1024);
        Job second = job("second", 600 * 1024);
        Job huge = job("huge", 2 * MIB);
        feed(s, first, huge, second);
        assertThat(s.next().job()).isSameAs(first);
        assertThat(first.buffer).isNotNull();
        // "huge" can never fit: it fails at once, naming the limit; "second" must wait for first's buffer.
        pool.addReleaseListener(s::wakeUp);
        CompletableFuture<Job.Part> waiting = CompletableFuture.supplyAsync(s::next);
        while (counters.failureCount() == 0) {
            Thread.onSpinWait(); // until the waiting worker has passed over "huge"
        }
        assertThat(huge.failure).isInstanceOf(StoreException.class).hasMessageContaining("memory limit");
        assertThat(waiting).isNotDone();
        destination.discard(first); // gives its buffer back, which wakes the waiting worker
        assertThat(waiting.get(10, TimeUnit.SECONDS).job()).isSameAs(second);
    }

    @Test
    void anObjectOfUnknownSizeStartsWithAProbe() {
        Scheduler s = scheduler(2);
        Job unknown = new Job(FetchItem.of(store, ObjectInfo.of("u")), retrying);
        feed(s, unknown);
        Job.Part p = s.next();
        assertThat(p.probe()).isTrue();
        assertThat(p.length()).isEqualTo(PART);
        assertThat(unknown.partsOpen).hasValue(1);
    }

    @Test
    void aRequeuedObjectGoesFirstWithItsSizeAndItsAttempts() {
        Scheduler s = scheduler(2);
        Job probed = new Job(FetchItem.of(store, ObjectInfo.of("u")), retrying);
        feed(s, probed, job("other", 10));
        s.next();
        probed.size = 500;
        probed.etag = "\"e\"";
        probed.attempts.set(2);
        s.requeue(probed);
        Job.Part again = s.next();
        assertThat(again.probe()).isFalse();
        assertThat(again.job().item.object()).isEqualTo(new ObjectInfo("u", 500, "\"e\""));
        assertThat(again.job().attempts).hasValue(2);
    }

    @Test
    void anObjectThatChangedGoesFirstToBeFetchedAgainUnlessItAsksForOneVersionOrHadItsAttempts() {
        Scheduler s = scheduler(2);
        Job changed = job("changed", 500);
        feed(s, changed, job("other", 10));
        s.next();
        ObjectChanged change = new ObjectChanged("memory:/changed", 412, "the object changed since it was listed");
        assertThat(s.restart(changed, change)).isTrue();
        Job.Part again = s.next();
        assertThat(again.job().item.name()).isEqualTo("changed");
        assertThat(again.probe()).as("its size is learned again").isTrue();
        assertThat(again.job().restarts).isEqualTo(1);
        assertThat(counters.retries).as("a fetch again is a retry").hasValue(1);

        Job pinned = new Job(new FetchItem(store, new ObjectInfo("r", 10, "\"v1\""), "r", 5), retrying);
        assertThat(s.restart(pinned, change)).isFalse();
        assertThat(pinned.failure).isNull();

        Job twice = new Job(FetchItem.of(store, new ObjectInfo("t", 10, null)),
                RetryingStore.wrap(store, new io.zarrfetch.store.RetryPolicy(2, java.time.Duration.ZERO,
                        java.time.Duration.ZERO))).restarted();
        assertThat(s.restart(twice, change)).as("fetched twice, as 2 attempts allow").isFalse();
        assertThat(twice.failure).hasMessage("memory:/changed: the object changed since it was listed; it was "
                + "fetched again from its first byte 1 time and changed each time");
    }

    @Test
    void partsWaitForRoomInTheirObjectsOrderAndTheRunDoesNotEndWhileTheyWait() throws Exception {
        StreamDestination streams = (StreamDestination) Destination.of(Sink.discard(), pool, counters, PART);
        Scheduler s = new Scheduler(streams.partSize(), 4, streams, counters);
        pool.addReleaseListener(s::wakeUp);
        Job big = job("big", 40 * PART);
        feed(s, big);
        Job.Part first = s.next();
        assertThat(first.index()).isZero();
        s.enqueueRest(big);
        ByteBuffer rest = pool.tryAcquire(pool.limit() - pool.lent()); // the pool is full
        s.taskDone(); // part 0 ended (not handed over yet): no task runs, but parts are left
        CompletableFuture<Job.Part> waiting = CompletableFuture.supplyAsync(s::next);
        assertThat(waiting).as("no room for part 1, and the run is not over").isNotDone();
        assertThat(s.finishedAt()).isZero();
        pool.release(rest);
        assertThat(waiting.get(10, TimeUnit.SECONDS).index()).isEqualTo(1);
    }

    @Test
    void aLowerTargetEndsWorkersAndAHigherOneStartsThem() {
        Scheduler s = scheduler(2);
        assertThat(s.workersToStart()).isEqualTo(2);
        assertThat(s.retarget(5)).isEqualTo(3);
        assertThat(s.maxTarget()).isEqualTo(5);
        assertThat(s.retarget(3)).isZero();
        assertThat(s.next()).as("5 alive for a target of 3: this one ends").isNull();
        assertThat(s.next()).isNull();
        assertThat(s.target()).isEqualTo(3);
        assertThat(s.maxTarget()).isEqualTo(5);
    }

    @Test
    void aCancelEndsTheWorkersAndLeavesTheQueuedPartsToBeEnded() {
        Scheduler s = scheduler(4);
        Job big = job("big", 3 * PART);
        feed(s, big);
        s.next();
        s.enqueueRest(big);
        assertThat(s.abandoned()).as("not cancelled: none abandoned").isNull();
        assertThat(s.cancel()).isTrue();
        assertThat(s.cancel()).as("once").isFalse();
        assertThat(s.stopping()).isTrue();
        assertThat(s.next()).isNull();
        assertThat(s.taskStarted()).as("no hedge starts after a cancel").isFalse();
        assertThat(List.of(s.abandoned(), s.abandoned())).extracting(Job.Part::index).containsExactly(1, 2);
        assertThat(s.abandoned()).isNull();
    }

    @Test
    void aFailedInputIsReportedNamingItsUrlAndTheObjectsBeforeItRun() {
        Scheduler s = scheduler(2);
        Job before = job("before", 10);
        Stream<FetchItem> failing = Stream.concat(Stream.of(before.item), Stream.<FetchItem>generate(() -> {
            throw new UncheckedIOException(new StoreException("s3://b/p/ (continued)", 503, true, "throttled"));
        }).limit(1));
        s.feed(failing, item -> before);
        assertThat(s.inputDone()).isTrue();
        assertThat(s.next().job()).isSameAs(before);
        FetchReport r = counters.report(java.time.Duration.ZERO, 2, PART, 0, false);
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.url()).isEqualTo("s3://b/p/ (continued)");
            assertThat(f.name()).isNull();
            assertThat(f.describe()).contains("throttled");
        });
    }
}
