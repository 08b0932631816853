package io.zarrfetch.fetch;

import java.util.Arrays;

/**
 * The recent requests of a run, and what they make of one in flight: is it a straggler? Keeps the last
 * {@value #WINDOW} completed requests' times to the answer's head, and their bytes and body times.
 */
final class Pace {
    static final int WINDOW = 64;
    private final long[] heads = new long[WINDOW];
    private final long[] bodyNanos = new long[WINDOW];
    private final long[] bytes = new long[WINDOW];
    private int count;
    private int next;

    /** Records a completed request: nanoseconds to its head, then to its last byte, and how many bytes. */
    synchronized void add(long headNanos, long bodyNanos, long bytes) {
        heads[next] = Math.max(0, headNanos);
        this.bodyNanos[next] = Math.max(0, bodyNanos);
        this.bytes[next] = Math.max(0, bytes);
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
    }

    synchronized int samples() {
        return count;
    }

    /**
     * How long a request for {@code length} bytes should take: the median time to a head, plus the bytes at the
     * window's rate (all bytes over all body time, so that large bodies weigh by their size and a burst of small
     * ones cannot make the rate up). With no samples, 0.
     */
    synchronized long expectedNanos(long length) {
        if (count == 0) {
            return 0;
        }
        long[] h = Arrays.copyOf(heads, count);
        Arrays.sort(h);
        long head = h[count / 2];
        long b = 0;
        long t = 0;
        for (int i = 0; i < count; i++) {
            b += bytes[i];
            t += bodyNanos[i];
        }
        double nanosPerByte = b == 0 ? 0 : (double) t / b;
        return head + (long) Math.min(Long.MAX_VALUE / 2.0, length * nanosPerByte);
    }

    /** Whether a request for {@code length} bytes, under way for {@code elapsedNanos}, should be hedged. */
    boolean straggler(HedgePolicy policy, long elapsedNanos, long length) {
        if (!policy.enabled() || samples() < policy.minSamples()) {
            return false;
        }
        double limit = Math.max(policy.minDelay().toNanos(), policy.factor() * expectedNanos(length));
        return elapsedNanos > limit;
    }
}
