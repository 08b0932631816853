package io.zarrfetch.spark;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.SparkSession;

import io.zarrfetch.testkit.S3Server;

/**
 * One Spark session ({@code local[2]}) and one S3 server holding {@link TestArrays} in bucket {@code fixtures}, shared by
 * the Spark test classes of this JVM: a session takes seconds to start. Both stop when the JVM exits.
 */
final class TestSpark {
    private static SparkSession spark;
    private static S3Server s3;
    private static Path root;

    private TestSpark() {
    }

    static synchronized SparkSession spark() throws Exception {
        start();
        return spark;
    }

    static synchronized S3Server s3() throws Exception {
        start();
        return s3;
    }

    /** The folder of bucket {@code fixtures}. */
    static synchronized Path bucket() throws Exception {
        start();
        return root.resolve("fixtures");
    }

    /** A reader of bucket {@code fixtures} on the test S3 server. */
    static DataFrameReader zarr() throws Exception {
        return spark().read().format("zarr").option("endpoint", s3().endpoint().toString()).option("anonymous",
                "true");
    }

    /** A reader of bucket {@code fixtures} through {@code endpoint} (a proxy in front of the server). */
    static DataFrameReader zarr(java.net.URI endpoint) throws Exception {
        return spark().read().format("zarr").option("endpoint", endpoint.toString()).option("anonymous", "true");
    }

    /** The (first) zarr scan of a query's executed plan. */
    static org.apache.spark.sql.execution.datasources.v2.BatchScanExec scan(org.apache.spark.sql.Dataset<?> df) {
        org.apache.spark.sql.execution.SparkPlan plan = df.queryExecution().executedPlan();
        for (org.apache.spark.sql.execution.SparkPlan p : scala.jdk.javaapi.CollectionConverters.asJava(
                plan.collectLeaves())) {
            if (p instanceof org.apache.spark.sql.execution.datasources.v2.BatchScanExec scan) {
                return scan;
            }
        }
        throw new AssertionError("no zarr scan in " + plan);
    }

    /** The metrics of the (first) zarr scan of an executed query, by name. */
    static java.util.Map<String, Long> scanMetrics(org.apache.spark.sql.Dataset<?> df) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        scala.jdk.javaapi.CollectionConverters.asJava(scan(df).metrics()).forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    private static void start() throws Exception {
        if (spark != null) {
            return;
        }
        root = Files.createTempDirectory("zarrfetch-spark-test");
        Path bucket = Files.createDirectories(root.resolve("fixtures"));
        TestArrays.writeOwn(bucket);
        TestArrays.writeV2(bucket.resolve("v2"));
        TestArrays.copyV3(bucket.resolve("v3"));
        s3 = S3Server.start(root);
        spark = SparkSession.builder().master("local[2]").appName("zarrfetch-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.adaptive.enabled", "false") // plans keep their scan node to read metrics from
                .getOrCreate();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spark.stop();
            try {
                s3.close();
            } catch (Exception e) {
                // the JVM is ending
            }
        }));
    }
}
