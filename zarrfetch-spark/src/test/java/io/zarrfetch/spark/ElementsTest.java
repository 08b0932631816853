package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.zarr.Selection;
import io.zarrfetch.zarr.ZarrArray;

/**
 * The elements view on arrays whose every element is known: results against {@code ZarrArray.read}, NULLs for
 * fill and missing chunks, predicates at chunk edges pruning chunks and applied exactly, the selection option,
 * column pruning, partitions and statistics; requests counted at a proxy in front of the S3 server.
 */
class ElementsTest {
    static final String GRID = "s3://fixtures/grid";

    /** Rows as "i,j,k" -> value text. */
    static Map<String, String> byCoordinates(Dataset<Row> df) {
        Map<String, String> out = new HashMap<>();
        for (Row r : df.collectAsList()) {
            String key = r.getLong(0) + "," + r.getLong(1) + "," + r.getLong(2);
            assertThat(out.put(key, String.valueOf(r.get(3)))).as("row %s twice", key).isNull();
        }
        return out;
    }

    /** The grid's elements that satisfy {@code p}, as the view must give them. */
    static Map<String, String> expectedGrid(Predicate<long[]> p, boolean maskFill) {
        Map<String, String> out = new HashMap<>();
        for (long i = 0; i < 11; i++) {
            for (long j = 0; j < 17; j++) {
                for (long k = 0; k < 9; k++) {
                    if (p.test(new long[] {i, j, k})) {
                        String v = TestArrays.gridMissing(i, j, k) ? (maskFill ? "null" : "-1")
                                : String.valueOf(TestArrays.gridValue(i, j, k));
                        out.put(i + "," + j + "," + k, v);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theWholeArrayIsWhatZarrArrayReadsWithMissingChunksNull() throws Exception {
        Dataset<Row> df = TestSpark.zarr().load(GRID);
        assertThat(df.columns()).containsExactly("i", "j", "k", "value");
        assertThat(df.schema().apply("value").dataType().simpleString()).isEqualTo("int");
        Map<String, String> got = byCoordinates(df);
        assertThat(got).isEqualTo(expectedGrid(c -> true, true));
        // and ZarrArray.read gives the same, with the fill where Spark has NULL
        try (Stores stores = new Stores(StoreOptions.defaults().withEndpoint(TestSpark.s3().endpoint())
                .withAnonymous(true)); Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            int[] all = ZarrArray.open(stores, GRID, fetcher).read(Selection.all()).toIntArray();
            for (int n = 0; n < all.length; n++) {
                String key = n / (17 * 9) + "," + n / 9 % 17 + "," + n % 9;
                assertThat(got.get(key)).as(key).isEqualTo(all[n] == -1 ? "null" : String.valueOf(all[n]));
            }
        }
        Map<String, Long> m = TestSpark.scanMetrics(df);
        assertThat(m.get(Metrics.CHUNKS)).isEqualTo(36);
        assertThat(m.get(Metrics.MISSING)).isEqualTo(3);
        assertThat(m.get(Metrics.BYTES)).isEqualTo(11 * 17 * 9 * 4);
    }

    @Test
    void sqlReadsItThroughATemporaryView() throws Exception {
        TestSpark.spark().sql("CREATE OR REPLACE TEMPORARY VIEW grid USING zarr OPTIONS (path '" + GRID
                + "', endpoint '" + TestSpark.s3().endpoint() + "', anonymous 'true')");
        long expected = expectedGrid(c -> c[0] == 5, true).values().stream().filter(v -> !v.equals("null")).count();
        assertThat(TestSpark.spark().sql("SELECT count(value) FROM grid WHERE i = 5").first().getLong(0))
                .isEqualTo(expected).isEqualTo(17 * 9 - 5 * 4);
    }

    @Test
    void maskFillFalseGivesTheRawFillValue() throws Exception {
        assertThat(byCoordinates(TestSpark.zarr().option("maskFill", "false").load(GRID)))
                .isEqualTo(expectedGrid(c -> true, false));
    }

    @Test
    void withoutAFillValueOnlyMissingChunksAreNull() throws Exception {
        Map<String, String> got = byCoordinates(TestSpark.zarr().load("s3://fixtures/grid-nofill"));
        int zeros = 0;
        for (long i = 0; i < 11; i++) {
            for (long j = 0; j < 17; j++) {
                for (long k = 0; k < 9; k++) {
                    String v = got.get(i + "," + j + "," + k);
                    if (TestArrays.gridMissing(i, j, k)) {
                        assertThat(v).as("%d,%d,%d", i, j, k).isEqualTo("null");
                    } else {
                        assertThat(v).as("%d,%d,%d", i, j, k).isEqualTo(String.valueOf(TestArrays.noFillValue(i, j,
                                k)));
                        zeros += v.equals("0") ? 1 : 0;
                    }
                }
            }
        }
        assertThat(zeros).as("stored zeros stay zeros").isGreaterThan(100);
    }

    /** A filter, what it selects, how many chunks it touches, and whether the scan captures it exactly. */
    record Case(String filter, Predicate<long[]> keeps, int chunks, boolean exact) {
    }

    @Test
    void filtersOnDimensionsPruneChunksAndNeedNoSecondLook() throws Exception {
        List<Case> cases = List.of(
                new Case("i >= 4 AND i < 8", c -> c[0] >= 4 && c[0] < 8, 12, true),
                new Case("i = 3", c -> c[0] == 3, 12, true),
                new Case("i = 4 AND j = 5 AND k = 4", c -> c[0] == 4 && c[1] == 5 && c[2] == 4, 1, true),
                new Case("j > 4 AND j <= 9", c -> c[1] > 4 && c[1] <= 9, 9, true),
                new Case("i >= 10 AND j >= 15 AND k >= 8", c -> c[0] >= 10 && c[1] >= 15 && c[2] >= 8, 1, true),
                new Case("k IN (0, 4, 8)", c -> c[2] % 4 == 0, 36, true),
                new Case("j IN (4, 5) AND 7 >= i", c -> (c[1] == 4 || c[1] == 5) && c[0] <= 7, 12, true),
                new Case("i IN (1, 2, 9)", c -> c[0] == 1 || c[0] == 2 || c[0] == 9, 36, false),
                new Case("i < 0", c -> false, 0, true),
                new Case("k = 3 AND value > 1000", c -> c[2] == 3 && !TestArrays.gridMissing(c[0], c[1], c[2])
                        && TestArrays.gridValue(c[0], c[1], c[2]) > 1000, 12, false));
        for (Case c : cases) {
            Dataset<Row> df = TestSpark.zarr().load(GRID).filter(c.filter());
            assertThat(byCoordinates(df)).as(c.filter()).isEqualTo(expectedGrid(c.keeps(), true));
            String plan = df.queryExecution().executedPlan().toString();
            assertThat(plan).as(c.filter()).contains(c.chunks() + " of 36 chunks");
            assertThat(sparkFilters(df)).as(c.filter() + ": Spark filters again\n" + plan).isEqualTo(!c.exact());
        }
    }

    /** Whether the executed plan filters rows after the scan. */
    static boolean sparkFilters(Dataset<Row> df) {
        return df.queryExecution().executedPlan().find(p -> p instanceof FilterExec).isDefined();
    }

    @Test
    void theSelectionOptionTakesNumPySyntaxAndCombinesWithFilters() throws Exception {
        Dataset<Row> df = TestSpark.zarr().option("selection", "2:9:3, ..., -4:").load(GRID);
        assertThat(byCoordinates(df)).isEqualTo(expectedGrid(c -> c[0] >= 2 && c[0] < 9 && (c[0] - 2) % 3 == 0
                && c[2] >= 5, true));
        Dataset<Row> both = TestSpark.zarr().option("selection", "2:9:3,5,:").load(GRID).filter("i > 2 AND k < 6");
        assertThat(byCoordinates(both)).isEqualTo(expectedGrid(c -> (c[0] == 5 || c[0] == 8) && c[1] == 5
                && c[2] < 6, true));
        assertThat(sparkFilters(both)).isFalse();
        // Axes walked backwards select the same rows (their order is Spark's, as always).
        Dataset<Row> backwards = TestSpark.zarr().option("selection", "8:1:-3, ::-1, -1:4:-1").load(GRID);
        assertThat(byCoordinates(backwards)).isEqualTo(expectedGrid(c -> (c[0] == 8 || c[0] == 5 || c[0] == 2)
                && c[2] >= 5, true));
    }

    @Test
    void prunedColumnsAreNotProducedAndCountsReadNoChunk() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(TestSpark.s3().endpoint(), 1)) {
            Dataset<Row> coords = TestSpark.zarr(proxy.endpoint()).load(GRID).filter("i = 2").select("k", "j");
            List<Row> rows = coords.collectAsList();
            assertThat(rows).hasSize(17 * 9);
            assertThat(rows.getFirst().size()).isEqualTo(2);
            assertThat(TestSpark.scanMetrics(coords).get(Metrics.CHUNKS)).isZero();
            assertThat(TestSpark.zarr(proxy.endpoint()).load(GRID).filter("j < 5").count()).isEqualTo(11 * 5 * 9);
            assertThat(chunkGets(proxy, "/grid/")).as("chunk requests for coordinates and counts").isZero();
        }
    }

    /** GETs of chunks (not metadata) under {@code path}. */
    static long chunkGets(FaultProxy proxy, String path) {
        return proxy.requests().stream().filter(r -> r.method().equals("GET") && r.target().contains(path)
                && !r.target().contains("/.z") && !r.target().contains("zarr.json")).count();
    }

    @Test
    void aFilterTouchingOnePercentOfTheChunksReadsOnlyThose() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(TestSpark.s3().endpoint(), 1)) {
            Dataset<Row> df = TestSpark.zarr(proxy.endpoint()).load("s3://fixtures/wide").filter("y >= 40 AND y < 42");
            List<Row> rows = df.collectAsList();
            assertThat(rows).hasSize(2 * 50);
            for (Row r : rows) {
                assertThat(r.getShort(2)).isEqualTo((short) (r.getLong(0) * 50 + r.getLong(1)));
            }
            assertThat(chunkGets(proxy, "/wide/")).as("10 of the 1,000 chunks").isEqualTo(10);
            assertThat(TestSpark.scanMetrics(df).get(Metrics.CHUNKS)).isEqualTo(10);
            // The metadata was read once, on the driver (zarr.json: 404, then .zarray and .zattrs): the tasks
            // opened the array from the documents that came with the scan.
            assertThat(df.rdd().getNumPartitions()).isEqualTo(2);
            assertThat(proxy.requests().stream().filter(r -> r.target().contains("/wide/")).count()
                    - chunkGets(proxy, "/wide/")).as("metadata requests").isEqualTo(3);
        }
    }

    @Test
    void partitionsHoldWholeChunksAndEveryCoreGetsOne() throws Exception {
        // 1,000 chunks of 20 bytes: far below partitionBytes, so the scan shrinks partitions to one per core.
        Dataset<Row> df = TestSpark.zarr().load("s3://fixtures/wide");
        assertThat(df.rdd().getNumPartitions()).isEqualTo(TestSpark.spark().sparkContext().defaultParallelism());
        long split = df.withColumn("p", functions.spark_partition_id())
                .groupBy(functions.floor(functions.col("y").divide(2)), functions.floor(functions.col("x").divide(5)))
                .agg(functions.countDistinct("p").as("n")).filter("n > 1").count();
        assertThat(split).as("chunks split across partitions").isZero();
        // The grid's 36 chunks of 320 bytes, 18 a core: blocks take the 3 chunks along i, then the 4 along j
        // (12), and cannot grow along k: three partitions of 12.
        assertThat(TestSpark.zarr().load(GRID).rdd().getNumPartitions()).isEqualTo(3);
    }

    @Test
    void statisticsCountTheRowsOfTheRegion() throws Exception {
        Dataset<Row> df = TestSpark.zarr().load(GRID).filter("i < 2 AND k = 0");
        var stats = df.queryExecution().optimizedPlan().stats();
        assertThat(stats.rowCount().get().longValue()).isEqualTo(2 * 17);
        assertThat(stats.sizeInBytes().longValue()).isEqualTo(2 * 17 * (3 * 8 + 4));
    }

    @Test
    void aCorruptChunkFailsTheTaskNamingTheChunk() throws Exception {
        Dataset<Row> df = TestSpark.zarr().load("s3://fixtures/corrupt");
        assertThatThrownBy(df::collectAsList).hasStackTraceContaining("s3://fixtures/corrupt/1.1.1")
                .hasStackTraceContaining("the chunk has 316 bytes, not 320");
        // the chunks that are whole still read
        assertThat(TestSpark.zarr().load("s3://fixtures/corrupt").filter("i < 4").count()).isEqualTo(4 * 17 * 9);
    }

    @Test
    void badOptionsAreClearErrors() throws Exception {
        Map<String, String> bad = new HashMap<>();
        bad.put("view", "option view: 'rows' is not a view; use elements (the default), chunks or info");
        bad.put("partitionBytes", "option partitionBytes: '12 apples' is not a size");
        bad.put("selection", "option selection: malformed selection item 'x'");
        bad.put("selectoin", "unknown zarr option(s) [selectoin]");
        bad.put("maskFill", "option maskFill: 'yes' is not true or false");
        bad.put("concurrency", "option concurrency: 0 is not between 1 and 4096");
        bad.put("endpoint", "option endpoint: endpoint must be an http:// or https:// URL, was ftp://x");
        Map<String, String> values = Map.of("view", "rows", "partitionBytes", "12 apples", "selection", "0:2,x",
                "selectoin", "0:2", "maskFill", "yes", "concurrency", "0", "endpoint", "ftp://x");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> TestSpark.spark().read().format("zarr").option(e.getKey(),
                    values.get(e.getKey())).load(GRID).collectAsList()).as(e.getKey())
                    .hasStackTraceContaining(e.getValue());
        }
        assertThatThrownBy(() -> TestSpark.zarr().option("selection", "20").load(GRID).collectAsList())
                .hasStackTraceContaining("option selection: index 20 is out of bounds for axis 0 with size 11");
        assertThatThrownBy(() -> TestSpark.zarr().load("s3://fixtures/nothing-here").collectAsList())
                .hasStackTraceContaining("cannot open the array s3://fixtures/nothing-here")
                .hasStackTraceContaining("no Zarr array here");
        assertThatThrownBy(() -> TestSpark.zarr().option("accessKeyId", "a").load(GRID).collectAsList())
                .hasStackTraceContaining("options accessKeyId and secretAccessKey go together");
        assertThatThrownBy(() -> TestSpark.zarr().load().collectAsList())
                .hasStackTraceContaining("no array URL");
    }
}
