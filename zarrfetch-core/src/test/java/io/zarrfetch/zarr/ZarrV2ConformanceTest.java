package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.HttpFileServer;

/**
 * Zarr v2 arrays written by zarr-python 2.13 (Debian's python3-zarr, run at test time), read by zarrfetch and
 * compared byte for byte with what zarr-python itself reads: dtypes, orders, compressors, filters, separators, fill
 * values, edge chunks and missing chunks, over a local folder and over HTTP.
 */
class ZarrV2ConformanceTest {
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path fixtures;
    static HttpFileServer http;
    static Stores stores;
    static Fetcher fetcher;

    @BeforeAll
    static void writeFixtures() throws Exception {
        Path script = fixtures.resolve("make_v2_fixtures.py");
        try (var in = ZarrV2ConformanceTest.class.getResourceAsStream("make_v2_fixtures.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(PYTHON, script.toString(), fixtures.resolve("v2").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("these tests need " + PYTHON + " with zarr 2.13 and numcodecs "
                    + "(Debian: apt-get install python3-zarr); the fixture script said:\n" + output);
        }
        http = HttpFileServer.start(fixtures.resolve("v2"));
        stores = new Stores(StoreOptions.defaults());
        fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(8).withPartSize(64 * 1024));
    }

    @AfterAll
    static void stop() throws Exception {
        fetcher.close();
        stores.close();
        http.close();
    }

    /** A .npy file: its dtype descr, shape and data. */
    record Npy(String descr, long[] shape, ByteBuffer data) {
        static final Pattern DESCR = Pattern.compile("'descr': '([^']+)'");
        static final Pattern SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

        static Npy read(Path p) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            int major = b.get(6);
            int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
            int start = major == 1 ? 10 : 12;
            String header = new String(b.array(), start, headerLen, StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header);
            Matcher s = SHAPE.matcher(header);
            assertThat(d.find() && s.find()).as(header).isTrue();
            assertThat(header).contains("'fortran_order': False");
            long[] shape = Arrays.stream(s.group(1).split(",")).map(String::strip).filter(x -> !x.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            return new Npy(d.group(1), shape, b.position(start + headerLen).slice());
        }
    }

    static List<String> cases() throws IOException {
        return Files.readAllLines(fixtures.resolve("v2/cases.txt")).stream().filter(l -> !l.isBlank()).toList();
    }

    @TestFactory
    Stream<DynamicTest> readsWhatZarrPythonReads() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : cases()) {
            tests.add(DynamicTest.dynamicTest(c + " (folder)", () -> check(fixtures.resolve("v2").resolve(c)
                    .toString(), c)));
        }
        for (String c : List.of("blosc_lz4_shuffle", "sep_slash", "fill_nan", "order_f_i2_blosc", "filter_delta")) {
            tests.add(DynamicTest.dynamicTest(c + " (http)", () -> check(http.url() + c, c)));
        }
        return tests.stream();
    }

    static void check(String url, String name) throws Exception {
        ZarrArray array = ZarrArray.open(stores, url, fetcher);
        assertThat(array.metadata().zarrFormat()).isEqualTo(2);
        for (int i = 0; ; i++) {
            Path sel = fixtures.resolve("v2").resolve(name + "." + i + ".sel");
            if (!Files.exists(sel)) {
                assertThat(i).as("selections of " + name).isPositive();
                return;
            }
            String text = Files.readString(sel).strip();
            Npy expected = Npy.read(fixtures.resolve("v2").resolve(name + "." + i + ".npy"));
            ArrayData got = array.read(Selection.parse(text));
            String what = name + " [" + text + "]";
            assertThat(got.shape()).as(what + " shape").containsExactly(expected.shape());
            assertThat(normalize(got.dtype().numpyDescr())).as(what + " dtype").isEqualTo(normalize(expected.descr()));
            assertThat(bytes(got.data())).as(what + " bytes").isEqualTo(bytes(expected.data()));
        }
    }

    /** NumPy writes '=' or '<' for native order and '|' for one-byte types; compare as little-endian. */
    static String normalize(String descr) {
        return descr.startsWith("=") ? "<" + descr.substring(1) : descr;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
