package io.zarrfetch.spark;

import java.io.IOException;
import java.util.BitSet;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import io.zarrfetch.zarr.DataType.Kind;

/**
 * Reads one partition of the elements view: fetches and decodes its chunks at once (only when the {@code value}
 * column is wanted), then hands the rows out in batches whose columns are views of the decoded bytes.
 */
final class ElementsReader implements PartitionReader<ColumnarBatch> {
    private final ReaderFactory f;
    private final Planner.Block block;
    private final Region region;
    private final long rows;
    private final CoordinateVector[] coordinates;
    private final ValueVector value;
    private final ColumnarBatch batch;
    private BlockRead read;
    private BitSet missing;
    private long next;
    private boolean started;

    ElementsReader(ReaderFactory f, Planner.Block block) {
        this.f = f;
        this.block = block;
        this.region = block.region();
        this.rows = region.elements();
        ColumnVector[] columns = new ColumnVector[f.columns().length];
        coordinates = new CoordinateVector[columns.length];
        ValueVector v = null;
        for (int i = 0; i < columns.length; i++) {
            int axis = f.columns()[i];
            if (axis < 0) {
                v = new ValueVector(f.valueType(), mask());
                columns[i] = v;
            } else {
                coordinates[i] = new CoordinateVector(region, axis);
                columns[i] = coordinates[i];
            }
        }
        value = v;
        batch = new ColumnarBatch(columns);
    }

    /** What reads as NULL, or null when nothing can. */
    private ValueVector.Mask mask() {
        Kind k = f.valueType().kind();
        byte[] fill = f.maskedFill();
        if (f.source().fillIsNull()) {
            missing = new BitSet();
        }
        if (fill == null && missing == null && k != Kind.DATETIME && k != Kind.TIMEDELTA) {
            return null;
        }
        return new ValueVector.Mask(fill, missing);
    }

    @Override
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            if (value != null && rows > 0) {
                read = new BlockRead(f.source(), region, f.valueType().size(), this::markMissing, false,
                        TaskContext.get());
            }
        }
        if (next >= rows) {
            return false;
        }
        int n = (int) Math.min(f.batchRows(), rows - next);
        for (CoordinateVector c : coordinates) {
            if (c != null) {
                c.point(next);
            }
        }
        if (value != null) {
            value.point(read.data(), next, n);
        }
        batch.setNumRows(n);
        next += n;
        return true;
    }

    /** Marks the rows of a missing chunk's box, for an array without a fill value. */
    private void markMissing(long[] origin, long[] shape) {
        if (missing != null) {
            synchronized (missing) {
                region.mark(missing, origin, shape);
            }
        }
    }

    @Override
    public ColumnarBatch get() {
        return batch;
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
