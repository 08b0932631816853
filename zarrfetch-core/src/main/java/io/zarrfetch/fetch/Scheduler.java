package io.zarrfetch.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Stream;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Retries;
import io.zarrfetch.store.StoreException;

/**
 * What a run's workers do next, and how many of them: one lock over the queues. Parts of objects already started
 * come first (so their buffers are freed soonest), in each object's order, each when its destination has room for it
 * (a streamed object's part buffer); then new objects from the input, each admitted only when its destination has
 * room for it (its buffer, or its first part's, fits in the memory limit). An object that changed is put back at the
 * front of the input, to be fetched again as it now is ({@link #restart}). As many tasks run at once as the target
 * says (fixed, or moved by adaptive concurrency); each worker thread runs one task at a time, and a worker ends when
 * the target comes down, the run is cancelled, or nothing is left.
 */
final class Scheduler {
    /** Objects read ahead of the workers from the input, so a slow listing rarely starves them. */
    static final int READ_AHEAD = 10_000;

    private final long partSize;
    private final Destination destination;
    private final RunCounters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    /** Objects whose first part has started and whose other parts are not all handed out, in order of start. */
    private final ArrayDeque<Job> started = new ArrayDeque<>();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private boolean inputDone;
    /** Tasks running: parts under way, and hedges that may still finish one. */
    private int activeTasks;
    private boolean cancelled;
    /** Tasks to run at once now: fixed, or moved by the concurrency controller. */
    private int target;
    private int maxTarget;
    /** Worker threads started and not ended. */
    private int liveWorkers;
    private boolean finished;
    /** When the last task ended with nothing left ({@link System#nanoTime()}), or 0. */
    private long finishedAt;

    private volatile boolean stopping;

    Scheduler(long partSize, int target, Destination destination, RunCounters counters) {
        this.partSize = partSize;
        this.target = target;
        this.maxTarget = target;
        this.destination = destination;
        this.counters = counters;
    }

    // ---- input ----

