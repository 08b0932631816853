package io.zarrfetch.spark;

import java.util.Arrays;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** What a zarr scan reports in the SQL tab of Spark's UI, summed over its tasks. */
final class Metrics {
    static final String CHUNKS = "zarrChunks";
    static final String MISSING = "zarrMissingChunks";
    static final String BYTES = "zarrDecodedBytes";
    static final String ENGINES = "zarrEnginesStarted";

    private Metrics() {
    }

    /** A count, summed over the tasks. */
    public abstract static class Sum extends CustomSumMetric {
        private final String name;
        private final String description;

        /** Spark makes metrics by reflection, with no arguments: one subclass each. */
        Sum(String name, String description) {
            this.name = name;
            this.description = description;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** Chunks (shards) whose data was read. */
    public static final class Chunks extends Sum {
        public Chunks() {
            super(CHUNKS, "zarr chunks read");
        }
    }

    /** Chunks the read needed that do not exist (they read as NULL, or as the fill value with maskFill=false). */
    public static final class Missing extends Sum {
        public Missing() {
            super(MISSING, "zarr chunks missing");
        }
    }

    /** Bytes of decoded elements the readers held. */
    public static final class Bytes extends Sum {
        public Bytes() {
            super(BYTES, "zarr bytes decoded");
        }

        @Override
        public String aggregateTaskMetrics(long[] values) {
            long sum = Arrays.stream(values).sum();
            return sum < (10L << 20) ? sum + " B" : String.format(java.util.Locale.ROOT, "%.1f MiB", sum / 1048576.0);
        }
    }

    /** Engines (connection pool and buffers) started: one per executor for each set of settings. */
    public static final class Engines extends Sum {
        public Engines() {
            super(ENGINES, "zarr engines started");
        }
    }

    static CustomMetric[] all() {
        return new CustomMetric[] {new Chunks(), new Missing(), new Bytes(), new Engines()};
    }

    static CustomTaskMetric value(String name, long value) {
        return new CustomTaskMetric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long value() {
                return value;
            }
        };
    }
}
