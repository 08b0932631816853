package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.Selection;
import io.zarrfetch.zarr.ZarrArray;

/** The chunks view (a row per chunk, its decoded bytes) and the info view (a row per array of a group). */
class ViewsTest {
    static long[] longs(Row r, String column) {
        return r.<Long>getList(r.fieldIndex(column)).stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void aRowPerChunkWithItsElementsAndNullForMissingChunks() throws Exception {
        Dataset<Row> df = TestSpark.zarr().option("view", "chunks").load(ElementsTest.GRID);
        assertThat(df.columns()).containsExactly("index", "origin", "shape", "key", "dtype", "data");
        List<Row> rows = df.collectAsList();
        assertThat(rows).hasSize(3 * 4 * 3);
        int missing = 0;
        for (Row r : rows) {
            long[] c = longs(r, "index");
            long[] origin = longs(r, "origin");
            long[] shape = longs(r, "shape");
            assertThat(r.getString(r.fieldIndex("key"))).isEqualTo(c[0] + "." + c[1] + "." + c[2]);
            assertThat(r.getString(r.fieldIndex("dtype"))).isEqualTo("<i4");
            for (int a = 0; a < 3; a++) {
                assertThat(origin[a]).isEqualTo(c[a] * TestArrays.GRID_CHUNKS[a]);
                assertThat(shape[a]).isEqualTo(Math.min(TestArrays.GRID_CHUNKS[a], TestArrays.GRID_SHAPE[a]
                        - origin[a]));
            }
            if (TestArrays.gridMissing(origin[0], origin[1], origin[2])) {
                assertThat(r.isNullAt(r.fieldIndex("data"))).as("chunk %s", r.get(3)).isTrue();
                missing++;
                continue;
            }
            ByteBuffer expected = ByteBuffer.allocate((int) (shape[0] * shape[1] * shape[2] * 4))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < shape[0]; i++) {
                for (long j = 0; j < shape[1]; j++) {
                    for (long k = 0; k < shape[2]; k++) {
                        expected.putInt(TestArrays.gridValue(origin[0] + i, origin[1] + j, origin[2] + k));
                    }
                }
            }
            assertThat((byte[]) r.get(r.fieldIndex("data"))).as("chunk %s", r.get(3)).isEqualTo(expected.array());
        }
        assertThat(missing).isEqualTo(3);
        // The selection picks chunks; without the data column nothing is fetched.
        Dataset<Row> some = TestSpark.zarr().option("view", "chunks").option("selection", "4:8,...")
                .load(ElementsTest.GRID).select("key");
        assertThat(some.collectAsList()).hasSize(12).allSatisfy(r -> assertThat(r.getString(0)).startsWith("1."));
        assertThat(TestSpark.scanMetrics(some).get(Metrics.CHUNKS)).isZero();
    }

    @Test
    void shardsAreChunksOfTheGrid() throws Exception {
        String url = "s3://fixtures/v3/shard_end_gzip_index_crc32c";
        List<Row> rows = TestSpark.zarr().option("view", "chunks").load(url).collectAsList();
        try (Stores stores = new Stores(StoreOptions.defaults().withEndpoint(TestSpark.s3().endpoint())
                .withAnonymous(true)); Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            ZarrArray a = ZarrArray.open(stores, url, fetcher);
            ArrayMetadata m = a.metadata();
            assertThat(rows).hasSize((int) m.chunkCount());
            int nulls = 0;
            for (Row r : rows) {
                long[] origin = longs(r, "origin");
                long[] shape = longs(r, "shape");
                Selection box = Selection.of(new Selection.Slice(origin[0], origin[0] + shape[0], 1L),
                        new Selection.Slice(origin[1], origin[1] + shape[1], 1L));
                long bytes = shape[0] * shape[1] * m.dtype().size();
                MemorySegment expected = Arena.ofAuto().allocate(bytes);
                AtomicLong missingElements = new AtomicLong();
                a.read(box, expected, (o, s) -> missingElements.addAndGet(s[0] * s[1]));
                if (missingElements.get() == shape[0] * shape[1]) {
                    assertThat(r.isNullAt(r.fieldIndex("data"))).isTrue();
                    nulls++;
                } else {
                    assertThat((byte[]) r.get(r.fieldIndex("data"))).isEqualTo(expected.toArray(
                            ValueLayout.JAVA_BYTE));
                }
            }
            assertThat(nulls).as("missing shards").isEqualTo(3);
        }
    }

    @Test
    void chunksLargerThanMaxChunkBytesAreRefusedBeforeAnyRead() throws Exception {
        assertThatThrownBy(() -> TestSpark.zarr().option("view", "chunks").option("maxChunkBytes", "100")
                .load(ElementsTest.GRID).collectAsList())
                .hasStackTraceContaining("the chunks of s3://fixtures/grid decode to 320 bytes, more than "
                        + "maxChunkBytes (100)");
    }

    @Test
    void infoHasARowPerArrayOfAGroup() throws Exception {
        List<Row> group = TestSpark.zarr().option("view", "info").load("s3://fixtures/v3/spec_group_example")
                .collectAsList();
        assertThat(group).hasSize(1);
        Row data = group.getFirst();
        assertThat(data.getString(data.fieldIndex("path"))).isEqualTo("data");
        assertThat(data.getString(data.fieldIndex("url"))).isEqualTo("s3://fixtures/v3/spec_group_example/data/");
        assertThat(data.getInt(data.fieldIndex("zarr_format"))).isEqualTo(3);
        List<Row> array = TestSpark.zarr().option("view", "info").load(ElementsTest.GRID).select("path", "shape",
                "chunks", "dtype", "fill_value", "codecs", "dimensions", "attributes").collectAsList();
        assertThat(array).hasSize(1);
        Row g = array.getFirst();
        assertThat(g.getString(0)).isEmpty();
        assertThat(g.<Long>getList(1)).containsExactly(11L, 17L, 9L);
        assertThat(g.<Integer>getList(2)).containsExactly(4, 5, 4);
        assertThat(g.getString(3)).isEqualTo("<i4");
        assertThat(g.getString(4)).isEqualTo("-1");
        assertThat(g.<String>getList(5)).isEmpty();
        assertThat(g.<String>getList(6)).containsExactly("i", "j", "k");
        assertThat(g.getString(7)).isEqualTo("{\"_ARRAY_DIMENSIONS\":[\"i\",\"j\",\"k\"],\"units\":\"K\"}");
    }
}
