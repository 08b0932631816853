package io.zarrfetch.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.Literal;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.filter.Predicate;

/**
 * Turns Spark's predicates on dimension columns into a {@link Region}: comparisons, equality, IN and AND narrow
 * the region; those it captures exactly need no second look from Spark, the others (an IN that is no
 * arithmetic progression, OR, NOT, predicates on {@code value}) go back to Spark to evaluate on the rows.
 */
final class Pushdown {
    /** What pushing some predicates gave. */
    record Result(Region region, List<Predicate> pushed, List<Predicate> postScan) {
    }

    private final List<String> dims;
    private final long[] shape;
    private Region region;

    private Pushdown(List<String> dims, long[] shape, Region region) {
        this.dims = dims;
        this.shape = shape;
        this.region = region;
    }

    /**
     * Narrows {@code region} by {@code predicates} on the columns {@code dims} (one per axis).
     */
    static Result push(Region region, List<String> dims, long[] shape, Predicate[] predicates) {
        Pushdown p = new Pushdown(dims, shape, region);
        List<Predicate> pushed = new ArrayList<>();
        List<Predicate> post = new ArrayList<>();
        for (Predicate pred : predicates) {
            Outcome o = p.apply(pred);
            if (o != Outcome.IGNORED) {
                pushed.add(pred);
            }
            if (o != Outcome.EXACT) {
                post.add(pred);
            }
        }
        return new Result(p.region, pushed, post);
    }

    /** How much of a predicate the region captures. */
    private enum Outcome {
        /** all of it: every row of the region satisfies it, and no row outside does */
        EXACT,
        /** some: the region was narrowed, but Spark must still check the rows */
        PARTIAL,
        /** nothing */
        IGNORED
    }

    private Outcome apply(Predicate p) {
        Expression[] c = p.children();
        switch (p.name()) {
            case "ALWAYS_TRUE":
                return Outcome.EXACT;
            case "ALWAYS_FALSE":
                if (region.rank() == 0) {
                    return Outcome.IGNORED; // a 0-d array's one row: Spark drops it
                }
                region = region.sub(0, 0, 0);
                return Outcome.EXACT;
            case "AND": {
                Outcome a = apply((Predicate) c[0]);
                Outcome b = apply((Predicate) c[1]);
                if (a == Outcome.EXACT && b == Outcome.EXACT) {
                    return Outcome.EXACT;
                }
                return a == Outcome.IGNORED && b == Outcome.IGNORED ? Outcome.IGNORED : Outcome.PARTIAL;
            }
            case "IS_NOT_NULL":
                return axis(c[0]) >= 0 ? Outcome.EXACT : Outcome.IGNORED;
            case "IS_NULL":
                if (axis(c[0]) >= 0) {
                    region = region.sub(axis(c[0]), 0, 0);
                    return Outcome.EXACT;
                }
                return Outcome.IGNORED;
            case "IN":
                return in(c);
            case "=", "<=>", ">", ">=", "<", "<=":
                return compare(p.name(), c);
            default:
                return Outcome.IGNORED;
        }
    }

    /** The axis of a dimension column, or -1. */
    private int axis(Expression e) {
        if (e instanceof NamedReference r && r.fieldNames().length == 1) {
            return dims.indexOf(r.fieldNames()[0]);
        }
        return -1;
    }

    /** An integral literal's value, or null. */
    private static Long integral(Expression e) {
        if (e instanceof Literal<?> l) {
            return switch (l.value()) {
                case Long v -> v;
                case Integer v -> (long) v;
                case Short v -> (long) v;
                case Byte v -> (long) v;
                case null, default -> null;
            };
        }
        return null;
    }

    private Outcome compare(String op, Expression[] c) {
        int axis = axis(c[0]);
        Long v = integral(c[1]);
        if (axis < 0 || v == null) {
            axis = axis(c[1]);
            v = integral(c[0]);
            if (axis < 0 || v == null) {
                return Outcome.IGNORED;
            }
            op = switch (op) { // literal op column: the same test with the column first
                case ">" -> "<";
                case ">=" -> "<=";
                case "<" -> ">";
                case "<=" -> ">=";
                default -> op;
            };
        }
        long lo = 0;
        long hi = shape[axis];
        switch (op) {
            case ">" -> lo = v == Long.MAX_VALUE ? hi : v + 1;
            case ">=" -> lo = v;
            case "<" -> hi = v;
            case "<=" -> hi = v == Long.MAX_VALUE ? hi : v + 1;
            default -> { // = and <=>
                lo = v;
                hi = v == Long.MAX_VALUE ? v : v + 1;
            }
        }
        region = region.within(axis, Math.max(lo, 0), Math.min(hi, shape[axis]));
        return Outcome.EXACT;
    }

    /** IN: exact when its values are an arithmetic progression (then a step), else their bounds narrow the axis. */
    private Outcome in(Expression[] c) {
        int axis = axis(c[0]);
        if (axis < 0) {
            return Outcome.IGNORED;
        }
        List<Long> values = new ArrayList<>();
        for (int i = 1; i < c.length; i++) {
            Long v = integral(c[i]);
            if (v == null) {
                if (c[i] instanceof Literal<?> l && l.value() == null) {
                    continue; // x IN (..., NULL) holds only where x is one of the others
                }
                return Outcome.IGNORED;
            }
            values.add(v);
        }
        long[] v = values.stream().mapToLong(Long::longValue).filter(x -> x >= 0 && x < shape[axis]).sorted()
                .distinct().toArray();
        if (v.length == 0) {
            region = region.sub(axis, 0, 0);
            return Outcome.EXACT;
        }
        long step = v.length == 1 ? 1 : v[1] - v[0];
        boolean progression = true;
        for (int i = 1; i < v.length; i++) {
            progression &= v[i] - v[i - 1] == step;
        }
        Region bounded = region.within(axis, v[0], v[v.length - 1] + 1);
        if (!progression) {
            region = bounded;
            return Outcome.PARTIAL;
        }
        // The progression v[0] + i * step meets the region's own start + k * rstep: exact when one step divides
        // the other and the two line up; otherwise only the bounds.
        long rs = bounded.start()[axis];
        long rstep = bounded.step()[axis];
        if (bounded.count()[axis] == 0) {
            region = bounded;
            return Outcome.EXACT;
        }
        if (step % rstep == 0 && Math.floorMod(v[0] - rs, rstep) == 0) {
            long count = v.length;
            region = withAxis(region, axis, v[0], step, count);
            region = region.within(axis, rs, bounded.last(axis) + 1);
            return Outcome.EXACT;
        }
        if (rstep % step == 0 && Math.floorMod(rs - v[0], step) == 0) {
            region = bounded;
            return Outcome.EXACT;
        }
        region = bounded;
        return Outcome.PARTIAL;
    }

    private static Region withAxis(Region r, int axis, long start, long step, long count) {
        long[] s = r.start().clone();
        long[] st = r.step().clone();
        long[] c = r.count().clone();
        s[axis] = start;
        st[axis] = step;
        c[axis] = count;
        return new Region(s, st, c);
    }
}
