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
    private final Test test;
    private final long fillBits;
    private final double fillFloat;
    private final double fillRe;
    private final double fillIm;
    private final MemorySegment fillSegment;
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
        byte[] fill = mask == null ? null : mask.fill();
        test = mask == null ? Test.NONE : test(fill);
        fillBits = fillBits(fill);
        fillSegment = fill == null ? null : MemorySegment.ofArray(fill);
        int half = type.size() / 2;
        fillFloat = fill != null && type.kind() == Kind.FLOAT ? readFloat(fillSegment, 0, type.size()) : 0;
        fillRe = fill != null && type.kind() == Kind.COMPLEX ? readFloat(fillSegment, 0, half) : 0;
        fillIm = fill != null && type.kind() == Kind.COMPLEX ? readFloat(fillSegment, half, half) : 0;
        if (type.kind() == Kind.COMPLEX && size == type.size()) {
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
        long off = i * type.size();
        return switch (test) {
            case NONE -> false;
            case NAT -> data.get(i64, off) == Long.MIN_VALUE;
            case NAT_OR_FILL -> data.get(i64, off) == Long.MIN_VALUE || data.get(i64, off) == fillBits;
            case BITS1 -> data.get(ValueLayout.JAVA_BYTE, off) == (byte) fillBits;
            case BITS2 -> data.get(i16, off) == (short) fillBits;
            case BITS4 -> data.get(i32, off) == (int) fillBits;
            case BITS8 -> data.get(i64, off) == fillBits;
            case NAN -> Double.isNaN(readFloat(data, off, type.size()));
            case FLOAT -> readFloat(data, off, type.size()) == fillFloat;
            case COMPLEX -> isFill(readFloat(data, off, type.size() / 2), fillRe)
                    && isFill(readFloat(data, off + type.size() / 2, type.size() / 2), fillIm);
            case BYTES -> MemorySegment.mismatch(data, off, off + type.size(), fillSegment, 0, type.size()) < 0;
        };
    }

    /** Floats equal to the fill numerically, or NaN when the fill is NaN. */
    private static boolean isFill(double v, double fill) {
        return Double.isNaN(fill) ? Double.isNaN(v) : v == fill;
    }

    /** How {@link #isNullAt} tests an element, chosen once for the column's type, fill and masking. */
    private enum Test {
        NONE, NAT, NAT_OR_FILL, BITS1, BITS2, BITS4, BITS8, NAN, FLOAT, COMPLEX, BYTES
    }

    private Test test(byte[] fill) {
        boolean time = type.kind() == Kind.DATETIME || type.kind() == Kind.TIMEDELTA;
        if (fill == null) {
            return time ? Test.NAT : Test.NONE;
        }
        if (time) {
            return Test.NAT_OR_FILL;
        }
        return switch (type.kind()) {
            case FLOAT -> Double.isNaN(readFloat(MemorySegment.ofArray(fill), 0, type.size())) ? Test.NAN
                    : Test.FLOAT;
            case COMPLEX -> Test.COMPLEX;
            case BOOL, INT, UINT -> switch (type.size()) {
                case 1 -> Test.BITS1;
                case 2 -> Test.BITS2;
                case 4 -> Test.BITS4;
                default -> Test.BITS8;
            };
            default -> Test.BYTES;
        };
    }

    /** The fill's bits as a long (for integer kinds and datetimes), read as elements are. */
    private long fillBits(byte[] fill) {
        if (fill == null || !(test == Test.BITS1 || test == Test.BITS2 || test == Test.BITS4 || test == Test.BITS8
                || test == Test.NAT_OR_FILL)) {
            return 0;
        }
        MemorySegment f = MemorySegment.ofArray(fill);
        return switch (type.size()) {
            case 1 -> f.get(ValueLayout.JAVA_BYTE, 0);
            case 2 -> f.get(i16, 0);
            case 4 -> f.get(i32, 0);
            default -> f.get(i64, 0);
        };
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
