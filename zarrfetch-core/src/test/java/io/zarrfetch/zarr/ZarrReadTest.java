package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.MemoryStore;

/**
 * The reader's placement arithmetic on arrays built here, element by element: element (i, j, k) holds its C-order
 * index, so every read can be checked against a computed answer. Uncompressed, so no codec is involved.
 */
class ZarrReadTest {
    static final long[] SHAPE = {11, 17, 9};
    static Fetcher fetcher;

    @BeforeAll
    static void start() {
        fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(4));
    }

    @AfterAll
    static void stop() {
        fetcher.close();
    }

    static int value(long i, long j, long k) {
        return (int) ((i * SHAPE[1] + j) * SHAPE[2] + k);
    }

    /** The chunk at (ci, cj, ck) of shape cs, as int32 little-endian, laid out C or F, full size at the edges. */
    static byte[] chunk(int[] cs, long ci, long cj, long ck, boolean fortran) {
        ByteBuffer b = ByteBuffer.allocate(cs[0] * cs[1] * cs[2] * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int x = 0; x < cs[0]; x++) {
            for (int y = 0; y < cs[1]; y++) {
                for (int z = 0; z < cs[2]; z++) {
                    long i = ci * cs[0] + x;
                    long j = cj * cs[1] + y;
                    long k = ck * cs[2] + z;
                    int v = i < SHAPE[0] && j < SHAPE[1] && k < SHAPE[2] ? value(i, j, k) : -7;
                    int at = fortran ? (z * cs[1] + y) * cs[0] + x : (x * cs[1] + y) * cs[2] + z;
                    b.putInt(at * 4, v);
                }
            }
        }
        return b.array();
    }

    static MemoryStore v2(int[] cs, boolean fortran, int fill, long[]... missing) {
        MemoryStore store = new MemoryStore();
        store.put("a/.zarray", ("{\"zarr_format\": 2, \"shape\": [11, 17, 9], \"chunks\": [" + cs[0] + ", " + cs[1]
                + ", " + cs[2] + "], \"dtype\": \"<i4\", \"compressor\": null, \"fill_value\": " + fill
                + ", \"order\": \"" + (fortran ? "F" : "C") + "\", \"filters\": null}")
                .getBytes(StandardCharsets.UTF_8));
        for (long ci = 0; ci * cs[0] < SHAPE[0]; ci++) {
            for (long cj = 0; cj * cs[1] < SHAPE[1]; cj++) {
                for (long ck = 0; ck * cs[2] < SHAPE[2]; ck++) {
                    boolean skip = false;
                    for (long[] m : missing) {
                        skip |= m[0] == ci && m[1] == cj && m[2] == ck;
                    }
                    if (!skip) {
                        store.put("a/" + ci + "." + cj + "." + ck, chunk(cs, ci, cj, ck, fortran));
                    }
                }
            }
        }
        return store;
    }

    /** What a selection must give: element values, or fill where the chunk at one of {@code missing} is. */
    static int[] expected(String selection, int[] cs, int fill, long[]... missing) {
        Selection.Resolved r = Selection.parse(selection).resolve(SHAPE);
        List<Integer> out = new ArrayList<>();
        for (long a = 0; a < r.count()[0]; a++) {
            for (long b = 0; b < r.count()[1]; b++) {
                for (long c = 0; c < r.count()[2]; c++) {
                    long i = r.start()[0] + a * r.step()[0];
                    long j = r.start()[1] + b * r.step()[1];
                    long k = r.start()[2] + c * r.step()[2];
                    boolean gone = false;
                    for (long[] m : missing) {
                        gone |= i / cs[0] == m[0] && j / cs[1] == m[1] && k / cs[2] == m[2];
                    }
                    out.add(gone ? fill : value(i, j, k));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static final List<String> SELECTIONS = List.of("...", "1:9,2:13,0:7", "::3,1::4,-5:", "4,...", "-1,-2,:",
            "2:100,3:4,1:6:2", "0:0,:,:", ":,:,8", "5:10,:,:");

    @Test
    void readsCOrderChunksDirectlyAndThroughScratch() throws Exception {
        int[] cs = {4, 5, 4};
        ZarrArray a = ZarrArray.open(v2(cs, false, 0), "a", fetcher);
        for (String s : SELECTIONS) {
            assertThat(a.read(Selection.parse(s)).toIntArray()).as(s).containsExactly(expected(s, cs, 0));
        }
    }

    @Test
    void wholeChunkRowsDecodeStraightIntoTheResult() throws Exception {
        // Chunks span the two last axes whole: every chunk is a contiguous run of a [i:j] selection.
        int[] cs = {2, 17, 9};
        ZarrArray a = ZarrArray.open(v2(cs, false, 0), "a", fetcher);
        for (String s : List.of("...", "2:8", "3", "0:10:1")) {
            assertThat(a.read(Selection.parse(s)).toIntArray()).as(s).containsExactly(expected(s, cs, 0));
        }
    }

    @Test
    void readsFortranOrderChunks() throws Exception {
        int[] cs = {4, 5, 4};
        ZarrArray a = ZarrArray.open(v2(cs, true, 0), "a", fetcher);
        for (String s : SELECTIONS) {
            assertThat(a.read(Selection.parse(s)).toIntArray()).as(s).containsExactly(expected(s, cs, 0));
        }
    }

    @Test
    void missingChunksReadAsTheFillValue() throws Exception {
        int[] cs = {4, 5, 4};
        long[][] missing = {{0, 0, 0}, {1, 2, 1}, {2, 3, 2}};
        ZarrArray a = ZarrArray.open(v2(cs, false, -99, missing), "a", fetcher);
        for (String s : SELECTIONS) {
            assertThat(a.read(Selection.parse(s)).toIntArray()).as(s).containsExactly(expected(s, cs, -99,
                    missing));
        }
        // Into a caller's buffer, which is not zeroed: fill must be written, also when it is zero.
        ZarrArray zero = ZarrArray.open(v2(cs, false, 0, missing), "a", fetcher);
        MemorySegment dst = Arena.ofAuto().allocate(11 * 17 * 9 * 4);
        dst.fill((byte) 0x55);
        zero.read(Selection.all(), dst);
        int[] got = new int[11 * 17 * 9];
        MemorySegment.copy(dst, java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                0, got, 0, got.length);
        assertThat(got).containsExactly(expected("...", cs, 0, missing));
    }

    /** The boxes a read reports missing, as "origin/shape" text, sorted. */
    static List<String> missingReported(ZarrArray a, String selection) throws Exception {
        long bytes = Selection.parse(selection).resolve(SHAPE).elements() * 4;
        List<String> boxes = java.util.Collections.synchronizedList(new ArrayList<>());
        a.read(Selection.parse(selection), Arena.ofAuto().allocate(Math.max(bytes, 1)).asSlice(0, bytes),
                (origin, shape) -> boxes.add(java.util.Arrays.toString(origin) + "/" + java.util.Arrays.toString(shape)));
        return boxes.stream().sorted().toList();
    }

    @Test
    void aReadTellsWhichChunksItNeededAreMissing() throws Exception {
        int[] cs = {4, 5, 4};
        long[][] missing = {{0, 0, 0}, {1, 2, 1}, {2, 3, 2}};
        ZarrArray a = ZarrArray.open(v2(cs, false, 0, missing), "a", fetcher);
        // (2, 3, 2) is an edge chunk on every axis: its box is cut at the array's edge.
        assertThat(missingReported(a, "...")).containsExactly("[0, 0, 0]/[4, 5, 4]", "[4, 10, 4]/[4, 5, 4]",
                "[8, 15, 8]/[3, 2, 1]");
        // Only the chunks the selection touches; the values are still the fill's.
        assertThat(missingReported(a, "0:4,0:10,:")).containsExactly("[0, 0, 0]/[4, 5, 4]");
        assertThat(missingReported(a, "5:8,0:5,:")).isEmpty();
        // Sharded: an inner chunk absent from its shard, and the inner chunks of a missing shard it touches.
        ZarrArray s = ZarrArray.open(v3Sharded(true, true, new int[] {3}), "v3", fetcher);
        assertThat(missingReported(s, "0:4,5:10,4:8")).containsExactly("[0, 5, 4]/[4, 5, 4]");
        assertThat(missingReported(s, "8:,10:,8:")).containsExactly("[8, 10, 8]/[3, 5, 1]",
                "[8, 15, 8]/[3, 2, 1]");
        assertThat(missingReported(s, "0:4,0:5,0:4")).isEmpty();
    }

    /** A v3 array of the same values: transpose [2, 0, 1], then sharding with index at {@code end}. */
    static MemoryStore v3Sharded(boolean indexAtEnd, boolean checksum, int[] missingInner) throws Exception {
        int[] shard = {8, 10, 8};
        int[] inner = {4, 5, 4};
        MemoryStore store = new MemoryStore();
        String indexCodecs = checksum ? "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, "
                + "{\"name\": \"crc32c\"}]" : "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]";
        store.put("v3/zarr.json", ("{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [11, 17, 9], "
                + "\"data_type\": \"int32\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": "
                + "{\"chunk_shape\": [8, 10, 8]}}, \"chunk_key_encoding\": {\"name\": \"default\"}, "
                + "\"fill_value\": -5, \"codecs\": [{\"name\": \"sharding_indexed\", \"configuration\": {"
                + "\"chunk_shape\": [4, 5, 4], \"codecs\": [{\"name\": \"bytes\", \"configuration\": "
                + "{\"endian\": \"little\"}}], \"index_codecs\": " + indexCodecs + ", \"index_location\": \""
                + (indexAtEnd ? "end" : "start") + "\"}}], \"attributes\": {\"units\": \"none\"}}")
                .getBytes(StandardCharsets.UTF_8));
        int perShard = 2 * 2 * 2;
        for (long si = 0; si * shard[0] < SHAPE[0]; si++) {
            for (long sj = 0; sj * shard[1] < SHAPE[1]; sj++) {
                for (long sk = 0; sk * shard[2] < SHAPE[2]; sk++) {
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    ByteBuffer index = ByteBuffer.allocate(16 * perShard).order(ByteOrder.LITTLE_ENDIAN);
                    long base = indexAtEnd ? 0 : 16L * perShard + (checksum ? 4 : 0);
                    int n = 0;
                    for (int x = 0; x < 2; x++) {
                        for (int y = 0; y < 2; y++) {
                            for (int z = 0; z < 2; z++, n++) {
                                long ci = si * 2 + x;
                                long cj = sj * 2 + y;
                                long ck = sk * 2 + z;
                                boolean gone = n == missingInner[0] && si == 0 && sj == 0 && sk == 0;
                                if (gone) {
                                    index.putLong(-1L).putLong(-1L);
                                    continue;
                                }
                                byte[] c = chunk(inner, ci, cj, ck, false);
                                index.putLong(base + data.size()).putLong(c.length);
                                data.writeBytes(c);
                            }
                        }
                    }
                    ByteArrayOutputStream shardBytes = new ByteArrayOutputStream();
                    byte[] idx = index.array();
                    ByteBuffer crc = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                    CRC32C c32 = new CRC32C();
                    c32.update(idx);
                    crc.putInt((int) c32.getValue());
                    if (!indexAtEnd) {
                        shardBytes.writeBytes(idx);
                        if (checksum) {
                            shardBytes.writeBytes(crc.array());
                        }
                    }
                    shardBytes.writeBytes(data.toByteArray());
                    if (indexAtEnd) {
                        shardBytes.writeBytes(idx);
                        if (checksum) {
                            shardBytes.writeBytes(crc.array());
                        }
                    }
                    if (!(si == 1 && sj == 1 && sk == 1)) { // one whole shard missing
                        store.put("v3/c/" + si + "/" + sj + "/" + sk, shardBytes.toByteArray());
                    }
                }
            }
        }
        return store;
    }

    @Test
    void readsShardsWithTheIndexAtEitherEnd() throws Exception {
        int[] inner = {4, 5, 4};
        // Inner chunk 3 of shard (0,0,0) is (0,1,1) in the inner grid; shard (1,1,1) covers inner (2..3, 2..3, 2..3).
        List<long[]> missing = new ArrayList<>(List.of(new long[] {0, 1, 1}));
        for (int x = 2; x < 4; x++) {
            for (int y = 2; y < 4; y++) {
                for (int z = 2; z < 4; z++) {
                    missing.add(new long[] {x, y, z});
                }
            }
        }
        long[][] gone = missing.toArray(new long[0][]);
        for (boolean end : List.of(true, false)) {
            for (boolean checksum : List.of(true, false)) {
                ZarrArray a = ZarrArray.open(v3Sharded(end, checksum, new int[] {3}), "v3", fetcher);
                assertThat(a.metadata().zarrFormat()).isEqualTo(3);
                assertThat(a.metadata().attributes()).containsEntry("units", "none");
                for (String s : SELECTIONS) {
                    assertThat(a.read(Selection.parse(s)).toIntArray()).as("%s end=%s crc=%s", s, end, checksum)
                            .containsExactly(expected(s, inner, -5, gone));
                }
            }
        }
    }

    @Test
    void aCorruptShardIndexIsAClearError() throws Exception {
        MemoryStore store = v3Sharded(true, true, new int[] {3});
        byte[] shard = store.list("v3/c/0/0/0").findFirst().map(o -> {
            try (var body = store.get(o.key(), 0, -1, null)) {
                ByteBuffer b = ByteBuffer.allocate((int) body.length());
                while (body.read(b) >= 0 && b.hasRemaining()) {
                    // read
                }
                return b.array();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).orElseThrow();
        shard[shard.length - 10] ^= 0x40; // inside the index: its checksum no longer matches
        store.put("v3/c/0/0/0", shard);
        ZarrArray a = ZarrArray.open(store, "v3", fetcher);
        assertThatThrownBy(() -> a.read(Selection.parse("0:4,0:5,0:4"))).hasMessageContaining("memory:/v3/c/0/0/0")
                .hasMessageContaining("checksum");
    }

    @Test
    void metadataErrorsNameTheProblem() {
        MemoryStore store = new MemoryStore();
        store.put("x/.zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<i4\", "
                .concat("\"compressor\": {\"id\": \"rot13\"}, \"fill_value\": 0, \"order\": \"C\", \"filters\": null}")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "x", fetcher)).hasMessageContaining("memory:/x/")
                .hasMessageContaining("rot13");
        store.put("y/zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4], \"data_type\": {\"name\": \"custom\"}}"
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "y", fetcher)).hasMessageContaining("memory:/y/");
        store.put("z/.zarray", "{not json".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "z", fetcher)).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ZarrArray.open(store, "nothing", fetcher)).hasMessageContaining("no Zarr array");
    }

    @Test
    void gridsWhoseArithmeticWouldOverflowAreClearErrors() throws Exception {
        MemoryStore store = new MemoryStore();
        String v2 = "{\"zarr_format\": 2, \"shape\": %s, \"chunks\": %s, \"dtype\": \"<i2\", "
                + "\"compressor\": null, \"fill_value\": 0}";
        // chunks of 2^93 elements: once an ArithmeticException
        store.put("a/.zarray", v2.formatted("[1, 1, 1]", "[2147483647, 2147483647, 2147483647]")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "a", fetcher)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunks [2147483647, 2147483647, 2147483647] is too large: it makes chunks "
                        + "of more than 2147483647 (2^31 - 1) elements");
        // a chunk of 2^62 elements along one axis
        store.put("big/.zarray", v2.formatted("[4611686018427387904]", "[4611686018427387904]")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "big", fetcher)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunks [4611686018427387904] is too large: 4611686018427387904 elements along "
                        + "axis 0");
        // a shape beyond 2^63 - 1
        store.put("huge/.zarray", v2.formatted("[9223372036854775808]", "[1]").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "huge", fetcher)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shape [9223372036854775808] is too large");
        // 2^126 chunks: once an ArithmeticException from chunkCount() (zarrfetch info)
        store.put("b/.zarray", v2.formatted("[9223372036854775807, 9223372036854775807]", "[1, 1]")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ZarrArray.open(store, "b", fetcher)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is too large: it makes more than 9223372036854775807 (2^63 - 1) chunks");
        // a shape near 2^63: once a negative chunk count
        store.put("c/.zarray", v2.formatted("[9223372036854775807]", "[2]").getBytes(StandardCharsets.UTF_8));
        assertThat(ZarrArray.open(store, "c", fetcher).metadata().chunkCounts())
                .containsExactly(4611686018427387904L);
    }
}
