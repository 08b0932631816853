package io.zarrfetch.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Makes the readers of a scan's partitions on executors. Spark ships it once per stage, with the array's metadata
 * documents and the engine settings in it.
 *
 * @param columns for each output column: for the elements view its axis, or -1 for {@code value}; for the other
 *     views its position in the view's full schema
 * @param fill one element of the fill value, stored representation
 * @param dtype the NumPy type, for the chunks view
 * @param aggregates the aggregation pushed into the scan, or null
 */
record ReaderFactory(ZarrOptions.View view, ArraySource source, int[] columns, ValueType valueType, byte[] fill,
        boolean maskFill, int batchRows, String dtype, Aggregates aggregates) implements PartitionReaderFactory {

    /** The fill value when it reads as NULL (masking on, and the array has one), else null. */
    byte[] maskedFill() {
        return maskFill && !source.fillIsNull() ? fill : null;
    }

    @Override
    public boolean supportColumnarReads(InputPartition partition) {
        return partition instanceof ZarrPartition.Elements;
    }

    @Override
    public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
        return new ElementsReader(this, ((ZarrPartition.Elements) partition).block());
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        return switch ((ZarrPartition) partition) {
            case ZarrPartition.Chunks c -> new ChunksReader(this, c.block());
            case ZarrPartition.Info i -> new InfoReader(i.rows(), columns);
            case ZarrPartition.Aggregated a -> new AggregateReader(this, a.block());
            case ZarrPartition.Elements e -> throw new IllegalStateException("the elements view reads in batches");
        };
    }
}
