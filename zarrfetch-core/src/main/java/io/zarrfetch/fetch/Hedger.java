package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Straggler hedging for a run (see {@link HedgePolicy}): a watcher looks over the requests in flight a few times a
 * second and, for one that has received nothing for much longer than its peers waited for a head, sends its
 * missing bytes again on a thread of its own, within the policy's rations. The race between a request and its hedge
 * is {@link Flight}'s; the hedge's request is {@link Transfer#hedge} (or {@link Transfer#headHedge} for a probe's
 * wait for its head).
 */
final class Hedger {
    private final HedgePolicy policy;
    private final Transfer transfer;
    private final Scheduler scheduler;
    private final RunCounters counters;
    /** Hedges running, joined by {@link FetchRun#await()}; each leaves the list as it ends. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    Hedger(HedgePolicy policy, Transfer transfer, Scheduler scheduler, RunCounters counters) {
        this.policy = policy;
        this.transfer = transfer;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** Looks over the requests in flight a few times a second and hedges the stragglers, until interrupted. */
    void watch() {
        long period = Math.clamp(policy.minDelay().toNanos() / 4, 10_000_000L, 100_000_000L);
        try {
            while (!scheduler.stopping()) {
                Thread.sleep(Duration.ofNanos(period)); // a sampling period, like the concurrency controller's
                long now = System.nanoTime();
                for (Flight<Job> f : transfer.flights) {
                    if (!mayHedge()) {
                        break;
                    }
                    if (f.attemptStart == 0 || !f.hedgeable()) {
                        continue;
                    }
                    if (transfer.pace.straggler(policy, now - f.quietSince(now))) {
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
    boolean mayHedge() {
        return mayHedge(policy, counters.hedgesActive.get(), counters.hedges.get(), counters.requests.get(),
                scheduler.target());
    }

    /**
     * The rations: at most {@code maxShare} of the requests in flight at once (at least one), and at most
     * {@code maxShare} of the run's requests in all (plus one).
     */
    static boolean mayHedge(HedgePolicy policy, int active, long hedges, long requests, int target) {
        return active < Math.max(1, (int) (policy.maxShare() * target)) && hedges < 1 + policy.maxShare() * requests;
    }

    private void startHedge(Flight<Job> f) {
        if (!scheduler.taskStarted()) {
            return; // cancelled
        }
        Flight.Lane lane = f.startHedge();
        if (lane == null) {
            scheduler.taskDone();
            return;
        }
        launch(() -> transfer.hedge(f, lane));
    }

    private void startHeadHedge(Flight<Job> f) {
        Flight.Lane lane = f.startHedge();
        if (lane != null) {
            launch(() -> transfer.headHedge(f, lane));
        }
    }

    /** Runs a hedge on a thread of its own, counted while it runs. */
    private void launch(Runnable hedge) {
        counters.hedgesActive.incrementAndGet();
        counters.hedges.incrementAndGet();
        Thread t = Thread.ofVirtual().name("zarrfetch-hedge").unstarted(() -> {
            try {
                hedge.run();
            } finally {
                counters.hedgesActive.decrementAndGet();
                threads.remove(Thread.currentThread()); // a long run keeps only the hedges in flight
            }
        });
        threads.add(t);
        t.start();
    }

    /** The hedges still running. */
    List<Thread> threads() {
        return threads;
    }
}
