package io.zarrfetch.spark;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;

import io.zarrfetch.zarr.ArrayMetadata;

/**
 * Computes a pushed aggregation over one partition and hands Spark one row per group of its block, which Spark
 * merges with the other partitions'. The block is read in parts of {@link Aggregates#chunksAtOnce()} chunks, the
 * next {@link #AHEAD} parts fetched and decoded while this one's values are totalled, so the network stays busy
 * while the task computes (and decodes), and memory holds three parts whatever the partition's size. {@code COUNT(*)} alone, and counts of values
 * that cannot be NULL, need only the region's shape: nothing is fetched.
 */
final class AggregateReader implements PartitionReader<InternalRow> {
    /** Parts being read while one is totalled: a task holds this many parts and one more. */
    static final int AHEAD = 2;

    private final ReaderFactory f;
    private final Planner.Block block;
    private final Region region;
    private final Aggregates aggregates;
    /** Per grouped axis (Spark's order): its coordinates in the block, and the group index's stride for it. */
    private final long[] groupCount;
    private final long[] groupStride;
    private final int groups;
    private Totals totals;
    private int group = -1;
    private long chunksRead;
    private long missingChunks;
    private long bytesRead;
    private boolean engineStarted;

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

    /** Reads the block part by part, each while the one before is totalled. */
    private void total() throws IOException {
        totals = new Totals(f.valueType(), f.maskedFill(), groups, aggregates.ops().contains(Aggregates.Op.MIN)
                || aggregates.ops().contains(Aggregates.Op.MAX));
        ArrayMetadata m = f.source().reopen().metadata();
        List<Planner.Block> parts = Planner.blocks(region, m.shape(), m.chunks(), aggregates.chunksAtOnce(), false);
        TaskContext task = TaskContext.get();
        Deque<CompletableFuture<Part>> ahead = new ArrayDeque<>();
        int started = 0;
        try {
            for (int p = 0; p < parts.size(); p++) {
                while (started < parts.size() && ahead.size() < AHEAD) {
                    ahead.add(read(parts.get(started++), task));
                }
                Part part = join(ahead.removeFirst());
                try (BlockRead read = part.read()) {
                    chunksRead += parts.get(p).chunks();
                    missingChunks += read.missing();
                    bytesRead += read.data().byteSize();
                    engineStarted |= read.engineStarted();
                    add(part);
                }
            }
        } finally {
            for (CompletableFuture<Part> next : ahead) { // a failure: the parts read ahead are not wanted
                next.cancel(false);
                next.thenAccept(part -> part.read().close()); // closed when they come (or now)
            }
        }
    }

    /** A part of the block, read: its elements, and which of them lie in missing chunks (or null). */
    private record Part(Region region, BlockRead read, BitSet missing) {
    }

    /** Starts reading {@code part} on a thread of its own; {@code task}'s kill stops it. */
    private CompletableFuture<Part> read(Planner.Block part, TaskContext task) {
        CompletableFuture<Part> out = new CompletableFuture<>();
        Thread.ofVirtual().name("zarr-aggregate-read").start(() -> {
            Region r = part.region();
            BitSet missing = f.source().fillIsNull() ? new BitSet() : null; // missing chunks' elements are NULL
            try {
                BlockRead read = new BlockRead(f.source(), r, f.valueType().size(), (origin, shape) -> {
                    if (missing != null) {
                        synchronized (missing) {
                            r.mark(missing, origin, shape);
                        }
                    }
                }, true, task);
                if (!out.complete(new Part(r, read, missing))) {
                    read.close(); // cancelled meanwhile
                }
            } catch (Throwable e) { // whatever it is, the task waiting for the part must learn of it
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    private static Part join(CompletableFuture<Part> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("zarr: the task was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new UncheckedIOException(new IOException(e.getCause()));
        }
    }

    /** Totals a part's values per group: runs along the last axis, each in one group unless grouped by that axis. */
    private void add(Part part) {
        Region r = part.region();
        int n = r.rank();
        long[] stride = new long[n];
        long s = 1;
        for (int a = n - 1; a >= 0; a--) {
            stride[a] = s;
            s *= r.count()[a];
        }
        int[] axes = aggregates.groupAxes();
        long[] offset = new long[axes.length]; // the part's first index along each grouped axis, in the block
        long along = 0; // how the group changes along a run: not at all, unless grouped by the last axis
        for (int j = 0; j < axes.length; j++) {
            offset[j] = (r.start()[axes[j]] - region.start()[axes[j]]) / region.step()[axes[j]];
            if (axes[j] == n - 1) {
                along = groupStride[j];
            }
        }
        long perElement = along;
        // A part is at most ~2 GiB, so no run's sum of 32-bit values overflows (see Totals.add)
        r.forEachRun(new long[n], r.count(), (at, length) -> {
            long g = 0;
            for (int j = 0; j < axes.length; j++) {
                g += ((at / stride[axes[j]]) % r.count()[axes[j]] + offset[j]) * groupStride[j];
            }
            long first = g;
            present(part.missing(), at, length, (from, len) -> {
                if (perElement == 0) {
                    totals.add(part.read().data(), from, len, (int) first);
                } else {
                    for (long i = from; i < from + len; i++) {
                        totals.add(part.read().data(), i, 1, (int) (first + (i - at) * perElement));
                    }
                }
            });
        });
    }

    /** The parts of {@code [at, at + length)} outside missing chunks (all of it when {@code missing} is null). */
    private static void present(BitSet missing, long at, long length, Region.Runs ranges) {
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
        return new CustomTaskMetric[] {
            Metrics.value(Metrics.CHUNKS, chunksRead),
            Metrics.value(Metrics.MISSING, missingChunks),
            Metrics.value(Metrics.BYTES, bytesRead),
            Metrics.value(Metrics.ENGINES, engineStarted ? 1 : 0)};
    }

    @Override
    public void close() {
        // every part read is closed as soon as it is totalled, or when the read fails
    }
}
