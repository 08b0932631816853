package io.zarrfetch.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A dimension column of a batch: the coordinate along one axis of each row, computed from the row's place in the
 * partition's region (C order) rather than stored.
 */
final class CoordinateVector extends ColumnVector {
    private final long start;
    private final long step;
    private final long count;
    /** Rows per step along this axis: the product of the counts of the axes after it. */
    private final long inner;
    private long base;

    CoordinateVector(Region region, int axis) {
        super(DataTypes.LongType);
        this.start = region.start()[axis];
        this.step = region.step()[axis];
        this.count = region.count()[axis];
        long in = 1;
        for (int a = axis + 1; a < region.rank(); a++) {
            in *= region.count()[a];
        }
        this.inner = in;
    }

    /** Points the column at the rows from {@code base} on. */
    void point(long base) {
        this.base = base;
    }

    @Override
    public long getLong(int row) {
        return start + ((base + row) / inner % count) * step;
    }

    @Override
    public boolean isNullAt(int row) {
        return false;
    }

    @Override
    public boolean hasNull() {
        return false;
    }

    @Override
    public int numNulls() {
        return 0;
    }

    @Override
    public boolean getBoolean(int row) {
        throw wrongType();
    }

    @Override
    public byte getByte(int row) {
        throw wrongType();
    }

    @Override
    public short getShort(int row) {
        throw wrongType();
    }

    @Override
    public int getInt(int row) {
        throw wrongType();
    }

    @Override
    public float getFloat(int row) {
        throw wrongType();
    }

    @Override
    public double getDouble(int row) {
        throw wrongType();
    }

    @Override
    public ColumnarArray getArray(int row) {
        throw wrongType();
    }

    @Override
    public ColumnarMap getMap(int row) {
        throw wrongType();
    }

    @Override
    public Decimal getDecimal(int row, int precision, int scale) {
        throw wrongType();
    }

    @Override
    public UTF8String getUTF8String(int row) {
        throw wrongType();
    }

    @Override
    public byte[] getBinary(int row) {
        throw wrongType();
    }

    @Override
    public ColumnVector getChild(int ordinal) {
        throw wrongType();
    }

    private static UnsupportedOperationException wrongType() {
        return new UnsupportedOperationException("a dimension column is bigint");
    }

    @Override
    public void close() {
    }
}
