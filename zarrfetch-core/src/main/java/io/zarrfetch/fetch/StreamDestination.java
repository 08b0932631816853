package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.StoreException;

/**
 * Objects written to streams, part by part, in order ({@link Sink#stream}): objects of any size in bounded memory.
 * Each part is read straight into a pooled buffer of its own, claimed as the part starts; a complete part is written
 * to its object's stream once the parts before it were ({@link StreamedObject}), and its buffer given back.
 *
 * <p>Parts are at most a sixteenth of the memory limit, so that at least 16 requests fit in it at once whatever the
 * part size asked for (a tight limit with large parts would leave the link idle while a few requests come in), and
 * one object holds at most half of the parts that fit, so a slow part leaves room for the other objects.
 */
final class StreamDestination extends Destination {
    /** Parts that fit in the memory limit at least. */
    static final int PARTS_IN_LIMIT = 16;
    /** The most parts of one object held at once, however many fit. */
    static final int MAX_WINDOW = 256;

    private final Sink.StreamConsumer consumer;
    private final long partSize;
    private final int window;
    /** Signalled when the pool gets memory back, for a body of unknown length waiting to read on. */
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private volatile boolean stopped;

    StreamDestination(Sink.StreamConsumer consumer, BufferPool pool, RunCounters counters, long partSize) {
        super(pool, counters);
        this.consumer = consumer;
        this.partSize = partSize(pool.limit(), partSize);
        this.window = (int) Math.clamp(pool.limit() / BufferPool.sizeClass(this.partSize) / 2, 2, MAX_WINDOW);
    }

    /** The part size for a memory limit: {@code requested}, or less so that {@link #PARTS_IN_LIMIT} parts fit. */
    static long partSize(long limit, long requested) {
        return Math.min(requested, Long.highestOneBit(Math.max(limit / PARTS_IN_LIMIT, 64 << 10)));
    }

    @Override
    long partSize() {
        return partSize;
    }

    /** The most parts of one object held at once. */
    int window() {
        return window;
    }

    @Override
    boolean reserve(Job job, long size) throws StoreException {
        int parts = job.item.fromEnd() ? 1 : Job.partCount(size, partSize);
        long first = parts == 1 ? size : partSize;
        if (!pool.fits(first)) {
            // only the last bytes of an object, asked for in one request, can be a part that large
            throw new StoreException(job.item.url(), 0, false, "the last " + size + " bytes of the object, asked "
                    + "for in one request, are more than the " + pool.limit() + "-byte memory limit");
        }
        StreamedObject s = new StreamedObject(job, consumer, pool, counters, deliveries, window);
        s.total(parts);
        if (!s.claim(0, first)) {
            return false;
        }
        job.streamed = s;
        return true;
    }

    @Override
    boolean claim(Job job, int index, long length) {
        // A failed object's parts are only ended, not fetched: they need no room.
        return job.failure != null || job.streamed.claim(index, length);
    }

    @Override
    boolean holds(long length) {
        return length <= partSize;
    }

    @Override
    void open(Job job, long size) {
        // the first part's buffer was claimed at admission
    }

    /** The index of the part that holds byte {@code offset} of the object. */
    private int index(Job job, long offset) {
        return job.partCount == 1 ? 0 : (int) (offset / partSize);
    }

    @Override
    long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Progress progress)
            throws IOException {
        int index = index(job, offset);
        ByteBuffer part = job.streamed.buffer(index);
        return readInto(part.slice((int) (offset - (long) index * partSize), (int) length), body, offset, progress);
    }

    @Override
    void partDone(Job job, long offset) {
        job.streamed.ready(index(job, offset));
    }

    /** A body of unknown length, or longer than a part: read in parts, each written to the stream as it fills. */
    @Override
    void readToEnd(Job job, Body body, long first, ByteBuffer staging, Progress progress) throws IOException {
        StreamedObject s = new StreamedObject(job, consumer, pool, counters, deliveries, window);
        job.streamed = s;
        long got = 0;
        for (int index = 0; ; index++) {
            ByteBuffer part = awaitClaim(job, s, index, progress);
            long n = readInto(part.duplicate(), body, got, progress);
            part.limit((int) n);
            got += n;
            boolean last = n < partSize;
            if (last) {
                s.total(index + 1);
            }
            s.ready(index);
            if (last) {
                break;
            }
        }
        job.size = got;
    }

    /** A buffer for the next part of a body read to its end, once the window and the pool have room for one. */
    private ByteBuffer awaitClaim(Job job, StreamedObject s, int index, Progress progress) throws IOException {
        roomLock.lock();
        try {
            while (!s.claim(index, partSize)) {
                progress.check();
                if (stopped) {
                    throw cancelled(job);
                }
                room.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(job);
        } finally {
            roomLock.unlock();
        }
        return s.buffer(index);
    }

    @Override
    void roomFreed() {
        roomLock.lock();
        try {
            room.signalAll();
        } finally {
            roomLock.unlock();
        }
    }

    @Override
    void stop() {
        stopped = true;
        roomFreed();
    }

    @Override
    void handOver(Job job) {
        job.streamed.end();
    }

    @Override
    void discard(Job job) {
        StreamedObject s = job.streamed;
        if (s != null) {
            job.streamed = null;
            s.abandon(job.failure);
        }
    }
}
