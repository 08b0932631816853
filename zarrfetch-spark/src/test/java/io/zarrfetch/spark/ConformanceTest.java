package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.ZarrArray;

/**
 * The elements view, through Spark {@code local[2]} from the in-process S3 server, against what zarr-python 2.13
 * (v2: every dtype, order, compressor, filter and fill value of zarrfetch-core's conformance suite, missing chunks)
 * and zarrita (v3: every data type and endian, sharding, transposes, missing chunks and shards, 0-d to 4-d) read
 * from the same arrays, element for element, with fill values as NULL.
 */
class ConformanceTest {
    /** Rows of the elements view in C order (sorted here: a sort in Spark would cost a shuffle), value texts. */
    static List<String> read(String url, String selection, int rank) throws Exception {
        List<Row> rows = new ArrayList<>(TestSpark.zarr().option("selection", selection).load(url).collectAsList());
        Comparator<Row> c = Comparator.comparingInt(r -> 0);
        for (int a = 0; a < rank; a++) {
            int axis = a;
            c = c.thenComparingLong(r -> r.getLong(axis));
        }
        rows.sort(c);
        return rows.stream().map(r -> Expected.canonical(r.get(rank))).toList();
    }

    /** What the rows must be: each element, or NULL where it is the fill (or NaT). */
    static List<String> expected(List<Object> elements, Object fill) {
        return elements.stream().map(e -> Expected.masked(e, fill) ? "NULL" : Expected.canonical(e)).toList();
    }

    /** The array's metadata, as zarrfetch reads it. */
    static ArrayMetadata meta(String url) throws Exception {
        try (Stores stores = new Stores(StoreOptions.defaults().withEndpoint(TestSpark.s3().endpoint())
                .withAnonymous(true)); Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            return ZarrArray.open(stores, url, fetcher).metadata();
        }
    }

    /** The array's fill value, decoded by the test, or null when it has none (v2 fill_value null). */
    static Object fill(ArrayMetadata m, boolean v2NullFill) {
        return v2NullFill ? null : Expected.decode(ByteBuffer.wrap(m.fillValue()), 0, m.dtype().numpyDescr());
    }

    @TestFactory
    Stream<DynamicTest> zarrPythonV2() throws Exception {
        Path dir = TestSpark.bucket().resolve("v2");
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : Files.readAllLines(dir.resolve("cases.txt"))) {
            if (c.isBlank()) {
                continue;
            }
            // Every case whole; two 3-d cases with every selection zarr-python read (as the selection option).
            int sels = c.equals("dtype_lei2") || c.equals("blosc_lz4_shuffle") ? 8 : 1;
            for (int i = 0; i < sels; i++) {
                int n = i;
                tests.add(DynamicTest.dynamicTest(c + "." + n, () -> checkV2(dir, c, n)));
            }
        }
        return tests.stream();
    }

    static void checkV2(Path dir, String name, int sel) throws Exception {
        String selection = Files.readString(dir.resolve(name + "." + sel + ".sel")).strip();
        String[] descr = new String[1];
        List<Object> elements = Expected.npy(dir.resolve(name + "." + sel + ".npy"), descr);
        String zarray = Files.readString(dir.resolve(name).resolve(".zarray"));
        boolean nullFill = zarray.replaceAll("\\s", "").contains("\"fill_value\":null");
        String url = "s3://fixtures/v2/" + name;
        ArrayMetadata m = meta(url);
        assertThat(read(url, selection, m.rank())).as(name + " [" + selection + "]")
                .containsExactlyElementsOf(expected(elements, fill(m, nullFill)));
    }

    @TestFactory
    Stream<DynamicTest> zarritaV3() throws Exception {
        Path dir = TestSpark.bucket().resolve("v3");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> expected = Files.walk(dir)) {
            for (Path f : expected.filter(p -> p.endsWith("expected/0.json")).sorted().toList()) {
                Path array = f.getParent().getParent();
                String name = dir.relativize(array).toString();
                tests.add(DynamicTest.dynamicTest(name, () -> checkV3(name, f)));
            }
        }
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    static void checkV3(String name, Path expectedFile) throws Exception {
        Map<String, Object> e = new ObjectMapper().readValue(expectedFile.toFile(), Map.class);
        String descr = (String) e.get("dtype");
        List<Object> elements = ((List<Object>) e.get("values")).stream().map(v -> Expected.json(v, descr)).toList();
        String url = "s3://fixtures/v3/" + name;
        ArrayMetadata m = meta(url);
        String selection = (String) e.get("selection");
        assertThat(read(url, selection, m.rank())).as(name + " [" + selection + "]")
                .containsExactlyElementsOf(expected(elements, fill(m, false)));
    }
}
