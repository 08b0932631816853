package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.Objects;

/**
 * When a request that gets nothing is sent again: straggler hedging. A request in flight is a straggler once it has
 * received nothing (neither its answer's head nor a byte of its body) for longer than both {@code minDelay} and
 * {@code factor} times the run's median time to an answer's head. It is then asked again, once, for the bytes it
 * has not delivered yet, on another connection; the first of the two to complete its bytes wins and the other is
 * abandoned (its connection closed). Both ask for the same version of the object ({@code If-Match} with its ETag
 * when it is known), so the bytes they write are the same.
 *
 * <p>A body that keeps coming, however slowly, is not hedged: on a saturated link every body is slow and some far
 * slower than others, and a second request for one only adds to the load (docs/decisions/0004-hedging.md measured
 * that). Hedges are extra requests, so they are rationed too: none before {@code minSamples} requests have
 * completed (no notion of "late" yet), at most {@code maxShare} of the requests in flight at once (at least one),
 * and at most {@code maxShare} of the run's requests in all (plus one).
 *
 * @param enabled whether stragglers are hedged at all
 * @param factor how many times the median time to a head a request may get nothing before it is hedged
 * @param minDelay how long a request may get nothing before it is hedged, whatever that median
 * @param minSamples completed requests needed before any hedge
 * @param maxShare the share of requests that may be hedges, in flight and in all
 */
public record HedgePolicy(boolean enabled, double factor, Duration minDelay, int minSamples, double maxShare) {
    public HedgePolicy {
        Objects.requireNonNull(minDelay, "minDelay");
        if (!(factor >= 1) || minDelay.isNegative() || minSamples < 0 || !(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("need factor >= 1, minDelay >= 0, minSamples >= 0 and 0 < maxShare "
                    + "<= 1, got " + factor + ", " + minDelay + ", " + minSamples + ", " + maxShare);
        }
    }

    /**
     * On: a request that got nothing for 3 times the median time to a head, and at least 1 s, is hedged, once 8
     * requests have completed; at most 5% of requests are hedges. May change between releases
     * (docs/decisions/0004-hedging.md).
     */
    public static HedgePolicy defaults() {
        return new HedgePolicy(true, 3, Duration.ofSeconds(1), 8, 0.05);
    }

    /** No hedging: every request runs its course (until its read timeout). */
    public static HedgePolicy off() {
        return new HedgePolicy(false, 3, Duration.ofSeconds(1), 8, 0.05);
    }

    /** The same policy with other thresholds. */
    public HedgePolicy after(double factor, Duration minDelay, int minSamples) {
        return new HedgePolicy(enabled, factor, minDelay, minSamples, maxShare);
    }
}
