package io.zarrfetch.spark;

import java.util.List;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;

/** Hands out the info view's rows, read on the driver. */
final class InfoReader implements PartitionReader<InternalRow> {
    private final List<InfoRows.Row> rows;
    private final int[] columns;
    private int next = -1;

    InfoReader(List<InfoRows.Row> rows, int[] columns) {
        this.rows = rows;
        this.columns = columns;
    }

    @Override
    public boolean next() {
        return ++next < rows.size();
    }

    @Override
    public InternalRow get() {
        InternalRow full = rows.get(next).toInternalRow();
        Object[] out = new Object[columns.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = full.get(columns[i], ZarrTable.INFO_SCHEMA.fields()[columns[i]].dataType());
        }
        return new GenericInternalRow(out);
    }

    @Override
    public void close() {
    }
}
