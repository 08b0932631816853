package io.zarrfetch.fetch;

import java.io.IOException;

import io.zarrfetch.store.Abort;
import io.zarrfetch.store.Body;

/**
 * One part's request in flight, watched for being a straggler, and its hedge once one is sent. The two ask for
 * the same version of the object and write the same bytes to the same place (the hedge from where the original
 * had got to), so whichever completes first has the part complete. The winner aborts the other's connection and
 * waits until it has stopped writing before it finishes the part, so nothing writes into a buffer or file after
 * it was handed over.
 */
final class Flight<J> {
    final J job;
    final long offset;
    final long length;
    /** A probe's wait for its head: a hedge only races the head, and hands its body over. */
    final boolean headOnly;
    final Lane original = new Lane();
    /** Set once: by the lane that completed the part, or by a hedge reporting the original's failure. */
    volatile boolean over;
    volatile boolean hedged;
    /** Whether the original's current request is a plain GET of the whole object. */
    volatile boolean plain;
    /** When the original's current attempt was sent ({@link System#nanoTime()}). */
    volatile long attemptStart;
    /** Bytes of the part the original has written, from the part's start. */
    volatile long progress;
    // The watcher's own view (its thread only): the attempt and progress it saw last, and since when.
    private long seenAttempt;
    private long seenProgress;
    private long seenSince;
    // Guarded by this:
    private Lane hedge;
    private Throwable deferred;
    private Body handoff;

    Flight(J job, long offset, long length) {
        this(job, offset, length, false);
    }

    Flight(J job, long offset, long length, boolean headOnly) {
        this.job = job;
        this.offset = offset;
        this.length = length;
        this.headOnly = headOnly;
    }

    /** A probe's own head came: the body to read, which is the hedge's if its head came first. */
    synchronized Body headArrived(Body own) throws IOException {
        if (handoff != null) {
            own.close();
            return takeHandoff();
        }
        over = true;
        if (hedge != null && hedge.waiting != null) {
            hedge.waiting.abort();
        }
        return own;
    }

    synchronized Body takeHandoff() {
        Body b = handoff;
        handoff = null;
        return b;
    }

    /** A probe's hedge got its head: hands its body over unless the probe's own came first. */
    synchronized boolean offer(Body body) {
        hedge.waiting = null;
        if (over) {
            return false;
        }
        over = true;
        handoff = body;
        if (original.waiting != null) {
            original.waiting.abort();
        }
        return true;
    }

    /** The probe is done, one way or another: a hedge still waiting is aborted, a body not taken closed. */
    synchronized void closeOut() throws IOException {
        over = true;
        if (hedge != null && hedge.waiting != null) {
            hedge.waiting.abort();
        }
        Body b = takeHandoff();
        if (b != null) {
            b.close();
        }
    }

    /** The original starts an attempt: returns the handle that aborts its wait for the answer. */
    synchronized Abort attempt(long sent, long done) {
        progress = done;
        attemptStart = sent;
        original.waiting = new Abort();
        if (over) {
            original.waiting.abort();
        }
        return original.waiting;
    }

    /**
     * Since when the original has received nothing: its attempt's start, or the last time the watcher saw its
     * progress move (so up to one watch period late). For the watcher's thread only.
     */
    long quietSince(long now) {
        long attempt = attemptStart;
        long p = progress;
        if (attempt != seenAttempt) {
            seenAttempt = attempt;
            seenProgress = p;
            seenSince = attempt;
        } else if (p != seenProgress) {
            seenProgress = p;
            seenSince = now;
        }
        return seenSince;
    }

    boolean hedgeable() {
        return !over && !hedged;
    }

    /** A lane wrote the part up to {@code position} (of the object); stops it when the other won. */
    void wrote(Lane lane, long position) {
        if (lane == original) {
            progress = position - offset;
        }
        if (over) {
            throw OVERTAKEN;
        }
    }

    synchronized Lane startHedge() {
        if (over || hedged) {
            return null;
        }
        hedged = true;
        hedge = new Lane();
        hedge.waiting = new Abort();
        return hedge;
    }

    /** A lane got its answer and starts writing; {@code false} when the part is already over. */
    synchronized boolean reading(Lane lane, Body body) {
        lane.waiting = null;
        if (over) {
            return false;
        }
        lane.body = body;
        return true;
    }

    /** A lane stopped writing (failed, or about to close its body); returns whether the part is over. */
    synchronized boolean idle(Lane lane) {
        if (lane.body != null) {
            lane.body = null;
            notifyAll();
        }
        return over;
    }

    /** A lane has all its bytes written: whether it won (then the other has stopped writing). */
    synchronized boolean complete(Lane lane) {
        idle(lane);
        if (over) {
            return false;
        }
        over = true;
        Lane other = lane == original ? hedge : original;
        if (other != null && other.waiting != null) {
            other.waiting.abort(); // it has written nothing: when its get() returns or fails, it stops
        }
        if (other != null && other.body != null) {
            other.body.abort();
            boolean interrupted = false;
            while (other.body != null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }

    /**
     * The original failed for good: whether its failure is left to the hedge, which is still running (and
     * reports it if it fails too), or is moot, the hedge having completed the part.
     */
    synchronized boolean defer(Throwable failure) {
        idle(original);
        if (over) {
            return true;
        }
        if (hedge != null && !hedge.ended) {
            deferred = failure;
            return true;
        }
        return false;
    }

    /** The hedge ends without completing the part: the original's failure if it left one, to report. */
    synchronized Throwable hedgeEnded() {
        if (hedge != null) {
            idle(hedge);
            hedge.ended = true;
        }
        if (deferred != null && !over) {
            over = true;
            return deferred;
        }
        return null;
    }

    /** Cancel: closes both lanes' connections, waiting or reading; their threads then stop. */
    synchronized void abortAll() {
        for (Lane l : new Lane[] {original, hedge}) {
            if (l != null && l.waiting != null) {
                l.waiting.abort();
            }
            if (l != null && l.body != null) {
                l.body.abort();
            }
        }
    }

    /**
     * One of a flight's two requests (guarded by the flight): {@code waiting} aborts it while it waits for its
     * answer; {@code body} is set while it may write into the part.
     */
    static final class Lane {
        Abort waiting;
        Body body;
        boolean ended;
    }

    /** Thrown in a lane whose flight the other lane completed. */
    static final class Overtaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overtaken() {
            super("overtaken by a hedge", null, false, false);
        }
    }

    static final Overtaken OVERTAKEN = new Overtaken();
}
