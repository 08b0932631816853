// bench/spark's Spark driver: reads a region of an array through the zarr data source and reduces every element
// (count, count of non-NULL values, mean), so every chunk is fetched and decoded but nothing large reaches the
// driver; then runs the same query again in the same session. Prints one JSON line: rows, values, mean, the first
// query's own seconds (session start-up excluded: Spark's first query in a JVM includes its own warm-up) and the
// second's.
//
//   java -cp "$SPARK_HOME/jars/*:zarrfetch-spark.jar:classes" SparkRead MASTER URL SELECTION [PUSH_AGGREGATES] [count]
//
// With "count", the query is count(*) alone, which fetches nothing: what a query costs Spark besides the data.
//
// For local-cluster masters, ZF_SPARK_JAR names the connector jar to send to the executors.
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

public class SparkRead {
    public static void main(String[] args) {
        String master = args[0];
        SparkSession.Builder b = SparkSession.builder().master(master).appName("bench/spark")
                .config("spark.ui.enabled", "false");
        if (master.startsWith("local-cluster")) {
            b.config("spark.jars", System.getenv("ZF_SPARK_JAR")); // to the executors, as spark-submit --jars
        }
        SparkSession spark = b.getOrCreate();
        String push = args.length > 3 ? args[3] : "true";
        boolean countOnly = args.length > 4 && args[4].equals("count");
        String[] query = countOnly ? new String[] {"count(*)", "count(*)", "CAST(NULL AS DOUBLE)"}
                : new String[] {"count(*)", "count(value)", "avg(value)"};
        double[] seconds = new double[2];
        Row r = null;
        for (int i = 0; i < seconds.length; i++) {
            long t0 = System.nanoTime();
            r = spark.read().format("zarr").option("selection", args[2]).option("pushAggregates", push).load(args[1])
                    .selectExpr(query).first();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("{\"rows\": %d, \"values\": %d, \"mean\": %s, \"query_s\": %.3f, \"again_s\": %.3f}%n",
                r.getLong(0), r.getLong(1), r.isNullAt(2) ? "null" : Double.toString(r.getDouble(2)), seconds[0],
                seconds[1]);
        spark.stop();
    }
}
