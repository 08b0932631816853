package io.zarrfetch.spark;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import io.zarrfetch.zarr.DataType.Kind;

/**
 * For each group of a partition: how many of its values are not NULL, their sum, least and greatest, as Spark's
 * COUNT, SUM, MIN and MAX define them (integers summed exactly into a {@code long}, floats into a {@code double};
 * NaN is greater than any other float), read from decoded elements (C order, the array's byte order).
 *
 * <p>A value is NULL when it equals the fill value and masking is on, as the {@code value} column reads it
 * ({@link ValueVector}): integers by their bits, floats numerically, and any NaN when the fill is NaN. Elements of
 * missing chunks of arrays without a fill value are never given here.
 */
final class Totals {
    // Constant layouts: see ValueVector (a layout held in a field costs a generic VarHandle call per read).
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final ValueType type;
    private final boolean floats;
    private final boolean big;
    private final boolean unsigned;
    private final boolean masked;
    /** The bits of an unsigned integer (read sign-extended). */
    private final long mask;
    private final long fillBits;
    private final boolean nanFill;
    private final double fill;

    private final long[] count;
    private final long[] sum;
    private final long[] min;
    private final long[] max;
    private final double[] fsum;
    private final double[] fmin;
    private final double[] fmax;

    // one call's totals, merged into its group by add()
    private long n;
    private long s;
    private long lo;
    private long hi;
    private double fs;
    private double flo;
    private double fhi;

    /**
     * @param type integer, unsigned integer (up to 32 bits), float or bool (counts only)
     * @param maskedFill one element of fill that reads as NULL, stored representation, or null for none
     * @param groups the groups
     */
    Totals(ValueType type, byte[] maskedFill, int groups) {
        this.type = type;
        floats = type.kind() == Kind.FLOAT;
        big = type.bigEndian();
        unsigned = type.kind() == Kind.UINT || type.kind() == Kind.BOOL;
        masked = maskedFill != null;
        mask = type.size() == 8 ? -1L : (1L << (8 * type.size())) - 1;
        MemorySegment f = masked ? MemorySegment.ofArray(maskedFill) : null;
        fillBits = masked && !floats ? bits(f, 0) : 0;
        fill = masked && floats ? fill(f) : 0;
        nanFill = Double.isNaN(fill);
        count = new long[groups];
        sum = floats ? null : new long[groups];
        min = floats ? null : new long[groups];
        max = floats ? null : new long[groups];
        fsum = floats ? new double[groups] : null;
        fmin = floats ? new double[groups] : null;
        fmax = floats ? new double[groups] : null;
        if (floats) {
            Arrays.fill(fmin, Double.NaN); // NaN is the greatest float: any value replaces it
            Arrays.fill(fmax, Double.NEGATIVE_INFINITY);
        } else {
            Arrays.fill(min, Long.MAX_VALUE);
            Arrays.fill(max, Long.MIN_VALUE);
        }
    }

    /** Adds the elements {@code [from, from + length)} of {@code data} to group {@code group}. */
    void add(MemorySegment data, long from, long length, int group) {
        long end = from + length;
        if (floats) {
            floats(data, from, end);
            if (n > 0) {
                count[group] += n;
                fsum[group] += fs;
                if (flo < fmin[group] || Double.isNaN(fmin[group])) {
                    fmin[group] = flo;
                }
                if (fhi > fmax[group] || Double.isNaN(fhi)) {
                    fmax[group] = fhi;
                }
            }
            return;
        }
        ints(data, from, end);
        if (n > 0) {
            count[group] += n;
            // one call's sum (a run of at most 2^31 values of at most 32 bits) cannot overflow; a group's might
            sum[group] = type.size() == 8 ? 0 : Math.addExact(sum[group], s);
            min[group] = Math.min(min[group], lo);
            max[group] = Math.max(max[group], hi);
        }
    }

