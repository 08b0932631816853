package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;

/**
 * Objects written to files: each under a temporary name, at its parts' offsets, renamed once complete. Parts go
 * through the workers' small staging buffers, so objects of any size take no memory of their own.
 */
final class FileDestination extends Destination {
    private final FileTargets targets;
    private final long partSize;

    FileDestination(FileTargets targets, BufferPool pool, RunCounters counters, long partSize) {
        super(pool, counters);
        this.targets = targets;
        this.partSize = partSize;
    }

    @Override
    long partSize() {
        return partSize;
    }

    @Override
    boolean reserve(Job job, long size) {
        return true; // parts go through the workers' staging buffers: nothing to hold per object
    }

    @Override
    void open(Job job, long size) throws IOException {
        job.file = targets.open(job.item, size, job.origin);
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
