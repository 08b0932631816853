package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a run counts, as its rooms do it, and the snapshots made of the counts: {@link FetchProgress} while it runs,
 * {@link FetchReport} at its end. Every count is its own atomic, so counting never takes the scheduler's lock;
 * bytes received, counted on every read of a body, go to a {@link LongAdder}.
 */
final class RunCounters {
    final AtomicLong objectsSeen = new AtomicLong();
    final AtomicLong bytesSeen = new AtomicLong();
    final AtomicLong objectsDone = new AtomicLong();
    final AtomicLong bytesDone = new AtomicLong();
    /** Objects delivered whose bytes matched the checksum their server sent. */
    final AtomicLong verified = new AtomicLong();
    /** Objects delivered as they were after a change, fetched again from their first byte. */
    final AtomicLong changed = new AtomicLong();
    final LongAdder bytesReceived = new LongAdder();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicInteger requestsActive = new AtomicInteger();
    final AtomicLong hedges = new AtomicLong();
    final AtomicLong hedgesWon = new AtomicLong();
    final AtomicInteger hedgesActive = new AtomicInteger();
    private final ConcurrentLinkedQueue<FetchFailure> failures = new ConcurrentLinkedQueue<>();

    /** An object (or a listing) the input gave: its size counts once known. */
    void seen(FetchItem item) {
        objectsSeen.incrementAndGet();
        if (item.object().sizeKnown()) {
            bytesSeen.addAndGet(item.object().size());
        }
    }

    /** A request for an object is sent: its {@code attempt}-th for the bytes it asks for (the first is 1). */
    void request(Job job, int attempt) {
        requests.incrementAndGet();
        job.attempts.incrementAndGet();
        if (attempt > 1) {
            retries.incrementAndGet();
        }
    }

    void delivered(Job job) {
        objectsDone.incrementAndGet();
        bytesDone.addAndGet(job.size);
        if (job.verified) {
            verified.incrementAndGet();
        }
        if (job.restarts > 0) {
            changed.incrementAndGet();
        }
    }

    /** A failed object, with its cause as the last attempt had it and every request made for it. */
    void failed(Job job) {
        Throwable cause = job.failure instanceof Transfer.Resumable r ? r.getCause() : job.failure;
        failures.add(new FetchFailure(job.item.url(), job.item.name(), Math.max(1, job.attempts.get()), cause));
    }

    /** The input failed (a listing, say) at {@code url}. */
    void inputFailed(String url, Throwable cause) {
        failures.add(new FetchFailure(url, null, 1, cause));
    }

    int failureCount() {
        return failures.size();
    }

    FetchProgress progress(boolean inputDone, int concurrency, long bufferBytes) {
        return new FetchProgress(objectsSeen.get(), inputDone, objectsDone.get(), failures.size(), bytesSeen.get(),
                bytesReceived.sum(), requestsActive.get(), concurrency, bufferBytes);
    }

    FetchReport report(Duration wall, int maxConcurrency, long partSize, long peakBufferBytes, boolean cancelled) {
        return new FetchReport(objectsDone.get(), bytesDone.get(), verified.get(), changed.get(), bytesReceived.sum(),
                wall, requests.get(), retries.get(), hedges.get(), hedgesWon.get(), maxConcurrency, partSize,
                peakBufferBytes, List.copyOf(failures), cancelled);
    }
}