    /**
     * Takes the input's items as jobs, up to {@link #READ_AHEAD} ahead of the workers, until it ends, fails or the
     * run stops. A failed input (a listing) is reported as a failure naming its URL; the objects before it run.
     */
    void feed(Stream<FetchItem> items, Function<FetchItem, Job> jobs) {
        try (items) {
            Iterator<FetchItem> it = items.iterator();
            while (!stopping && it.hasNext()) {
                FetchItem item = it.next();
                Job job = jobs.apply(item);
                lock.lock();
                try {
                    while (waiting.size() >= READ_AHEAD && !cancelled) {
                        changed.await();
                    }
                    if (cancelled) {
                        return;
                    }
                    waiting.add(job);
                    counters.seen(item);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // cancelled
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            counters.inputFailed(cause instanceof StoreException se ? se.url() : "input", cause);
        } catch (RuntimeException e) {
            if (!stopping) {
                counters.inputFailed("input", e);
            }
        } finally {
            lock.lock();
            try {
                inputDone = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- workers ----

    /** How many worker threads to start now, so that as many are alive as the target asks; counted as alive. */
    int workersToStart() {
        lock.lock();
        try {
            int n = finished || cancelled ? 0 : Math.max(0, target - liveWorkers);
            liveWorkers += n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next part for a worker, waiting as needed; {@code null} when the worker is to end (nothing left, the run
     * stopped, or fewer workers are wanted). A part returned is a running task until {@link #taskDone()}.
     */
    Job.Part next() {
        lock.lock();
        try {
            while (true) {
                if (cancelled || liveWorkers > target) {
                    liveWorkers--; // stopped, or the target came down: this worker ends
                    return null;
                }
                if (activeTasks >= target) {
                    changed.await(); // as many requests in flight as the target: wait for one to end
                    continue;
                }
                Job.Part p = nextPart();
                if (p == null) {
                    Job j = waiting.peek();
                    if (j != null) {
                        p = admit(j);
                        if (p != null || j.failure != null) {
                            waiting.poll();
                            changed.signalAll(); // the input may add more
                        }
                        if (p == null && j.failure != null) {
                            counters.failed(j);
                            continue;
                        }
                    } else if (inputDone && activeTasks == 0 && started.isEmpty()) {
                        // (parts waiting for room keep the run going: a part being written gives its buffer back)
                        finished = true;
                        finishedAt = System.nanoTime();
                        liveWorkers--;
                        changed.signalAll();
                        return null;
                    }
                }
                if (p != null) {
                    activeTasks++;
                    return p;
                }
                changed.await();
            }
        } catch (InterruptedException e) {
            liveWorkers--;
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first part of a new object, with room in its destination when it needs some; {@code null} when there is
     * no room now, or when the object cannot be fetched at all (then {@code job.failure} says why).
     */
    private Job.Part admit(Job job) {
        ObjectInfo o = job.item.object();
        if (!o.sizeKnown()) {
            job.partsOpen.set(1);
            return new Job.Part(job, 0, 0, partSize, true);
        }
        long size = o.size();
        try {
            if (!destination.reserve(job, size)) {
                return null;
            }
        } catch (StoreException e) {
            job.failure = e;
            return null;
        }
        job.size = size;
        // The last bytes of an object go in one request: where they start is not known before its answer.
        job.partCount = job.item.fromEnd() ? 1 : Job.partCount(size, partSize);
        job.partsOpen.set(job.partCount);
        return new Job.Part(job, 0, 0, job.partCount == 1 ? size : partSize, false);
    }

    /** Queues parts 1.. of a started object, whose size is known: they are made as workers take them. */
    void enqueueRest(Job job) {
        lock.lock();
        try {
            job.nextPart = 1;
            started.add(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: the next part of the first started object whose destination has room for it now, or
     * {@code null}. Objects go in the order they started, each object's parts in order.
     */
    private Job.Part nextPart() {
        for (Iterator<Job> it = started.iterator(); it.hasNext(); ) {
            Job job = it.next();
            Job.Part p = part(job, job.nextPart);
            if (destination.claim(job, p.index(), p.length())) {
                if (++job.nextPart == job.partCount) {
                    it.remove();
                }
                return p;
            }
        }
        return null;
    }

    private Job.Part part(Job job, int index) {
        long offset = index * partSize;
        return new Job.Part(job, index, offset, Math.min(partSize, job.size - offset), false);
    }

    /**
     * Puts an object whose size a probe learned, but for which there was no room, back at the front of the input,
     * its size (and ETag) known now; its requests so far stay counted.
     */
    void requeue(Job job) {
        putBack(job.sized());
    }

    /**
     * Puts an object that changed since it was listed (or while it was fetched), all its parts ended and its place
     * discarded, back at the front of the input, to be fetched again from its first byte as it now is: unless its
     * item asks for one version only, it has been fetched as often as its store's retry policy allows attempts, or
     * the retry budget is spent (its failure then says so).
     *
     * @return whether it will be fetched again
     */
    boolean restart(Job job, ObjectChanged change) {
        if (job.pinned()) {
            return false;
        }
        try {
            job.retrying.retries().take(change, job.restarts + 1);
        } catch (StoreException e) {
            job.failure = e != change || job.restarts == 0 ? e
                    : new ObjectChanged(change.url(), change.status(), Retries.cause(change)
                            + "; it was fetched again from its first byte " + job.restarts + " time"
                            + (job.restarts == 1 ? "" : "s") + " and changed each time", change);
            return false;
        }
        counters.retries.incrementAndGet();
        putBack(job.restarted());
        return true;
    }

    private void putBack(Job job) {
        lock.lock();
        try {
            waiting.addFirst(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A hedge starts: a task, so the run cannot end while it may still finish a part. False once cancelled. */
    boolean taskStarted() {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            activeTasks++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void taskDone() {
        lock.lock();
        try {
            activeTasks--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a cancel, a queued part that no worker will run, or {@code null}: each must be finished, or its object
     * never ends (keeping its partial file and its buffer). Workers take them on their way out.
     */
    Job.Part abandoned() {
        lock.lock();
        try {
            Job job = cancelled ? started.peek() : null;
            if (job == null) {
                return null;
            }
            Job.Part p = part(job, job.nextPart);
            if (++job.nextPart == job.partCount) {
                started.poll();
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    // ---- target ----

    /** A new target from adaptive concurrency: returns how many workers to start for it (counted as alive). */
    int retarget(int next) {
        lock.lock();
        try {
            if (next != target) {
                target = next;
                maxTarget = Math.max(maxTarget, next);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return workersToStart();
    }

    int target() {
        return locked(() -> target);
    }

    int maxTarget() {
        return locked(() -> maxTarget);
    }

    // ---- the run's state ----

    /** A value read under the lock. */
    private <T> T locked(java.util.function.Supplier<T> value) {
        lock.lock();
        try {
            return value.get();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes workers waiting for room (a buffer was freed, by this run or another sharing the pool). */
    void wakeUp() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out work; returns false when the run had already ended or been cancelled. */
    boolean cancel() {
        lock.lock();
        try {
            if (cancelled || (inputDone && activeTasks == 0 && waiting.isEmpty() && started.isEmpty())) {
                return false;
            }
            cancelled = true;
            stopping = true;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the run is being cancelled: requests in flight stop at their next read. */
    boolean stopping() {
        return stopping;
    }

    boolean cancelled() {
        return locked(() -> cancelled);
    }

    boolean inputDone() {
        return locked(() -> inputDone);
    }

    /** When the last task ended with nothing left to do, or 0 when that has not happened. */
    long finishedAt() {
        return locked(() -> finishedAt);
    }
}
