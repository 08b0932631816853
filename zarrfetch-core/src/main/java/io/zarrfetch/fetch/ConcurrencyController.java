package io.zarrfetch.fetch;

/**
 * Decides how many requests to keep in flight from the throughput each window showed: adds requests while they add
 * throughput, and goes back when they do not. Pure logic, fed one measurement per window, so it can be tested
 * without timing.
 *
 * <p>From a stable count it tries a quarter more (at least one more); if the next measured window is at least
 * {@link #GAIN} faster, the new count becomes the stable one and the next step is tried; otherwise it returns to
 * the stable count and holds it for {@link #HOLD} windows before trying again. A window right after a change is
 * not measured, so that the change has taken effect.
 */
final class ConcurrencyController {
    /** How much faster a step up must be to be kept. */
    static final double GAIN = 1.08;
    /** Windows to wait after a step up that did not pay, before the next try. */
    static final int HOLD = 8;

    private final int max;
    private int target;
    private int stable;
    private double stableRate = -1;
    private boolean trying;
    private boolean settling = true;
    private int hold;

    ConcurrencyController(int start, int max) {
        if (start < 1 || max < start) {
            throw new IllegalArgumentException("need 1 <= start <= max, got " + start + " and " + max);
        }
        this.max = max;
        this.target = start;
        this.stable = start;
    }

    /** The number of requests to have in flight now. */
    int target() {
        return target;
    }

    /** Takes the throughput (bytes per second) of the window that just ended and returns the new target. */
    int onWindow(double rate) {
        if (settling) {
            settling = false;
            return target;
        }
        if (trying) {
            trying = false;
            if (rate >= stableRate * GAIN) {
                stable = target;
                stableRate = rate;
            } else {
                target = stable;
                hold = HOLD;
                settling = true;
                return target;
            }
        } else {
            stableRate = rate;
        }
        if (hold > 0) {
            hold--;
            return target;
        }
        if (target < max) {
            target = Math.min(max, target + Math.max(1, target / 4));
            trying = true;
            settling = true;
        }
        return target;
    }
}
