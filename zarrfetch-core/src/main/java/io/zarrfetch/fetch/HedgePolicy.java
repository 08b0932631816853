package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.Objects;

/**
 * When a request far slower than its peers is sent again: straggler hedging. A request in flight is a straggler
 * once it has taken longer than both {@code minDelay} and {@code factor} times what the run's recent requests
 * suggest it should take (their median time to the answer's head, plus its length at their median body rate). A
 * straggler is then asked again, once, for the bytes it has not delivered yet, on another connection; the first of
 * the two to complete its bytes wins and the other is abandoned (its connection closed). Both ask for the same
 * version of the object ({@code If-Match} with its ETag when it is known), so the bytes they write are the same.
 *
 * <p>Hedges are extra requests, so they are rationed: none before {@code minSamples} requests have completed (no
 * notion of "slow" yet), at most {@code maxShare} of the requests in flight at once (at least one), and at most
 * {@code maxShare} of the run's requests in all (plus one). A run that is slow all over (a saturated link) has no
 * stragglers: they are measured against their peers, not against a fixed speed.
 *
 * @param enabled whether stragglers are hedged at all
 * @param factor how many times its expected time a request may take before it is hedged
 * @param minDelay how long a request may take before it is hedged, whatever its expected time
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
     * On: a request is hedged after 3 times its expected time and at least 1 s, once 8 requests have completed; at
     * most 5% of requests are hedges. May change between releases (docs/decisions/0004-hedging.md).
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