    private void ints(MemorySegment d, long from, long end) {
        int size = type.size();
        long cn = 0;
        long cs = 0;
        long clo = Long.MAX_VALUE;
        long chi = Long.MIN_VALUE;
        for (long i = from; i < end; i++) {
            long raw = switch (size) {
                case 1 -> d.get(ValueLayout.JAVA_BYTE, i);
                case 2 -> big ? d.get(I16_BE, i * 2) : d.get(I16_LE, i * 2);
                case 4 -> big ? d.get(I32_BE, i * 4) : d.get(I32_LE, i * 4);
                default -> big ? d.get(I64_BE, i * 8) : d.get(I64_LE, i * 8);
            };
            if (masked && raw == fillBits) {
                continue;
            }
            long v = unsigned ? raw & mask : raw;
            cn++;
            cs += v; // 64-bit integers' sums are left to Spark (Aggregates): this one is not used for them
            clo = Math.min(clo, v);
            chi = Math.max(chi, v);
        }
        n = cn;
        s = cs;
        lo = clo;
        hi = chi;
    }

    private void floats(MemorySegment d, long from, long end) {
        int size = type.size();
        long cn = 0;
        double cs = 0;
        double clo = Double.NaN;
        double chi = Double.NEGATIVE_INFINITY;
        for (long i = from; i < end; i++) {
            double v = switch (size) {
                case 2 -> Float.float16ToFloat(big ? d.get(I16_BE, i * 2) : d.get(I16_LE, i * 2));
                case 4 -> Float.intBitsToFloat(big ? d.get(I32_BE, i * 4) : d.get(I32_LE, i * 4));
                default -> Double.longBitsToDouble(big ? d.get(I64_BE, i * 8) : d.get(I64_LE, i * 8));
            };
            if (masked && (nanFill ? Double.isNaN(v) : v == fill)) {
                continue;
            }
            cn++;
            cs += v;
            if (v < clo || Double.isNaN(clo)) {
                clo = v;
            }
            if (v > chi || Double.isNaN(v)) {
                chi = v;
            }
        }
        n = cn;
        fs = cs;
        flo = clo;
        fhi = chi;
    }

    /** Values of group {@code g} that are not NULL. */
    long count(int g) {
        return count[g];
    }

    /** SUM of group {@code g} as Spark types it ({@code bigint} or {@code double}), NULL when it has no value. */
    Object sum(int g) {
        return count[g] == 0 ? null : floats ? (Object) fsum[g] : (Object) sum[g];
    }

    /** MIN of group {@code g}, of the {@code value} column's type; NULL when it has no value. */
    Object min(int g) {
        return count[g] == 0 ? null : floats ? spark(fmin[g]) : spark(min[g]);
    }

    /** MAX of group {@code g}, of the {@code value} column's type; NULL when it has no value. */
    Object max(int g) {
        return count[g] == 0 ? null : floats ? spark(fmax[g]) : spark(max[g]);
    }

    private Object spark(double v) {
        return type.size() == 8 ? (Object) v : (Object) (float) v;
    }

    /** An integer as the {@code value} column holds it (see {@link ValueType}). */
    private Object spark(long v) {
        DataType t = type.spark();
        return t.equals(DataTypes.ByteType) ? (Object) (byte) v : t.equals(DataTypes.ShortType) ? (Object) (short) v
                : t.equals(DataTypes.IntegerType) ? (Object) (int) v : (Object) v;
    }

    private long bits(MemorySegment f, long off) {
        return switch (type.size()) {
            case 1 -> f.get(ValueLayout.JAVA_BYTE, off);
            case 2 -> big ? f.get(I16_BE, off) : f.get(I16_LE, off);
            case 4 -> big ? f.get(I32_BE, off) : f.get(I32_LE, off);
            default -> big ? f.get(I64_BE, off) : f.get(I64_LE, off);
        };
    }

    private double fill(MemorySegment f) {
        return switch (type.size()) {
            case 2 -> Float.float16ToFloat((short) bits(f, 0));
            case 4 -> Float.intBitsToFloat((int) bits(f, 0));
            default -> Double.longBitsToDouble(bits(f, 0));
        };
    }
}
