package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.zarrfetch.store.Abort;
import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Retries;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/**
 * How a part's bytes get from the store to the destination: its requests, each sent, checked and copied by
 * {@link #request} (the one method a part's own request and its hedge share), retried after a failure as the
 * store's {@link Retries} allow and resumed from the last byte received. Every request in flight is watched in a
 * {@link Flight}, which the {@link Hedger} looks over for stragglers.
 */
final class Transfer {
    private final Destination destination;
    private final Scheduler scheduler;
    private final RunCounters counters;
    /** The requests in flight, watched for stragglers, and the recent waits for a head they are measured by. */
    final Set<Flight<Job>> flights = ConcurrentHashMap.newKeySet();
    final Pace pace = new Pace();
    /** The retries of the stores that have none of their own (the default policy, a budget for this run). */
    private final Map<Store, RetryingStore> bareStores = new ConcurrentHashMap<>();

    Transfer(Destination destination, Scheduler scheduler, RunCounters counters) {
        this.destination = destination;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** A job for an item of the input, its requests going through its store's retries. */
    Job job(FetchItem item) {
        Store store = item.store();
        RetryingStore retrying = store instanceof RetryingStore r ? r
                : bareStores.computeIfAbsent(store, s -> RetryingStore.wrap(s, RetryPolicy.defaults()));
        return new Job(item, retrying);
    }

    // ---- one request ----

    /**
     * Sends one GET for an item's bytes from {@code offset} (of the item) on, asking for the version first seen; for
     * the last bytes of an object whose start is not known yet, a GET of the last {@code length}.
     */
    private static Body send(Job job, long offset, long length, Abort abort) throws IOException {
        long base = job.base;
        String key = job.item.object().key();
        if (base < 0) {
            return job.retrying.store().getLast(key, length, abort); // nothing received yet: offset is 0
        }
        return job.retrying.store().get(key, base + offset, length, job.ifMatch(), abort);
    }

    /**
     * One request for the bytes of a flight's part from {@code from} on, in one lane: sent (unless {@code given} is
     * its answer already), its answer checked, its body copied to the destination. A part's own request and its
     * hedge both go through here.
     *
     * @param whole send a plain GET of the whole object (the part is all of it), whose answer may carry a checksum
     * @param retried how many retries of the part's request came before this one (given back when it passes)
     * @param sent when the request was sent ({@link System#nanoTime()}), for the pace of heads
     * @return whether this lane completed the part; {@code false} when the other lane did first
     * @throws Resumable when the body failed after some bytes, saying how many a retry keeps
     */
    private boolean request(Flight<Job> f, Flight.Lane lane, long from, boolean whole, int retried, Abort abort,
            Body given, long sent, ByteBuffer staging) throws IOException {
        Job job = f.job;
        long length = f.length - from;
        counters.requestsActive.incrementAndGet();
        Body body = given;
        try {
            if (body == null) {
                body = send(job, f.offset + from, whole ? ObjectInfo.UNKNOWN_SIZE : length, abort);
            }
            long head = System.nanoTime();
            if (!f.reading(lane, body)) {
                return false; // overtaken while waiting for this answer
            }
            long base = job.base;
            check(job, body, base < 0 ? ObjectInfo.UNKNOWN_SIZE : base + f.offset + from, length);
            copy(job, body, f.offset + from, length, staging, f, lane);
            answered(job, retried);
            if (given == null) {
                pace.add(head - sent);
            }
            if (!f.complete(lane)) {
                return false;
            }
            destination.partDone(job, f.offset); // the other lane has stopped writing
            return true;
        } finally {
            counters.requestsActive.decrementAndGet();
            if (body != null) {
                f.idle(lane); // before the close: an abort must never reach a connection given back
                closeQuietly(body);
            }
        }
    }

    /**
     * Checks that a body carries the asked-for bytes of the same version of the object.
     *
     * @param offset where the bytes asked for start in the object; {@link ObjectInfo#UNKNOWN_SIZE} for the first
     *     answer of an item's last bytes, which then tells it
     */
    static void check(Job job, Body body, long offset, long length) throws StoreException {
        String url = job.item.url();
        if (!job.item.ranged() && body.objectSize() >= 0 && body.objectSize() != job.size) {
            throw new ObjectChanged(url, 0, "the object is now " + body.objectSize() + " bytes, not " + job.size
                    + ": it changed since it was listed or first read");
        }
        boolean endsObject = body.length() >= 0 && body.objectSize() >= 0
                && body.offset() + body.length() == body.objectSize();
        if (offset < 0) {
            if (!endsObject) {
                throw new StoreException(url, 0, true, "asked for the last " + length + " bytes, got " + body.length()
                        + " at " + body.offset() + " of an object of " + body.objectSize());
            }
        } else if (body.offset() != offset) {
            throw new StoreException(url, 0, true, "asked for " + length + " bytes at " + offset + ", got "
                    + body.length() + " at " + body.offset());
        }
        if (body.length() >= 0 && body.length() < length) {
            // An object that ends before the bytes asked for will not grow back: not a failure that passes.
            throw endsObject ? new StoreException(url, 0, false, "the object is only " + body.objectSize()
                    + " bytes: it ends before the " + length + " bytes asked for " + (offset < 0 ? "from its end"
                            : "at " + offset))
                    : new StoreException(url, 0, true, "asked for " + length + " bytes at " + offset + ", got "
                            + body.length() + " at " + body.offset());
        }
        long total = body.objectSize();
        if (job.item.ranged() && total >= 0 && !job.total.compareAndSet(ObjectInfo.UNKNOWN_SIZE, total)
                && job.total.get() != total) {
            throw new ObjectChanged(url, 0, "the object changed while it was fetched (it was " + job.total.get()
                    + " bytes, now " + total + ")");
        }
        String etag = body.etag();
        if (etag != null) {
            if (job.etag == null) {
                job.etag = etag;
                job.etagAnswered = true;
            } else if (job.etag.equals(etag)) {
                job.etagAnswered = true;
            } else {
                throw new ObjectChanged(url, 0, "the object changed while it was fetched (ETag " + job.etag
                        + " became " + etag + ")");
            }
        }
        if (offset < 0) {
            job.base = body.offset(); // the last bytes start here: a resumption asks for the rest from there
        }
    }

    /**
     * Copies {@code length} bytes of a body to the object's place at {@code offset}. On failure, the bytes received
     * before it count: {@link Resumable#received} says how many a retry keeps.
     */
    private void copy(Job job, Body body, long offset, long length, ByteBuffer staging, Flight<Job> flight,
            Flight.Lane lane) throws IOException {
        Copying progress = new Copying(job, flight, lane);
        long copied;
        try {
            copied = destination.copy(job, body, offset, length, staging, progress);
        } catch (StoreException e) {
            if (flight.over) {
                throw Flight.OVERTAKEN; // the other request completed the part and closed this one's connection
            }
            // Bytes that failed their checksum, or were cut before it could be checked, are not kept: the retry
            // reads the body again from its first byte, which for a checked body (a whole object) is byte 0.
            // Retried, not failed: damage on the way may not recur, and an object stored damaged still fails,
            // after its attempts, naming both checksums (docs/reliability.md).
            throw new Resumable(e, Retries.kept(e, progress.got));
        }
        if (body.verified()) {
            job.verified = true;
        }
        if (copied < length) {
            throw new Resumable(new StoreException(job.item.url(), 0, true,
                    "the answer ended after " + copied + " of " + length + " bytes"), copied);
        }
    }

    // ---- a part's own requests ----

    /**
     * Opens a body for the first request of an object of unknown size (a probe), retrying what may pass. Watched like
     * a part's request: a hedge may race this wait for a head (but not the body, whose size is not known yet), and
     * hand its answer over.
     */
    Body open(Job job, long offset, long length) throws Exception {
        Flight<Job> flight = new Flight<>(job, offset, length, true);
        flights.add(flight);
        try {
            for (int attempt = 1; ; attempt++) {
                counters.request(job, attempt);
                try {
                    long sent = System.nanoTime();
                    Body body = send(job, offset, length, flight.attempt(sent, 0));
                    answered(job, attempt - 1);
                    pace.add(System.nanoTime() - sent);
                    return flight.headArrived(body);
                } catch (StoreException e) {
                    Body handed = flight.takeHandoff();
                    if (handed != null) {
                        return handed; // a hedge's head came first, and this wait was aborted
                    }
                    backoffOrThrow(job, changedOn412(job, e), attempt);
                }
            }
        } finally {
            flights.remove(flight);
            flight.closeOut();
        }
    }

    /**
     * Reads bytes [offset, offset+length) of an object into its place, retrying from the last received byte when a
     * retryable failure cuts it short.
     *
     * @param first an already opened body for this range, or {@code null}
     * @param firstSent when the request for {@code first} was sent ({@link System#nanoTime()})
     * @param plain whether a first request should be a plain GET (the whole object in one part)
     * @return whether the caller finishes the part; {@code false} when a hedge of this request completed it first,
     *     or took over its failure, and so finishes it itself
     */
    boolean transfer(Job job, long offset, long length, ByteBuffer staging, Body first, long firstSent,
            boolean plain) throws Exception {
        if (length == 0) {
            closeQuietly(first);
            destination.partDone(job, offset);
            return true;
        }
        Flight<Job> flight = new Flight<>(job, offset, length);
        flights.add(flight);
        try {
            return retried(flight, staging, first, firstSent, plain);
        } catch (Exception e) {
            if (flight.defer(e)) {
                return false; // the hedge still running reports it if it fails too
            }
            throw e;
        } finally {
            flights.remove(flight);
        }
    }

    private boolean retried(Flight<Job> flight, ByteBuffer staging, Body first, long firstSent, boolean plain)
            throws Exception {
        Job job = flight.job;
        Flight.Lane lane = flight.original;
        long done = 0;
        Body body = first;
        for (int attempt = 1; ; attempt++) {
            if (flight.over) {
                return false; // the hedge completed the part while this request waited to be retried
            }
            boolean given = body != null; // the probe's, whose request open() counted and timed
            if (!given) {
                counters.request(job, attempt);
            }
            long sent = given ? firstSent : System.nanoTime();
            Abort abort = flight.attempt(sent, done);
            boolean whole = plain && done == 0 && !job.item.ranged();
            if (!given) {
                flight.plain = whole;
            }
            try {
                return request(flight, lane, done, whole, attempt - 1, abort, body, sent, staging);
            } catch (Flight.Overtaken e) {
                return false;
            } catch (Resumable e) {
                done += e.received; // the retry asks only for what is missing
                if (flight.idle(lane)) {
                    return false; // the hedge completed the part meanwhile
                }
                backoffOrThrow(job, e, attempt);
            } catch (StoreException e) {
                if (flight.idle(lane)) {
                    return false;
                }
                backoffOrThrow(job, changedOn412(job, e), attempt);
            } finally {
                body = null;
            }
        }
    }

    /**
     * A 412 to {@code If-Match} as what it means: the object is no longer the version asked for. Other failures as
     * they are.
     */
    private static StoreException changedOn412(Job job, StoreException e) {
        if (e.status() != 412) {
            return e;
        }
        boolean listed = !job.etagAnswered && !job.pinned(); // the ETag asked for is the listing's
        return new ObjectChanged(job.item.url(), 412, "the object changed " + (listed ? "since it was listed"
                : "while it was fetched") + " (the server no longer has ETag " + job.etag + ": HTTP 412 Precondition "
                + "Failed)", e);
    }

    /**
     * A request for the object got its answer after {@code retried} retries: given back to the budget, with the
     * retry that fetching the object again took, if this is that fetch's first answer.
     */
    private static void answered(Job job, int retried) {
        job.retrying.retries().answered(retried + job.refund.getAndSet(0));
    }

    /**
     * Reads a body of unknown length (no Content-Length, no size) to its end: the object's only part, in room for
     * {@code first} bytes to start with.
     */
    void readUnknownLength(Job job, Body body, long first, ByteBuffer staging) throws IOException {
        job.partCount = 1;
        counters.requestsActive.incrementAndGet();
        try (body) {
            destination.readToEnd(job, body, first, staging, new Copying(job, null, null));
            job.verified = body.verified();
        } finally {
            counters.requestsActive.decrementAndGet();
        }
    }

    /**
     * What a copy into the destination reports as it goes: the bytes received, counted for the run and the request,
     * the flight's progress (when it is watched), and a cancelled run, which stops it before its next read.
     */
    private final class Copying implements Destination.Progress {
        private final Job job;
        private final Flight<Job> flight;
        private final Flight.Lane lane;
        /** Bytes this copy wrote. */
        long got;

        Copying(Job job, Flight<Job> flight, Flight.Lane lane) {
            this.job = job;
            this.flight = flight;
            this.lane = lane;
        }

        @Override
        public void check() throws StoreException {
            if (scheduler.stopping()) {
                throw Destination.cancelled(job);
            }
        }

        @Override
        public void wrote(long end, int n) {
            got += n;
            counters.bytesReceived.add(n);
            if (flight != null) {
                flight.wrote(lane, end);
            }
        }
    }

    /** Waits before the next attempt of a request, or throws when there is to be none (see {@link Retries}). */
    private void backoffOrThrow(Job job, StoreException e, int attempt) throws Exception {
        if (scheduler.stopping()) {
            throw e;
        }
        job.retrying.retries().backoff(e, attempt);
    }

    // ---- hedges ----

    /**
     * Asks again for the bytes of a part its original request has not delivered yet, into the same place. Whichever
     * of the two completes first finishes the part; the other is abandoned. A hedge that fails just ends, unless the
     * original failed before it: then it reports the original's failure. Runs as a task of the scheduler's.
     */
    void hedge(Flight<Job> f, Flight.Lane lane) {
        Job job = f.job;
        boolean finish = false;
        Destination.Staging staging = null;
        try {
            // The hedge writes the same bytes as the original after those it has written, or, when the original is
            // a whole object's plain GET (whose answer may carry a checksum to verify: ranges never do), all of them.
            long from = f.plain ? 0 : f.progress;
            staging = destination.staging(true, 1);
            if (staging == null) {
                return; // no memory to spare: the original runs its course
            }
            counters.request(job, 1);
            if (request(f, lane, from, f.plain, 0, lane.waiting, null, System.nanoTime(), staging.buffer())) {
                counters.hedgesWon.incrementAndGet();
                finish = true;
            }
        } catch (Flight.Overtaken e) {
            // the original completed first
        } catch (Throwable t) {
            // The original carries on, with its own retries; its failure, if any, is the one to report.
        } finally {
            if (!finish) {
                Throwable deferred = f.hedgeEnded();
                if (deferred != null) {
                    job.fail(deferred);
                    finish = true;
                }
            }
            destination.release(staging);
            try {
                if (finish) {
                    destination.partFinished(job, scheduler.stopping());
                }
            } finally {
                scheduler.taskDone();
            }
        }
    }

    /** Races a probe's wait for its head with a second request; the first head wins, the other is aborted. */
    void headHedge(Flight<Job> f, Flight.Lane lane) {
        Job job = f.job;
        Body body = null;
        try {
            counters.request(job, 1);
            body = send(job, f.offset, f.length, lane.waiting);
            job.retrying.retries().answered(0);
            if (f.offer(body)) {
                body = null; // the probe reads it
                counters.hedgesWon.incrementAndGet();
            }
        } catch (Throwable e) {
            // the probe's own request carries on, with its retries
        } finally {
            closeQuietly(body);
        }
    }

    static void closeQuietly(Body body) {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // the connection is given up either way
            }
        }
    }

    /** A retryable failure that already delivered {@code received} bytes. */
    static final class Resumable extends StoreException {
        private static final long serialVersionUID = 1L;
        final long received;

        Resumable(StoreException cause, long received) {
            super(cause.url(), cause.status(), cause.retryable(), Retries.cause(cause), cause);
            this.received = received;
        }
    }
}
