package io.zarrfetch.spark;

import java.io.IOException;
import java.util.BitSet;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;

/**
 * Computes a pushed aggregation over one partition: fetches and decodes its chunks at once (only when the values
 * matter; COUNT(*) needs only the region's shape), walks the decoded elements once, and hands Spark one row per
 * group of the block, which Spark merges with the other partitions'.
 */
final class AggregateReader implements PartitionReader<InternalRow> {
    private final ReaderFactory f;
    private final Planner.Block block;
    private final Region region;
    private final Aggregates aggregates;
    /** Per grouped axis (Spark's order): its coordinates in the block, and the group index's stride for it. */
    private final long[] groupCount;
    private final long[] groupStride;
    private final int groups;
    private BlockRead read;
    private BitSet missing;
    private Totals totals;
    private int group = -1;

    AggregateReader(ReaderFactory f, Planner.Block block) {
        this.f = f;
        this.block = block;
        this.region = block.region();
        this.aggregates = f.aggregates();
        int[] axes = aggregates.groupAxes();
        groupCount = new long[axes.length];
        groupStride = new long[axes.length];
        long g = 1;
        for (int j = axes.length - 1; j >= 0; j--) {
            groupCount[j] = region.count()[axes[j]];
            groupStride[j] = g;
            g *= groupCount[j]; // at most Aggregates.MAX_GROUPS: the block is part of the region pushed
        }
        groups = (int) g;
    }

    @Override
    public boolean next() throws IOException {
        if (group < 0 && region.elements() > 0 && aggregates.needsValues(f.maskedFill() != null
                || f.source().fillIsNull())) {
            total();
        }
        return ++group < groups;
    }

    /** Reads the block and totals its values per group. */
    private void total() throws IOException {
        if (f.source().fillIsNull()) {
            missing = new BitSet(); // elements of missing chunks are NULL
        }
        read = new BlockRead(f.source(), region, f.valueType().size(), (origin, shape) -> {
            if (missing != null) {
                synchronized (missing) {
                    region.mark(missing, origin, shape);
                }
            }
        });
        totals = new Totals(f.valueType(), f.maskedFill(), groups);
        int n = region.rank();
        long[] stride = new long[n];
        long s = 1;
        for (int a = n - 1; a >= 0; a--) {
            stride[a] = s;
            s *= region.count()[a];
        }
        int[] axes = aggregates.groupAxes();
        long along = 0; // how the group changes along a run (the last axis): not at all unless grouped by it
        for (int j = 0; j < axes.length; j++) {
            if (axes[j] == n - 1) {
                along = groupStride[j];
            }
        }
        long perElement = along;
        // Runs along the last axis: a partition is at most ~2 GiB, so no run's sum of 32-bit values overflows
        region.forEachRun(new long[n], region.count(), (at, length) -> {
            long g = 0;
            for (int j = 0; j < axes.length; j++) {
                g += (at / stride[axes[j]]) % region.count()[axes[j]] * groupStride[j];
            }
            long first = g;
            presentRanges(at, length, (from, len) -> {
                if (perElement == 0) {
                    totals.add(read.data(), from, len, (int) first);
                } else {
                    for (long i = from; i < from + len; i++) {
                        totals.add(read.data(), i, 1, (int) (first + (i - at) * perElement));
                    }
                }
            });
        });
    }

    /** The parts of {@code [at, at + length)} outside missing chunks (all of it, for arrays with a fill value). */
    private void presentRanges(long at, long length, Region.Runs ranges) {
        long end = at + length;
        if (missing == null) {
            ranges.run(at, length);
            return;
        }
        long i = at;
        while (i < end) {
            long m = missing.nextSetBit((int) i);
            long stop = m < 0 ? end : Math.min(m, end);
            if (stop > i) {
                ranges.run(i, stop - i);
            }
            if (stop >= end) {
                return;
            }
            i = missing.nextClearBit((int) stop);
        }
    }

    @Override
    public InternalRow get() {
        int[] axes = aggregates.groupAxes();
        Object[] row = new Object[axes.length + aggregates.ops().size()];
        for (int j = 0; j < axes.length; j++) {
            long k = group / groupStride[j] % groupCount[j];
            row[j] = region.start()[axes[j]] + k * region.step()[axes[j]];
        }
        long rows = groups == 0 ? 0 : region.elements() / groups;
        for (int i = 0; i < aggregates.ops().size(); i++) {
            row[axes.length + i] = switch (aggregates.ops().get(i)) {
                case ROWS -> rows;
                case VALUES -> totals == null ? rows : totals.count(group);
                case SUM -> totals == null ? null : totals.sum(group);
                case MIN -> totals == null ? null : totals.min(group);
                case MAX -> totals == null ? null : totals.max(group);
            };
        }
        return new GenericInternalRow(row);
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
        return BlockRead.metrics(read, block.chunks());
    }

    @Override
    public void close() {
        if (read != null) {
            read.close();
        }
    }
}
