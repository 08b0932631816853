package io.zarrfetch.testkit.mur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.scalableminds.bloscjava.Blosc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.mur.MurDataset.ChunkObject;
import io.zarrfetch.testkit.mur.MurDataset.Manifest;
import io.zarrfetch.testkit.mur.MurDataset.Options;
import io.zarrfetch.testkit.mur.MurDataset.Scale;

class MurDatasetTest {

    private static final Options SMALL = Options.defaults().withScale(Scale.SMALL).withChunkCount(12);

    @TempDir
    Path tmp;

    // ---- content -------------------------------------------------------------------------------------

    @Test
    void compressedChunkDecodesWithBloscToChunkValues() {
        MurDataset dataset = new MurDataset(SMALL);
        for (int i = 0; i < SMALL.chunkCount(); i++) {
            byte[] compressed = dataset.compressedChunk(i);
            assertThat(toShorts(Blosc.decompress(compressed))).as("chunk %d", i).isEqualTo(dataset.chunkValues(i));
        }
    }

    @Test
    void compressedChunkIsABloscLz4ByteShuffleFrameOfTheRawChunk() {
        byte[] frame = new MurDataset(SMALL).compressedChunk(3);
        ByteBuffer header = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(header.get(0)).as("format version").isEqualTo((byte) 2);
        int flags = header.get(2) & 0xff;
        assertThat(flags & 0x1).as("byte shuffle").isEqualTo(1);
        assertThat(flags & 0x4).as("bit shuffle").isZero();
        assertThat(flags >>> 5).as("compressor format (1 = lz4)").isEqualTo(1);
        assertThat(header.get(3)).as("typesize").isEqualTo((byte) 2);
        assertThat(header.getInt(4)).as("nbytes").isEqualTo(Scale.SMALL.chunkBytes());
        assertThat(header.getInt(12)).as("cbytes").isEqualTo(frame.length);
    }

    @Test
    void valuesLookLikeSeaSurfaceTemperatureWithSomeLand() {
        short[] values = new MurDataset(SMALL).chunkValues(0);
        long land = 0;
        for (short v : values) {
            if (v == MurDataset.FILL_VALUE) {
                land++;
            } else {
                // -1.8 .. 32 degC in thousandths of a kelvin relative to 298.15 K
                assertThat((int) v).isBetween(-26800, 7000);
            }
        }
        assertThat((double) land / values.length).as("land share").isBetween(0.02, 0.15);
        double meanKelvin = toIntsStream(values).filter(v -> v != MurDataset.FILL_VALUE)
                .average().orElseThrow() * MurDataset.SCALE_FACTOR + MurDataset.ADD_OFFSET;
        assertThat(meanKelvin).as("mean SST 54-72 S, kelvin").isBetween(272.0, 282.0);
    }

