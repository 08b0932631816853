package io.zarrfetch.spark;

import java.util.List;

import org.apache.spark.sql.connector.read.InputPartition;

/** A partition of a zarr scan; the array's metadata travels once with the reader factory, not per partition. */
sealed interface ZarrPartition extends InputPartition {
    /** Rows of the elements view: the region's elements in a block of whole chunks. */
    record Elements(Planner.Block block) implements ZarrPartition {
    }

    /** The pushed aggregation over the region's elements in a block of whole chunks: a row per group. */
    record Aggregated(Planner.Block block) implements ZarrPartition {
    }

    /** Rows of the chunks view: the chunks of a block. */
    record Chunks(Planner.Block block) implements ZarrPartition {
    }

    /** Rows of the info view, read on the driver. */
    record Info(List<InfoRows.Row> rows) implements ZarrPartition {
    }
}
