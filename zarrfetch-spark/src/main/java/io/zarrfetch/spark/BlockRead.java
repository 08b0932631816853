package io.zarrfetch.spark;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

import io.zarrfetch.zarr.ZarrArray;

/**
 * Reads one partition's region through the executor's engine into memory of its own, or a slab of the executor's
 * (freed, or given back, on {@link #close()}), all its chunks in one fetch. A task Spark kills stops the fetch: the
 * kill interrupts the read, which cancels its requests.
 */
final class BlockRead implements AutoCloseable {
    private final Slabs.Slab slab;
    private final boolean pooled;
    private final MemorySegment data;
    private final AtomicLong missing = new AtomicLong();
    private final boolean engineStarted;

    /**
     * @param onMissing told of each missing chunk's box, besides the count kept here
     * @param pooled whether the memory comes from (and goes back to) the executor's {@link Slabs}: only for readers
     *     that let no view of it out
     * @param task the task whose kill stops the read (the read may run on a thread of its own), or null
     */
    BlockRead(ArraySource source, Region region, int itemSize, ZarrArray.MissingChunks onMissing, boolean pooled,
            TaskContext task) throws IOException {
        boolean[] started = new boolean[1];
        Engines.get(source.engine(), started);
        engineStarted = started[0];
        this.pooled = pooled;
        long bytes = Math.multiplyExact(region.elements(), itemSize);
        try {
            slab = pooled ? Slabs.take(bytes) : Slabs.fresh(bytes);
        } catch (OutOfMemoryError e) {
            throw new IOException("zarr: a partition of " + bytes + " decoded bytes does not fit this executor's "
                    + "native memory (" + e.getMessage() + "): lower the partitionBytes option, or give executors "
                    + "more (spark.executor.memoryOverhead, and -XX:MaxDirectMemorySize in "
                    + "spark.executor.extraJavaOptions; docs/spark.md)", e);
        }
        data = slab.memory().asSlice(0, bytes);
        try {
            ZarrArray array = source.reopen();
            Cancel cancel = Cancel.register(task);
            try {
                array.read(region.toSelection(), data, (origin, shape) -> {
                    missing.incrementAndGet();
                    onMissing.missing(origin, shape);
                });
            } finally {
                cancel.done();
            }
        } catch (InterruptedException e) {
            // Spark killed the task (or interrupted its thread): it ends the task, the flag has done its work
            close();
            throw new InterruptedIOException("zarr: the read of " + Redact.url(source.url()) + " was cancelled");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    MemorySegment data() {
        return data;
    }

    /** Missing chunks (inner chunks, for sharded arrays) the read met. */
    long missing() {
        return missing.get();
    }

    /** Whether this read started the executor's engine. */
    boolean engineStarted() {
        return engineStarted;
    }

    /** What a partition's reader reports: its chunks, if it read them, and what this read met. */
    static CustomTaskMetric[] metrics(BlockRead read, long chunks) {
        boolean fetched = read != null;
        return new CustomTaskMetric[] {
            Metrics.value(Metrics.CHUNKS, fetched ? chunks : 0),
            Metrics.value(Metrics.MISSING, fetched ? read.missing() : 0),
            Metrics.value(Metrics.BYTES, fetched ? read.data().byteSize() : 0),
            Metrics.value(Metrics.ENGINES, fetched && read.engineStarted ? 1 : 0)};
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (pooled) {
                Slabs.give(slab);
            } else {
                slab.arena().close();
            }
        }
    }

    /** Interrupts the reading thread when Spark kills the task, only while the read runs. */
    private static final class Cancel {
        private Thread reader;
        private boolean killed;

        static Cancel register(TaskContext task) throws InterruptedIOException {
            Cancel c = new Cancel();
            synchronized (c) {
                c.reader = Thread.currentThread();
            }
            if (task != null) {
                task.addTaskInterruptListener((org.apache.spark.util.TaskInterruptListener) (ctx, reason) -> c.kill());
                if (task.isInterrupted()) {
                    c.done();
                    throw new InterruptedIOException("zarr: the task was killed: "
                            + (task.getKillReason().isDefined() ? task.getKillReason().get() : "cancelled"));
                }
            }
            return c;
        }

        synchronized void kill() {
            killed = true;
            if (reader != null) {
                reader.interrupt();
            }
        }

        synchronized void done() {
            reader = null;
            if (killed) {
                Thread.interrupted(); // the interrupt was for the read, which is over
            }
        }
    }
}
