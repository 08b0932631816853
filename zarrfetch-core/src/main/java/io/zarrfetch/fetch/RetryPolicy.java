package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a failed request is tried again. Only failures that may pass are retried: no answer
 * (refused, reset, timed out), a truncated body, 5xx, 429 and 408. The wait before attempt {@code n+1} is drawn
 * uniformly from {@code [0, min(maxDelay, baseDelay * 2^(n-1))]} ("full jitter"), so many clients failing at once
 * do not come back at once. An interrupted body resumes from its last received byte.
 *
 * @param maxAttempts attempts per request, the first included (1 = no retries)
 * @param baseDelay the cap of the first wait
 * @param maxDelay the cap of every wait
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay, got " + baseDelay + " and " + maxDelay);
        }
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
