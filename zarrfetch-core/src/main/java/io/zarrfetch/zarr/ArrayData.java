package io.zarrfetch.zarr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Elements read from an array: their type, their shape, and their bytes in C order, in the type's byte order.
 *
 * @param data {@code elements() * dtype.size()} bytes
 */
public record ArrayData(DataType dtype, long[] shape, MemorySegment data) {
    /** Elements in all. */
    public long elements() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** The bytes as a buffer in the type's byte order (at most 2 GiB). */
    public ByteBuffer asByteBuffer() {
        return data.asByteBuffer().order(dtype.order());
    }

    private int count(int size, String what) {
        if (dtype.size() != size || !numeric()) {
            throw new IllegalStateException("the data is " + dtype.numpyDescr() + ", not " + what);
        }
        long n = elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(n + " elements do not fit a Java array");
        }
        return (int) n;
    }

    private boolean numeric() {
        return switch (dtype.kind()) {
            case BOOL, INT, UINT, FLOAT, DATETIME, TIMEDELTA -> true;
            default -> false;
        };
    }

    private ByteOrder order() {
        return dtype.order();
    }

    /** One-byte elements (int8, uint8, bool) as a byte array. */
    public byte[] toByteArray() {
        return data.toArray(ValueLayout.JAVA_BYTE.withByteAlignment(1));
    }

    /** Two-byte integers as a short array. */
    public short[] toShortArray() {
        short[] out = new short[count(2, "a 2-byte integer")];
        MemorySegment.copy(data, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order()), 0, out, 0, out.length);
        return out;
    }

    /** Four-byte integers as an int array. */
    public int[] toIntArray() {
        int[] out = new int[count(4, "a 4-byte integer")];
        MemorySegment.copy(data, ValueLayout.JAVA_INT_UNALIGNED.withOrder(order()), 0, out, 0, out.length);
        return out;
    }

    /** Eight-byte integers as a long array. */
    public long[] toLongArray() {
        long[] out = new long[count(8, "an 8-byte integer")];
        MemorySegment.copy(data, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order()), 0, out, 0, out.length);
        return out;
    }

    /** float32 elements as a float array. */
    public float[] toFloatArray() {
        float[] out = new float[count(4, "float32")];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order()), 0, out, 0, out.length);
        return out;
    }

    /** float64 elements as a double array. */
    public double[] toDoubleArray() {
        double[] out = new double[count(8, "float64")];
        MemorySegment.copy(data, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order()), 0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return "ArrayData[" + dtype.numpyDescr() + " " + Arrays.toString(shape) + "]";
    }
}
