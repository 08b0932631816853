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
    /**
     * Elements taken out of the segment at a time, into Java arrays (byte order applied by the copy) and widened to
     * {@code long} or {@code double}: loops over arrays compile tight, reads of a segment one by one do not.
     */
    private static final int BLOCK = 4096;

    private final ValueType type;
    private final boolean floats;
    private final boolean unsigned;
    private final boolean masked;
    /** Whether MIN or MAX is wanted: without them, integers are counted and summed without a branch. */
    private final boolean extremes;
    /** How an element is stored (its width and byte order), a block of them as stored, and widened. */
    private final ValueLayout layout;
    private final Object block;
    private final long[] longs;
    private final double[] doubles;
    /** The fill, widened as elements are. */
    private final long fill;
    private final double fillFloat;
    private final boolean nanFill;

    private final long[] count;
    private final long[] sum;
    private final long[] min;
    private final long[] max;
    private final double[] fsum;
    private final double[] fmin;
    private final double[] fmax;

    // what one add() has totalled so far
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
     * @param extremes whether {@link #min} and {@link #max} are wanted
     */
    Totals(ValueType type, byte[] maskedFill, int groups, boolean extremes) {
        this.extremes = extremes;
        this.type = type;
        floats = type.kind() == Kind.FLOAT;
        unsigned = type.kind() == Kind.UINT || type.kind() == Kind.BOOL;
        masked = maskedFill != null;
        ByteOrder order = type.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        layout = switch (type.size()) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
            case 4 -> floats ? ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order)
                    : ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
            default -> floats ? ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order)
                    : ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
        };
        block = switch (type.size()) {
            case 1 -> new byte[BLOCK];
            case 2 -> new short[BLOCK];
            case 4 -> floats ? new float[BLOCK] : new int[BLOCK];
            default -> floats ? new double[BLOCK] : new long[BLOCK];
        };
        longs = floats ? null : block instanceof long[] l ? l : new long[BLOCK];
        doubles = !floats ? null : block instanceof double[] d ? d : new double[BLOCK];
        if (masked) {
            take(MemorySegment.ofArray(maskedFill), 0, 1);
        }
        fill = masked && !floats ? longs[0] : 0;
        fillFloat = masked && floats ? doubles[0] : 0;
        nanFill = Double.isNaN(fillFloat);
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
        n = 0;
        s = 0;
        lo = Long.MAX_VALUE;
        hi = Long.MIN_VALUE;
        fs = 0;
        flo = Double.NaN;
        fhi = Double.NEGATIVE_INFINITY;
        for (long at = from; at < from + length; at += BLOCK) {
            int k = (int) Math.min(BLOCK, from + length - at);
            take(data, at, k);
            if (floats) {
                floats(k);
            } else if (extremes) {
                integers(k);
            } else {
                sums(k);
            }
        }
        if (n == 0) {
            return;
        }
        count[group] += n;
        if (floats) {
            fsum[group] += fs;
            if (flo < fmin[group] || Double.isNaN(fmin[group])) {
                fmin[group] = flo;
            }
            if (fhi > fmax[group] || Double.isNaN(fhi)) {
                fmax[group] = fhi;
            }
        } else {
            // one call's sum (a run of at most 2^31 values of at most 32 bits) cannot overflow, a group's might;
            // 64-bit integers' sums are left to Spark (Aggregates), so theirs may wrap here, unused
            sum[group] = type.size() == 8 ? 0 : Math.addExact(sum[group], s);
            min[group] = Math.min(min[group], lo);
            max[group] = Math.max(max[group], hi);
        }
    }

    /** Copies {@code k} elements from element {@code at} of {@code data} into {@link #longs} or {@link #doubles}. */
    private void take(MemorySegment data, long at, int k) {
        MemorySegment.copy(data, layout, at * type.size(), block, 0, k);
        switch (block) {
            case byte[] b -> {
                for (int i = 0; i < k; i++) {
                    longs[i] = unsigned ? b[i] & 0xff : b[i];
                }
            }
            case short[] h when floats -> {
                for (int i = 0; i < k; i++) {
                    doubles[i] = Float.float16ToFloat(h[i]);
                }
            }
            case short[] h -> {
                for (int i = 0; i < k; i++) {
                    longs[i] = unsigned ? h[i] & 0xffff : h[i];
                }
            }
            case int[] w -> {
                for (int i = 0; i < k; i++) {
                    longs[i] = unsigned ? w[i] & 0xffffffffL : w[i];
                }
            }
            case float[] f -> {
                for (int i = 0; i < k; i++) {
                    doubles[i] = f[i];
                }
            }
            default -> {
                // long[] and double[] are read in place
            }
        }
    }

    private void integers(int k) {
        long[] v = longs;
        long cn = 0;
        long cs = 0;
        long clo = lo;
        long chi = hi;
        for (int i = 0; i < k; i++) {
            if (masked && v[i] == fill) {
                continue;
            }
            cn++;
            cs += v[i];
            clo = Math.min(clo, v[i]);
            chi = Math.max(chi, v[i]);
        }
        n += cn;
        s += cs;
        lo = clo;
        hi = chi;
    }

    /** Integers' count and sum alone: the fills are counted, and their share taken out after (3-4x faster). */
    private void sums(int k) {
        long[] v = longs;
        long fills = 0;
        long cs = 0;
        for (int i = 0; i < k; i++) {
            cs += v[i];
            fills += v[i] == fill ? 1 : 0;
        }
        if (!masked) {
            fills = 0;
        }
        n += k - fills;
        s += cs - fills * fill;
    }

    private void floats(int k) {
        double[] v = doubles;
        long cn = 0;
        double cs = 0;
        double clo = flo;
        double chi = fhi;
        for (int i = 0; i < k; i++) {
            double x = v[i];
            if (masked && (nanFill ? Double.isNaN(x) : x == fillFloat)) {
                continue;
            }
            cn++;
            cs += x;
            if (x < clo || Double.isNaN(clo)) {
                clo = x;
            }
            if (x > chi || Double.isNaN(x)) {
                chi = x;
            }
        }
        n += cn;
        fs += cs;
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
        if (!extremes) {
            throw new IllegalStateException("MIN was not asked for");
        }
        return count[g] == 0 ? null : floats ? spark(fmin[g]) : spark(min[g]);
    }

    /** MAX of group {@code g}, of the {@code value} column's type; NULL when it has no value. */
    Object max(int g) {
        if (!extremes) {
            throw new IllegalStateException("MAX was not asked for");
        }
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
}
