package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * One fetch in progress: poll its {@link #progress()}, {@link #await()} its report, or {@link #cancel()} it.
 *
 * <p>Inside, a run is a few rooms, each with its own tests: the {@link Scheduler} feeds the input in and hands parts
 * to up to {@code concurrency} {@link Worker} threads (parts of objects already started first, then new objects as
 * their buffers fit in the memory limit; objects that changed again from their first byte); a {@link Transfer} sends,
 * checks, copies, retries and resumes each part's requests into the {@link Destination} (pooled buffers handed to a
 * consumer, files, or parts written in order to a stream); with
 * {@link HedgePolicy hedging} on, the {@link Hedger} sends a straggler's missing bytes again ({@link Flight}); the
 * {@link RunCounters} count what happens. This class starts their threads and ends them.
 */
public final class FetchRun {
    /**
     * Workers are platform threads: a worker blocked on a slow socket costs a kernel wake-up, where a virtual one
     * costs an unmount, a poller registration and a remount, which doubled the client's CPU on an S3-like link
     * (docs/decisions/0001-http-client.md). -Dzarrfetch.workers=virtual restores them, to repeat the measurement.
     */
    static final boolean PLATFORM_WORKERS = !"virtual".equals(System.getProperty("zarrfetch.workers"));
    private static final long WORKER_STACK = 512 * 1024;
    /** Length of the windows over which adaptive concurrency measures throughput. */
    private static final long WINDOW_NANOS = 500_000_000L;

    private final BufferPool pool;
    private final long startNanos = System.nanoTime();
    private final RunCounters counters = new RunCounters();
    private final Scheduler scheduler;
    private final Destination destination;
    private final Transfer transfer;
    private final Worker worker;
    private final Hedger hedger;
    private final Thread feeder;
    private final Thread controllerThread;
    private final Thread hedgerThread;
    /** Every worker started; as many are alive as the scheduler's target asks. */
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Runnable wakeUp;

    FetchRun(FetchOptions options, BufferPool pool, Stream<FetchItem> items, Sink sink) {
        this.pool = pool;
        ConcurrencyController controller = options.adaptive()
                ? new ConcurrencyController(Math.min(FetchOptions.START_CONCURRENCY, options.concurrency()),
                        options.concurrency())
                : null;
        int target = controller != null ? controller.target() : options.concurrency();
        this.destination = Destination.of(sink, pool, counters, options.partSize());
        this.scheduler = new Scheduler(destination.partSize(), target, destination, counters);
        destination.onChange(scheduler::restart);
        this.transfer = new Transfer(destination, scheduler, counters);
        this.worker = new Worker(options, scheduler, transfer, destination);
        this.hedger = options.hedging().enabled() ? new Hedger(options.hedging(), transfer, scheduler, counters)
                : null;
        this.feeder = Thread.ofVirtual().name("zarrfetch-input").unstarted(() -> scheduler.feed(items,
                transfer::job));
        this.controllerThread = controller == null ? null
                : Thread.ofVirtual().name("zarrfetch-concurrency").unstarted(() -> adapt(controller));
        this.hedgerThread = hedger == null ? null
                : Thread.ofVirtual().name("zarrfetch-hedger").unstarted(hedger::watch);
        this.wakeUp = () -> { // a buffer freed by any fetch sharing the pool may let an object or a part in
            scheduler.wakeUp();
            destination.roomFreed();
        };
        pool.addReleaseListener(wakeUp);
        feeder.start();
        startWorkers(scheduler.workersToStart());
        if (controllerThread != null) {
            controllerThread.start();
        }
        if (hedgerThread != null) {
            hedgerThread.start();
        }
    }

    private void startWorkers(int n) {
        for (int i = 0; i < n; i++) {
            Thread w = (PLATFORM_WORKERS ? Thread.ofPlatform().daemon().stackSize(WORKER_STACK) : Thread.ofVirtual())
                    .name("zarrfetch-worker-" + workers.size()).unstarted(worker::work);
            workers.add(w);
            w.start();
        }
    }

    /** Feeds the controller one throughput measurement a window until the fetch ends. */
    private void adapt(ConcurrencyController controller) {
        long lastBytes = counters.bytesReceived.sum();
        long lastTime = System.nanoTime();
        try {
            while (!scheduler.stopping()) {
                Thread.sleep(Duration.ofNanos(WINDOW_NANOS)); // a sampling period
                long bytes = counters.bytesReceived.sum();
                long now = System.nanoTime();
                int next = controller.onWindow((bytes - lastBytes) * 1e9 / Math.max(1, now - lastTime));
                lastBytes = bytes;
                lastTime = now;
                startWorkers(scheduler.retarget(next));
            }
        } catch (InterruptedException e) {
            // the fetch is over
        }
    }

    /** What has happened so far. Cheap; call it as often as a progress display needs. */
    public FetchProgress progress() {
        return counters.progress(scheduler.inputDone(), scheduler.target(), pool.allocated());
    }

    /**
     * Waits until every object is delivered or failed, and returns the report.
     *
     * @throws InterruptedException if the waiting thread is interrupted; the fetch is cancelled before this returns
     */
    public FetchReport await() throws InterruptedException {
        long end;
        try {
            feeder.join();
            joinWorkers();
            if (controllerThread != null) {
                controllerThread.interrupt();
                controllerThread.join();
                joinWorkers(); // any the controller started on its way out find nothing to do
            }
            if (hedgerThread != null) {
                hedgerThread.interrupt();
                hedgerThread.join();
            }
            for (Thread t : hedges()) {
                t.join(); // a probe's hedge whose wait was just aborted, ending
            }
            destination.awaitHandedOver();
            // The run ended when its last task did, or its last delivery, whichever came later; a cancelled run
            // when it has stopped.
            long finished = scheduler.finishedAt();
            end = finished == 0 ? System.nanoTime() : Math.max(finished, destination.lastHandedOver());
        } catch (InterruptedException e) {
            cancel();
            awaitStopped();
            throw e;
        } finally {
            pool.removeReleaseListener(wakeUp);
            if (controllerThread != null) {
                controllerThread.interrupt();
            }
            if (hedgerThread != null) {
                hedgerThread.interrupt();
            }
        }
        return counters.report(Duration.ofNanos(end - startNanos), scheduler.maxTarget(), destination.partSize(),
                pool.peakAllocated(), scheduler.cancelled());
    }

    private List<Thread> hedges() {
        return hedger == null ? List.of() : hedger.threads();
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
        all.addAll(hedges());
        for (Thread t : all) {
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
        if (!scheduler.cancel()) {
            return;
        }
        destination.stop();
        feeder.interrupt();
        workers.forEach(Thread::interrupt);
        hedges().forEach(Thread::interrupt);
        transfer.flights.forEach(Flight::abortAll); // what an interrupt cannot end: TLS connections (blocking I/O)
        if (hedgerThread != null) {
            hedgerThread.interrupt();
        }
    }
}
