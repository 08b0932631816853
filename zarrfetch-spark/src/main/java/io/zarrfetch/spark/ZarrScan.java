package io.zarrfetch.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.Statistics;
import org.apache.spark.sql.connector.read.SupportsReportStatistics;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import io.zarrfetch.zarr.ArrayMetadata;

/**
 * A planned read: the region, the columns, and the partitions, each a block of whole chunks (whole shards) packed up
 * to {@code partitionBytes} of decoded data, or fewer so that every core Spark has gets a partition.
 */
final class ZarrScan implements Scan, Batch, SupportsReportStatistics {
    private final ZarrTable table;
    private final Region region;
    private final StructType schema;
    private final List<Predicate> pushed;
    /** The aggregation computed by the partitions, or null for rows of the view. */
    private final Aggregates aggregates;
    private List<ZarrPartition> partitions;

    ZarrScan(ZarrTable table, Region region, StructType schema, List<Predicate> pushed, Aggregates aggregates) {
        this.table = table;
        this.region = region;
        this.schema = schema;
        this.pushed = pushed;
        this.aggregates = aggregates;
    }

    @Override
    public StructType readSchema() {
        return schema;
    }

    @Override
    public String description() {
        String d = table.name() + " [" + table.options.view().name().toLowerCase(java.util.Locale.ROOT) + "]";
        if (table.array != null) {
            ArrayMetadata m = table.array.metadata();
            d += " region " + region + " of " + java.util.Arrays.toString(m.shape()) + ", "
                    + Planner.touchedChunks(region, m.shape(), m.chunks()) + " of " + m.chunkCount() + " chunks";
        }
        if (!pushed.isEmpty()) {
            d += ", pushed " + pushed.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
        }
        if (aggregates != null) {
            d += ", aggregated [" + aggregates.describe(table.dims) + "]";
        }
        return d;
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public CustomMetric[] supportedCustomMetrics() {
        return Metrics.all();
    }

    /** Decoded bytes of one whole chunk (shard). */
    private long chunkBytes() {
        ArrayMetadata m = table.array.metadata();
        return Math.multiplyExact(m.chunkElements(), m.dtype().size());
    }

    @Override
    public synchronized InputPartition[] planInputPartitions() {
        if (partitions == null) {
            partitions = plan();
        }
        return partitions.toArray(new InputPartition[0]);
    }

    private List<ZarrPartition> plan() {
        if (table.options.view() == ZarrOptions.View.INFO) {
            return table.info.isEmpty() ? List.of() : List.of(new ZarrPartition.Info(table.info));
        }
        ArrayMetadata m = table.array.metadata();
        boolean whole = table.options.view() == ZarrOptions.View.CHUNKS;
        long chunkBytes = Math.max(1, chunkBytes());
        long touched = Planner.touchedChunks(region, m.shape(), m.chunks());
        long total = Math.multiplyExact(touched, chunkBytes);
        long target = Math.min(table.options.partitionBytes(), Math.max(chunkBytes,
                Math.ceilDiv(total, Math.max(1, parallelism()))));
        if (aggregates != null) {
            // Aggregating readers hold three parts of partitionBytes / 3 whatever their partition's size: two
            // partitions a core (a task's reading overlaps its totalling, and a slow one leaves others work), of at
            // most 48 parts each, so that a task stays short enough to retry.
            target = Math.min(16 * table.options.partitionBytes(), Math.max(chunkBytes,
                    Math.ceilDiv(total, 2L * Math.max(1, parallelism()))));
        }
        List<ZarrPartition> out = new ArrayList<>();
        for (Planner.Block b : Planner.blocks(region, m.shape(), m.chunks(), Math.max(1, target / chunkBytes),
                whole)) {
            out.add(whole ? new ZarrPartition.Chunks(b)
                    : aggregates != null ? new ZarrPartition.Aggregated(b) : new ZarrPartition.Elements(b));
        }
        return out;
    }

    private static int parallelism() {
        scala.Option<SparkSession> s = SparkSession.getActiveSession();
        return s.isDefined() ? s.get().sparkContext().defaultParallelism() : 1;
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        List<String> names = new ArrayList<>();
        for (StructField f : schema.fields()) {
            names.add(f.name());
        }
        ArrayMetadata m = table.array == null ? null : table.array.metadata();
        int[] columns = new int[names.size()];
        for (int i = 0; i < columns.length && aggregates == null; i++) {
            columns[i] = switch (table.options.view()) {
                case ELEMENTS -> names.get(i).equals("value") ? -1 : table.dims.indexOf(names.get(i));
                case CHUNKS -> ZarrTable.CHUNKS_SCHEMA.fieldIndex(names.get(i));
                case INFO -> ZarrTable.INFO_SCHEMA.fieldIndex(names.get(i));
            };
        }
        return new ReaderFactory(table.options.view(), table.array == null ? null : table.array.source(), columns,
                table.valueType, m == null ? null : m.fillValue(), table.options.maskFill(),
                table.options.batchRows(), m == null ? null : m.dtype().numpyDescr(), aggregates == null ? null
                        : aggregates.readingAtOnce(Math.max(1, table.options.partitionBytes() / (AggregateReader.AHEAD + 1)
                        / chunkBytes())));
    }

    /** The groups of the aggregation over the whole region. */
    private long groups() {
        long g = 1;
        for (int axis : aggregates.groupAxes()) {
            g *= region.count()[axis];
        }
        return g;
    }

    @Override
    public Statistics estimateStatistics() {
        long rows;
        long bytes;
        switch (table.options.view()) {
            case ELEMENTS -> {
                if (aggregates != null) { // at most a row per group of each partition
                    rows = planInputPartitions().length * groups();
                    bytes = rows * 8L * schema.fields().length;
                    break;
                }
                rows = region.elements();
                long width = 0;
                for (StructField f : schema.fields()) {
                    width += f.name().equals("value") ? table.valueType.size() : Long.BYTES;
                }
                bytes = rows * Math.max(1, width);
            }
            case CHUNKS -> {
                ArrayMetadata m = table.array.metadata();
                rows = Planner.touchedChunks(region, m.shape(), m.chunks());
                bytes = rows * chunkBytes();
            }
            default -> {
                rows = table.info.size();
                bytes = rows * 256;
            }
        }
        long r = rows;
        long b = bytes;
        return new Statistics() {
            @Override
            public OptionalLong sizeInBytes() {
                return OptionalLong.of(b);
            }

            @Override
            public OptionalLong numRows() {
                return OptionalLong.of(r);
            }
        };
    }
}
