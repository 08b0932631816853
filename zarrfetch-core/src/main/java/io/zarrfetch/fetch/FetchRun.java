package io.zarrfetch.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import io.zarrfetch.store.Abort;
import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Retries;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/**
 * One fetch in progress: poll its {@link #progress()}, {@link #await()} its report, or {@link #cancel()} it.
 *
 * <p>Inside, {@code concurrency} worker threads take tasks from one scheduler: parts of objects already started
 * come first (so their buffers are freed soonest), then new objects, each admitted only when its buffer fits in
 * the memory limit. Parts of one object land in one buffer (or at their offsets in one file); the worker that
 * finishes an object's last part hands it over.
 *
 * <p>With {@link HedgePolicy hedging} on, a watcher thread looks over the parts in flight a few times a second and
 * sends a straggler's missing bytes again on a thread of its own (a hedge); see {@link Flight}.
 */
public final class FetchRun {
    /**
     * Workers are platform threads: a worker blocked on a slow socket costs a kernel wake-up, where a virtual one
     * costs an unmount, a poller registration and a remount, which doubled the client's CPU on an S3-like link
     * (docs/decisions/0001-http-client.md). -Dzarrfetch.workers=virtual restores them, to repeat the measurement.
     */
    static final boolean PLATFORM_WORKERS = !"virtual".equals(System.getProperty("zarrfetch.workers"));
    private static final long WORKER_STACK = 512 * 1024;
    /** Objects read ahead of the workers from the input, so a slow listing rarely starves them. */
    private static final int READ_AHEAD = 10_000;
    /** The most a file-writing worker holds between the network and the file. */
    private static final int MAX_STAGING = 256 * 1024;

    private final FetchOptions options;
    private final BufferPool pool;
    private final Sink sink;
    private final FileTargets files;
    private final long startNanos = System.nanoTime();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    private final ArrayDeque<Part> parts = new ArrayDeque<>();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private boolean inputDone;
    private int activeTasks;
    private int deliveries;
    private boolean cancelled;
    private long endNanos;
    /** Requests to keep in flight now: fixed, or moved by the controller. */
    private int target;
    private int maxTarget;

    private volatile boolean stopping;
    private final Thread feeder;
    private final Thread controllerThread;
    /** Every worker started; as many are alive as the target asks (guarded by lock: liveWorkers, finished). */
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private int liveWorkers;
    private boolean finished;

    private final AtomicLong objectsSeen = new AtomicLong();
    private final AtomicLong bytesSeen = new AtomicLong();
    private final AtomicLong objectsDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final LongAdder bytesReceived = new LongAdder();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** The retries of the stores that have none of their own (the default policy, a budget for this run). */
    private final Map<Store, RetryingStore> bareStores = new ConcurrentHashMap<>();
    private final AtomicInteger requestsActive = new AtomicInteger();
    private final ConcurrentLinkedQueue<FetchFailure> failures = new ConcurrentLinkedQueue<>();

    // Hedging (docs/reliability.md): parts in flight, their recent pace, the hedges sent.
    private final HedgePolicy hedging;
    private final Set<Flight<Job>> flights = ConcurrentHashMap.newKeySet();
    private final Pace pace = new Pace();
    private final Thread hedger;
    private final List<Thread> hedgeThreads = new CopyOnWriteArrayList<>();
    private final AtomicInteger hedgesActive = new AtomicInteger();
    private final AtomicLong hedges = new AtomicLong();
    private final AtomicLong hedgesWon = new AtomicLong();

    FetchRun(FetchOptions options, BufferPool pool, Stream<FetchItem> items, Sink sink) {
        this.options = options;
        this.pool = pool;
        this.sink = sink;
        this.files = sink instanceof Sink.Files f ? new FileTargets(f.folder()) : null;
        this.feeder = Thread.ofVirtual().name("zarrfetch-input").unstarted(() -> feed(items));
        ConcurrencyController controller = options.adaptive()
                ? new ConcurrencyController(Math.min(FetchOptions.START_CONCURRENCY, options.concurrency()),
                        options.concurrency())
                : null;
        this.target = controller != null ? controller.target() : options.concurrency();
        this.maxTarget = target;
        this.controllerThread = controller == null ? null
                : Thread.ofVirtual().name("zarrfetch-concurrency").unstarted(() -> adapt(controller));
        this.hedging = options.hedging();
        this.hedger = hedging.enabled()
                ? Thread.ofVirtual().name("zarrfetch-hedger").unstarted(this::watchForStragglers) : null;
        pool.addReleaseListener(wakeUp);
        feeder.start();
        lock.lock();
        try {
            addWorkers();
        } finally {
            lock.unlock();
        }
        if (controllerThread != null) {
            controllerThread.start();
        }
        if (hedger != null) {
            hedger.start();
        }
    }

