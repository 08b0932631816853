package io.zarrfetch.zarr;

import java.nio.ByteOrder;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of an array's elements, with the byte order they are stored in.
 *
 * @param kind what the bytes mean
 * @param size bytes per element
 * @param order the byte order elements are stored (and read) in; irrelevant for one-byte kinds and for bytes
 * @param name the type as NumPy describes it, without the byte order: {@code i2}, {@code f8}, {@code b1},
 *     {@code S10}, {@code U5}, {@code M8[ns]}
 */
public record DataType(Kind kind, int size, ByteOrder order, String name) {
    /** What an element's bytes mean. */
    public enum Kind {
        BOOL, INT, UINT, FLOAT, COMPLEX, DATETIME, TIMEDELTA,
        /** fixed-length bytes (NumPy {@code S}) */
        BYTES,
        /** fixed-length UCS-4 text (NumPy {@code U}), {@code size / 4} characters */
        UNICODE,
        /** uninterpreted bytes (NumPy {@code V}, Zarr v3 {@code r*}) */
        RAW
    }

    private static final Pattern V2 = Pattern.compile("([<>|=])([biufcmMSUV])(\\d+)(\\[\\w+\\])?");

    public DataType {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(order, "order");
        if (size < 1) {
            throw new IllegalArgumentException("element size must be at least 1 byte, was " + size);
        }
    }

    /**
     * Parses a Zarr v2 {@code dtype} string, a NumPy array-interface type string such as {@code <i2}, {@code |b1},
     * {@code >f8}, {@code |S10}, {@code <U5}, {@code <M8[ns]}.
     *
     * @throws IllegalArgumentException for structured and other types zarrfetch does not read
     */
    public static DataType v2(String typestr) {
        Matcher m = V2.matcher(typestr);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported Zarr v2 dtype " + typestr
                    + " (supported: numeric, bool, datetime, fixed-length bytes, unicode and void types)");
        }
        char endian = m.group(1).charAt(0);
        char code = m.group(2).charAt(0);
        int n = Integer.parseInt(m.group(3));
        String unit = m.group(4) == null ? "" : m.group(4);
        ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Kind kind = switch (code) {
            case 'b' -> Kind.BOOL;
            case 'i' -> Kind.INT;
            case 'u' -> Kind.UINT;
            case 'f' -> Kind.FLOAT;
            case 'c' -> Kind.COMPLEX;
            case 'M' -> Kind.DATETIME;
            case 'm' -> Kind.TIMEDELTA;
            case 'S' -> Kind.BYTES;
            case 'U' -> Kind.UNICODE;
            default -> Kind.RAW;
        };
        int size = kind == Kind.UNICODE ? n * 4 : n;
        boolean ok = switch (kind) {
            case BOOL -> n == 1;
            case INT, UINT -> n == 1 || n == 2 || n == 4 || n == 8;
            case FLOAT -> n == 2 || n == 4 || n == 8;
            case COMPLEX -> n == 8 || n == 16;
            case DATETIME, TIMEDELTA -> n == 8 && !unit.isEmpty();
            default -> n >= 1;
        };
        if (!ok) {
            throw new IllegalArgumentException("unsupported Zarr v2 dtype " + typestr);
        }
        return new DataType(kind, size, order, "" + code + n + unit);
    }

    /**
     * A Zarr v3 core data type ({@code bool}, {@code int8}...{@code uint64}, {@code float16/32/64},
     * {@code complex64/128}, {@code r8}, {@code r16}, ...), stored in {@code order} (the {@code bytes} codec's endian).
     *
     * @throws IllegalArgumentException for extension types zarrfetch does not read, naming them
     */
    public static DataType v3(Object dataType, ByteOrder order) {
        if (!(dataType instanceof String name)) {
            throw new IllegalArgumentException("unsupported Zarr v3 data_type " + dataType
                    + " (extension data types are not supported)");
        }
        DataType t = switch (name) {
            case "bool" -> new DataType(Kind.BOOL, 1, order, "b1");
            case "int8", "int16", "int32", "int64" -> integer(Kind.INT, name.substring(3), order, "i");
            case "uint8", "uint16", "uint32", "uint64" -> integer(Kind.UINT, name.substring(4), order, "u");
            case "float16" -> new DataType(Kind.FLOAT, 2, order, "f2");
            case "float32" -> new DataType(Kind.FLOAT, 4, order, "f4");
            case "float64" -> new DataType(Kind.FLOAT, 8, order, "f8");
            case "complex64" -> new DataType(Kind.COMPLEX, 8, order, "c8");
            case "complex128" -> new DataType(Kind.COMPLEX, 16, order, "c16");
            default -> {
                if (name.matches("r\\d+")) {
                    int bits = Integer.parseInt(name.substring(1));
                    if (bits > 0 && bits % 8 == 0) {
                        yield new DataType(Kind.RAW, bits / 8, order, "V" + bits / 8);
                    }
                }
                throw new IllegalArgumentException("unsupported Zarr v3 data_type " + name
                        + " (supported: bool, int8-64, uint8-64, float16/32/64, complex64/128, r*)");
            }
        };
        return t;
    }

    private static DataType integer(Kind kind, String bits, ByteOrder order, String code) {
        int size = Integer.parseInt(bits) / 8;
        return new DataType(kind, size, order, code + size);
    }

    /** Whether the byte order matters for this type (multi-byte numbers). */
    public boolean hasByteOrder() {
        return switch (kind) {
            case BYTES, RAW, BOOL -> false;
            case UNICODE -> true;
            default -> size > 1;
        };
    }

    /** The NumPy {@code descr} of this type, as .npy files and Zarr v2 metadata write it: {@code <i2}, {@code |u1}. */
    public String numpyDescr() {
        char endian = !hasByteOrder() ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        return endian + name;
    }

    /** The same type stored in another byte order. */
    public DataType withOrder(ByteOrder o) {
        return new DataType(kind, size, o, name);
    }

    @Override
    public String toString() {
        return numpyDescr();
    }
}
