package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.junit.jupiter.api.Test;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.S3Server;

/**
 * The engine on executors: signed requests with credentials from options that never show, one engine shared by
 * the tasks of a JVM, closed by the plugin, and a cancelled job whose fetches stop.
 */
class ExecutorEngineTest {
    static final String SECRET = "zarr-test-secret-9f3a1c";
    static final String TOKEN = "zarr-test-session-token-77e2";

    @Test
    void credentialsFromOptionsSignRequestsAndNeverShow() throws Exception {
        try (S3Server signed = S3Server.startWithCredentials("AKIDZARRTEST", SECRET)) {
            signed.createBucket("signed");
            Path grid = TestSpark.bucket().resolve("grid");
            try (Stream<Path> files = Files.list(grid)) {
                for (Path f : files.toList()) {
                    signed.put("signed", "grid/" + f.getFileName(), Files.readAllBytes(f));
                }
            }
            Dataset<Row> df = TestSpark.spark().read().format("zarr").option("endpoint", signed.endpoint().toString())
                    .option("accessKeyId", "AKIDZARRTEST").option("secretAccessKey", SECRET)
                    .load("s3://signed/grid").filter("i = 5");
            assertThat(ElementsTest.byCoordinates(df)).isEqualTo(ElementsTest.expectedGrid(c -> c[0] == 5, true));
            StringBuilder shown = new StringBuilder(df.queryExecution().toString())
                    .append(df.queryExecution().executedPlan().toString());
            for (SQLExecutionUIData e : scala.jdk.javaapi.CollectionConverters.asJava(TestSpark.spark().sharedState()
                    .statusStore().executionsList())) {
                shown.append(e.physicalPlanDescription()).append(e.description()).append(e.details());
            }
            assertThat(shown).contains("zarr s3://signed/grid").doesNotContain(SECRET);
            // A wrong secret: the error says why, and shows no secret either; nor does one with a session token
            // (which S3Proxy does not take: 501).
            assertThatThrownBy(() -> TestSpark.spark().read().format("zarr").option("endpoint",
                    signed.endpoint().toString()).option("accessKeyId", "AKIDZARRTEST")
                    .option("secretAccessKey", "not-" + SECRET).load("s3://signed/grid").collectAsList())
                    .hasStackTraceContaining("403")
                    .satisfies(t -> assertThat(stackTrace(t)).doesNotContain(SECRET));
            assertThatThrownBy(() -> TestSpark.spark().read().format("zarr").option("endpoint",
                    signed.endpoint().toString()).option("accessKeyId", "AKIDZARRTEST")
                    .option("secretAccessKey", SECRET).option("sessionToken", TOKEN).load("s3://signed/grid")
                    .collectAsList())
                    .hasStackTraceContaining("cannot open the array s3://signed/grid")
                    .satisfies(t -> assertThat(stackTrace(t)).doesNotContain(SECRET).doesNotContain(TOKEN));
        }
    }

    static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void theTasksOfAnExecutorShareOneEngineThatThePluginCloses() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(TestSpark.s3().endpoint(), 3)) {
            // Settings of their own (this endpoint): the driver starts their engine when it opens the array, and
            // in local mode the executor is the driver's JVM, so its 3 tasks share that one.
            long before = Engines.started();
            Dataset<Row> first = TestSpark.zarr(proxy.endpoint()).load(ElementsTest.GRID);
            assertThat(first.rdd().getNumPartitions()).isEqualTo(3);
            first.collectAsList();
            assertThat(Engines.started() - before).as("engines for planning and 3 tasks").isEqualTo(1);
            assertThat(TestSpark.scanMetrics(first).get(Metrics.ENGINES)).isZero();
            TestSpark.zarr(proxy.endpoint()).load(ElementsTest.GRID).collectAsList();
            assertThat(Engines.started() - before).as("the same engine again").isEqualTo(1);
            assertThat(Engines.open()).isPositive();
            new ZarrPlugin().executorPlugin().shutdown(); // what an executor does when it stops
            assertThat(Engines.open()).isZero();
            assertThat(TestSpark.zarr(proxy.endpoint()).load(ElementsTest.GRID).filter("value > 100").count())
                    .isEqualTo(ElementsTest.expectedGrid(c -> true, true).values().stream()
                            .filter(v -> !v.equals("null") && Integer.parseInt(v) > 100).count());
            assertThat(Engines.started() - before).as("a new engine after").isEqualTo(2);
        }
    }

    @Test
    void aCancelledJobStopsItsFetches() throws Exception {
        cancel("/grid/1.", r -> r.load(ElementsTest.GRID));
        // an aggregation read in parts, each on a thread of its own (the one after a part read ahead)
        cancel("/large/4.", r -> r.option("partitionBytes", "1m").load("s3://fixtures/large")
                .selectExpr("sum(value)"));
    }

    /** Stalls the chunk GETs under {@code path} of {@code query}, cancels its job, and sees the requests given up. */
    private static void cancel(String path, java.util.function.Function<org.apache.spark.sql.DataFrameReader,
            Dataset<Row>> query) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(TestSpark.s3().endpoint(), 5)) {
            proxy.stall(Duration.ofMinutes(15));
            proxy.add(FaultProxy.Rule.first(1000, FaultProxy.Fault.STALL_BEFORE_HEADERS).onMethod("GET")
                    .onPath(path));
            SparkContext sc = TestSpark.spark().sparkContext();
            // A read timeout longer than the test waits: only the cancellation can end the stalled requests.
            Dataset<Row> df = query.apply(TestSpark.zarr(proxy.endpoint()).option("readTimeout", "10m"));
            CompletableFuture<List<Row>> run = CompletableFuture.supplyAsync(() -> {
                // interruptOnCancel=false: Spark does not interrupt the task's thread; the connector must stop
                sc.setJobGroup("zarr-cancel", "a read to cancel", false);
                return df.collectAsList();
            });
            assertThat(proxy.awaitStalls(1, Duration.ofSeconds(60))).as(path + ": a chunk request stalls").isTrue();
            sc.cancelJobGroup("zarr-cancel");
            assertThatThrownBy(run::join).hasStackTraceContaining("cancel");
            assertThat(proxy.awaitStallsAbandoned(1, Duration.ofSeconds(60)))
                    .as(path + ": the stalled request was given up").isTrue();
        }
    }
}