    @Test
    void smallChunksCompressToAboutHalfTheirRawSize() {
        MurDataset dataset = new MurDataset(SMALL.withChunkCount(100));
        int raw = Scale.SMALL.chunkBytes();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sizes.add(dataset.compressedChunk(i).length);
        }
        // Measured 0.45 .. 0.56 of raw (median 0.51): the coarse grid compresses less than FULL's 0.43.
        assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween((int) (0.40 * raw), (int) (0.62 * raw)));
        List<Integer> sorted = sizes.stream().sorted().toList();
        assertThat(sorted.get(50)).isBetween((int) (0.46 * raw), (int) (0.56 * raw));
        assertThat(sorted.get(99) - sorted.get(0)).as("sizes vary with the season").isGreaterThan(raw / 50);
    }

    @Test
    void fullScaleChunkIsAbout28MegabytesAndDecodesToItsValues() {
        MurDataset dataset = new MurDataset(Options.defaults().withChunkCount(2));
        byte[] compressed = dataset.compressedChunk(1);
        assertThat(compressed.length).isBetween(25_000_000, 30_000_000);
        assertThat(toShorts(Blosc.decompress(compressed))).isEqualTo(dataset.chunkValues(1));
    }

    @Test
    void timeStepsPastTheEndOfTheArrayAreFill() {
        int last = Scale.SMALL.timeChunks() - 1; // covers t = 6440..6444 of 6443
        short[] values = new MurDataset(SMALL.withChunkCount(last + 1)).chunkValues(last);
        int plane = 90 * 180;
        short[] pastEnd = Arrays.copyOfRange(values, 3 * plane, 5 * plane);
        short[] inside = Arrays.copyOfRange(values, 2 * plane, 3 * plane);
        assertThat(pastEnd).containsOnly(MurDataset.FILL_VALUE);
        long ocean = toIntsStream(inside).filter(v -> v != MurDataset.FILL_VALUE).count();
        assertThat(ocean).as("t = 6442 is ocean as usual").isGreaterThan(plane * 8L / 10);
    }

    // ---- determinism ---------------------------------------------------------------------------------

    @Test
    void sameOptionsGiveIdenticalBytesAndOtherSeedsDoNot() {
        byte[] a = new MurDataset(SMALL).compressedChunk(5);
        byte[] b = new MurDataset(SMALL).compressedChunk(5);
        byte[] otherSeed = new MurDataset(SMALL.withSeed(2)).compressedChunk(5);
        byte[] moreChunks = new MurDataset(SMALL.withChunkCount(40)).compressedChunk(5);

        assertThat(b).isEqualTo(a);
        assertThat(moreChunks).as("chunk i does not depend on the chunk count").isEqualTo(a);
        assertThat(otherSeed).isNotEqualTo(a);
    }

    /**
     * Pins the generated bytes. If this fails, the generator's output changed: bump
     * {@code MurDataset.GENERATOR_VERSION} (so stale data sets on disk get regenerated) and update the hashes.
     */
    @Test
    void outputIsPinned() {
        MurDataset dataset = new MurDataset(SMALL);
        short[] values = dataset.chunkValues(7);
        ByteBuffer raw = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        raw.asShortBuffer().put(values);

        assertThat(MurDataset.GENERATOR_VERSION).isEqualTo(1);
        assertThat(sha256(raw.array()))
                .isEqualTo("f6b518ce8c3beb1738018c1a316e01217c2524d8faa219a7fcc80bc7cf2597fe");
        assertThat(sha256(dataset.compressedChunk(7)))
                .isEqualTo("6f5df005a83c791957e80d5bbf9f3ddf88be57c55cb6b700c1339b63d7c60779");
    }

    @Test
    void writtenStoresAreByteIdenticalWhateverTheThreadCount() throws IOException {
        new MurDataset(SMALL).write(tmp.resolve("a"), MurDataset.ProgressListener.none(), 1);
        new MurDataset(SMALL).write(tmp.resolve("b"), MurDataset.ProgressListener.none(), 2);

        Map<String, byte[]> a = contents(tmp.resolve("a"));
        Map<String, byte[]> b = contents(tmp.resolve("b"));
        assertThat(a.keySet()).isEqualTo(b.keySet());
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));
    }

    // ---- metadata ------------------------------------------------------------------------------------

    @Test
    void zarrayIsWhatZarrPythonWritesForTheRealArray() {
        // zarr 2.13: open_group(d).create('analysed_sst', shape=(6443, 17999, 36000), chunks=(5, 1799, 3600),
        //   dtype='<i2', fill_value=-32768, compressor=Blosc(cname='lz4', clevel=5, shuffle=1, blocksize=0))
        String zarray = new MurDataset(Options.defaults()).metadataObjects().get("analysed_sst/.zarray");
        assertThat(zarray).isEqualTo("""
                {
                    "chunks": [
                        5,
                        1799,
                        3600
                    ],
                    "compressor": {
                        "blocksize": 0,
                        "clevel": 5,
                        "cname": "lz4",
                        "id": "blosc",
                        "shuffle": 1
                    },
                    "dtype": "<i2",
                    "fill_value": -32768,
                    "filters": null,
                    "order": "C",
                    "shape": [
                        6443,
                        17999,
                        36000
                    ],
                    "zarr_format": 2
                }""");
    }

    @Test
    void metadataObjectsAreAGroupWithOneArrayAndMatchingConsolidatedMetadata() {
        Map<String, String> objects = new MurDataset(SMALL).metadataObjects();
        assertThat(objects).containsOnlyKeys(".zgroup", ".zattrs", ".zmetadata", "analysed_sst/.zarray",
                "analysed_sst/.zattrs");
        assertThat(objects.get(".zgroup")).isEqualTo("{\n    \"zarr_format\": 2\n}");

        Map<?, ?> zarray = (Map<?, ?>) Json.parse(objects.get("analysed_sst/.zarray"));
        assertThat(zarray.get("chunks")).isEqualTo(List.of(5L, 90L, 180L));
        assertThat(zarray.get("shape")).isEqualTo(List.of(6443L, 901L, 1800L));

        @SuppressWarnings("unchecked")
        Map<String, Object> attrs = (Map<String, Object>) Json.parse(objects.get("analysed_sst/.zattrs"));
        assertThat(attrs).containsEntry("scale_factor", 0.001).containsEntry("add_offset", 298.15)
                .containsEntry("units", "kelvin").containsEntry("_ARRAY_DIMENSIONS", List.of("time", "lat", "lon"));

        Map<?, ?> consolidated = (Map<?, ?>) Json.parse(objects.get(".zmetadata"));
        assertThat(consolidated.get("zarr_consolidated_format")).isEqualTo(1L);
        Map<?, ?> entries = (Map<?, ?>) consolidated.get("metadata");
        assertThat(entries).hasSize(4);
        entries.forEach((key, value) -> assertThat(value).as((String) key)
                .isEqualTo(Json.parse(objects.get((String) key))));
    }

    // ---- writing -------------------------------------------------------------------------------------

    @Test
    void writesTheLayoutAndReportsProgressOnTheCallingThread() throws IOException {
        MurDataset dataset = new MurDataset(SMALL);
        Path dir = tmp.resolve("store");
        List<int[]> calls = new CopyOnWriteArrayList<>();
        Thread caller = Thread.currentThread();
        Manifest manifest = dataset.write(dir, (done, total) -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            calls.add(new int[] {done, total});
        });

        assertThat(calls).hasSize(12);
        for (int k = 0; k < 12; k++) {
            assertThat(calls.get(k)).containsExactly(k + 1, 12);
        }
        assertThat(manifest.options()).isEqualTo(SMALL);
        assertThat(manifest.chunks()).extracting(ChunkObject::key).isEqualTo(dataset.chunkKeys());
        assertThat(dataset.chunkKeys()).first().isEqualTo("analysed_sst/0.1.0");
        for (int i = 0; i < 12; i++) {
            byte[] stored = Files.readAllBytes(dir.resolve(MurDataset.chunkKey(i)));
            assertThat(stored).as("chunk %d", i).isEqualTo(dataset.compressedChunk(i));
            assertThat(manifest.chunks().get(i).size()).isEqualTo(stored.length);
        }
        for (Map.Entry<String, String> e : dataset.metadataObjects().entrySet()) {
            assertThat(dir.resolve(e.getKey())).hasContent(e.getValue());
        }
        try (Stream<Path> files = Files.list(dir.resolve("analysed_sst"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .hasSize(12);
        }
        assertThat(MurDataset.readManifest(dir)).contains(manifest);
        assertThat(manifest.totalBytes()).isEqualTo(manifest.chunks().stream().mapToLong(ChunkObject::size).sum());
    }

    @Test
    void aCompleteDataSetIsNotWrittenAgain() throws IOException {
        MurDataset dataset = new MurDataset(SMALL);
        Path dir = tmp.resolve("store");
        Manifest first = dataset.write(dir);
        Path chunk = dir.resolve(MurDataset.chunkKey(4));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(chunk, old);

        List<int[]> calls = new ArrayList<>();
        Manifest second = new MurDataset(SMALL).write(dir, (done, total) -> calls.add(new int[] {done, total}));

        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(chunk)).isEqualTo(old);
        assertThat(calls).singleElement().satisfies(c -> assertThat(c).containsExactly(12, 12));
        assertThat(dataset.isWritten(dir)).isTrue();
    }

    @Test
    void aDamagedDataSetIsRepaired() throws IOException {
        MurDataset dataset = new MurDataset(SMALL);
        Path dir = tmp.resolve("store");
        dataset.write(dir);
        Files.delete(dir.resolve(MurDataset.chunkKey(2)));
        Files.write(dir.resolve(MurDataset.chunkKey(3)), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("analysed_sst/.zarray"), "{}");
        assertThat(dataset.isWritten(dir)).isFalse();

        dataset.write(dir);

        assertThat(dataset.isWritten(dir)).isTrue();
        assertThat(dir.resolve(MurDataset.chunkKey(2))).hasBinaryContent(dataset.compressedChunk(2));
        assertThat(dir.resolve(MurDataset.chunkKey(3))).hasBinaryContent(dataset.compressedChunk(3));
        assertThat(dir.resolve("analysed_sst/.zarray"))
                .hasContent(dataset.metadataObjects().get("analysed_sst/.zarray"));
    }

    @Test
    void otherOptionsReplaceTheDataSetAndLeaveForeignFilesAlone() throws IOException {
        Path dir = tmp.resolve("store");
        new MurDataset(SMALL).write(dir);
        Files.writeString(dir.resolve("README"), "mine");
        Files.writeString(dir.resolve("analysed_sst/notes.txt"), "mine too");
        Files.writeString(dir.resolve("analysed_sst/.3.1.0.999-1.zarrfetch-partial"), "left by a killed run");

        MurDataset fewer = new MurDataset(SMALL.withChunkCount(3).withSeed(9));
        assertThat(fewer.isWritten(dir)).isFalse();
        Manifest manifest = fewer.write(dir);

        try (Stream<Path> files = Files.list(dir.resolve("analysed_sst"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("0.1.0", "1.1.0", "2.1.0", ".zarray", ".zattrs", "notes.txt");
        }
        assertThat(dir.resolve("README")).hasContent("mine");
        assertThat(dir.resolve(MurDataset.chunkKey(0))).hasBinaryContent(fewer.compressedChunk(0));
        assertThat(MurDataset.readManifest(dir)).contains(manifest);
        assertThat(manifest.options().seed()).isEqualTo(9);
    }

    @Test
    void anInterruptedWriteLeavesNoManifestNorPartialObjectsAndTheNextWriteFinishes() throws IOException {
        MurDataset dataset = new MurDataset(SMALL.withChunkCount(200));
        Path dir = tmp.resolve("store");
        assertThatThrownBy(() -> dataset.write(dir, (done, total) -> {
            if (done == 5) {
                Thread.currentThread().interrupt();
            }
        })).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();

        assertThat(dir.resolve(MurDataset.MANIFEST_NAME)).doesNotExist();
        assertThat(dataset.isWritten(dir)).isFalse();
        try (Stream<Path> files = Files.list(dir.resolve("analysed_sst"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            // (How many chunks were written before the writers saw the interrupt depends on the scheduler: on a
            // busy machine all 200 may be; what matters is that none is partial and there is no manifest.)
            assertThat(names).noneMatch(n -> n.endsWith(".zarrfetch-partial"));
            for (String name : names.stream().filter(n -> !n.startsWith(".")).toList()) {
                int i = Integer.parseInt(name.substring(0, name.indexOf('.')));
                assertThat(dir.resolve("analysed_sst").resolve(name)).hasBinaryContent(dataset.compressedChunk(i));
            }
        }

        assertThat(dataset.write(dir).chunks()).hasSize(200);
        assertThat(dataset.isWritten(dir)).isTrue();
    }

    @Test
    void concurrentWritersTakeTurnsAndAgree() throws Exception {
        Path dir = tmp.resolve("store");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Manifest>> results = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                results.add(pool.submit(() -> new MurDataset(SMALL).write(dir)));
            }
            Manifest first = results.get(0).get();
            for (Future<Manifest> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(new MurDataset(SMALL).isWritten(dir)).isTrue();
    }

    @Test
    void aManifestThatIsNotOursIsIgnored() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("store"));
        assertThat(MurDataset.readManifest(dir)).isEmpty();

        Files.writeString(dir.resolve(MurDataset.MANIFEST_NAME), "not json");
        assertThat(MurDataset.readManifest(dir)).isEmpty();

        Manifest manifest = new Manifest(SMALL, List.of(new ChunkObject("analysed_sst/0.1.0", 5)));
        Files.writeString(dir.resolve(MurDataset.MANIFEST_NAME), StoreWriter.manifestJson(manifest)
                .replace("\"generator_version\": 1", "\"generator_version\": 0"));
        assertThat(MurDataset.readManifest(dir)).isEmpty();

        Files.writeString(dir.resolve(MurDataset.MANIFEST_NAME), StoreWriter.manifestJson(manifest));
        assertThat(MurDataset.readManifest(dir)).contains(manifest);
    }

    // ---- API -----------------------------------------------------------------------------------------

    @Test
    void optionsAndIndicesAreValidated() {
        assertThatThrownBy(() -> SMALL.withChunkCount(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SMALL.withChunkCount(1290)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SMALL.withChunkCount(1289).chunkCount()).isEqualTo(1289);
        assertThatThrownBy(() -> new MurDataset(SMALL).chunkValues(12)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new MurDataset(SMALL).write(tmp, MurDataset.ProgressListener.none(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scalesDescribeTheRealArrayAndASmallCopy() {
        assertThat(Scale.FULL.chunkBytes()).isEqualTo(64_764_000);
        assertThat(Scale.FULL.timeChunks()).isEqualTo(1289);
        assertThat(Scale.SMALL.chunkBytes()).isEqualTo(162_000);
        assertThat(Options.defaults()).isEqualTo(new Options(100, Scale.FULL, 1));
        assertThat(new MurDataset(SMALL).chunkOrigin(7)).containsExactly(35, 90, 0);
        assertThat(new MurDataset(Options.defaults()).chunkOrigin(7)).containsExactly(35, 1799, 0);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static short[] toShorts(byte[] raw) {
        short[] values = new short[raw.length / 2];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(values);
        return values;
    }

    private static IntStream toIntsStream(short[] values) {
        return IntStream.range(0, values.length).map(i -> values[i]);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Relative path to content of every regular file under {@code root}. */
    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> contents = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.put(root.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return contents;
    }
}
