package io.zarrfetch.fetch;

import java.util.Arrays;

/**
 * How long the run's recent requests waited for their answer's head, and what that makes of a request that has
 * received nothing for a while: is it a straggler? Keeps the last {@value #WINDOW} completed requests' times.
 *
 * <p>Only waits count, not slow bodies: on a saturated link every body is slow and some much slower than others
 * (TCP shares a bottleneck unevenly), and asking again for such a body only adds to the load. A request that gets
 * nothing, while its peers got their heads in a fraction of that time, is one that a new request is likely to beat.
 */
final class Pace {
    static final int WINDOW = 64;
    private final long[] heads = new long[WINDOW];
    private int count;
    private int next;

    /** Records a completed request's time from sending it to its answer's head. */
    synchronized void add(long headNanos) {
        heads[next] = Math.max(0, headNanos);
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
    }

    synchronized int samples() {
        return count;
    }

    /** The median time to a head over the window; 0 with no samples. */
    synchronized long medianHeadNanos() {
        if (count == 0) {
            return 0;
        }
        long[] h = Arrays.copyOf(heads, count);
        Arrays.sort(h);
        return h[count / 2];
    }

    /** Whether a request that has received nothing for {@code quietNanos} should be hedged. */
    boolean straggler(HedgePolicy policy, long quietNanos) {
        if (!policy.enabled() || samples() < policy.minSamples()) {
            return false;
        }
        return quietNanos > Math.max(policy.minDelay().toNanos(), policy.factor() * medianHeadNanos());
    }
}
