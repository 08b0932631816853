package io.zarrfetch.fetch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One object on its way to a {@link Sink.ObjectStream}: the buffers of its parts from the one the stream waits for
 * on, and the thread that writes them to the stream in order, one at a time, giving each buffer back to the pool as
 * soon as it is written.
 *
 * <p>At most {@code window} parts are held at once (in flight, or complete and waiting for the parts before them),
 * so one slow part can keep at most that much memory from the other objects. Parts are claimed in order, so the part
 * the stream waits for has always started: an object that holds memory always moves on.
 */
final class StreamedObject {
    /** The place of a part without bytes: nothing to hold. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Job job;
    private final Sink.StreamConsumer consumer;
    private final BufferPool pool;
    private final RunCounters counters;
    private final Destination.Deliveries deliveries;
    private final int window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    /** The buffers of parts {@code next .. next + window - 1}, at their index modulo the window. */
    private final ByteBuffer[] held;
    private final boolean[] ready;
    /** The part the stream waits for. */
    private int next;
    /** Parts in all, once known. */
    private int total = -1;
    /** Every part ended well: the stream is completed after the last. */
    private boolean ended;
    /** Why the object is given up, when it is: the stream is abandoned. */
    private Throwable abandoned;
    /** The consumer failed (and its stream was abandoned): the object's end finds nothing more to write. */
    private boolean consumerFailed;
    private Thread writer;

    StreamedObject(Job job, Sink.StreamConsumer consumer, BufferPool pool, RunCounters counters,
            Destination.Deliveries deliveries, int window) {
        this.job = job;
        this.consumer = consumer;
        this.pool = pool;
        this.counters = counters;
        this.deliveries = deliveries;
        this.window = window;
        this.held = new ByteBuffer[window];
        this.ready = new boolean[window];
    }

    /** The number of parts, once known. */
    void total(int parts) {
        lock.lock();
        try {
            total = parts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a buffer for part {@code index} (the next after those claimed before) of {@code length} bytes:
     * {@code false} when the part is a window or more ahead of the one the stream waits for, or the pool has no room
     * now.
     */
    boolean claim(int index, long length) {
        lock.lock();
        try {
            if (index >= next + window || abandoned != null) {
                return false;
            }
            ByteBuffer b = length == 0 ? EMPTY : pool.tryAcquire(length);
            if (b == null) {
                return false;
            }
            held[index % window] = b;
            ready[index % window] = false;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The buffer of a claimed part, its limit the part's length. */
    ByteBuffer buffer(int index) {
        lock.lock();
        try {
            return held[index % window];
        } finally {
            lock.unlock();
        }
    }

    /** Part {@code index} has its bytes (up to its buffer's limit): it is written to the stream in its turn. */
    void ready(int index) {
        lock.lock();
        try {
            ready[index % window] = true;
            startWriter();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every part ended well: the stream is completed once the last is written. */
    void end() {
        lock.lock();
        try {
            ended = true;
            if (!consumerFailed) {
                startWriter();
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        // The consumer failed after the parts' last look at the object: nobody else ends it.
        releaseHeld();
        counters.failed(job);
    }

    /**
     * The object is given up (failed, cancelled, or to be fetched again) and none of its parts is in flight: its
     * stream, if open, is abandoned, once any write under way has returned, and its buffers go back to the pool.
     */
    void abandon(Throwable cause) {
        Thread w;
        lock.lock();
        try {
            abandoned = cause;
            changed.signalAll();
            w = writer;
        } finally {
            lock.unlock();
        }
        if (w != null) {
            joinUninterruptibly(w);
        }
        releaseHeld();
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gives every buffer still held back, once no part is in flight. Outside the lock: the pool tells the scheduler,
     * whose lock is taken before this one.
     */
    private void releaseHeld() {
        List<ByteBuffer> back = new ArrayList<>();
        lock.lock();
        try {
            for (int i = 0; i < window; i++) {
                if (held[i] != null && held[i] != EMPTY) {
                    back.add(held[i]);
                }
                held[i] = null;
                ready[i] = false;
            }
        } finally {
            lock.unlock();
        }
        back.forEach(pool::release);
    }

    /** Under the lock: the writer starts with the first part ready, or the object's end. */
    private void startWriter() {
        if (writer == null && !consumerFailed) {
            deliveries.begin();
            writer = Thread.ofVirtual().name("zarrfetch-stream").start(this::write);
        }
    }

    /** The writer's life: the parts in order, then the end (complete or abandon). */
    private void write() {
        Sink.ObjectStream stream = null;
        try {
            while (true) {
                ByteBuffer part;
                Throwable giveUp;
                lock.lock();
                try {
                    while (abandoned == null && !ready[next % window] && !(ended && next == total)) {
                        changed.awaitUninterruptibly();
                    }
                    giveUp = abandoned;
                    part = giveUp == null && ready[next % window] ? held[next % window] : null;
                } finally {
                    lock.unlock();
                }
                if (giveUp != null) {
                    abandon(stream, giveUp);
                    return;
                }
                if (stream == null) {
                    stream = consumer.open(job.delivered());
                }
                if (part == null) {
                    stream.complete(job.delivered());
                    counters.delivered(job);
                    return;
                }
                if (part.limit() > 0) {
                    stream.write(part.duplicate().position(0).asReadOnlyBuffer());
                }
                lock.lock();
                try {
                    held[next % window] = null;
                    ready[next % window] = false;
                    next++;
                } finally {
                    lock.unlock();
                }
                if (part != EMPTY) {
                    pool.release(part); // which lets the next part of some object start
                }
            }
        } catch (Throwable t) {
            consumerFailed(stream, t);
        } finally {
            deliveries.end();
        }
    }

    /** Tells an open stream that it is abandoned; what it throws then changes nothing. */
    private static void abandon(Sink.ObjectStream stream, Throwable cause) {
        if (stream != null) {
            try {
                stream.abandon(cause);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** The consumer threw: the object fails, its stream is abandoned, and its parts still to come are skipped. */
    private void consumerFailed(Sink.ObjectStream stream, Throwable t) {
        Exception failure = BufferDestination.consumerFailed(job, t);
        job.fail(failure);
        abandon(stream, failure);
        boolean over;
        lock.lock();
        try {
            consumerFailed = true;
            over = ended;
        } finally {
            lock.unlock();
        }
        if (over) {
            // Every part had ended well and handed the object over: it ends here.
            releaseHeld();
            counters.failed(job);
        }
    }
}
