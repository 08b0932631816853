package io.zarrfetch.fetch;

import java.nio.ByteBuffer;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;

/**
 * What each of a run's worker threads does: takes parts from the {@link Scheduler} one at a time and runs them. The
 * first part of an object opens its place in the destination and queues the others; the first request for an
 * object of unknown size (a probe) learns its size from the answer, and so its parts. The worker that finishes an
 * object's last part hands it over.
 */
final class Worker {
    private final long partSize;
    private final int concurrency;
    private final Scheduler scheduler;
    private final Transfer transfer;
    private final Destination destination;

    Worker(FetchOptions options, Scheduler scheduler, Transfer transfer, Destination destination) {
        this.partSize = destination.partSize();
        this.concurrency = options.concurrency();
        this.scheduler = scheduler;
        this.transfer = transfer;
        this.destination = destination;
    }

    /** One worker thread's life: parts until the scheduler has none for it. */
    void work() {
        Destination.Staging staging = destination.staging(false, concurrency);
        try {
            Job.Part part;
            while ((part = scheduler.next()) != null) {
                try {
                    run(part, staging.buffer());
                } catch (Throwable t) {
                    part.job().fail(t);
                    destination.partFinished(part.job(), scheduler.stopping());
                } finally {
                    scheduler.taskDone();
                }
            }
            // After a cancel, end the objects whose queued parts no worker will run (see Scheduler.abandoned).
            Job.Part p;
            while ((p = scheduler.abandoned()) != null) {
                destination.partFinished(p.job(), scheduler.stopping());
            }
        } finally {
            destination.release(staging);
        }
    }

    void run(Job.Part part, ByteBuffer staging) throws Exception {
        Job job = part.job();
        if (part.probe()) {
            probe(part, staging);
            return;
        }
        if (part.index() == 0) {
            try {
                destination.open(job, job.size);
            } catch (Exception e) {
                job.fail(e); // the other parts still run their course, skipping, so the object completes
            }
            if (job.partCount > 1) {
                scheduler.enqueueRest(job);
            }
        }
        if (job.failure == null && !scheduler.stopping()
                && !transfer.transfer(job, part.offset(), part.length(), staging, null, 0, job.partCount == 1)) {
            return; // a hedge overtook this request and finishes the part
        }
        destination.partFinished(job, scheduler.stopping());
    }

    /**
     * The first request for an object of unknown size: a ranged GET of the first part, whose answer tells the size
     * and so the remaining parts.
     */
    private void probe(Job.Part part, ByteBuffer staging) throws Exception {
        Job job = part.job();
        long sent = System.nanoTime();
        Body body = transfer.open(job, 0, partSize);
        boolean handedOver = false;
        try {
            long total = body.objectSize();
            boolean whole = total >= 0 && body.offset() == 0 && body.length() >= total;
            if (total < 0 && body.length() >= 0 && body.length() < partSize) {
                total = body.length(); // a short answer to "bytes=0-" ends the object
                whole = true;
            }
            if (total < 0) {
                // The server told no size: read it in one plain GET, to its end.
                body.close();
                body = transfer.open(job, 0, ObjectInfo.UNKNOWN_SIZE);
                total = body.length();
                whole = true;
            }
            job.etag = job.etag != null ? job.etag : body.etag();
            if (total < 0 || whole && !destination.holds(total)) {
                // No size, or one answer longer than the destination takes at once: read as it comes.
                handedOver = true;
                transfer.readUnknownLength(job, body, partSize, staging);
                destination.partFinished(job, scheduler.stopping());
                return;
            }
            job.size = total;
            if (!destination.reserve(job, total)) {
                // No room now: give the connection up and queue the object again, its size known, at the front.
                body.close();
                scheduler.requeue(job);
                handedOver = true;
                return;
            }
            destination.open(job, total);
            job.partCount = whole ? 1 : Job.partCount(total, partSize);
            if (job.partCount > 1) {
                job.partsOpen.addAndGet(job.partCount - 1);
                scheduler.enqueueRest(job);
            }
            handedOver = true;
            if (!transfer.transfer(job, 0, Math.min(total, whole ? total : partSize), staging, body, sent, whole)) {
                return; // a hedge overtook this request and finishes the part
            }
        } finally {
            if (!handedOver) {
                body.close();
            }
        }
        destination.partFinished(job, scheduler.stopping());
    }
}
