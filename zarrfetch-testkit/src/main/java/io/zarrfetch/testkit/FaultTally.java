package io.zarrfetch.testkit;

import java.util.EnumMap;
import java.util.Map;

import io.zarrfetch.testkit.FaultProxy.Fault;

/** The faults a test class injected over all its proxies, for the line it prints when it ends. Thread-safe. */
public final class FaultTally {
    private final Map<Fault, Integer> counts = new EnumMap<>(Fault.class);

    /** Adds what a proxy injected. */
    public synchronized void add(FaultProxy proxy) {
        proxy.injectedCounts().forEach((f, n) -> counts.merge(f, n, Integer::sum));
    }

    public synchronized int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code injected N faults: {SLOW_DOWN_503=4, ...}}, the kinds never injected left out. */
    @Override
    public synchronized String toString() {
        return "injected " + total() + " faults: " + counts;
    }
}
