package io.zarrfetch.spark;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.unsafe.types.UTF8String;

import io.zarrfetch.zarr.ArrayMetadata;

/**
 * Reads one partition of the chunks view: its block of whole chunks in one fetch (only when {@code data} is wanted),
 * then one row per chunk, in C order, with the chunk's elements cut at the array's edge. A chunk that does not exist
 * (for a sharded array: no inner chunk of it does) has NULL data.
 */
final class ChunksReader implements PartitionReader<InternalRow> {
    private static final int DATA = ZarrTable.CHUNKS_SCHEMA.fieldIndex("data");

    private final ReaderFactory f;
    private final Planner.Block block;
    private final ArrayMetadata meta;
    private final boolean wantData;
    private final long[] idx;
    /** Missing elements per chunk of the block, C order. */
    private final long[] missingElements;
    private BlockRead read;
    private boolean started;
    private boolean done;
    private InternalRow row;

    ChunksReader(ReaderFactory f, Planner.Block block) {
        this.f = f;
        this.block = block;
        try {
            this.meta = f.source().reopen().metadata();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // replayed from memory: does not happen
        }
        this.wantData = Arrays.stream(f.columns()).anyMatch(c -> c == DATA);
        this.idx = new long[block.firstChunk().length];
        this.missingElements = new long[(int) block.chunks()];
    }

    @Override
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            if (wantData) {
                read = new BlockRead(f.source(), block.region(), meta.dtype().size(), this::markMissing, false,
                        TaskContext.get());
            }
        } else if (!advance()) {
            done = true;
        }
        if (done) {
            return false;
        }
        row = row();
        return true;
    }

    /** Moves to the next chunk of the block, C order; false after the last. */
    private boolean advance() {
        int a = idx.length - 1;
        while (a >= 0 && ++idx[a] == block.chunksPerAxis()[a]) {
            idx[a] = 0;
            a--;
        }
        return a >= 0;
    }

    private int flat(long[] local) {
        long at = 0;
        for (int a = 0; a < local.length; a++) {
            at = at * block.chunksPerAxis()[a] + local[a];
        }
        return (int) at;
    }

    /** Counts a missing box (a chunk, or an inner chunk of a shard) against its chunk. */
    private void markMissing(long[] origin, long[] shape) {
        long[] local = new long[origin.length];
        long n = 1;
        for (int a = 0; a < origin.length; a++) {
            local[a] = origin[a] / meta.chunks()[a] - block.firstChunk()[a];
            n *= shape[a];
        }
        synchronized (missingElements) {
            missingElements[flat(local)] += n;
        }
    }

    private InternalRow row() {
        int n = idx.length;
        long[] index = new long[n];
        long[] origin = new long[n];
        long[] shape = new long[n];
        long elements = 1;
        for (int a = 0; a < n; a++) {
            index[a] = block.firstChunk()[a] + idx[a];
            origin[a] = index[a] * meta.chunks()[a];
            shape[a] = Math.min(meta.chunks()[a], meta.shape()[a] - origin[a]);
            elements *= shape[a];
        }
        Object[] full = new Object[ZarrTable.CHUNKS_SCHEMA.size()];
        full[0] = UnsafeArrayData.fromPrimitiveArray(index);
        full[1] = UnsafeArrayData.fromPrimitiveArray(origin);
        full[2] = UnsafeArrayData.fromPrimitiveArray(shape);
        full[3] = UTF8String.fromString(meta.keys().key(index));
        full[4] = UTF8String.fromString(f.dtype());
        if (wantData && missingElements[flat(idx)] < elements) {
            full[DATA] = copyOut(origin, shape, elements);
        }
        Object[] out = new Object[f.columns().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = full[f.columns()[i]];
        }
        return new GenericInternalRow(out);
    }

    /** The chunk's elements, C order, cut out of the block's. */
    private byte[] copyOut(long[] origin, long[] shape, long elements) {
        int item = meta.dtype().size();
        Region r = block.region();
        byte[] out = new byte[Math.toIntExact(elements * item)];
        MemorySegment dst = MemorySegment.ofArray(out);
        long[] k0 = new long[origin.length];
        for (int a = 0; a < origin.length; a++) {
            k0[a] = origin[a] - r.start()[a];
        }
        long[] d = {0};
        r.forEachRun(k0, shape, (at, run) -> {
            MemorySegment.copy(read.data(), at * item, dst, d[0], run * item);
            d[0] += run * item;
        });
        return out;
    }

    @Override
    public InternalRow get() {
        return row;
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
