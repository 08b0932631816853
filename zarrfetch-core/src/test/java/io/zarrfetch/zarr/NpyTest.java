package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.MemoryStore;

class NpyTest {
    static final Fetcher FETCHER = new Fetcher(FetchOptions.defaults().withConcurrency(2));
    @TempDir
    Path tmp;

    @AfterAll
    static void close() {
        FETCHER.close();
    }

    static java.util.List<String> tree(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
    @Test
    void headersAreWhatNumpyWrites() {
        byte[] h = Npy.header(new DataType(DataType.Kind.INT, 2, ByteOrder.LITTLE_ENDIAN, "i2"),
                new long[] {5, 1799, 3600});
        assertThat(h.length % 64).as("data aligned to 64 bytes").isZero();
        assertThat(h[0] & 0xff).isEqualTo(0x93);
        assertThat(new String(h, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        assertThat(h[6]).isEqualTo((byte) 1);
        String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{'descr': '<i2', 'fortran_order': False, 'shape': (5, 1799, 3600), }")
                .endsWith("\n");
        assertThat(((h[9] & 0xff) << 8 | (h[8] & 0xff))).isEqualTo(h.length - 10);
        assertThat(new String(Npy.header(DataType.v2(">f8"), new long[] {7}), StandardCharsets.US_ASCII))
                .contains("'descr': '>f8'").contains("'shape': (7,)");
        assertThat(new String(Npy.header(DataType.v2("|b1"), new long[0]), StandardCharsets.US_ASCII))
                .contains("'descr': '|b1'").contains("'shape': ()");
    }

    /** A selection written straight into a file, which NumPy (/usr/bin/python3) loads as the same values. */
    @Test
    void aSelectionIsWrittenAsANpyFileThatNumpyLoads() throws Exception {
        ZarrArray a = ZarrArray.open(ArrayReadTest.array(), "a", FETCHER);
        Path file = tmp.resolve("sub/dir/sel.npy");
        assertThat(Npy.write(a, Selection.parse("1:4,1:4"), file)).containsExactly(3, 3);
        assertThat(tree(tmp)).containsExactly("sub", "sub/dir", "sub/dir/sel.npy");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy as np, sys; a = np.load(sys.argv[1]); "
                + "print(a.dtype.str, a.shape, a.ravel().tolist())", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("<i2 (3, 3) [11, 12, 13, 21, 0, 0, 31, 0, 0]");
    }

    @Test
    void aReadThatFailsLeavesNoFileAndTheOldOneAsItWas() throws Exception {
        MemoryStore store = ArrayReadTest.array();
        store.put("a/0.1", new byte[3]); // not a chunk
        ZarrArray a = ZarrArray.open(store, "a", FETCHER);
        Path file = tmp.resolve("sel.npy");
        Files.writeString(file, "old");
        assertThatThrownBy(() -> Npy.write(a, Selection.all(), file)).isInstanceOf(IOException.class)
                .hasMessageContaining("0.1");
        assertThat(tree(tmp)).containsExactly("sel.npy");
        assertThat(Files.readString(file)).isEqualTo("old");
    }

    @Test
    void anEmptySelectionIsAHeaderAlone() throws Exception {
        ZarrArray a = ZarrArray.open(ArrayReadTest.array(), "a", FETCHER);
        Path file = tmp.resolve("empty.npy");
        Npy.write(a, Selection.parse("2:2"), file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(b.remaining()).isEqualTo(Npy.header(a.metadata().dtype(), new long[] {0, 4}).length);
    }
}
