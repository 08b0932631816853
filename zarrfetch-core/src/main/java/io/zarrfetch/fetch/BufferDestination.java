package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.StoreException;

/**
 * Objects in pooled buffers, one each, all its parts read straight into it; each complete object handed to the
 * consumer as a read-only view on a thread of its own, so the worker's connection goes straight back to fetching.
 */
final class BufferDestination extends Destination {
    private final Sink.ObjectConsumer consumer;
    private final long partSize;

    BufferDestination(Sink.ObjectConsumer consumer, BufferPool pool, RunCounters counters, long partSize) {
        super(pool, counters);
        this.consumer = consumer;
        this.partSize = partSize;
    }

    @Override
    long partSize() {
        return partSize;
    }

    @Override
    boolean reserve(Job job, long size) throws StoreException {
        if (!pool.fits(size)) {
            throw tooLarge(job, size, pool.limit());
        }
        job.buffer = pool.tryAcquire(size);
        return job.buffer != null;
    }

    static StoreException tooLarge(Job job, long size, long limit) {
        return new StoreException(job.item.url(), 0, false, "the object is " + size + " bytes, more than the "
                + limit + "-byte memory limit that whole objects are held in: raise the memory limit, or take the "
                + "object as a stream or a file");
    }

    @Override
    void open(Job job, long size) {
        // the buffer was reserved at admission
    }

    @Override
    long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Progress progress)
            throws IOException {
        return readInto(job.buffer.slice((int) offset, (int) length), body, offset, progress);
    }

    @Override
    void readToEnd(Job job, Body body, long first, ByteBuffer staging, Progress progress) throws IOException {
        ByteBuffer b = pool.tryAcquire(first);
        if (b == null) {
            throw new StoreException(job.item.url(), 0, true, "no buffer space left for an object of unknown size");
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
    void handOver(Job job) {
        ByteBuffer view = job.buffer.slice(0, (int) job.size).asReadOnlyBuffer();
        deliveries.begin();
        Thread.ofVirtual().name("zarrfetch-deliver").start(() -> {
            try {
                consumer.accept(job.delivered(), view);
                counters.delivered(job);
            } catch (Throwable t) {
                job.fail(consumerFailed(job, t));
                counters.failed(job);
            } finally {
                pool.release(job.buffer);
                job.buffer = null;
                deliveries.end();
            }
        });
    }

    /** A consumer's failure, as the object's: its own IOException (a decoder's, say) already says what went wrong. */
    static IOException consumerFailed(Job job, Throwable t) {
        return new IOException(job.item.url() + ": " + (t instanceof IOException ? t.getMessage()
                : "the consumer failed: " + t), t);
    }

    @Override
    void discard(Job job) {
        ByteBuffer b = job.buffer;
        if (b != null) {
            job.buffer = null;
            pool.release(b); // which tells the scheduler that memory is free
        }
    }
}
