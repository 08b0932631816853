package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projection arithmetic against zarr-python 2.13 and NumPy (Debian's python3-zarr, run at test time): 300
 * seeded selections over random chunk grids (ranks 1 to 4, steps, negative and out-of-range bounds, integers,
 * '...'), each compared with zarr's {@code BasicIndexer} projection by projection (the chunks, and per axis the
 * elements taken and where they go), and, applied to {@code numpy.arange}, with NumPy's own result; then over a
 * hundred selections that walk axes backwards (negative steps, which zarr-python 2 refuses), compared with
 * projections made from NumPy's own indexing and with its result. The script is {@code make_projection_cases.py}
 * beside this test's resources.
 */
class ChunkProjectionTest {
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path fixtures;
    static List<Map<String, Object>> cases;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void writeCases() throws Exception {
        Path script = fixtures.resolve("make_projection_cases.py");
        try (var in = ChunkProjectionTest.class.getResourceAsStream("make_projection_cases.py")) {
            Files.copy(in, script);
        }
        Path out = fixtures.resolve("cases.jsonl");
        Process p = new ProcessBuilder(PYTHON, script.toString(), out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("these tests need " + PYTHON + " with zarr 2.13 and numpy (Debian: "
                    + "apt-get install python3-zarr); the script said:\n" + output);
        }
        cases = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            cases.add((Map<String, Object>) Json.parse(line.getBytes(StandardCharsets.UTF_8)));
        }
    }

    static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(x -> (Long) x).toArray();
    }

    static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(x -> ((Long) x).intValue()).toArray();
    }

    @TestFactory
    Stream<DynamicTest> projectsAsZarrPythonAndReadsWhatNumPyReads() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("shape") + " chunks " + c.get("chunks") + " ["
                + c.get("selection") + "]", () -> check(c)));
    }

    @SuppressWarnings("unchecked")
    static void check(Map<String, Object> c) {
        long[] shape = longs(c.get("shape"));
        int[] chunks = ints(c.get("chunks"));
        Selection.Resolved sel = Selection.parse((String) c.get("selection")).resolve(shape);
        ChunkProjection projection = new ChunkProjection(sel, shape, chunks);
        assertThat(sel.resultShape()).as("shape").containsExactly(longs(c.get("result_shape")));

        List<ChunkProjection.Region> regions = new ArrayList<>();
        projection.forEachChunk(coords -> regions.add(projection.region(coords)));
        // zarr-python also yields a chunk for an empty selection along an axis, with nothing to take from it (it
        // would be fetched for nothing): those are left out of the comparison, and zarrfetch touches none.
        List<Map<String, Object>> expected = ((List<Map<String, Object>>) c.get("projections")).stream()
                .filter(e -> ((List<Map<String, Object>>) e.get("axes")).stream()
                        .noneMatch(axis -> ((List<?>) axis.get("chunk")).isEmpty()))
                .toList();
        assertThat(regions).as("chunks touched").hasSize(expected.size());
        for (int i = 0; i < regions.size(); i++) {
            ChunkProjection.Region r = regions.get(i);
            Map<String, Object> e = expected.get(i);
            assertThat(r.coords()).as("chunk %d", i).containsExactly(longs(e.get("coords")));
            List<Map<String, Object>> axes = (List<Map<String, Object>>) e.get("axes");
            for (int a = 0; a < shape.length; a++) {
                List<Long> taken = new ArrayList<>();
                List<Long> out = new ArrayList<>();
                for (long k = 0; k < r.count()[a]; k++) {
                    taken.add(r.chunkStart()[a] + k * r.step()[a]);
                    out.add(r.outStart()[a] + k);
                }
                assertThat(taken).as("chunk %s axis %d: elements taken", e.get("coords"), a)
                        .isEqualTo(axes.get(a).get("chunk"));
                if (axes.get(a).get("out") == null) {
                    assertThat(sel.dropped()[a]).isTrue();
                    assertThat(out).containsExactly(0L);
                } else {
                    assertThat(out).as("chunk %s axis %d: where they go", e.get("coords"), a)
                            .isEqualTo(axes.get(a).get("out"));
                }
            }
        }

        // Applied to numpy.arange(size).reshape(shape): every element of the result comes from its chunk once.
        long[] values = longs(c.get("values"));
        long[] got = new long[values.length];
        java.util.Arrays.fill(got, -1);
        long[] resultStride = strides(sel.count());
        long[] arrayStride = strides(shape);
        for (ChunkProjection.Region r : regions) {
            long[] k = new long[shape.length];
            for (long e = 0; e < r.elements(); e++) {
                long rest = e;
                for (int a = shape.length - 1; a >= 0; a--) {
                    k[a] = rest % r.count()[a];
                    rest /= r.count()[a];
                }
                long at = 0;
                long from = 0;
                for (int a = 0; a < shape.length; a++) {
                    at += (r.outStart()[a] + k[a]) * resultStride[a];
                    from += (r.coords()[a] * chunks[a] + r.chunkStart()[a] + k[a] * r.step()[a]) * arrayStride[a];
                }
                assertThat(got[(int) at]).as("written once").isEqualTo(-1);
                got[(int) at] = from;
            }
        }
        assertThat(got).as("values").containsExactly(values);
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long n = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            s[a] = n;
            n *= shape[a];
        }
        return s;
    }

    @Test
    void aWholeChunkAndAContiguousRunAreToldApart() {
        long[] shape = {10, 8};
        int[] chunks = {5, 4};
        ChunkProjection all = new ChunkProjection(Selection.all().resolve(shape), shape, chunks);
        ChunkProjection.Region first = all.region(new long[] {0, 0});
        assertThat(all.wholeChunk(first)).isTrue();
        assertThat(all.contiguousInResult(first)).as("rows of 4 of a result 8 wide").isFalse();
        ChunkProjection rows = new ChunkProjection(Selection.parse("2:4").resolve(new long[] {10, 4}),
                new long[] {10, 4}, chunks);
        ChunkProjection.Region r = rows.region(new long[] {0, 0});
        assertThat(rows.wholeChunk(r)).isFalse();
        assertThat(rows.contiguousInResult(r)).isTrue();
        ChunkProjection stepped = new ChunkProjection(Selection.parse("::2").resolve(shape), shape, chunks);
        assertThat(stepped.wholeChunk(stepped.region(new long[] {0, 0}))).isFalse();
        ChunkProjection edge = new ChunkProjection(Selection.all().resolve(new long[] {7}), new long[] {7},
                new int[] {5});
        assertThat(edge.wholeChunk(edge.region(new long[] {1}))).as("an edge chunk is cut by the array").isFalse();
    }

    @Test
    void stepsLongerThanAChunkTouchOneChunkPerElementWithoutVisitingTheOthers() {
        long[] shape = {4_000_000_000_000L};
        ChunkProjection p = new ChunkProjection(Selection.parse("7::1000000000000").resolve(shape), shape,
                new int[] {3});
        assertThat(p.chunksPerAxis()[0]).containsExactly(2, 333_333_333_335L, 666_666_666_669L,
                1_000_000_000_002L);
    }

    @Test
    void aSelectionOfAnotherRankIsRefused() {
        assertThatThrownBy(() -> new ChunkProjection(Selection.all().resolve(new long[] {4, 4}), new long[] {4, 4},
                new int[] {2})).isInstanceOf(IllegalArgumentException.class);
    }
}
