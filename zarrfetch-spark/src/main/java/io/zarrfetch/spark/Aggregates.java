package io.zarrfetch.spark;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.aggregate.Count;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.expressions.aggregate.Max;
import org.apache.spark.sql.connector.expressions.aggregate.Min;
import org.apache.spark.sql.connector.expressions.aggregate.Sum;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import io.zarrfetch.zarr.DataType.Kind;

/**
 * An aggregation Spark pushed into the scan: each partition computes it over its decoded chunks and hands Spark one
 * row per group of its block, which Spark then merges (sums of counts and sums, min of mins, max of maxes; AVG it
 * turns into SUM / COUNT first). Taken: COUNT(*), COUNT of any column, and SUM, MIN, MAX of an integer or float
 * {@code value} (SUM not of 64-bit integers, whose partial sums could overflow where Spark's would not), grouped
 * by dimension columns or not. Anything else stays Spark's, over rows.
 *
 * @param groupAxes the axes grouped by, in Spark's order
 * @param ops what each output column after the groups holds
 * @param chunksAtOnce how many chunks (shards) a partition's reader reads at once: it holds three such parts
 */
record Aggregates(int[] groupAxes, List<Op> ops, long chunksAtOnce) implements Serializable {
    /** The most groups a region may have for its grouping to be pushed (each partition keeps a slot for each). */
    static final long MAX_GROUPS = 1 << 20;

    /** One output column. */
    enum Op {
        /** COUNT(*), or COUNT of a dimension column (never NULL): the elements of the group */
        ROWS,
        /** COUNT(value): the elements that are not NULL */
        VALUES,
        SUM, MIN, MAX
    }

    /**
     * What of {@code aggregation} a scan of {@code region} of an array with dimensions {@code dims} and values of
     * {@code type} can compute, or null when not all of it.
     */
    static Aggregates of(Aggregation aggregation, List<String> dims, ValueType type, Region region) {
        Expression[] by = aggregation.groupByExpressions();
        int[] axes = new int[by.length];
        long groups = 1;
        for (int i = 0; i < by.length; i++) {
            axes[i] = column(by[i], dims);
            if (axes[i] < 0) {
                return null; // value, or an expression
            }
            for (int j = 0; j < i; j++) {
                if (axes[j] == axes[i]) {
                    return null;
                }
            }
            long count = region.count()[axes[i]];
            if (count > MAX_GROUPS || (groups *= count) > MAX_GROUPS) { // both at most 2^20: no overflow
                return null;
            }
        }
        Op[] ops = new Op[aggregation.aggregateExpressions().length];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = op(aggregation.aggregateExpressions()[i], dims, type);
            if (ops[i] == null) {
                return null;
            }
        }
        return new Aggregates(axes, List.of(ops), 1);
    }

    private static Op op(AggregateFunc f, List<String> dims, ValueType type) {
        Kind k = type.kind();
        boolean number = k == Kind.INT || k == Kind.FLOAT || (k == Kind.UINT && type.size() <= 4);
        return switch (f) {
            case CountStar c -> Op.ROWS;
            case Count c when c.isDistinct() -> null;
            case Count c -> switch (column(c.column(), dims)) {
                case -1 -> number || k == Kind.BOOL ? Op.VALUES : null;
                case -2 -> null;
                default -> Op.ROWS;
            };
            case Sum s when !s.isDistinct() && column(s.column(), dims) == -1 && number
                    && !(k == Kind.INT && type.size() == 8) -> Op.SUM;
            case Min m when column(m.column(), dims) == -1 && number -> Op.MIN;
            case Max m when column(m.column(), dims) == -1 && number -> Op.MAX;
            default -> null;
        };
    }

    /** The axis of a dimension column, -1 for {@code value}, -2 for anything else. */
    private static int column(Expression e, List<String> dims) {
        if (!(e instanceof NamedReference r) || r.fieldNames().length != 1) {
            return -2;
        }
        String name = r.fieldNames()[0];
        int axis = dims.indexOf(name);
        return name.equals("value") ? -1 : axis >= 0 ? axis : -2;
    }

    /** The same, read {@code chunks} chunks at a time. */
    Aggregates readingAtOnce(long chunks) {
        return new Aggregates(groupAxes, ops, chunks);
    }

    /** Whether computing it needs the values, or only the region's shape. */
    boolean needsValues(boolean nullable) {
        return ops.stream().anyMatch(o -> o == Op.SUM || o == Op.MIN || o == Op.MAX || (o == Op.VALUES && nullable));
    }

    /** The rows a partition hands Spark: the group's coordinates, then one column per op. */
    StructType schema(ValueType type) {
        StructType s = new StructType();
        for (int i = 0; i < groupAxes.length; i++) {
            s = s.add("group_col_" + i, DataTypes.LongType, false);
        }
        for (int i = 0; i < ops.size(); i++) {
            DataType t = switch (ops.get(i)) {
                case ROWS, VALUES -> DataTypes.LongType;
                case SUM -> type.kind() == Kind.FLOAT ? DataTypes.DoubleType : DataTypes.LongType;
                case MIN, MAX -> type.spark();
            };
            s = s.add("agg_func_" + i, t, ops.get(i) != Op.ROWS && ops.get(i) != Op.VALUES);
        }
        return s;
    }

    /** As {@code explain} shows it: {@code count(*), sum(value) by time}, with the dimensions' names. */
    String describe(List<String> dims) {
        StringBuilder b = new StringBuilder();
        for (Op o : ops) {
            b.append(b.isEmpty() ? "" : ", ").append(switch (o) {
                case ROWS -> "count(*)";
                case VALUES -> "count(value)";
                case SUM -> "sum(value)";
                case MIN -> "min(value)";
                case MAX -> "max(value)";
            });
        }
        for (int i = 0; i < groupAxes.length; i++) {
            b.append(i == 0 ? " by " : ", ").append(dims.get(groupAxes[i]));
        }
        return b.toString();
    }
}
