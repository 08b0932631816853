package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.S3Server;

/**
 * Spark {@code local-cluster[2,1,1024]}: a master and two workers in this JVM, each worker with an executor JVM of
 * its own whose class path is Spark's jars; the packaged connector jar (relocated libraries and all) reaches them
 * through {@code spark.jars}, as {@code spark-submit --jars} sends it. Runs after {@code package} (see the pom).
 * The timeout bounds a cluster whose executors cannot start (Spark would launch new ones forever).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalClusterIT {
    @TempDir
    static Path root;
    static S3Server s3;
    static SparkSession spark;
    static final Set<String> executors = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        String jar = System.getProperty("zarrfetch.spark.jar");
        // Surefire's -Dtest=LocalClusterIT also picks it in the unit-test phase, before the jar exists.
        Assumptions.assumeTrue(jar != null, "runs in the integration-test phase, with the packaged jar");
        assertThat(Path.of(jar)).exists();
        TestArrays.writeOwn(Files.createDirectories(root.resolve("fixtures")));
        s3 = S3Server.start(root);
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("zarrfetch-spark local-cluster")
                .config("spark.jars", jar)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.adaptive.enabled", "false")
                .getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                executors.add(end.taskInfo().executorId());
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void executorsOfTheirOwnReadWithOneEngineEachFromTheShadedJar() throws Exception {
        Dataset<Row> df = spark.read().format("zarr").option("endpoint", s3.endpoint().toString())
                .option("anonymous", "true").option("partitionBytes", "1m").load("s3://fixtures/grid");
        int partitions = df.rdd().getNumPartitions();
        assertThat(partitions).isEqualTo(3);
        executors.clear();
        assertThat(ElementsTest.byCoordinates(df)).isEqualTo(ElementsTest.expectedGrid(c -> true, true));
        long engines = TestSpark.scanMetrics(df).get(Metrics.ENGINES);
        assertThat(executors).as("executors that ran the tasks").isNotEmpty().doesNotContain("driver");
        assertThat(engines).as("one engine per executor JVM, whatever the number of its tasks (%d)", partitions)
                .isEqualTo(executors.size());
        // A second query on the same executors starts none.
        Dataset<Row> again = spark.read().format("zarr").option("endpoint", s3.endpoint().toString())
                .option("anonymous", "true").load("s3://fixtures/grid").filter("k = 3");
        again.collectAsList();
        assertThat(TestSpark.scanMetrics(again).get(Metrics.ENGINES)).isLessThanOrEqualTo(2 - engines);
        // Aggregates pushed into the scan are computed there too: the totals of each i against the grid's values.
        Dataset<Row> totals = spark.read().format("zarr").option("endpoint", s3.endpoint().toString())
                .option("anonymous", "true").load("s3://fixtures/grid").groupBy("i")
                .agg(functions.count("value"), functions.sum("value"));
        java.util.Map<Long, long[]> expected = new java.util.HashMap<>();
        ElementsTest.expectedGrid(c -> true, true).forEach((key, v) -> {
            if (!v.equals("null")) {
                long[] t = expected.computeIfAbsent(Long.parseLong(key.split(",")[0]), i -> new long[2]);
                t[0]++;
                t[1] += Long.parseLong(v);
            }
        });
        List<Row> got = totals.collectAsList();
        assertThat(AggregatesTest.pushed(totals)).isTrue();
        assertThat(got).hasSize(11);
        for (Row r : got) {
            assertThat(new long[] {r.getLong(1), r.getLong(2)}).as("i = %d", r.getLong(0))
                    .containsExactly(expected.get(r.getLong(0)));
        }
        // Row-based readers (the chunks view) serialize and run there too.
        List<Row> chunks = spark.read().format("zarr").option("endpoint", s3.endpoint().toString())
                .option("anonymous", "true").option("view", "chunks").load("s3://fixtures/wide")
                .filter("index[0] = 20").select("key", "data").collectAsList();
        assertThat(chunks).hasSize(10);
        for (Row r : chunks) {
            assertThat(r.getString(0)).startsWith("20.");
            assertThat((byte[]) r.get(1)).hasSize(2 * 5 * 2);
        }
    }
}
