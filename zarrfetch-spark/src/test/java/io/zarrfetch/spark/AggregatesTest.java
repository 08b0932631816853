package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.expressions.aggregate.Sum;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.zarr.DataType.Kind;

/**
 * Aggregates pushed into the scan give what Spark computes over the rows (the same query with
 * {@code pushAggregates=false}), for every data type of the conformance arrays, grouped by dimension columns or not,
 * with fill values, missing chunks (with and without a fill value), NaN, filters at chunk edges and selections; and
 * what cannot be pushed is left to Spark.
 */
class AggregatesTest {
    static final String GRID = ElementsTest.GRID;

    /** The query's rows, sorted, computed by the scan (pushed) or by Spark over rows; and whether it was pushed. */
    record Result(List<Row> rows, boolean pushed) {
    }

    /** A query, with aggregates pushed or not. */
    interface Query {
        Dataset<Row> on(boolean push) throws Exception;
    }

    static Result run(boolean push, Query query) throws Exception {
        Dataset<Row> df = query.on(push);
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.sort(Comparator.comparing(Row::toString));
        return new Result(rows, pushed(df));
    }

    /** Whether the executed plan's zarr scan computes an aggregation. */
    static boolean pushed(Dataset<Row> df) {
        return TestSpark.scan(df).scan().description().contains("aggregated");
    }

    /** The zarr scan's partitions. */
    static int partitions(Dataset<Row> df) {
        return TestSpark.scan(df).batch().planInputPartitions().length;
    }

    /** Runs {@code query} pushed and not, asserts both give the same rows and that it was pushed as expected. */
    static List<Row> same(String what, boolean pushable, Function<DataFrameReader, Dataset<Row>> query)
            throws Exception {
        return same(what, pushable, 0, query);
    }

    /**
     * As {@link #same(String, boolean, Function)}, float sums allowed to differ by {@code slack} too: a float sum
     * depends on the order of its terms, by up to about n x 2^-53 x the sum of their magnitudes.
     */
    static List<Row> same(String what, boolean pushable, double slack, Function<DataFrameReader, Dataset<Row>> query)
            throws Exception {
        return sameAs(what, pushable, slack, push -> query.apply(TestSpark.zarr().option("pushAggregates",
                String.valueOf(push))));
    }

    static List<Row> sameAs(String what, boolean pushable, Query query) throws Exception {
        return sameAs(what, pushable, 0, query);
    }

    static List<Row> sameAs(String what, boolean pushable, double slack, Query query) throws Exception {
        Result spark = run(false, query);
        Result pushed = run(true, query);
        assertThat(spark.pushed()).as(what + ": pushAggregates=false").isFalse();
        assertThat(pushed.pushed()).as(what + ": pushed").isEqualTo(pushable);
        assertThat(pushed.rows()).as(what).hasSameSizeAs(spark.rows());
        for (int r = 0; r < spark.rows().size(); r++) {
            Row a = pushed.rows().get(r);
            Row b = spark.rows().get(r);
            for (int c = 0; c < b.size(); c++) {
                Object x = a.get(c);
                Object y = b.get(c);
                if (x instanceof Double dx && y instanceof Double dy && !dx.isNaN() && !dy.isNaN()) {
                    // sums of floats in another order
                    assertThat(dx).as("%s: row %s column %d (pushed: %s)", what, b, c, a)
                            .isCloseTo(dy, org.assertj.core.data.Offset.offset(Math.max(slack,
                                    1e-9 * Math.max(1, Math.abs(dy)))));
                } else {
                    assertThat(x).as("%s: row %s column %d (pushed: %s)", what, b, c, a).isEqualTo(y);
                }
            }
        }
        return pushed.rows();
    }

    static final String ALL = "count(*), count(value), sum(value), min(value), max(value), avg(value)";