    /** Starts workers until as many are alive as the target asks. Called with the lock held. */
    private void addWorkers() {
        while (liveWorkers < target && !finished && !cancelled) {
            Thread w = (PLATFORM_WORKERS ? Thread.ofPlatform().daemon().stackSize(WORKER_STACK) : Thread.ofVirtual())
                    .name("zarrfetch-worker-" + workers.size()).unstarted(this::work);
            workers.add(w);
            liveWorkers++;
            w.start();
        }
    }

    /** Length of the windows over which adaptive concurrency measures throughput. */
    private static final long WINDOW_NANOS = 500_000_000L;

    /** Feeds the controller one throughput measurement a window until the fetch ends. */
    private void adapt(ConcurrencyController controller) {
        long lastBytes = bytesReceived.sum();
        long lastTime = System.nanoTime();
        try {
            while (!stopping) {
                Thread.sleep(java.time.Duration.ofNanos(WINDOW_NANOS)); // a sampling period
                long bytes = bytesReceived.sum();
                long now = System.nanoTime();
                int next = controller.onWindow((bytes - lastBytes) * 1e9 / Math.max(1, now - lastTime));
                lastBytes = bytes;
                lastTime = now;
                lock.lock();
                try {
                    if (next != target) {
                        target = next;
                        maxTarget = Math.max(maxTarget, next);
                        addWorkers();
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // the fetch is over
        }
    }

    /** Wakes workers waiting for memory when any fetch sharing the pool frees a buffer. */
    private final Runnable wakeUp = () -> {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    };

    /** What has happened so far. Cheap; call it as often as a progress display needs. */
    public FetchProgress progress() {
        boolean done;
        int concurrency;
        lock.lock();
        try {
            done = inputDone;
            concurrency = target;
        } finally {
            lock.unlock();
        }
        return new FetchProgress(objectsSeen.get(), done, objectsDone.get(), failures.size(), bytesSeen.get(),
                bytesReceived.sum(), requestsActive.get(), concurrency, pool.allocated());
    }

    /**
     * Waits until every object is delivered or failed, and returns the report.
     *
     * @throws InterruptedException if the waiting thread is interrupted; the fetch is cancelled before this returns
     */
    public FetchReport await() throws InterruptedException {
        try {
            feeder.join();
            joinWorkers();
            if (controllerThread != null) {
                controllerThread.interrupt();
                controllerThread.join();
                joinWorkers(); // any the controller started on its way out find nothing to do
            }
            if (hedger != null) {
                hedger.interrupt();
                hedger.join();
            }
            for (Thread t : hedgeThreads) {
                t.join(); // a probe's hedge whose wait was just aborted, ending
            }
            lock.lock();
            try {
                while (deliveries > 0) {
                    changed.await();
                }
                if (endNanos == 0) {
                    endNanos = System.nanoTime();
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            cancel();
            awaitStopped();
            throw e;
        } finally {
            pool.removeReleaseListener(wakeUp);
            if (controllerThread != null) {
                controllerThread.interrupt();
            }
            if (hedger != null) {
                hedger.interrupt();
            }
        }
        lock.lock();
        try {
            return new FetchReport(objectsDone.get(), bytesDone.get(), verified.get(), bytesReceived.sum(),
                    Duration.ofNanos(endNanos - startNanos), requests.get(), retries.get(), hedges.get(),
                    hedgesWon.get(), maxTarget, pool.peakAllocated(), List.copyOf(failures), cancelled);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for every worker started so far, also those started while waiting. */
    private void joinWorkers() throws InterruptedException {
        for (int i = 0; i < workers.size(); i++) {
            workers.get(i).join();
        }
    }

    /** Waits for the workers and hedges to stop, ignoring interrupts, so no file is left half-written. */
    private void awaitStopped() {
        boolean interrupted = false;
        List<Thread> all = new ArrayList<>(workers);
        all.addAll(hedgeThreads);
        for (int i = 0; i < all.size(); i++) {
            Thread t = all.get(i);
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the fetch: requests in flight are abandoned (their connections closed), partial files deleted, and
     * objects not yet delivered are left out of the report's deliveries. Returns at once; {@link #await()} returns
     * when everything has stopped.
     */
    public void cancel() {
        lock.lock();
        try {
            if (cancelled || (inputDone && activeTasks == 0 && waiting.isEmpty() && parts.isEmpty())) {
                return;
            }
            cancelled = true;
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        feeder.interrupt();
        workers.forEach(Thread::interrupt);
        hedgeThreads.forEach(Thread::interrupt);
        flights.forEach(Flight::abortAll); // what an interrupt cannot end: TLS connections (Apache's blocking I/O)
        if (hedger != null) {
            hedger.interrupt();
        }
    }

    // ---- input ----

    private void feed(Stream<FetchItem> items) {
        try (items) {
            Iterator<FetchItem> it = items.iterator();
            while (!stopping && it.hasNext()) {
                FetchItem item = it.next();
                Job job = new Job(item, retrying(item.store()));
                lock.lock();
                try {
                    while (waiting.size() >= READ_AHEAD && !cancelled) {
                        changed.await();
                    }
                    if (cancelled) {
                        return;
                    }
                    waiting.add(job);
                    objectsSeen.incrementAndGet();
                    if (item.object().sizeKnown()) {
                        bytesSeen.addAndGet(item.object().size());
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // cancelled
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            String url = cause instanceof StoreException se ? se.url() : "input";
            failures.add(new FetchFailure(url, null, 1, cause));
        } catch (RuntimeException e) {
            if (!stopping) {
                failures.add(new FetchFailure("input", null, 1, e));
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

    // ---- scheduling ----

    /** The next part to fetch, waiting as needed; {@code null} when there is nothing left or the run stopped. */
    private Part next() {
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
                Part p = parts.poll();
                if (p == null) {
                    Job j = waiting.peek();
                    if (j != null) {
                        p = admit(j);
                        if (p != null || j.failure != null) {
                            waiting.poll();
                            changed.signalAll(); // the input may add more
                        }
                        if (p == null && j.failure != null) {
                            recordFailure(j);
                            continue;
                        }
                    } else if (inputDone && activeTasks == 0) {
                        finished = true;
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
     * The first part of a new object, with its buffer when it needs one; {@code null} when its buffer does not
     * fit now, or when the object cannot be fetched at all (then {@code job.failure} says why).
     */
    private Part admit(Job job) {
        ObjectInfo o = job.item.object();
        if (!o.sizeKnown()) {
            job.partsOpen.set(1);
            return new Part(job, 0, 0, options.partSize(), true);
        }
        long size = o.size();
        if (files == null) {
            if (!pool.fits(size)) {
                job.failure = tooLarge(job, size);
                return null;
            }
            job.buffer = pool.tryAcquire(size);
            if (job.buffer == null) {
                return null;
            }
        }
        job.size = size;
        job.partCount = partCount(size);
        job.partsOpen.set(job.partCount);
        return new Part(job, 0, 0, Math.min(size, options.partSize()), false);
    }

    private int partCount(long size) {
        return (int) Math.max(1, (size + options.partSize() - 1) / options.partSize());
    }

    private StoreException tooLarge(Job job, long size) {
        return new StoreException(job.item.url(), 0, false, "the object is " + size + " bytes, more than the "
                + pool.limit() + "-byte memory limit: raise the memory limit or write it to a file");
    }

    /** Queues parts 1.. of a started object. */
    private void enqueueRest(Job job) {
        lock.lock();
        try {
            for (int i = 1; i < job.partCount; i++) {
                long offset = i * options.partSize();
                parts.add(new Part(job, i, offset, Math.min(options.partSize(), job.size - offset), false));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void taskDone() {
        lock.lock();
        try {
            activeTasks--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- work ----

    private void work() {
        ByteBuffer staging = null;
        boolean pooled = false;
        try {
            if (files != null) {
                long size = Math.max(4096, Math.min(MAX_STAGING, pool.limit() / (2L * options.concurrency())));
                staging = pool.tryAcquire(size);
                pooled = staging != null;
                if (!pooled) {
                    staging = ByteBuffer.allocate((int) size); // other fetches hold the limit: small, and once
                }
            }
            Part part;
            while ((part = next()) != null) {
                try {
                    run(part, staging);
                } catch (Throwable t) {
                    part.job.fail(t);
                    partFinished(part.job);
                } finally {
                    taskDone();
                }
            }
            abandonQueuedParts();
        } finally {
            if (pooled) {
                pool.release(staging);
            }
        }
    }

    /**
     * After a cancel, ends the objects whose remaining parts no worker will run: without this, an object with parts
     * still queued never finishes, and keeps its partial file and its buffer. Each worker does it on its way out, so
     * it is done when {@link #await()} has joined them.
     */
    private void abandonQueuedParts() {
        while (true) {
            Part p;
            lock.lock();
            try {
                if (!cancelled) {
                    return;
                }
                p = parts.poll();
            } finally {
                lock.unlock();
            }
            if (p == null) {
                return;
            }
            partFinished(p.job);
        }
    }

    private void run(Part part, ByteBuffer staging) throws Exception {
        Job job = part.job;
        if (part.probe) {
            probe(part, staging);
            return;
        }
        if (part.index == 0) {
            if (files != null) {
                try {
                    job.file = files.open(job.item, job.size);
                } catch (Exception e) {
                    job.fail(e); // the other parts still run their course, skipping, so the object completes
                }
            }
            if (job.partCount > 1) {
                enqueueRest(job);
            }
        }
        if (job.failure == null && !stopping
                && !transfer(job, part.offset, part.length, staging, null, 0, job.partCount == 1)) {
            return; // a hedge overtook this request and finishes the part
        }
        partFinished(job);
    }

    /**
     * The first request for an object of unknown size: a ranged GET of the first part, whose answer tells the size
     * and so the remaining parts.
     */
    private void probe(Part part, ByteBuffer staging) throws Exception {
        Job job = part.job;
        long sent = System.nanoTime();
        Body body = open(job, 0, options.partSize());
        boolean handedOver = false;
        try {
            long total = body.objectSize();
            boolean whole = total >= 0 && body.offset() == 0 && body.length() >= total;
            if (total < 0 && body.length() >= 0 && body.length() < options.partSize()) {
                total = body.length(); // a short answer to "bytes=0-" ends the object
                whole = true;
            }
            if (total < 0) {
                // The server told no size: read it in one plain GET, to its end.
                body.close();
                body = open(job, 0, ObjectInfo.UNKNOWN_SIZE);
                total = body.length();
                whole = true;
            }
            if (total < 0) {
                readUnknownLength(job, body, staging);
                handedOver = true;
                return;
            }
            job.size = total;
            job.etag = job.etag != null ? job.etag : body.etag();
            if (files == null) {
                if (!pool.fits(total)) {
                    throw tooLarge(job, total);
                }
                job.buffer = pool.tryAcquire(total);
                if (job.buffer == null) {
                    // No room now: give the connection up and queue the object again, its size known, at the front.
                    body.close();
                    requeue(job);
                    handedOver = true;
                    return;
                }
            } else {
                job.file = files.open(job.item, total);
            }
            job.partCount = whole ? 1 : partCount(total);
            if (job.partCount > 1) {
                job.partsOpen.addAndGet(job.partCount - 1);
                enqueueRest(job);
            }
            handedOver = true;
            if (!transfer(job, 0, Math.min(total, whole ? total : options.partSize()), staging, body, sent, whole)) {
                return; // a hedge overtook this request and finishes the part
            }
        } finally {
            if (!handedOver) {
                body.close();
            }
        }
        partFinished(job);
    }

    private void requeue(Job job) {
        ObjectInfo o = job.item.object();
        Job again = new Job(new FetchItem(job.item.store(), new ObjectInfo(o.key(), job.size, job.etag),
                job.item.name()), job.retrying);
        again.attempts.set(job.attempts.get());
        lock.lock();
        try {
            waiting.addFirst(again);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Opens a body, retrying what may pass. */
    private Body open(Job job, long offset, long length) throws Exception {
        // Watched like a part's request: a hedge may race this wait for a head (but not the body, whose size is
        // not known yet), and hand its answer over.
        Flight<Job> flight = new Flight<>(job, offset, length, true);
        flights.add(flight);
        try {
            for (int attempt = 1; ; attempt++) {
                countRequest(job, attempt);
                try {
                    long sent = System.nanoTime();
                    Body body = job.retrying.store().get(job.item.object().key(), offset, length, null,
                            flight.attempt(sent, 0));
                    job.retrying.retries().answered();
                    pace.add(System.nanoTime() - sent);
                    return flight.headArrived(body);
                } catch (StoreException e) {
                    Body handed = flight.takeHandoff();
                    if (handed != null) {
                        return handed; // a hedge's head came first, and this wait was aborted
                    }
                    backoffOrThrow(job, e, attempt);
                }
            }
        } finally {
            flights.remove(flight);
            flight.closeOut();
        }
    }

    /** Where a store's requests are retried: its own retries, or the run's default ones for a bare store. */
    private RetryingStore retrying(Store store) {
        return store instanceof RetryingStore r ? r
                : bareStores.computeIfAbsent(store, s -> RetryingStore.wrap(s, RetryPolicy.defaults()));
    }

    private void countRequest(Job job, int attempt) {
        requests.incrementAndGet();
        job.attempts.incrementAndGet();
        if (attempt > 1) {
            retries.incrementAndGet();
        }
    }

    /** Waits before the next attempt of a request, or throws when there is to be none (see {@link Retries}). */
    private void backoffOrThrow(Job job, StoreException e, int attempt) throws Exception {
        if (stopping) {
            throw e;
        }
        job.retrying.retries().backoff(e, attempt);
    }

    /**
     * The ETag to send as If-Match when reading more of an object: the one first seen, unless weak (a weak ETag
     * never matches If-Match's strong comparison; those are compared after the answer instead).
     */
    private static String ifMatch(Job job) {
        String etag = job.etag;
        return etag != null && !etag.startsWith("W/") ? etag : null;
    }

    /**
     * Reads bytes [offset, offset+length) of an object into its buffer or file, retrying from the last received
     * byte when a retryable failure cuts it short.
     *
     * @param first an already opened body for this range, or {@code null}
     * @param firstSent when the request for {@code first} was sent ({@link System#nanoTime()})
     * @param plain whether a first request should be a plain GET (the whole object in one part)
     * @return whether the caller finishes the part; {@code false} when a hedge of this request completed it first,
     *     or took over its failure, and so finishes it itself
     */
    private boolean transfer(Job job, long offset, long length, ByteBuffer staging, Body first, long firstSent,
            boolean plain) throws Exception {
        if (length == 0) {
            if (first != null) {
                first.close();
            }
            return true;
        }
        Flight<Job> flight = new Flight<>(job, offset, length);
        flights.add(flight);
        try {
            return transfer(job, flight, offset, length, staging, first, firstSent, plain);
        } catch (Exception e) {
            if (flight.defer(e)) {
                return false; // the hedge still running reports it if it fails too
            }
            throw e;
        } finally {
            flights.remove(flight);
        }
    }

    private boolean transfer(Job job, Flight<Job> flight, long offset, long length, ByteBuffer staging, Body first,
            long firstSent, boolean plain) throws Exception {
        Flight.Lane lane = flight.original;
        long done = 0;
        Body body = first;
        for (int attempt = 1; ; attempt++) {
            if (flight.over) {
                return false; // the hedge completed the part while this request waited to be retried
            }
            if (body == null) {
                countRequest(job, attempt);
            }
            requestsActive.incrementAndGet();
            try {
                long base = job.item.ranged() ? job.item.offset() : 0;
                boolean requested = body == null; // else the probe's, whose wait for its head open() timed
                long sent = requested ? System.nanoTime() : firstSent;
                Abort abort = flight.attempt(sent, done);
                if (requested) {
                    boolean whole = plain && done == 0 && !job.item.ranged();
                    flight.plain = whole;
                    body = job.retrying.store().get(job.item.object().key(), base + offset + done,
                            whole ? ObjectInfo.UNKNOWN_SIZE : length - done, ifMatch(job), abort);
                }
                long head = System.nanoTime();
                if (!flight.reading(lane, body)) {
                    return false; // overtaken while waiting for this answer
                }
                check(job, body, base + offset + done, length - done);
                done += copy(job, body, offset + done, length - done, staging, flight, lane);
                job.retrying.retries().answered();
                if (requested) {
                    pace.add(head - sent);
                }
                return flight.complete(lane);
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
                if (e.status() == 412) {
                    throw new StoreException(job.item.url(), 412, false, "the object changed while it was fetched "
                            + "(the server no longer has ETag " + job.etag + ": HTTP 412 Precondition Failed)", e);
                }
                backoffOrThrow(job, e, attempt);
            } finally {
                requestsActive.decrementAndGet();
                if (body != null) {
                    flight.idle(lane); // before the close: an abort must never reach a connection given back
                    body.close();
                    body = null;
                }
            }
        }
    }

    // ---- hedging ----

    /** Looks over the parts in flight a few times a second and hedges the stragglers, as the policy allows. */
    private void watchForStragglers() {
        long period = Math.clamp(hedging.minDelay().toNanos() / 4, 10_000_000L, 100_000_000L);
        try {
            while (!stopping) {
                Thread.sleep(Duration.ofNanos(period)); // a sampling period, like the concurrency controller's
                long now = System.nanoTime();
                for (Flight<Job> f : flights) {
                    if (!mayHedge()) {
                        break;
                    }
                    if (f.attemptStart == 0 || !f.hedgeable()) {
                        continue;
                    }
                    if (pace.straggler(hedging, now - f.quietSince(now))) {
                        if (f.headOnly) {
                            startHeadHedge(f);
                        } else {
                            startHedge(f);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            // the fetch is over
        }
    }

    /** Whether the share of hedges in flight and in all leaves room for another. */
    private boolean mayHedge() {
        int target;
        lock.lock();
        try {
            target = this.target;
        } finally {
            lock.unlock();
        }
        return hedgesActive.get() < Math.max(1, (int) (hedging.maxShare() * target))
                && hedges.get() < 1 + hedging.maxShare() * requests.get();
    }

    private void startHedge(Flight<Job> f) {
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            activeTasks++; // so the run cannot end while a hedge may still finish a part
        } finally {
            lock.unlock();
        }
        Flight.Lane lane = f.startHedge();
        if (lane == null) {
            taskDone();
            return;
        }
        launch(() -> hedge(f, lane));
    }

    /** Races a probe's wait for its head with a second request; the first head wins, the other is aborted. */
    private void startHeadHedge(Flight<Job> f) {
        Flight.Lane lane = f.startHedge();
        if (lane == null) {
            return;
        }
        launch(() -> {
            Job job = f.job;
            Body body = null;
            try {
                countRequest(job, 1);
                body = job.retrying.store().get(job.item.object().key(), f.offset, f.length, null, lane.waiting);
                job.retrying.retries().answered();
                if (f.offer(body)) {
                    body = null; // the probe reads it
                    hedgesWon.incrementAndGet();
                }
            } catch (Throwable e) {
                // the probe's own request carries on, with its retries
            } finally {
                closeQuietly(body);
            }
        });
    }

    /** Runs a hedge on a thread of its own, counted while it runs and joined by {@link #await()} if still running. */
    private void launch(Runnable hedge) {
        hedgesActive.incrementAndGet();
        hedges.incrementAndGet();
        Thread t = Thread.ofVirtual().name("zarrfetch-hedge").unstarted(() -> {
            try {
                hedge.run();
            } finally {
                hedgesActive.decrementAndGet();
                hedgeThreads.remove(Thread.currentThread()); // a long run keeps only the hedges in flight
            }
        });
        hedgeThreads.add(t);
        t.start();
    }

    private static void closeQuietly(Body body) {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // the connection is given up either way
            }
        }
    }

    /**
     * Asks again for the bytes of a part its original request has not delivered yet, into the same buffer or file.
     * Whichever of the two completes first finishes the part; the other is abandoned. A hedge that fails just ends,
     * unless the original failed before it: then it reports the original's failure.
     */
    private void hedge(Flight<Job> f, Flight.Lane lane) {
        Job job = f.job;
        ByteBuffer staging = null;
        boolean finish = false;
        Body body = null;
        requestsActive.incrementAndGet();
        try {
            // The hedge writes the same bytes as the original after those it has written, or, when the original is
            // a whole object's plain GET (whose answer may carry a checksum to verify: ranges never do), all of them.
            long from = f.plain ? 0 : f.progress;
            if (files != null) {
                staging = pool.tryAcquire(Math.max(4096, Math.min(MAX_STAGING, pool.limit() / 64)));
                if (staging == null) {
                    return; // no memory to spare: the original runs its course
                }
            }
            countRequest(job, 1);
            long base = job.item.ranged() ? job.item.offset() : 0;
            long sent = System.nanoTime();
            body = job.retrying.store().get(job.item.object().key(), base + f.offset + from,
                    f.plain ? ObjectInfo.UNKNOWN_SIZE : f.length - from, ifMatch(job), lane.waiting);
            long head = System.nanoTime();
            if (!f.reading(lane, body)) {
                return;
            }
            check(job, body, base + f.offset + from, f.length - from);
            copy(job, body, f.offset + from, f.length - from, staging, f, lane);
            job.retrying.retries().answered();
            pace.add(head - sent);
            if (f.complete(lane)) {
                hedgesWon.incrementAndGet();
                finish = true;
            }
        } catch (Flight.Overtaken e) {
            // the original completed first
        } catch (Throwable t) {
            // The original carries on, with its own retries; its failure, if any, is the one to report.
        } finally {
            requestsActive.decrementAndGet();
            if (body != null) {
                f.idle(lane); // before the close: an abort must never reach a connection given back
            }
            closeQuietly(body);
            if (!finish) {
                Throwable deferred = f.hedgeEnded();
                if (deferred != null) {
                    job.fail(deferred);
                    finish = true;
                }
            }
            if (staging != null) {
                pool.release(staging);
            }
            try {
                if (finish) {
                    partFinished(job);
                }
            } finally {
                taskDone();
            }
        }
    }

    /** Checks that a body carries the asked-for bytes of the same version of the object. */
    private void check(Job job, Body body, long offset, long length) throws StoreException {
        String url = job.item.url();
        if (!job.item.ranged() && body.objectSize() >= 0 && body.objectSize() != job.size) {
            throw new StoreException(url, 0, false, "the object is now " + body.objectSize() + " bytes, not "
                    + job.size + ": it changed since it was listed or first read");
        }
        if (body.offset() != offset || (body.length() >= 0 && body.length() < length)) {
            throw new StoreException(url, 0, true, "asked for " + length + " bytes at " + offset + ", got "
                    + body.length() + " at " + body.offset());
        }
        long total = body.objectSize();
        if (job.item.ranged() && total >= 0 && !job.total.compareAndSet(ObjectInfo.UNKNOWN_SIZE, total)
                && job.total.get() != total) {
            throw new StoreException(url, 0, false, "the object changed while it was fetched (it was "
                    + job.total.get() + " bytes, now " + total + ")");
        }
        String etag = body.etag();
        if (etag != null) {
            if (job.etag == null) {
                job.etag = etag;
            } else if (!job.etag.equals(etag)) {
                throw new StoreException(url, 0, false, "the object changed while it was fetched (ETag " + job.etag
                        + " became " + etag + ")");
            }
        }
    }

    /**
     * Copies {@code length} bytes of a body to the object's buffer or file at {@code offset}. On failure, the
     * bytes received before it count: {@link Job#resumeFrom} keeps track for the retry.
     */
    private long copy(Job job, Body body, long offset, long length, ByteBuffer staging, Flight<Job> flight,
            Flight.Lane lane) throws IOException {
        long got = 0;
        try {
            if (files == null) {
                ByteBuffer dst = job.buffer.slice((int) offset, (int) length);
                while (dst.hasRemaining()) {
                    if (stopping) {
                        throw cancelled(job);
                    }
                    int n = body.read(dst);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                    bytesReceived.add(n);
                    flight.wrote(lane, offset + got);
                }
            } else {
                while (got < length) {
                    if (stopping) {
                        throw cancelled(job);
                    }
                    staging.clear().limit((int) Math.min(staging.capacity(), length - got));
                    int n = body.read(staging);
                    if (n < 0) {
                        break;
                    }
                    bytesReceived.add(n);
                    staging.flip();
                    job.file.write(staging, offset + got);
                    got += n;
                    flight.wrote(lane, offset + got);
                }
            }
        } catch (StoreException e) {
            if (flight.over) {
                throw Flight.OVERTAKEN; // the other request completed the part and closed this one's connection
            }
            // Bytes that failed their checksum, or were cut before it could be checked, are not kept: the retry
            // reads the body again from its first byte, which for a checked body (a whole object) is byte 0.
            // Retried, not failed: damage on the way may not recur, and an object stored damaged still fails,
            // after its attempts, naming both checksums (docs/reliability.md).
            throw new Resumable(e, Retries.kept(e, got));
        }
        if (body.verified()) {
            job.verified = true;
        }
        if (got < length) {
            throw new Resumable(new StoreException(job.item.url(), 0, true,
                    "the answer ended after " + got + " of " + length + " bytes"), got);
        }
        return got;
    }

    private static StoreException cancelled(Job job) {
        return new StoreException(job.item.url(), 0, false, "cancelled");
    }

    /** Reads a body of unknown length (no Content-Length, no size) to its end. */
    private void readUnknownLength(Job job, Body body, ByteBuffer staging) throws Exception {
        job.partCount = 1;
        requestsActive.incrementAndGet();
        try (body) {
            long got = 0;
            if (files == null) {
                job.buffer = acquireOrFail(job, options.partSize());
                while (true) {
                    if (stopping) {
                        throw cancelled(job);
                    }
                    if (!job.buffer.hasRemaining()) {
                        long grown = (long) job.buffer.capacity() * 2;
                        ByteBuffer bigger = pool.fits(grown) ? pool.tryAcquire(grown) : null;
                        if (bigger == null) {
                            throw tooLarge(job, got + 1);
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
                    bytesReceived.add(n);
                }
                job.size = got;
            } else {
                job.file = files.open(job.item, ObjectInfo.UNKNOWN_SIZE);
                while (true) {
                    if (stopping) {
                        throw cancelled(job);
                    }
                    staging.clear();
                    int n = body.read(staging);
                    if (n < 0) {
                        break;
                    }
                    bytesReceived.add(n);
                    staging.flip();
                    job.file.write(staging, got);
                    got += n;
                }
                job.size = got;
            }
            job.verified = body.verified();
        } finally {
            requestsActive.decrementAndGet();
        }
        partFinished(job);
    }

    private ByteBuffer acquireOrFail(Job job, long size) throws StoreException {
        ByteBuffer b = pool.tryAcquire(size);
        if (b == null) {
            throw new StoreException(job.item.url(), 0, true, "no buffer space left for an object of unknown size");
        }
        return b.limit(b.capacity());
    }

    // ---- completion ----

    private void partFinished(Job job) {
        if (job.partsOpen.decrementAndGet() != 0) {
            return;
        }
        if (job.failure == null && stopping) {
            job.fail(cancelled(job));
        }
        if (job.failure != null) {
            discard(job);
            recordFailure(job);
            return;
        }
        if (files != null) {
            try {
                job.file.commit(job.size);
                delivered(job);
            } catch (Exception e) {
                job.fail(e);
                discard(job);
                recordFailure(job);
            }
            return;
        }
        deliver(job);
    }

    private void deliver(Job job) {
        Sink.ObjectConsumer consumer = ((Sink.View) sink).consumer();
        ByteBuffer view = job.buffer.slice(0, (int) job.size).asReadOnlyBuffer();
        lock.lock();
        try {
            deliveries++;
        } finally {
            lock.unlock();
        }
        // Deliver on a thread of its own so this worker's connection goes straight back to fetching.
        Thread.ofVirtual().name("zarrfetch-deliver").start(() -> {
            try {
                consumer.accept(job.item, view);
                delivered(job);
            } catch (Throwable t) {
                // A consumer's own IOException (a decoder's, say) already says what went wrong.
                job.fail(new IOException(job.item.url() + ": " + (t instanceof IOException ? t.getMessage()
                        : "the consumer failed: " + t), t));
                recordFailure(job);
            } finally {
                pool.release(job.buffer);
                job.buffer = null;
                lock.lock();
                try {
                    deliveries--;
                    if (deliveries == 0 && inputDone && activeTasks == 0 && waiting.isEmpty() && parts.isEmpty()) {
                        endNanos = System.nanoTime();
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    private void delivered(Job job) {
        objectsDone.incrementAndGet();
        bytesDone.addAndGet(job.size);
        if (job.verified) {
            verified.incrementAndGet();
        }
    }

    private void discard(Job job) {
        if (job.buffer != null) {
            pool.release(job.buffer);
            job.buffer = null;
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (job.file != null) {
            job.file.abandon();
        }
    }

    private void recordFailure(Job job) {
        Throwable cause = job.failure instanceof Resumable r ? r.getCause() : job.failure;
        failures.add(new FetchFailure(job.item.url(), job.item.name(), Math.max(1, job.attempts.get()), cause));
    }

    // ---- state ----

    /** One object being fetched. */
    private static final class Job {
        final FetchItem item;
        final AtomicInteger partsOpen = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        volatile long size = ObjectInfo.UNKNOWN_SIZE;
        volatile String etag;
        /** The whole object's size as first answered, for ranged items (whose size is the range's). */
        final AtomicLong total = new AtomicLong(ObjectInfo.UNKNOWN_SIZE);
        volatile int partCount;
        volatile ByteBuffer buffer;
        volatile FileTargets.Target file;
        volatile Throwable failure;
        /** Whether the object's bytes matched the checksum its server sent. */
        volatile boolean verified;

        /** Where the object's requests go: its store, through the retries they all share. */
        final RetryingStore retrying;

        Job(FetchItem item, RetryingStore retrying) {
            this.item = item;
            this.retrying = retrying;
            this.etag = item.object().etag();
        }

        synchronized void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }
    }

    /** A range of one object to fetch; {@code probe} when the object's size is not known yet. */
    private record Part(Job job, int index, long offset, long length, boolean probe) {
    }

    /** A retryable failure that already delivered {@code received} bytes. */
    private static final class Resumable extends StoreException {
        private static final long serialVersionUID = 1L;
        final long received;

        Resumable(StoreException cause, long received) {
            super(cause.url(), cause.status(), cause.retryable(), Retries.cause(cause), cause);
            this.received = received;
        }
    }
}
