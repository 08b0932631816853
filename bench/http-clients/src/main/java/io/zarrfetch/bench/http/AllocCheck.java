package io.zarrfetch.bench.http;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes counts heap allocations
 * made on virtual threads: allocates a known 100 MiB on a virtual thread (and, for reference, on a
 * platform thread) and prints what the counter saw.
 */
public final class AllocCheck {
    private static volatile Object sink;

    public static void main(String[] args) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemoryEnabled()) {
            mx.setThreadAllocatedMemoryEnabled(true);
        }
        final long target = 100L << 20; // 100 MiB in 1 MiB arrays
        for (int round = 0; round < 3; round++) {
            for (boolean virtual : new boolean[] {true, false}) {
                long[] own = new long[1];
                Runnable task = () -> {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    List<byte[]> keep = new ArrayList<>();
                    for (long done = 0; done < target; done += 1 << 20) {
                        keep.add(new byte[1 << 20]);
                        if (keep.size() == 16) {
                            sink = keep;
                            keep = new ArrayList<>();
                        }
                    }
                    sink = keep;
                    long after = mx.getCurrentThreadAllocatedBytes();
                    own[0] = before < 0 || after < 0 ? -1 : after - before;
                };
                long t0 = mx.getTotalThreadAllocatedBytes();
                Thread t = virtual ? Thread.ofVirtual().start(task) : Thread.ofPlatform().start(task);
                t.join();
                long t1 = mx.getTotalThreadAllocatedBytes();
                System.out.printf(
                        "round %d %-8s allocated %d MiB: getTotalThreadAllocatedBytes delta = %.1f MiB,"
                                + " getCurrentThreadAllocatedBytes inside = %s%n",
                        round, virtual ? "virtual" : "platform", target >> 20, (t1 - t0) / 1048576.0,
                        own[0] < 0 ? "unsupported (-1)" : String.format("%.1f MiB", own[0] / 1048576.0));
            }
        }
    }
}