    @Test
    void groupedByDimensionsOrNotWithFillAndMissingChunks() throws Exception {
        List<Row> global = same("global", true, r -> r.load(GRID).selectExpr(ALL.split(", ")));
        // and against the grid's own values: 3 missing chunks are NULL, as the fill would be
        long n = 0;
        long sum = 0;
        for (String v : ElementsTest.expectedGrid(c -> true, true).values()) {
            if (!v.equals("null")) {
                n++;
                sum += Long.parseLong(v);
            }
        }
        assertThat(global.getFirst().getLong(0)).isEqualTo(11 * 17 * 9);
        assertThat(global.getFirst().getLong(1)).isEqualTo(n).isLessThan(11 * 17 * 9);
        assertThat(global.getFirst().getLong(2)).isEqualTo(sum);

        same("by i", true, r -> stats(r.load(GRID).groupBy("i")));
        same("by k, the last axis", true, r -> stats(r.load(GRID).groupBy("k")));
        same("by j, i", true, r -> stats(r.load(GRID).groupBy("j", "i")));
        same("by every axis", true, r -> stats(r.load(GRID).groupBy("k", "i", "j")));
        same("filtered at chunk edges", true, r -> stats(r.load(GRID).filter("i >= 3 AND i < 8 AND k IN (0, 4, 8)")
                .groupBy("j")));
        same("a selection with steps", true, r -> stats(r.option("selection", "1:10:3, ::-2, 2:").load(GRID)
                .groupBy("i", "k")));
        same("an empty region", true, r -> r.load(GRID).filter("i < 0").selectExpr(ALL.split(", ")));
        same("maskFill=false", true, r -> stats(r.option("maskFill", "false").load(GRID).groupBy("i")));
        same("without a fill value, missing chunks NULL", true, r -> stats(r.load("s3://fixtures/grid-nofill")
                .groupBy("j")));
        same("without a fill value, no group", true, r -> r.load("s3://fixtures/grid-nofill")
                .selectExpr(ALL.split(", ")));
        sameAs("SQL", true, push -> {
            TestSpark.spark().sql("CREATE OR REPLACE TEMPORARY VIEW grid_agg USING zarr OPTIONS (path '" + GRID
                    + "', endpoint '" + TestSpark.s3().endpoint() + "', anonymous 'true', pushAggregates '" + push
                    + "')");
            return TestSpark.spark().sql("SELECT i, count(value), avg(value) FROM grid_agg WHERE j BETWEEN 4 AND 10 "
                    + "GROUP BY i");
        });
    }

    @Test
    void partitionsReadInPartsGiveTheSame() throws Exception {
        // chunks of 512 KiB and partitionBytes 1m: each partition reads one chunk while it totals the one before
        String large = "s3://fixtures/large";
        List<Row> global = same("large", true, r -> r.option("partitionBytes", "1m").load(large).selectExpr(
                ALL.split(", ")));
        long n = 0;
        long sum = 0;
        for (long i = 0; i < 7; i++) {
            for (long j = 0; j < 600; j++) {
                for (long k = 0; k < 512; k++) {
                    short v = TestArrays.largeValue(i, j, k);
                    if (v != 7 && !(i == 3 && j >= 512)) {
                        n++;
                        sum += v;
                    }
                }
            }
        }
        assertThat(global.getFirst().getLong(1)).isEqualTo(n);
        assertThat(global.getFirst().getLong(2)).isEqualTo(sum);
        same("large by t", true, r -> stats(r.option("partitionBytes", "1m").load(large).groupBy("t")));
        same("large, count and avg", true, r -> r.option("partitionBytes", "1m").load(large).selectExpr(
                "count(value)", "avg(value)"));
        same("large by y, filtered", true, r -> stats(r.option("partitionBytes", "1m").load(large)
                .filter("x >= 100 AND y < 550").groupBy("y")));
        Dataset<Row> df = TestSpark.zarr().option("partitionBytes", "1m").load(large).selectExpr("sum(value)");
        df.collectAsList();
        assertThat(partitions(df)).as("partitions of several parts").isLessThan(7);
        assertThat(TestSpark.scanMetrics(df)).containsEntry(Metrics.CHUNKS, 14L).containsEntry(Metrics.MISSING, 1L)
                .containsEntry(Metrics.BYTES, 7L * 600 * 512 * 2);
    }

