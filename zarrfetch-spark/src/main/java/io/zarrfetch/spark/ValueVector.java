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
    // Layouts as constants: the JIT turns a read through a constant layout into one load (0.2 ns), while one
    // through a layout held in a field takes its VarHandle's generic path (6 ns on JDK 25), paid by isNullAt and
    // again by getShort for each of the billions of rows a region can be.
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(BE);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(BE);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfLong I64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(BE);
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfFloat F32_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(BE);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(BE);

    private final boolean big;
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
        big = type.bigEndian();
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
            case NAT -> i64(data, off) == Long.MIN_VALUE;
            case NAT_OR_FILL -> i64(data, off) == Long.MIN_VALUE || i64(data, off) == fillBits;
            case BITS1 -> data.get(ValueLayout.JAVA_BYTE, off) == (byte) fillBits;
            case BITS2 -> i16(data, off) == (short) fillBits;
            case BITS4 -> i32(data, off) == (int) fillBits;
            case BITS8 -> i64(data, off) == fillBits;
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
            case 2 -> i16(f, 0);
            case 4 -> i32(f, 0);
            default -> i64(f, 0);
        };
    }

    private double readFloat(MemorySegment s, long off, int width) {
        return switch (width) {
            case 2 -> Float.float16ToFloat(i16(s, off));
            case 4 -> f32(s, off);
            default -> f64(s, off);
        };
    }

    private short i16(MemorySegment s, long off) {
        return big ? s.get(I16_BE, off) : s.get(I16_LE, off);
    }

    private int i32(MemorySegment s, long off) {
        return big ? s.get(I32_BE, off) : s.get(I32_LE, off);
    }

    private long i64(MemorySegment s, long off) {
        return big ? s.get(I64_BE, off) : s.get(I64_LE, off);
    }

    private float f32(MemorySegment s, long off) {
        return big ? s.get(F32_BE, off) : s.get(F32_LE, off);
    }

    private double f64(MemorySegment s, long off) {
        return big ? s.get(F64_BE, off) : s.get(F64_LE, off);
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
        return i16(data, at(row));
    }

    @Override
    public int getInt(int row) {
        if (type.kind() == Kind.UINT) { // uint16
            return i16(data, at(row)) & 0xffff;
        }
        return i32(data, at(row));
    }

    @Override
    public long getLong(int row) {
        if (type.kind() == Kind.UINT) { // uint32
            return i32(data, at(row)) & 0xffffffffL;
        }
        long v = i64(data, at(row));
        if (type.timestamp()) {
            return type.microsPerUnit() == 0 ? Math.floorDiv(v, 1000) : Math.multiplyExact(v, type.microsPerUnit());
        }
        return v;
    }

    @Override
    public float getFloat(int row) {
        return size == 2 ? Float.float16ToFloat(i16(data, at(row))) : f32(data, at(row));
    }

    @Override
    public double getDouble(int row) {
        return f64(data, at(row));
    }

    @Override
    public Decimal getDecimal(int row, int precision, int scale) {
        long v = i64(data, at(row)); // uint64
        BigDecimal d = v >= 0 ? BigDecimal.valueOf(v) : new BigDecimal(new BigInteger(Long.toUnsignedString(v)));
        return Decimal.apply(d, precision, scale);
    }

    @Override
    public UTF8String getUTF8String(int row) {
        long off = at(row);
        int chars = type.size() / 4;
        while (chars > 0 && i32(data, off + (chars - 1) * 4L) == 0) {
            chars--; // NumPy drops trailing NULs
        }
        StringBuilder b = new StringBuilder(chars);
        for (int c = 0; c < chars; c++) {
            b.appendCodePoint(i32(data, off + c * 4L));
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
