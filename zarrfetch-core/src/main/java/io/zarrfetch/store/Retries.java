package io.zarrfetch.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where every failed request is tried again: the one retrying send of zarrfetch, as object_store's
 * {@code client/retry.rs} is for each of its backends. A {@link RetryingStore} sends each of its requests through
 * {@link #send}: listing pages (again with the same continuation token), HEADs, GETs, small reads (metadata, whole
 * pages); the fetcher, which streams bodies into its buffers and hedges stragglers, drives its own attempts and asks
 * {@link #backoff} after each failure. Both go by the same rules, kept here:
 * <ul>
 *   <li>which failures are retried ({@link #retryableStatus}, {@link #retryableCause}, {@link #retryable});
 *   <li>how many attempts a request gets ({@link RetryPolicy#maxAttempts()}) and how long it waits before each,
 *       with full jitter ({@link RetryPolicy#delayAfter});
 *   <li>the retry budget that every request sent through this object shares ({@link RetryPolicy}'s budget): for
 *       the stores of one {@link Stores}, their listings, metadata reads and fetches alike;
 *   <li>what a retry keeps of a body cut short ({@link #kept}).
 * </ul>
 * Thread-safe.
 */
public final class Retries {
    private final RetryPolicy policy;
    /** Retries made, and those of requests that got their answer in the end: the rest are what the budget holds. */
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong answers = new AtomicLong();

    public Retries(RetryPolicy policy) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    public RetryPolicy policy() {
        return policy;
    }

    /** One attempt at a request: sent again, whole, when it fails in a way that may pass. */
    @FunctionalInterface
    public interface Request<T> {
        T send() throws IOException;
    }

    /** Whether an HTTP status may pass when the request is sent again: 5xx, 429 Too Many Requests, 408. */
    public static boolean retryableStatus(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    /** Whether a request that got no answer for this cause may get one when sent again: all but an unknown host. */
    public static boolean retryableCause(IOException cause) {
        return !(cause instanceof UnknownHostException);
    }

    /** Whether a failed request is worth sending again: its failure may pass, and nobody gave it up. */
    public static boolean retryable(StoreException failure, Abort abort) {
        return failure.retryable() && (abort == null || !abort.aborted());
    }

    /**
     * The bytes a retry keeps of a body that failed after {@code received} of them: all, so it asks only for the
     * rest; none when they were to be checked against a checksum, which failed or could not be checked (the retry
     * then reads the body again from its first byte, see {@link StoreException#resumable()}).
     */
    public static long kept(StoreException failure, long received) {
        return failure.resumable() ? received : 0;
    }

    /**
     * Sends a request until it succeeds, or fails in a way that does not pass, or has had its attempts, or the
     * budget allows no more retries; each retry after its backoff.
     *
     * @throws StoreException the last failure (saying so when the budget stopped the retries)
     * @throws InterruptedIOException when the thread is interrupted while it waits to retry
     */
    public <T> T send(Request<T> request) throws IOException {
        return send(null, request);
    }

    /** {@link #send(Request)} for a request that another thread may give up with {@code abort}: not retried then. */
    public <T> T send(Abort abort, Request<T> request) throws IOException {
        for (int attempt = 1; ; attempt++) {
            T answer;
            try {
                answer = request.send();
            } catch (StoreException e) {
                if (!retryable(e, abort)) {
                    throw e;
                }
                backoff(e, attempt);
                continue;
            }
            answered(attempt - 1);
            return answer;
        }
    }

    /**
     * After attempt {@code attempt} of a request failed: returns after the wait before the next attempt, or throws
     * when there is to be none. Counts the retry against the budget.
     *
     * @throws StoreException {@code failure} when it does not pass or the request had its attempts; a failure that
     *     says the budget is spent when that stops the retry
     * @throws InterruptedIOException when the thread is interrupted while it waits (its interrupt status is set)
     */
    public void backoff(StoreException failure, int attempt) throws StoreException, InterruptedIOException {
        if (!failure.retryable()) {
            throw failure;
        }
        take(failure, attempt);
        try {
            Thread.sleep(policy.delayAfter(attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException stop = new InterruptedIOException(failure.url() + ": interrupted while waiting to "
                    + "retry");
            stop.initCause(failure);
            throw stop;
        }
    }

    /**
     * Takes a retry from the budget, without waiting, for something tried {@code attempt} times that failed with
     * {@code failure}, whether or not that failure is {@link StoreException#retryable()}: the fetcher fetches an
     * object that changed again from its first byte this way. Give it back with {@link #answered} when the retry
     * gets its answer.
     *
     * @throws StoreException {@code failure} when it was tried {@link RetryPolicy#maxAttempts()} times; a failure
     *     that says the budget is spent when that stops the retry
     */
    public void take(StoreException failure, int attempt) throws StoreException {
        if (attempt >= policy.maxAttempts()) {
            throw failure;
        }
        while (true) {
            long made = retries.get();
            long unpassed = made - passed.get();
            long earned = answers.get();
            if (!policy.budgetAllows(unpassed, earned)) {
                throw new StoreException(failure.url(), failure.status(), false, cause(failure) + "; not retried: "
                        + "the retry budget is spent (" + unpassed + " retries that got no answer, for " + earned
                        + " good answers)", failure);
            }
            if (retries.compareAndSet(made, made + 1)) {
                return;
            }
        }
    }

    /**
     * A request got a usable answer, after {@code retried} retries: it earns the budget more, and the retries it
     * made passed, as retries are meant to, so they are given back (as the AWS SDKs' retry quota refunds a retry
     * that succeeds). What the budget holds is retries that got no answer: a server that fails each request once
     * is retried without end, one that answers nothing is not.
     */
    public void answered(int retried) {
        answers.incrementAndGet();
        if (retried > 0) {
            passed.addAndGet(retried);
        }
    }

    /** Retries made so far, those that passed included. */
    public long retries() {
        return retries.get();
    }

    /** Usable answers so far. */
    public long answers() {
        return answers.get();
    }

    /** A failure's message without the URL it starts with. */
    public static String cause(StoreException e) {
        String m = e.getMessage();
        return m.startsWith(e.url() + ": ") ? m.substring(e.url().length() + 2) : m;
    }
}