    /** Every aggregate the scan takes, per group. */
    private static Dataset<Row> stats(RelationalGroupedDataset groups) {
        return groups.agg(functions.count("*"), functions.count("value"), functions.sum("value"),
                functions.min("value"), functions.max("value"), functions.avg("value"));
    }

    @Test
    void whatCannotBePushedIsLeftToSpark() throws Exception {
        same("a filter on value", false, r -> r.load(GRID).filter("value > 100").selectExpr("count(*)"));
        same("a filter Spark checks again", false, r -> r.load(GRID).filter("i IN (1, 2, 9)").selectExpr(
                "count(value)"));
        same("DISTINCT", false, r -> r.load(GRID).selectExpr("count(DISTINCT value)"));
        same("grouped by value", false, r -> r.load(GRID).groupBy("value").count());
        same("an expression", false, r -> r.load(GRID).selectExpr("sum(value * 2)"));
        same("min of a dimension", false, r -> r.load(GRID).selectExpr("min(i)"));
        same("a grouping expression", false, r -> r.load(GRID).groupBy(org.apache.spark.sql.functions.expr(
                "i % 2")).count());
    }

    @Test
    void tooManyGroupsAreLeftToSpark() {
        Region huge = Region.all(new long[] {1 << 11, 1 << 10, 2});
        List<String> dims = List.of("a", "b", "c");
        ValueType t = ValueType.of(io.zarrfetch.zarr.DataType.v2("<i2"));
        Function<String[], Aggregation> by = axes -> new Aggregation(new AggregateFunc[] {new CountStar()},
                Stream.of(axes).map(Expressions::column).toArray(Expression[]::new));
        assertThat(Aggregates.of(by.apply(new String[] {"a", "b"}), dims, t, huge)).as("2^21 groups").isNull();
        assertThat(Aggregates.of(by.apply(new String[] {"a", "c"}), dims, t, huge)).as("2^12 groups").isNotNull();
        assertThat(Aggregates.of(new Aggregation(new AggregateFunc[] {new Sum(Expressions.column("value"), false)},
                new Expression[0]), dims, ValueType.of(io.zarrfetch.zarr.DataType.v2("<i8")), huge))
                .as("sums of 64-bit integers").isNull();
    }

