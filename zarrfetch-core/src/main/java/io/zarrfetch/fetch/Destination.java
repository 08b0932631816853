package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.StoreException;

/**
 * Where a run puts the objects it fetches: {@link BufferDestination pooled buffers} handed whole to a consumer,
 * {@link FileDestination files} in a folder, or {@link StreamDestination part buffers} written in order to a
 * stream. The rest of the run asks it for an object's place (and each part's, as the part starts), copies bodies
 * into that place, tells it when a part is complete and, when the object's last part ends, has it handed over or
 * discarded; nothing else in the run knows which kind it is.
 */
abstract sealed class Destination permits BufferDestination, FileDestination, StreamDestination {
    /** The most a file-writing worker holds between the network and the file. */
    static final int MAX_STAGING = 256 * 1024;

    final BufferPool pool;
    final RunCounters counters;
    /** What happens to an object that changed, once its parts have ended: fetched again, or not. */
    private volatile Restarts restarts = (job, change) -> false;
    /** Objects handed to consumers on threads of their own (views, streams; files have none). */
    final Deliveries deliveries = new Deliveries();

    Destination(BufferPool pool, RunCounters counters) {
        this.pool = pool;
        this.counters = counters;
    }

    /** The destination a sink names; objects are split into parts of {@code partSize} (or less, see partSize()). */
    static Destination of(Sink sink, BufferPool pool, RunCounters counters, long partSize) {
        // instanceof, not a pattern switch: its bootstrap cost every run about 0.35 MB of allocation (bench --json)
        if (sink instanceof Sink.Files f) {
            return new FileDestination(new FileTargets(f.folder()), pool, counters, partSize);
        }
        if (sink instanceof Sink.Streaming s) {
            return new StreamDestination(s.consumer(), pool, counters, partSize);
        }
        return new BufferDestination(((Sink.View) sink).consumer(), pool, counters, partSize);
    }

    /** Fetches an object that changed again, from its first byte: whether it will be. */
    @FunctionalInterface
    interface Restarts {
        boolean restart(Job job, ObjectChanged change);
    }

    void onChange(Restarts r) {
        this.restarts = r;
    }

    /** What a copy reports as it goes: each read's bytes, and a chance to stop before the next. */
    interface Progress {
        /** Throws when the copy is to stop (the run was cancelled). */
        void check() throws StoreException;

        /** {@code n} more bytes were written, up to {@code end} (from the object's start). */
        void wrote(long end, int n);
    }

    /** The buffer a thread copies through on its way to a file; {@code pooled} ones go back to the pool. */
    record Staging(ByteBuffer buffer, boolean pooled) {
        static final Staging NONE = new Staging(null, false);
    }

    /** The size of the parts objects are fetched in. */
    abstract long partSize();

    /**
     * Makes room for an object of {@code size} bytes as it is admitted: {@code false} when there is none now
     * (memory held by other objects: try again when some is freed).
     *
     * @throws StoreException when the object can never have room
     */
    abstract boolean reserve(Job job, long size) throws StoreException;

    /**
     * Makes room for part {@code index} of a started object as a worker is about to take it (the scheduler asks, in
     * each object's order of parts): {@code false} when there is none now.
     */
    boolean claim(Job job, int index, long length) {
        return true;
    }

    /** Whether a part of {@code length} bytes fits in one place; a longer answer is read as a body of unknown length. */
    boolean holds(long length) {
        return true;
    }

    /** The object's place opens as its first part runs: its file is created. */
    abstract void open(Job job, long size) throws IOException;

    /**
     * Copies up to {@code length} bytes of {@code body} to the object's place at {@code offset}, through
     * {@code staging} where the destination needs one.
     *
     * @return the bytes copied: fewer than {@code length} when the body ended first
     */
    abstract long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Progress progress)
            throws IOException;

    /**
     * Reads a body of unknown length to its end into the object's place, starting with room for {@code first}
     * bytes where room is held; sets {@link Job#size}.
     */
    abstract void readToEnd(Job job, Body body, long first, ByteBuffer staging, Progress progress)
            throws IOException;

    /** The part at {@code offset} has all its bytes, exactly as asked: it may go on to the consumer. */
    void partDone(Job job, long offset) {
    }

    /**
     * The buffer a worker ({@code hedge} false) or a hedge copies through: {@link Staging#NONE} where the
     * destination needs none; {@code null} for a hedge when memory is short (it is then not sent).
     */
    Staging staging(boolean hedge, int concurrency) {
        return Staging.NONE; // bodies go straight into the object's buffers
    }

    void release(Staging staging) {
        if (staging != null && staging.pooled()) {
            pool.release(staging.buffer());
        }
    }

    /** Hands over a complete object. */
    abstract void handOver(Job job);

    /** Drops what a failed object left: its buffers or its partial file. */
    abstract void discard(Job job);

    /** Memory was given back to the pool. */
    void roomFreed() {
    }

    /** The run is cancelled: whoever waits for room stops waiting. */
    void stop() {
    }

    /** Waits until every object handed over has left the destination's hands (consumers returned). */
    final void awaitHandedOver() throws InterruptedException {
        deliveries.await();
    }

    /** When the last object left the destination's hands, or 0. */
    final long lastHandedOver() {
        return deliveries.last();
    }

    /**
     * One part of an object has ended (done, failed or given up): when it was the last, the object is handed over,
     * fetched again from its first byte (it changed, and may be), or discarded and reported failed (as cancelled when
     * the run is {@code stopping}).
     */
    final void partFinished(Job job, boolean stopping) {
        if (job.partsOpen.decrementAndGet() != 0) {
            return;
        }
        if (job.failure == null && stopping) {
            job.fail(cancelled(job));
        }
        if (job.failure != null) {
            discard(job);
            if (!stopping && job.failure instanceof ObjectChanged c && restarts.restart(job, c)) {
                return;
            }
            counters.failed(job);
            return;
        }
        handOver(job);
    }

    static StoreException cancelled(Job job) {
        return new StoreException(job.item.url(), 0, false, "cancelled");
    }

    /**
     * Reads a body into {@code dst} until it is full or the body ends, reporting each read as ending at
     * {@code offset} plus the bytes read so far.
     *
     * @return the bytes read
     */
    static long readInto(ByteBuffer dst, Body body, long offset, Progress progress) throws IOException {
        long got = 0;
        while (dst.hasRemaining()) {
            progress.check();
            int n = body.read(dst);
            if (n < 0) {
                break;
            }
            got += n;
            progress.wrote(offset + got, n);
        }
        return got;
    }

    /**
     * Objects on their way to a consumer's hands, on threads of their own: {@link #awaitHandedOver} waits for them,
     * and the run ends at the last.
     */
    static final class Deliveries {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition idle = lock.newCondition();
        private int running; // guarded by lock
        private volatile long last;

        void begin() {
            lock.lock();
            try {
                running++;
            } finally {
                lock.unlock();
            }
        }

        void end() {
            lock.lock();
            try {
                running--;
                last = System.nanoTime();
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void await() throws InterruptedException {
            lock.lock();
            try {
                while (running > 0) {
                    idle.await();
                }
            } finally {
                lock.unlock();
            }
        }

        long last() {
            return last;
        }
    }
}
