package io.zarrfetch.spark;

import java.util.List;

import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.SupportsPushDownAggregates;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.connector.read.SupportsPushDownV2Filters;
import org.apache.spark.sql.types.StructType;

import io.zarrfetch.zarr.Selection;

/**
 * Pushdown: the {@code selection} option and predicates on dimension columns narrow the region read (elements view;
 * the chunks view takes the selection), and the columns Spark needs are all that is produced. An aggregation over
 * the elements view that {@link Aggregates} takes is computed on the executors, over decoded chunks, when every
 * predicate was pushed exactly (Spark asks only then).
 */
final class ZarrScanBuilder implements SupportsPushDownV2Filters, SupportsPushDownRequiredColumns,
        SupportsPushDownAggregates {
    private final ZarrTable table;
    private Region region;
    private List<Predicate> pushed = List.of();
    private StructType required;
    private Aggregates aggregates;

    ZarrScanBuilder(ZarrTable table) {
        this.table = table;
        this.required = table.schema();
        if (table.array != null) {
            long[] shape = table.array.metadata().shape();
            try {
                region = Region.of(Selection.parse(table.options.selection()), shape);
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalArgumentException("option selection: " + e.getMessage() + " (the array's shape is "
                        + java.util.Arrays.toString(shape) + ")", e);
            }
        }
    }

    @Override
    public Predicate[] pushPredicates(Predicate[] predicates) {
        if (table.options.view() != ZarrOptions.View.ELEMENTS) {
            return predicates;
        }
        Pushdown.Result r = Pushdown.push(region, table.dims, table.array.metadata().shape(), predicates);
        region = r.region();
        pushed = r.pushed();
        return r.postScan().toArray(new Predicate[0]);
    }

    @Override
    public Predicate[] pushedPredicates() {
        return pushed.toArray(new Predicate[0]);
    }

    @Override
    public void pruneColumns(StructType requiredSchema) {
        required = requiredSchema;
    }

    @Override
    public boolean pushAggregation(Aggregation aggregation) {
        if (table.options.view() != ZarrOptions.View.ELEMENTS || !table.options.pushAggregates()) {
            return false;
        }
        aggregates = Aggregates.of(aggregation, table.dims, table.valueType, region);
        return aggregates != null;
    }

    @Override
    public Scan build() {
        return new ZarrScan(table, region, aggregates == null ? required : aggregates.schema(table.valueType), pushed,
                aggregates);
    }
}