    @Test
    void countsReadNoChunkWhereNoValueCanBeNull() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(TestSpark.s3().endpoint(), 1)) {
            Dataset<Row> rows = TestSpark.zarr(proxy.endpoint()).load(GRID).groupBy("i").count();
            assertThat(rows.collectAsList()).hasSize(11).allSatisfy(r -> assertThat(r.getLong(1)).isEqualTo(17 * 9));
            assertThat(pushed(rows)).isTrue();
            Dataset<Row> raw = TestSpark.zarr(proxy.endpoint()).option("maskFill", "false").load(GRID)
                    .selectExpr("count(value)");
            assertThat(raw.first().getLong(0)).isEqualTo(11 * 17 * 9);
            assertThat(ElementsTest.chunkGets(proxy, "/grid/")).as("chunk requests for counts").isZero();
            Dataset<Row> values = TestSpark.zarr(proxy.endpoint()).load(GRID).selectExpr("count(value)");
            assertThat(values.collectAsList().getFirst().getLong(0)).isLessThan(11 * 17 * 9);
            assertThat(ElementsTest.chunkGets(proxy, "/grid/")).as("fill values are NULL: chunks read").isPositive();
            assertThat(TestSpark.scanMetrics(values).get(Metrics.CHUNKS)).isEqualTo(36);
        }
    }

    @Test
    void aCorruptChunkFailsTheTaskWithItsName() throws Exception {
        Dataset<Row> df = TestSpark.zarr().load("s3://fixtures/corrupt").groupBy("j").agg(functions.max("value"));
        assertThatThrownBy(df::collectAsList).hasStackTraceContaining("s3://fixtures/corrupt/1.1.1")
                .hasStackTraceContaining("the chunk has 316 bytes, not 320");
        assertThat(pushed(df)).isTrue();
        // and read in parts: a part read ahead, not wanted after the failure, is let go
        Dataset<Row> parts = TestSpark.zarr().option("partitionBytes", "1m").load("s3://fixtures/corrupt")
                .selectExpr("sum(value)");
        assertThatThrownBy(parts::collectAsList).hasStackTraceContaining("s3://fixtures/corrupt/1.1.1");
    }

    @Test
    void theOptionIsChecked() {
        assertThatThrownBy(() -> TestSpark.zarr().option("pushAggregates", "maybe").load(GRID).count())
                .hasMessageContaining("option pushAggregates: 'maybe' is not true or false");
    }

    /** Every conformance array: its aggregates pushed and not agree; pushed for every number type and bool. */
    @TestFactory
    Stream<DynamicTest> everyDataType() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        Path v2 = TestSpark.bucket().resolve("v2");
        for (String c : Files.readAllLines(v2.resolve("cases.txt"))) {
            if (!c.isBlank()) {
                tests.add(DynamicTest.dynamicTest("v2/" + c, () -> checkTypes("s3://fixtures/v2/" + c)));
            }
        }
        Path v3 = TestSpark.bucket().resolve("v3");
        try (Stream<Path> expected = Files.walk(v3)) {
            for (Path f : expected.filter(p -> p.endsWith("expected/0.json")).sorted().toList()) {
                String name = v3.relativize(f.getParent().getParent()).toString();
                tests.add(DynamicTest.dynamicTest("v3/" + name, () -> checkTypes("s3://fixtures/v3/" + name)));
            }
        }
        return tests.stream();
    }

    static void checkTypes(String url) throws Exception {
        io.zarrfetch.zarr.DataType t = ConformanceTest.meta(url).dtype();
        io.zarrfetch.zarr.DataType.Kind k = t.kind();
        boolean number = k == Kind.INT || k == Kind.FLOAT
                || (k == Kind.UINT && t.size() <= 4);
        boolean counted = number || k == Kind.BOOL;
        String what = url + " (" + t.name() + ")";
        boolean longs = k == Kind.INT && t.size() == 8;
        String aggregates = number ? "count(*), count(value), min(value), max(value)" + (longs ? "" : ", sum(value), "
                + "avg(value)") : "count(*), count(value)";
        double slack = 0;
        if (k == Kind.FLOAT) { // n x 2^-52 x the sum of magnitudes, from Spark (infinite: any finite difference)
            Row m = TestSpark.zarr().load(url).selectExpr("count(value)", "sum(abs(CAST(value AS DOUBLE)))").first();
            slack = m.isNullAt(1) ? 0 : m.getLong(0) * 0x1p-52 * m.getDouble(1);
        }
        same(what, counted, Double.isNaN(slack) ? Double.POSITIVE_INFINITY : slack,
                r -> r.load(url).selectExpr(aggregates.split(", ")));
        if (!counted) {
            same(what + " count(*)", true, r -> r.load(url).selectExpr("count(*)"));
        }
        if (number && k != Kind.FLOAT && !longs) { // without MIN and MAX, integers are totalled another way
            same(what + " count, sum", true, r -> r.load(url).selectExpr("count(value)", "sum(value)"));
        }
        if (longs) {
            // left to Spark (whose sum of these random values overflows, as it should)
            assertThat(pushed(TestSpark.zarr().load(url).selectExpr("sum(value)"))).as(what + " sum").isFalse();
        }
    }
}
