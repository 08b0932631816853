package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.StoreException;

/**
 * Where a run puts the objects it fetches: {@link Buffers pooled buffers} handed to a consumer, or {@link Files
 * files} in a folder. The rest of the run asks it for an object's place, copies bodies into that place and, when the
 * object's last part ends, has it handed over or discarded; nothing else in the run knows which of the two it is.
 *
 * <p>Streaming sinks (objects larger than memory, written as they come) would be a third kind here.
 */
abstract sealed class Destination permits Destination.Buffers, Destination.Files {
    /** The most a file-writing worker holds between the network and the file. */
    static final int MAX_STAGING = 256 * 1024;

    final BufferPool pool;
    final RunCounters counters;

    private Destination(BufferPool pool, RunCounters counters) {
        this.pool = pool;
        this.counters = counters;
    }

    /** The destination a sink names. */
    static Destination of(Sink sink, BufferPool pool, RunCounters counters) {
        // instanceof, not a pattern switch: its bootstrap cost every run about 0.35 MB of allocation (bench --json)
        if (sink instanceof Sink.Files f) {
            return new Files(new FileTargets(f.folder()), pool, counters);
        }
        return new Buffers(((Sink.View) sink).consumer(), pool, counters);
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

    /**
     * Makes room for an object of {@code size} bytes as it is admitted: {@code false} when there is none now
     * (memory held by other objects: try again when some is freed).
     *
     * @throws StoreException when the object can never have room
     */
    abstract boolean reserve(Job job, long size) throws StoreException;

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

    /**
     * The buffer a worker ({@code hedge} false) or a hedge copies through: {@link Staging#NONE} where the
     * destination needs none; {@code null} for a hedge when memory is short (it is then not sent).
     */
    abstract Staging staging(boolean hedge, int concurrency);

    void release(Staging staging) {
        if (staging != null && staging.pooled()) {
            pool.release(staging.buffer());
        }
    }

    /** Hands over a complete object. */
    abstract void handOver(Job job);

    /** Drops what a failed object left: its buffer or its partial file. */
    abstract void discard(Job job);

    /** Waits until every object handed over has left the destination's hands (consumers returned). */
    void awaitHandedOver() throws InterruptedException {
    }

    /** When the last object left the destination's hands, or 0. */
    long lastHandedOver() {
        return 0;
    }

    /**
     * One part of an object has ended (done, failed or given up): when it was the last, the object is handed over,
     * or discarded and reported failed (as cancelled when the run is {@code stopping}).
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
            counters.failed(job);
            return;
        }
        handOver(job);
    }

    static StoreException cancelled(Job job) {
        return new StoreException(job.item.url(), 0, false, "cancelled");
    }

    static StoreException tooLarge(Job job, long size, long limit) {
        return new StoreException(job.item.url(), 0, false, "the object is " + size + " bytes, more than the "
                + limit + "-byte memory limit: raise the memory limit or write it to a file");
    }

    /** Objects in pooled buffers, each handed to the consumer as a read-only view on a thread of its own. */
    static final class Buffers extends Destination {
        private final Sink.ObjectConsumer consumer;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition idle = lock.newCondition();
        private int deliveries; // guarded by lock
        private volatile long lastDelivery;

        Buffers(Sink.ObjectConsumer consumer, BufferPool pool, RunCounters counters) {
            super(pool, counters);
            this.consumer = consumer;
        }

        @Override
        boolean reserve(Job job, long size) throws StoreException {
            if (!pool.fits(size)) {
                throw tooLarge(job, size, pool.limit());
            }
            job.buffer = pool.tryAcquire(size);
            return job.buffer != null;
        }

        @Override
        void open(Job job, long size) {
            // the buffer was reserved at admission
        }

        @Override
        long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Progress progress)
                throws IOException {
            ByteBuffer dst = job.buffer.slice((int) offset, (int) length);
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

        @Override
        void readToEnd(Job job, Body body, long first, ByteBuffer staging, Progress progress) throws IOException {
            ByteBuffer b = pool.tryAcquire(first);
            if (b == null) {
                throw new StoreException(job.item.url(), 0, true, "no buffer space left for an object of unknown "
                        + "size");
            }
            job.buffer = b.limit(b.capacity());
            long got = 0;
            while (true) {
                progress.check();
                if (!job.buffer.hasRemaining()) {
                    long grown = (long) job.buffer.capacity() * 2;
                    ByteBuffer bigger = pool.fits(grown) ? pool.tryAcquire(grown) : null;
                    if (bigger == null) {
                        throw tooLarge(job, got + 1, pool.limit());
                    }
                    bigger.limit(bigger.capacity()).put(job.buffer.flip());
                    pool.release(job.buffer);
                    job.buffer = bigger;
                }
                int n = body.read(job.buffer);
                if (n < 0) {
                    break;
                }
                got += n;
                progress.wrote(got, n);
            }
            job.size = got;
        }

        @Override
        Staging staging(boolean hedge, int concurrency) {
            return Staging.NONE; // bodies go straight into the object's buffer
        }

        @Override
        void handOver(Job job) {
            ByteBuffer view = job.buffer.slice(0, (int) job.size).asReadOnlyBuffer();
            lock.lock();
            try {
                deliveries++;
            } finally {
                lock.unlock();
            }
            // Deliver on a thread of its own so the worker's connection goes straight back to fetching.
            Thread.ofVirtual().name("zarrfetch-deliver").start(() -> {
                try {
                    consumer.accept(job.delivered(), view);
                    counters.delivered(job);
                } catch (Throwable t) {
                    // A consumer's own IOException (a decoder's, say) already says what went wrong.
                    job.fail(new IOException(job.item.url() + ": " + (t instanceof IOException ? t.getMessage()
                            : "the consumer failed: " + t), t));
                    counters.failed(job);
                } finally {
                    pool.release(job.buffer);
                    job.buffer = null;
                    lock.lock();
                    try {
                        deliveries--;
                        lastDelivery = System.nanoTime();
                        idle.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }

        @Override
        void discard(Job job) {
            ByteBuffer b = job.buffer;
            if (b != null) {
                job.buffer = null;
                pool.release(b); // which tells the scheduler that memory is free
            }
        }

        @Override
        void awaitHandedOver() throws InterruptedException {
            lock.lock();
            try {
                while (deliveries > 0) {
                    idle.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        long lastHandedOver() {
            return lastDelivery;
        }
    }

    /** Objects written to files: each under a temporary name, at its parts' offsets, renamed once complete. */
    static final class Files extends Destination {
        private final FileTargets targets;

        Files(FileTargets targets, BufferPool pool, RunCounters counters) {
            super(pool, counters);
            this.targets = targets;
        }

        @Override
        boolean reserve(Job job, long size) {
            return true; // parts go through the workers' staging buffers: nothing to hold per object
        }

        @Override
        void open(Job job, long size) throws IOException {
            job.file = targets.open(job.item, size);
        }

        @Override
        long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Progress progress)
                throws IOException {
            long got = 0;
            while (got < length) {
                progress.check();
                staging.clear().limit((int) Math.min(staging.capacity(), length - got));
                int n = body.read(staging);
                if (n < 0) {
                    break;
                }
                staging.flip();
                job.file.write(staging, offset + got);
                got += n;
                progress.wrote(offset + got, n);
            }
            return got;
        }

        @Override
        void readToEnd(Job job, Body body, long first, ByteBuffer staging, Progress progress) throws IOException {
            open(job, ObjectInfo.UNKNOWN_SIZE);
            job.size = copy(job, body, 0, Long.MAX_VALUE, staging, progress);
        }

        @Override
        Staging staging(boolean hedge, int concurrency) {
            // A hedge takes a small one, and only when memory can spare it; a worker always has one.
            long size = Math.max(4096, Math.min(MAX_STAGING, pool.limit() / (hedge ? 64 : 2L * concurrency)));
            ByteBuffer b = pool.tryAcquire(size);
            if (b != null) {
                return new Staging(b, true);
            }
            // Other fetches hold the limit: a worker's is small, and allocated once.
            return hedge ? null : new Staging(ByteBuffer.allocate((int) size), false);
        }

        @Override
        void handOver(Job job) {
            try {
                job.file.commit(job.size);
                counters.delivered(job);
            } catch (Exception e) {
                job.fail(e);
                discard(job);
                counters.failed(job);
            }
        }

        @Override
        void discard(Job job) {
            if (job.file != null) {
                job.file.abandon();
            }
        }
    }
}
