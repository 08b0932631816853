package io.zarrfetch.spark;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

import io.zarrfetch.zarr.DataType.Kind;

/**
 * The {@code value} column of a batch: a view of decoded elements (C order, the array's byte order), read as
 * Spark asks for each row; no copy. An element is NULL when it lies in a missing chunk of an array without a fill
 * value, when it equals the fill value (with masking on; for floats numerically, and any NaN when the fill is NaN),
 * and when it is NaT.
 */
final class ValueVector extends ColumnVector {
    private final ValueType type;
    private final int size;
    private final ValueLayout.OfShort i16;
    private final ValueLayout.OfInt i32;
    private final ValueLayout.OfLong i64;
    private final ValueLayout.OfFloat f32;
    private final ValueLayout.OfDouble f64;
    private final Mask mask;
    /** The offset of this column's part in an element: 0, or half an element for a complex's imaginary part. */
    private final int part;
    private final ValueVector[] children;
    private MemorySegment data;
    private long base;
    private int rows;

    /**
     * What reads as NULL.
     *
     * @param fill one element of fill in the stored representation, or null for no masking by value
     * @param missing elements (by row index in the partition) of missing chunks, or null
     */
    record Mask(byte[] fill, BitSet missing) {
    }

    ValueVector(ValueType type, Mask mask) {
        this(type, mask, 0, type.size());
    }

    private ValueVector(ValueType type, Mask mask, int part, int size) {
        super(part == 0 && size == type.size() ? type.spark()
                : type.size() == 16 ? DataTypes.DoubleType : DataTypes.FloatType);
        this.type = type;
        this.mask = mask;
        this.part = part;
        this.size = size;
        ByteOrder o = type.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o);
        i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(o);
        i64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o);
        f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o);
        f64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o);
        if (type.kind() == Kind.COMPLEX && size == type.size()) {
            int half = type.size() / 2;
            children = new ValueVector[] {new ValueVector(type, null, 0, half), new ValueVector(type, null, half,
                    half)};
        } else {
            children = null;
        }
    }

    /** Points the column at the elements {@code [base, base + rows)} of {@code data}. */
    void point(MemorySegment data, long base, int rows) {
        this.data = data;
        this.base = base;
        this.rows = rows;
        if (children != null) {
            for (ValueVector c : children) {
                c.point(data, base, rows);
            }
        }
    }

    private long at(int row) {
        return (base + row) * type.size() + part;
    }

    @Override
    public boolean isNullAt(int row) {
        if (mask == null) {
            return false;
        }
        long i = base + row;
        if (mask.missing() != null && mask.missing().get((int) i)) {
            return true;
        }
        if ((type.kind() == Kind.DATETIME || type.kind() == Kind.TIMEDELTA)
                && data.get(i64, at(row)) == Long.MIN_VALUE) {
            return true; // NaT
        }
        byte[] fill = mask.fill();
        if (fill == null) {
            return false;
        }
        long off = at(row);
        return switch (type.kind()) {
            case FLOAT -> equalsFloat(off, 0, type.size());
            case COMPLEX -> equalsFloat(off, 0, type.size() / 2)
                    && equalsFloat(off + type.size() / 2, type.size() / 2, type.size() / 2);
            default -> MemorySegment.mismatch(data, off, off + type.size(), MemorySegment.ofArray(fill), 0,
                    type.size()) < 0;
        };
    }

    /** Whether the float of {@code width} bytes at {@code off} equals the fill's at {@code fillOff}. */
    private boolean equalsFloat(long off, int fillOff, int width) {
        MemorySegment fill = MemorySegment.ofArray(mask.fill());
        double v = readFloat(data, off, width);
        double f = readFloat(fill, fillOff, width);
        return Double.isNaN(f) ? Double.isNaN(v) : v == f;
    }

    private double readFloat(MemorySegment s, long off, int width) {
        return switch (width) {
            case 2 -> Float.float16ToFloat(s.get(i16, off));
            case 4 -> s.get(f32, off);
            default -> s.get(f64, off);
        };
    }

    @Override
    public boolean hasNull() {
        return mask != null;
    }

    @Override
    public int numNulls() {
        int n = 0;
        for (int r = 0; r < rows && mask != null; r++) {
            n += isNullAt(r) ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean getBoolean(int row) {
        return data.get(ValueLayout.JAVA_BYTE, at(row)) != 0;
    }

    @Override
    public byte getByte(int row) {
        return data.get(ValueLayout.JAVA_BYTE, at(row));
    }

    @Override
    public short getShort(int row) {
        if (type.kind() == Kind.UINT) { // uint8
            return (short) (data.get(ValueLayout.JAVA_BYTE, at(row)) & 0xff);
        }
        return data.get(i16, at(row));
    }

    @Override
    public int getInt(int row) {
        if (type.kind() == Kind.UINT) { // uint16
            return data.get(i16, at(row)) & 0xffff;
        }
        return data.get(i32, at(row));
    }

    @Override
    public long getLong(int row) {
        if (type.kind() == Kind.UINT) { // uint32
            return data.get(i32, at(row)) & 0xffffffffL;
        }
        long v = data.get(i64, at(row));
        if (type.timestamp()) {
            return type.microsPerUnit() == 0 ? Math.floorDiv(v, 1000) : Math.multiplyExact(v, type.microsPerUnit());
        }
        return v;
    }

    @Override
    public float getFloat(int row) {
        return size == 2 ? Float.float16ToFloat(data.get(i16, at(row))) : data.get(f32, at(row));
    }

    @Override
    public double getDouble(int row) {
        return data.get(f64, at(row));
    }

    @Override
    public Decimal getDecimal(int row, int precision, int scale) {
        long v = data.get(i64, at(row)); // uint64
        BigDecimal d = v >= 0 ? BigDecimal.valueOf(v) : new BigDecimal(new BigInteger(Long.toUnsignedString(v)));
        return Decimal.apply(d, precision, scale);
    }

    @Override
    public UTF8String getUTF8String(int row) {
        long off = at(row);
        int chars = type.size() / 4;
        while (chars > 0 && data.get(i32, off + (chars - 1) * 4L) == 0) {
            chars--; // NumPy drops trailing NULs
        }
        StringBuilder b = new StringBuilder(chars);
        for (int c = 0; c < chars; c++) {
            b.appendCodePoint(data.get(i32, off + c * 4L));
        }
        return UTF8String.fromBytes(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] getBinary(int row) {
        long off = at(row);
        int n = type.size();
        if (type.kind() == Kind.BYTES) {
            while (n > 0 && data.get(ValueLayout.JAVA_BYTE, off + n - 1) == 0) {
                n--; // NumPy drops trailing NULs of S types
            }
        }
        return data.asSlice(off, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public ColumnVector getChild(int ordinal) {
        return children[ordinal];
    }

    @Override
    public ColumnarArray getArray(int row) {
        throw new UnsupportedOperationException("not an array column");
    }

    @Override
    public ColumnarMap getMap(int row) {
        throw new UnsupportedOperationException("not a map column");
    }

    @Override
    public void close() {
        // the data belongs to the reader
    }
}
