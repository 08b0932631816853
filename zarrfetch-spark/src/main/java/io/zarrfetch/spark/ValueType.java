package io.zarrfetch.spark;

import java.io.Serializable;
import java.nio.ByteOrder;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import io.zarrfetch.zarr.DataType.Kind;

/**
 * How one Zarr element type becomes a Spark value: the Spark type, and what an executor needs to read an element
 * of it from decoded bytes (kind, size, byte order, and for datetimes the unit's length in microseconds).
 *
 * <p>Integers map to the smallest Spark type that holds them (uint16 to {@code int}, uint64 to
 * {@code decimal(20,0)}); float16 widens to {@code float}; complex numbers are structs {@code (real, imag)}; fixed
 * bytes ({@code S}) and raw ({@code V}, {@code r*}) are {@code binary}, unicode ({@code U}) is {@code string} (both
 * without NumPy's trailing NULs, as NumPy gives them); datetime64 with a unit from weeks to nanoseconds is
 * {@code timestamp_ntz} (nanoseconds rounded down to microseconds), other datetimes and timedelta64 are
 * {@code bigint} counts of their unit; NaT is NULL.
 *
 * @param microsPerUnit for {@code timestamp_ntz}: microseconds per unit (0 for nanoseconds, which divide)
 */
record ValueType(Kind kind, int size, boolean bigEndian, DataType spark, long microsPerUnit) implements Serializable {

    static ValueType of(io.zarrfetch.zarr.DataType t) {
        boolean big = t.order() == ByteOrder.BIG_ENDIAN;
        DataType spark = switch (t.kind()) {
            case BOOL -> DataTypes.BooleanType;
            case INT -> switch (t.size()) {
                case 1 -> DataTypes.ByteType;
                case 2 -> DataTypes.ShortType;
                case 4 -> DataTypes.IntegerType;
                default -> DataTypes.LongType;
            };
            case UINT -> switch (t.size()) {
                case 1 -> DataTypes.ShortType;
                case 2 -> DataTypes.IntegerType;
                case 4 -> DataTypes.LongType;
                default -> DataTypes.createDecimalType(20, 0);
            };
            case FLOAT -> t.size() == 8 ? DataTypes.DoubleType : DataTypes.FloatType;
            case COMPLEX -> {
                DataType part = t.size() == 16 ? DataTypes.DoubleType : DataTypes.FloatType;
                yield new StructType().add("real", part, false).add("imag", part, false);
            }
            case BYTES, RAW -> DataTypes.BinaryType;
            case UNICODE -> DataTypes.StringType;
            case DATETIME -> micros(t) >= 0 ? DataTypes.TimestampNTZType : DataTypes.LongType;
            case TIMEDELTA -> DataTypes.LongType;
        };
        return new ValueType(t.kind(), t.size(), big, spark, t.kind() == Kind.DATETIME ? Math.max(0, micros(t)) : 0);
    }

    /** Microseconds per unit of a datetime64 (0 for ns), or -1 when its unit is no fixed length of time we map. */
    private static long micros(io.zarrfetch.zarr.DataType t) {
        String name = t.name();
        int open = name.indexOf('[');
        String unit = open < 0 ? "" : name.substring(open + 1, name.length() - 1);
        return switch (unit) {
            case "W" -> 7L * 86_400_000_000L;
            case "D" -> 86_400_000_000L;
            case "h" -> 3_600_000_000L;
            case "m" -> 60_000_000L;
            case "s" -> 1_000_000L;
            case "ms" -> 1_000L;
            case "us" -> 1L;
            case "ns" -> 0L;
            default -> -1L;
        };
    }

    /** Whether this is a datetime read as {@code timestamp_ntz}. */
    boolean timestamp() {
        return kind == Kind.DATETIME && DataTypes.TimestampNTZType.equals(spark);
    }
}
