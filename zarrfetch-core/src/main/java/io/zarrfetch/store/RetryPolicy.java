package io.zarrfetch.store;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a failed request is tried again: every request zarrfetch makes, whatever its kind
 * (listing pages, metadata, shard indexes, HEADs, object GETs and their parts), goes through {@link Retries} under
 * one policy. Set it with {@link StoreOptions#withRetry(RetryPolicy)} for the stores {@link Stores} opens (the
 * attempts alone with {@code RetryPolicy.defaults().withMaxAttempts(n)}), or with {@link RetryingStore#wrap} for a
 * store of your own.
 *
 * <p>Only failures that may pass are retried ({@link Retries#retryable}): no answer (refused, reset, timed out), a
 * truncated or malformed answer, 5xx, 429 and 408. The wait before attempt {@code n+1} is drawn uniformly from
 * {@code [0, min(maxDelay, baseDelay * 2^(n-1))]} ("full jitter"), so many clients failing at once do not come
 * back at once. A body the fetcher reads that is cut short resumes from its last received byte.
 *
 * <p>Retries also draw on a budget shared by every request of a {@link Retries} (all the stores one {@link Stores}
 * opens): a retry is made only while the retries that got no answer are fewer than {@code budgetBase + budgetRatio *
 * answers}, where {@code answers} counts the requests that got a usable answer (a body that was read to its end, a
 * page, a probe's head). A retry after which its request got its answer is given back, as the AWS SDKs' standard
 * retry quota (500 tokens, 5 a retry) refunds a retry that succeeds; the defaults (100 retries, plus one for every 5
 * good answers) are sized like that quota. So a server that fails requests now and then, even every request once
 * (S3 throttling with 503 SlowDown), has every failure retried, while a dead or broken endpoint, which answers
 * nothing, gets 100 retries in all and then fails each remaining request on its first attempt instead of {@code
 * maxAttempts} times with backoff. Counting good answers rather than requests is the point: failed requests must not
 * earn more retries. A refused retry fails its request with the last cause, saying that the budget is spent.
 *
 * @param maxAttempts attempts per request, the first included (1 = no retries)
 * @param baseDelay the cap of the first wait
 * @param maxDelay the cap of every wait
 * @param budgetBase retries without an answer allowed whatever the answers
 * @param budgetRatio retries earned per good answer
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, int budgetBase,
        double budgetRatio) {
    /** Retries without an answer allowed whatever the answers, by default. */
    public static final int DEFAULT_BUDGET_BASE = 100;
    /** Retries earned per good answer, by default. */
    public static final double DEFAULT_BUDGET_RATIO = 0.2;

    public RetryPolicy {
        if (budgetBase < 0 || !(budgetRatio >= 0)) {
            throw new IllegalArgumentException("the retry budget must not be negative, was " + budgetBase + " + "
                    + budgetRatio + " per answer");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay, got " + baseDelay + " and " + maxDelay);
        }
    }

    /** The default retry budget ({@value #DEFAULT_BUDGET_BASE} + {@value #DEFAULT_BUDGET_RATIO} per answer). */
    public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        this(maxAttempts, baseDelay, maxDelay, DEFAULT_BUDGET_BASE, DEFAULT_BUDGET_RATIO);
    }

    /** The same policy with another number of attempts per request, the first included (1 = no retries). */
    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, budgetBase, budgetRatio);
    }

    /** The same policy with another retry budget. */
    public RetryPolicy withBudget(int base, double ratio) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, base, ratio);
    }

    /** Whether {@code retries} retries that got no answer, against {@code answers} good answers, allow another. */
    boolean budgetAllows(long retries, long answers) {
        return retries < budgetBase + budgetRatio * answers;
    }

    /** 5 attempts, waits capped at 100 ms doubling up to 5 s. May change between releases. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** No retries. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed. */
    Duration delayAfter(int attempt) {
        long cap = baseDelay.toNanos() << Math.min(attempt - 1, 30);
        if (cap < 0 || cap > maxDelay.toNanos()) {
            cap = maxDelay.toNanos();
        }
        return Duration.ofNanos(cap == 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1));
    }
}
