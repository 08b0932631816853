package io.zarrfetch.spark;

import java.util.List;
import java.util.Set;

import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * One array (or, for {@code view=info}, one group) as a table: opened on the driver once, its schema from its
 * metadata.
 */
final class ZarrTable implements SupportsRead {
    static final StructType CHUNKS_SCHEMA = new StructType()
            .add("index", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("origin", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("shape", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("key", DataTypes.StringType, false)
            .add("dtype", DataTypes.StringType, false)
            .add("data", DataTypes.BinaryType, true);
    static final StructType INFO_SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("url", DataTypes.StringType, false)
            .add("zarr_format", DataTypes.IntegerType, false)
            .add("shape", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("chunks", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("dtype", DataTypes.StringType, false)
            .add("fill_value", DataTypes.StringType, true)
            .add("codecs", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("dimensions", DataTypes.createArrayType(DataTypes.StringType, true), true)
            .add("attributes", DataTypes.StringType, false);

    final ZarrOptions options;
    /** The array, for the elements and chunks views; null for info. */
    final ArraySource.Opened array;
    /** The arrays of the group, for the info view; null otherwise. */
    final List<InfoRows.Row> info;
    final List<String> dims;
    final ValueType valueType;
    private final StructType schema;

    private ZarrTable(ZarrOptions options, ArraySource.Opened array, List<InfoRows.Row> info) {
        this.options = options;
        this.array = array;
        this.info = info;
        if (array != null) {
            dims = ArraySource.dimensionNames(array.metadata());
            valueType = ValueType.of(array.metadata().dtype());
        } else {
            dims = List.of();
            valueType = null;
        }
        this.schema = switch (options.view()) {
            case ELEMENTS -> {
                StructType s = new StructType();
                for (String d : dims) {
                    s = s.add(d, DataTypes.LongType, false);
                }
                yield s.add("value", valueType.spark(), true);
            }
            case CHUNKS -> CHUNKS_SCHEMA;
            case INFO -> INFO_SCHEMA;
        };
    }

    static ZarrTable open(ZarrOptions options) {
        if (options.view() == ZarrOptions.View.INFO) {
            return new ZarrTable(options, null, InfoRows.read(options.url(), options.engine()));
        }
        ArraySource.Opened a = ArraySource.open(options.url(), options.engine());
        if (options.view() == ZarrOptions.View.CHUNKS) {
            long chunkBytes = Math.multiplyExact(a.metadata().chunkElements(), a.metadata().dtype().size());
            if (chunkBytes > options.maxChunkBytes()) {
                throw new IllegalArgumentException("zarr: the chunks of " + Redact.url(options.url()) + " decode to "
                        + chunkBytes + " bytes, more than maxChunkBytes (" + options.maxChunkBytes() + ") allows in "
                        + "one row: raise the option (up to " + ZarrOptions.MAX_CHUNK_BYTES + "), or read "
                        + "view=elements");
            }
        }
        return new ZarrTable(options, a, null);
    }

    @Override
    public String name() {
        return "zarr " + Redact.url(options.url());
    }

    @Override
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return Set.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap ignored) {
        return new ZarrScanBuilder(this);
    }
}
