package io.zarrfetch.spark;

import java.util.Map;

import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code zarr} data source: {@code spark.read().format("zarr").load("s3://bucket/path/array")} reads a Zarr
 * array (v2 or v3, sharded or not) from S3, HTTP(S) or a folder, each executor fetching and decoding its chunks with
 * zarrfetch's engine. docs/spark.md lists the options, the views and the schema.
 */
public final class ZarrDataSource implements TableProvider, DataSourceRegister {
    /** Spark asks for the schema, then for the table, with the same options: open the array once. */
    private Map<String, String> lastOptions;
    private ZarrTable lastTable;

    @Override
    public String shortName() {
        return "zarr";
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return table(options.asCaseSensitiveMap()).schema();
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        ZarrTable t = table(properties);
        if (schema != null && !schema.equals(t.schema())) {
            throw new IllegalArgumentException("zarr: the schema comes from the array's metadata and cannot be "
                    + "given; read without .schema(...)");
        }
        return t;
    }

    private synchronized ZarrTable table(Map<String, String> options) {
        if (lastTable == null || !options.equals(lastOptions)) {
            lastTable = ZarrTable.open(ZarrOptions.parse(options));
            lastOptions = Map.copyOf(options);
        }
        return lastTable;
    }
}
