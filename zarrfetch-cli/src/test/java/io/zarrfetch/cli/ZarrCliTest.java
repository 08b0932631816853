package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.mur.MurDataset;

/** info and read, as a user runs them, on the MUR-like array served by an in-process S3 server. */
class ZarrCliTest {
    @TempDir
    static Path root;
    @TempDir
    Path tmp;
    static S3Server s3;
    static MurDataset dataset;

    @BeforeAll
    static void start() throws Exception {
        dataset = new MurDataset(MurDataset.Options.defaults().withChunkCount(4).withScale(MurDataset.Scale.SMALL));
        dataset.write(root.resolve("mur-sst/zarr-v1"));
        s3 = S3Server.start(root);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    String[] s3(String... args) {
        String[] all = Arrays.copyOf(new String[] {"--no-sign-request", "--endpoint", s3.endpoint().toString()},
                3 + args.length);
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }

    static String[] cmd(String command, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = command;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void infoDescribesTheArray() {
        Run r = run(cmd("info", s3("s3://mur-sst/zarr-v1/analysed_sst")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("zarr format      2").contains("shape            (6443, 901, 1800)")
                .contains("chunks           (5, 90, 180)").contains("dtype            <i2")
                .contains("codecs           blosc").contains("fill value       -32768")
                .contains("chunks present   4,");
        Run json = run(cmd("info", s3("--json", "s3://mur-sst/zarr-v1/analysed_sst")));
        assertThat(json.out()).contains("\"zarr_format\":2", "\"dtype\":\"<i2\"", "\"chunks_present\":4",
                "\"fill_value\":-32768");
    }

    @Test
    void infoOnAGroupListsItsArrays() {
        Run r = run(cmd("info", s3("s3://mur-sst/zarr-v1/")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("zarr v2 group, 1 arrays").contains("analysed_sst");
    }

    @Test
    void readWritesAnNpyFileNumpyCanLoad() throws Exception {
        Path out = tmp.resolve("sst.npy");
        Run r = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "5:10,90:180,:180",
                "-o", out.toString())));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("read <i2 (5, 90, 180)");
        assertIsChunkOne(out);
        assertThat(files(tmp)).containsExactly("sst.npy");
    }

    @Test
    void readWalksAxesBackwardsAsNumpyDoes() throws Exception {
        Path forwards = tmp.resolve("forwards.npy");
        Path backwards = tmp.resolve("backwards.npy");
        assertThat(run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "5:10,90:180,:180",
                "-o", forwards.toString()))).exit()).isZero();
        // The region of chunk 1 again, every axis walked backwards, two of them in steps.
        Run r = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "9:4:-1,179:89:-2,179::-3",
                "-o", backwards.toString())));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("read <i2 (5, 45, 60)");
        Process numpy = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, numpy as np\n"
                + "a, b = np.load(sys.argv[1]), np.load(sys.argv[2])\n"
                + "sys.exit(0 if b.dtype == a.dtype and np.array_equal(a[::-1, ::-2, ::-3], b) else 1)",
                forwards.toString(), backwards.toString()).inheritIO().start();
        assertThat(numpy.waitFor()).as("NumPy's a[::-1, ::-2, ::-3] of the region read forwards").isZero();
    }

    /** Checks that {@code out} is an .npy file of exactly the values of chunk 1 (5, 90, 180). */
    static void assertIsChunkOne(Path out) throws Exception {
        byte[] file = Files.readAllBytes(out);
        String header = new String(file, 10, 118);
        assertThat(header).contains("'descr': '<i2'").contains("'shape': (5, 90, 180)");
        assertThat(file).hasSize(128 + 5 * 90 * 180 * 2);
        ByteBuffer data = ByteBuffer.wrap(file, 128, file.length - 128).order(ByteOrder.LITTLE_ENDIAN);
        short[] got = new short[5 * 90 * 180];
        data.asShortBuffer().get(got);
        assertThat(got).containsExactly(dataset.chunkValues(1));
    }

    /** The names in a folder, hidden ones too. */
    static List<String> files(Path dir) throws Exception {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The region of chunk 1, read through a proxy that injects {@code fault} into the chunk's first GET. */
    Run readChunkOneThrough(Fault fault, Path out, FaultProxy proxy) {
        proxy.add(Rule.first(1, fault).onMethod("GET").onPath("/" + MurDataset.chunkKey(1)));
        return run("read", "--no-sign-request", "--endpoint", proxy.endpoint().toString(), "--read-timeout", "1s",
                "s3://mur-sst/zarr-v1/analysed_sst", "--select", "5:10,90:180,:180", "-o", out.toString());
    }

    @Test
    void readRecoversFromAConnectionResetMidChunk() throws Exception {
        Path out = tmp.resolve("sst.npy");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)) {
            Run r = readChunkOneThrough(Fault.RESET_MID_BODY, out, proxy);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
            int size = dataset.compressedChunk(1).length; // the proxy cut it after half
            assertThat(proxy.requests()).filteredOn(q -> q.target().contains(MurDataset.chunkKey(1)))
                    .as("the chunk was asked for again, from where the reset cut it").hasSize(2)
                    .last().satisfies(q -> assertThat(q.header("Range"))
                            .isEqualTo("bytes=" + size / 2 + "-" + (size - 1)));
        }
        assertIsChunkOne(out);
        assertThat(files(tmp)).containsExactly("sst.npy");
    }

    @Test
    void readFailingOnAForbiddenChunkNamesItAndLeavesNoFile() throws Exception {
        Path out = tmp.resolve("sst.npy");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)) {
            Run r = readChunkOneThrough(Fault.FORBIDDEN_403, out, proxy);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(proxy.injected(Fault.FORBIDDEN_403)).isEqualTo(1);
            assertThat(r.err()).startsWith("zarrfetch: error: 1 of the chunks of s3://mur-sst/zarr-v1/analysed_sst")
                    .contains("s3://mur-sst/zarr-v1/" + MurDataset.chunkKey(1) + ": ").contains("403")
                    .contains("AccessDenied");
        }
        assertThat(files(tmp)).as("no .npy, no partial file").isEmpty();
    }

    @Test
    void readToStdout() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes));
            Run r = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "7,95,3", "-o", "-")));
            assertThat(r.exit()).as(r.err()).isZero();
        } finally {
            System.setOut(saved);
        }
        byte[] npy = bytes.toByteArray();
        int dataStart = 10 + ((npy[9] & 0xff) << 8 | (npy[8] & 0xff));
        assertThat(new String(npy, 10, dataStart - 10)).contains("'shape': ()");
        assertThat(npy).hasSize(dataStart + 2);
        short v = ByteBuffer.wrap(npy, dataStart, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertThat(v).isEqualTo(dataset.chunkValues(1)[(2 * 90 + 5) * 180 + 3]);
    }

    @Test
    void readErrorsAreClear() {
        Run out = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "7000", "-o",
                tmp.resolve("x.npy").toString())));
        assertThat(out.exit()).as("a selection that does not fit is bad usage").isEqualTo(2);
        assertThat(out.err()).contains("--select 7000: index 7000 is out of bounds for axis 0 with size 6443");
        Run malformed = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "0:5:x", "-o",
                tmp.resolve("x.npy").toString())));
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("zarrfetch: error: --select 0:5:x: ");
        Run zero = run(cmd("read", s3("s3://mur-sst/zarr-v1/analysed_sst", "--select", "::0", "-o",
                tmp.resolve("x.npy").toString())));
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--select ::0: ").contains("slice step cannot be zero");
        Run none = run(cmd("read", s3("s3://mur-sst/nothing", "-o", tmp.resolve("y.npy").toString())));
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("s3://mur-sst/nothing/").contains("no Zarr array");
    }

    /** A local Zarr v2 array of one chunk, with this .zarray text. */
    Path array(String name, String zarray) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve(".zarray"), zarray);
        return dir;
    }

    static String zarray(String shape, String chunks, String dtype, String compressor, String fill) {
        return "{\"zarr_format\": 2, \"shape\": " + shape + ", \"chunks\": " + chunks + ", \"dtype\": \"" + dtype
                + "\", \"compressor\": " + compressor + ", \"fill_value\": " + fill + ", \"order\": \"C\", "
                + "\"filters\": null}";
    }

    @Test
    void zarrErrorsSayWhatIsWrongInPlainWords() throws Exception {
        Path badJson = array("bad-json", "{\"zarr_format\": 2, \"shape\": [10,], }");
        Run json = run("info", badJson.toString());
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.err()).isEqualTo("zarrfetch: error: " + badJson.toUri() + ": .zarray is not valid JSON: "
                + "unexpected character ']': expected a value (line 1, column 33)\n");

        Path random = array("random", zarray("[100]", "[100]", "<i2", "{\"id\": \"blosc\", \"cname\": \"lz4\", "
                + "\"clevel\": 5, \"shuffle\": 1, \"blocksize\": 0}", "0"));
        byte[] noise = new byte[300];
        new java.util.Random(7).nextBytes(noise);
        noise[0] = 99;
        Files.write(random.resolve("0"), noise);
        Run blosc = run("read", random.toString(), "-o", tmp.resolve("r.npy").toString());
        assertThat(blosc.exit()).isEqualTo(1);
        assertThat(blosc.err()).contains(random.resolve("0").toUri() + ": chunk 0: not a Blosc frame");
        assertThat(tmp.resolve("r.npy")).doesNotExist();

        Path huge = array("huge", zarray("[4611686018427387904]", "[4611686018427387904]", "<i2", "null", "0"));
        Run size = run("info", huge.toString());
        assertThat(size.exit()).isEqualTo(1);
        assertThat(size.err()).contains("chunks [4611686018427387904] is too large: 4611686018427387904 elements "
                + "along axis 0, where a chunk holds at most 2147483647 (2^31 - 1) elements in all");
        Path wide = array("wide", zarray("[4611686018427387904, 4611686018427387904, 4]", "[1, 1, 1]", "<i2", "null",
                "0"));
        assertThat(run("info", wide.toString()).err()).contains("is too large: it makes more than "
                + "9223372036854775807 (2^63 - 1) chunks");
        Path long62 = array("long", zarray("[4611686018427387904]", "[1000]", "<f8", "null", "0"));
        Run all = run("read", long62.toString(), "-o", tmp.resolve("all.npy").toString());
        assertThat(all.exit()).isEqualTo(2);
        assertThat(all.err()).contains("--select (everything): the selection of the array of shape "
                + "(4611686018427387904,) is too large: more than 2^63 - 1 bytes");
    }

    @Test
    void infoShowsAComplexFillValueAsNumPyDoes() throws Exception {
        Path complex = array("complex", zarray("[3]", "[3]", "<c16", "null", "[1.5, -2.0]"));
        Run r = run("info", "--no-count", complex.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("fill value       1.5-2j\n");
        assertThat(run("info", "--json", complex.toString()).out()).contains("\"fill_value\":\"1.5-2j\"");
    }
}
