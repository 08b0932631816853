package io.zarrfetch.zarr;

import java.nio.ByteBuffer;

/**
 * Reading and writing single numeric elements of any {@link DataType} in a buffer, with NumPy's conversion rules
 * (floats to integers truncate, integers wrap), for the filters that change an array's type.
 */
final class Elements {
    private Elements() {
    }

    static boolean isFloat(DataType t) {
        return t.kind() == DataType.Kind.FLOAT;
    }

    static void check(DataType t) {
        switch (t.kind()) {
            case BOOL, INT, UINT, FLOAT, DATETIME, TIMEDELTA -> { }
            default -> throw new IllegalArgumentException("not a numeric type: " + t.numpyDescr());
        }
    }

    /** Element {@code i} as a double. */
    static double getDouble(ByteBuffer b, int i, DataType t) {
        if (isFloat(t)) {
            int at = i * t.size();
            return switch (t.size()) {
                case 2 -> Float.float16ToFloat(b.getShort(at));
                case 4 -> b.getFloat(at);
                default -> b.getDouble(at);
            };
        }
        long v = getLong(b, i, t);
        if (t.kind() == DataType.Kind.UINT && t.size() == 8 && v < 0) {
            return (double) (v >>> 1) * 2.0 + (v & 1);
        }
        return v;
    }

    /** Element {@code i} as a long: sign-extended for signed types, zero-extended for unsigned and bool. */
    static long getLong(ByteBuffer b, int i, DataType t) {
        if (isFloat(t)) {
            return (long) getDouble(b, i, t);
        }
        int at = i * t.size();
        boolean unsigned = t.kind() == DataType.Kind.UINT || t.kind() == DataType.Kind.BOOL;
        return switch (t.size()) {
            case 1 -> unsigned ? b.get(at) & 0xffL : b.get(at);
            case 2 -> unsigned ? b.getShort(at) & 0xffffL : b.getShort(at);
            case 4 -> unsigned ? b.getInt(at) & 0xffffffffL : b.getInt(at);
            default -> b.getLong(at);
        };
    }

    /** Stores {@code v} as element {@code i}, as NumPy's astype would (integers truncate toward zero and wrap). */
    static void putDouble(ByteBuffer b, int i, DataType t, double v) {
        if (isFloat(t)) {
            int at = i * t.size();
            switch (t.size()) {
                case 2 -> b.putShort(at, Float.floatToFloat16((float) v));
                case 4 -> b.putFloat(at, (float) v);
                default -> b.putDouble(at, v);
            }
        } else if (t.kind() == DataType.Kind.BOOL) {
            putLong(b, i, t, v != 0 ? 1 : 0);
        } else {
            putLong(b, i, t, Double.isNaN(v) ? Long.MIN_VALUE : (long) v);
        }
    }

    /** Stores {@code v} as element {@code i}, wrapping to the type's width. */
    static void putLong(ByteBuffer b, int i, DataType t, long v) {
        if (isFloat(t)) {
            putDouble(b, i, t, v);
            return;
        }
        int at = i * t.size();
        switch (t.size()) {
            case 1 -> b.put(at, (byte) v);
            case 2 -> b.putShort(at, (short) v);
            case 4 -> b.putInt(at, (int) v);
            default -> b.putLong(at, v);
        }
    }
}
