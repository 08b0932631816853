package io.zarrfetch.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Arrays the Spark tests read, laid out as an S3 bucket folder for the testkit's S3 server: zarr-python's v2
 * fixtures (written at test time by zarrfetch-core's generator), zarrita's v3 fixtures (committed in zarrfetch-core),
 * and arrays written here whose every element is known.
 */
final class TestArrays {
    static final String PYTHON = "/usr/bin/python3";
    static final long[] GRID_SHAPE = {11, 17, 9};
    static final int[] GRID_CHUNKS = {4, 5, 4};
    /** Chunks of the grid arrays that are not stored: they read as the fill value (-1). */
    static final long[][] GRID_MISSING = {{0, 0, 0}, {1, 2, 1}, {2, 3, 2}};
    static final long[] WIDE_SHAPE = {200, 50};
    static final int[] WIDE_CHUNKS = {2, 5};

    private TestArrays() {
    }

    /** The value of grid element (i, j, k): its C-order index. */
    static int gridValue(long i, long j, long k) {
        return (int) ((i * GRID_SHAPE[1] + j) * GRID_SHAPE[2] + k);
    }

    static boolean gridMissing(long i, long j, long k) {
        for (long[] m : GRID_MISSING) {
            if (i / GRID_CHUNKS[0] == m[0] && j / GRID_CHUNKS[1] == m[1] && k / GRID_CHUNKS[2] == m[2]) {
                return true;
            }
        }
        return false;
    }

    /** The value of element (i, j, k) of {@code grid-nofill}: zero at one element in five. */
    static int noFillValue(long i, long j, long k) {
        return gridValue(i, j, k) % 5;
    }

    /**
     * Writes {@code bucket/grid} (v2, int32, fill -1, uncompressed, three chunks missing), {@code bucket/grid-nofill}
     * (fill_value null, {@link #noFillValue}), {@code bucket/corrupt} (the grid with chunk 1.1.1 cut short) and
     * {@code bucket/wide} (v2, int16, 1,000 chunks of 2 x 5, element (i, j) = i * 50 + j) and {@code bucket/large}
     * (v2, int16, fill 7, chunks of 512 KiB, {@link #largeValue}, chunk 3.1.0 missing).
     */
    static void writeOwn(Path bucket) throws IOException {
        writeLarge(bucket.resolve("large"));
        writeGrid(bucket.resolve("grid"), "-1", false, Integer.MAX_VALUE);
        writeGrid(bucket.resolve("grid-nofill"), "null", false, 5);
        writeGrid(bucket.resolve("corrupt"), "-1", true, Integer.MAX_VALUE);
        Path wide = Files.createDirectories(bucket.resolve("wide"));
        Files.writeString(wide.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [200, 50], \"chunks\": [2, 5], "
                + "\"dtype\": \"<i2\", \"compressor\": null, \"fill_value\": -1, \"order\": \"C\", \"filters\": null}");
        Files.writeString(wide.resolve(".zattrs"), "{\"_ARRAY_DIMENSIONS\": [\"y\", \"x\"]}");
        for (int ci = 0; ci < 100; ci++) {
            for (int cj = 0; cj < 10; cj++) {
                ByteBuffer b = ByteBuffer.allocate(2 * 5 * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int x = 0; x < 2; x++) {
                    for (int y = 0; y < 5; y++) {
                        b.putShort((short) ((ci * 2 + x) * 50 + cj * 5 + y));
                    }
                }
                Files.write(wide.resolve(ci + "." + cj), b.array());
            }
        }
    }

    static final long[] LARGE_SHAPE = {7, 600, 512};

    /** The value of element (i, j, k) of {@code large}: negatives, positives, and the fill (7) here and there. */
    static short largeValue(long i, long j, long k) {
        return (short) (((i * 600 + j) * 512 + k) % 30011 - 1000);
    }

    /** Chunks of 1 x 512 x 512 (512 KiB): big enough for a partition of 1 MiB to be read in parts. */
    private static void writeLarge(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [7, 600, 512], \"chunks\": [1, 512, "
                + "512], \"dtype\": \"<i2\", \"compressor\": null, \"fill_value\": 7, \"order\": \"C\", "
                + "\"filters\": null}");
        Files.writeString(dir.resolve(".zattrs"), "{\"_ARRAY_DIMENSIONS\": [\"t\", \"y\", \"x\"]}");
        for (int ci = 0; ci < 7; ci++) {
            for (int cj = 0; cj < 2; cj++) {
                if (ci == 3 && cj == 1) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.allocate(512 * 512 * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int y = 0; y < 512; y++) {
                    for (int x = 0; x < 512; x++) {
                        long j = cj * 512L + y;
                        b.putShort(j < 600 ? largeValue(ci, j, x) : 0);
                    }
                }
                Files.write(dir.resolve(ci + "." + cj + ".0"), b.array());
            }
        }
    }

    private static void writeGrid(Path dir, String fill, boolean corrupt, int modulus) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [11, 17, 9], \"chunks\": [4, 5, 4], "
                + "\"dtype\": \"<i4\", \"compressor\": null, \"fill_value\": " + fill + ", \"order\": \"C\", "
                + "\"filters\": null}");
        Files.writeString(dir.resolve(".zattrs"), "{\"_ARRAY_DIMENSIONS\": [\"i\", \"j\", \"k\"], \"units\": \"K\"}");
        int[] cs = GRID_CHUNKS;
        for (long ci = 0; ci * cs[0] < GRID_SHAPE[0]; ci++) {
            for (long cj = 0; cj * cs[1] < GRID_SHAPE[1]; cj++) {
                for (long ck = 0; ck * cs[2] < GRID_SHAPE[2]; ck++) {
                    if (gridMissing(ci * cs[0], cj * cs[1], ck * cs[2])) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.allocate(cs[0] * cs[1] * cs[2] * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (int x = 0; x < cs[0]; x++) {
                        for (int y = 0; y < cs[1]; y++) {
                            for (int z = 0; z < cs[2]; z++) {
                                long i = ci * cs[0] + x;
                                long j = cj * cs[1] + y;
                                long k = ck * cs[2] + z;
                                b.putInt(i < GRID_SHAPE[0] && j < GRID_SHAPE[1] && k < GRID_SHAPE[2]
                                        ? gridValue(i, j, k) % modulus : 0);
                            }
                        }
                    }
                    byte[] bytes = b.array();
                    if (corrupt && ci == 1 && cj == 1 && ck == 1) {
                        bytes = java.util.Arrays.copyOf(bytes, bytes.length - 4);
                    }
                    Files.write(dir.resolve(ci + "." + cj + "." + ck), bytes);
                }
            }
        }
    }

    /** Runs zarrfetch-core's zarr-python generator into {@code out}: the v2 cases, their .npy and .sel files. */
    static void writeV2(Path out) throws IOException, InterruptedException {
        Path script = out.getParent().resolve("make_v2_fixtures.py");
        try (InputStream in = resource("make_v2_fixtures.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(PYTHON, script.toString(), out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("these tests need " + PYTHON + " with zarr 2.13 and numcodecs (Debian: "
                    + "apt-get install python3-zarr); the fixture script said:\n" + output);
        }
    }

    /** Copies zarrita's v3 fixtures (test resources of zarrfetch-core) into {@code out}. */
    static void copyV3(Path out) throws IOException {
        Path from;
        try {
            from = Path.of(TestArrays.class.getResource("fixtures/v3/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                Path to = out.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = TestArrays.class.getResourceAsStream("fixtures/" + name);
        if (in == null) {
            throw new IOException("no test resource fixtures/" + name);
        }
        return in;
    }

    static URI uri(String s) {
        return URI.create(s);
    }
}
