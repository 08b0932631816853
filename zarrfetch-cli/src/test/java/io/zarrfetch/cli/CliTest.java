package io.zarrfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import picocli.CommandLine;

/** The commands as a user runs them, against real in-process S3 and HTTP servers. */
class CliTest {
    static S3Server s3;
    static HttpFileServer http;
    @TempDir
    static Path served;
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    /**
     * An environment without AWS settings: no AWS variables, and config and credentials files that do not exist, so
     * that no test reads the machine's ~/.aws.
     */
    static Map<String, String> noAws() {
        return Map.of("AWS_CONFIG_FILE", "/nonexistent/zarrfetch-test/aws/config",
                "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/zarrfetch-test/aws/credentials");
    }

    /** Runs a command in this JVM, in an environment without AWS settings ({@link #noAws()}). */
    static Run run(String... args) {
        return run(noAws(), args);
    }

    /** Runs a command in this JVM, with {@code environment} as its environment variables. */
    static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(environment);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("bkt");
        for (int i = 0; i < 5; i++) {
            s3.put("bkt", "arr/" + i + ".1.0", data(100_000 * (i + 1), i));
        }
        s3.put("bkt", "arr/.zarray", "{}".getBytes());
        s3.put("bkt", "odd/a b+c%.txt", data(10, 9));
        Files.write(served.resolve("file one.bin"), data(300_000, 7));
        http = HttpFileServer.start(served);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        s3.close();
    }

    String endpoint() {
        return s3.endpoint().toString();
    }

    @Test
    void lsListsKeysAndSizes() {
        Run r = run("ls", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/arr/");
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).hasSize(6);
        assertThat(r.outLines().get(1)).matches("\\s*100000  arr/0\\.1\\.0");
        assertThat(r.err()).contains("6 objects");
    }

    @Test
    void lsJsonGivesOneObjectALine() {
        Run r = run("ls", "--json", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/odd/");
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).singleElement().asString()
                .contains("\"key\":\"odd/a b+c%.txt\"").contains("\"size\":10");
    }

    @Test
    void cpCopiesAPrefixByteExact() throws Exception {
        Path dest = tmp.resolve("out");
        Run r = run("cp", "--no-sign-request", "--endpoint", endpoint(), "--part-size", "64KiB",
                "s3://bkt/arr/", dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(Files.readAllBytes(dest.resolve(i + ".1.0"))).isEqualTo(data(100_000 * (i + 1), i));
        }
        assertThat(dest.resolve(".zarray")).hasContent("{}");
        assertThat(r.err()).contains("copied 6 objects");
    }

    @Test
    void cpJsonEndsWithTheSummary() throws Exception {
        Path dest = tmp.resolve("out");
        Run r = run("cp", "--json", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/odd/", dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).singleElement().asString().startsWith("{\"objects\":1,\"bytes\":10,")
                .contains(",\"failed\":0,")
                .endsWith(",\"cancelled\":false,\"destination\":\"" + dest.toAbsolutePath() + "\"}");
        assertThat(dest.resolve("a b+c%.txt")).hasBinaryContent(data(10, 9));
    }

    @Test
    void cpJsonSaysHowManyObjectsMatchedTheirChecksum() throws Exception {
        s3.putWithChecksum("bkt", "sums/a", data(1000, 11));
        s3.put("bkt", "sums/b", data(1000, 12));
        Path dest = tmp.resolve("out");
        Run r = run("cp", "--json", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/sums/", dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).singleElement().asString().contains("\"objects\":2")
                .contains("\"checksums_verified\":1");
        assertThat(Files.readAllBytes(dest.resolve("a"))).isEqualTo(data(1000, 11));
    }

    @Test
    void cpCopiesObjectUrlsAndFromFileByLastSegment() throws Exception {
        Path dest = tmp.resolve("out");
        Path list = tmp.resolve("urls.txt");
        Files.writeString(list, "# a comment\n\n" + http.url() + "file%20one.bin\n");
        Run r = run("cp", "--no-sign-request", "--endpoint", endpoint(), "--from", list.toString(),
                "s3://bkt/arr/3.1.0", dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (Stream<Path> files = Files.list(dest)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("3.1.0", "file one.bin");
        }
        assertThat(Files.readAllBytes(dest.resolve("file one.bin"))).isEqualTo(data(300_000, 7));
    }

    @Test
    void cpReportsEachFailedObjectAndExitsNonZero() throws Exception {
        Path dest = tmp.resolve("out");
        Run r = run("cp", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/arr/1.1.0",
                http.url() + "missing.bin", dest.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("zarrfetch: failed: " + http.url() + "missing.bin").contains("404");
        assertThat(Files.readAllBytes(dest.resolve("1.1.0"))).isEqualTo(data(200_000, 1));
    }

    @Test
    void cpOfNothingSaysSo() {
        Run r = run("cp", "--no-sign-request", "--endpoint", endpoint(), "s3://bkt/none/", tmp.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("nothing to copy");
    }

    @Test
    void errorsNameTheUrlAndTheCause() {
        Run r = run("ls", "--no-sign-request", "--endpoint", endpoint(), "s3://no-such-bucket/x/");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("zarrfetch: error: s3://no-such-bucket/").contains("NoSuchBucket");
    }

    @Test
    void benchJsonEndsWithTheReport() {
        Run r = run("bench", "--json", "--no-sign-request", "--endpoint", endpoint(), "--concurrency", "3",
                "s3://bkt/arr/");
        assertThat(r.exit()).as(r.err()).isZero();
        String last = r.outLines().getLast();
        assertThat(last).startsWith("{").endsWith("}").contains("\"objects\":6", "\"bytes\":1500002",
                "\"failed\":0", "\"wall_seconds\":", "\"cpu_seconds\":", "\"allocated_bytes\":",
                "\"peak_pooled_bytes\":", "\"concurrency\":3", "\"checksums_verified\":0");
    }

    @Test
    void benchTraceRecordsThroughputOverTime() throws Exception {
        Path trace = tmp.resolve("trace.csv");
        Run r = run("bench", "-q", "--no-sign-request", "--endpoint", endpoint(), "--trace", trace.toString(),
                "s3://bkt/arr/");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(trace);
        assertThat(lines.getFirst()).startsWith("seconds,bytes_received,mb_per_s,requests_in_flight,concurrency");
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.getLast().split(",")[1]).as("the last line has every byte").isEqualTo("1500002");
    }

    /** The demo is a module of its own (zarrfetch-demo, DemoCommandTest): without it, demo says how to run it. */
    @Test
    void withoutItsModuleDemoSaysHowToRunIt() {
        Run r = run("demo", "--small");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the demo is not on this class path").contains("./zarrfetch");
        assertThat(run("--help").out()).contains("demo");
    }

    @Test
    void badUsageExitsWithTwo() {
        assertThat(run("cp", "only-one-arg").exit()).isEqualTo(2);
        assertThat(run("bench", "--concurrency", "x", "s3://b/").exit()).isEqualTo(2);
        assertThat(run("cp", "--memory-limit", "lots", "a", "b").exit()).isEqualTo(2);
        assertThat(run("cp", "--read-timeout", "0s", "a", "b").exit()).isEqualTo(2);
        assertThat(run("cp", "--connect-timeout", "soon", "a", "b").exit()).isEqualTo(2);
    }

    @Test
    void aServerThatStallsTimesOutAfterReadTimeoutAndTheOthersStillCopy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Handler.Wrapper stalls = new Handler.Wrapper() {
            @Override
            public InvocationType getInvocationType() {
                return InvocationType.BLOCKING; // so that Jetty never runs it on its selector thread
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (Request.getPathInContext(request).equals("/stall.bin")) {
                    release.await(); // answers nothing until the test ends
                    callback.succeeded();
                    return true;
                }
                return super.handle(request, response, callback);
            }
        };
        Files.write(tmp.resolve("fine.bin"), data(50_000, 3));
        Path dest = tmp.resolve("out");
        HttpFileServer server = HttpFileServer.start(tmp, stalls);
        try {
            Run r = run("cp", "--read-timeout", "300ms", server.url() + "stall.bin", server.url() + "fine.bin",
                    dest.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("stall.bin").contains("timed out");
            assertThat(dest.resolve("fine.bin")).as(r.err()).hasSameBinaryContentAs(tmp.resolve("fine.bin"));
            assertThat(dest.resolve("stall.bin")).doesNotExist();
        } finally {
            release.countDown(); // before stopping the server, which waits for the stalled handlers
            server.close();
        }
    }

    @Test
    void cpUnderFaultsCopiesWhatCanBeCopiedExactlyAndLeavesNothingPartial() throws Exception {
        Map<String, byte[]> objects = new TreeMap<>();
        for (String name : List.of("cut", "reset", "gone", "changed", "fine")) {
            objects.put(name, data(300_000, name.hashCode()));
            s3.put("bkt", "faulty/" + name, objects.get(name));
        }
        Path dest = tmp.resolve("out");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)) {
            proxy.add(Rule.first(1, Fault.CUT_SHORT).onMethod("GET").onPath("faulty/cut"))
                    .add(Rule.first(1, Fault.RESET_MID_BODY).onMethod("GET").onPath("faulty/reset"))
                    .add(Rule.first(100, Fault.NOT_FOUND_404).onMethod("GET").onPath("faulty/gone"))
                    .add(Rule.first(1, Fault.OBJECT_CHANGED).onPath("faulty/changed").onRanged(true));
            Run r = run("cp", "--no-sign-request", "--endpoint", proxy.endpoint().toString(), "--part-size",
                    "64KiB", "s3://bkt/faulty/", dest.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("faulty/gone").doesNotContain("failed: s3://bkt/faulty/changed")
                    .contains("1 changed since listed, copied as now; 1 failed");
            assertThat(proxy.injected(Fault.CUT_SHORT)).isEqualTo(1);
            assertThat(proxy.injected(Fault.RESET_MID_BODY)).isEqualTo(1);
        }
        try (Stream<Path> files = Files.list(dest)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("cut", "reset", "fine",
                    "changed");
        }
        for (String name : List.of("cut", "reset", "fine")) {
            assertThat(dest.resolve(name)).hasBinaryContent(objects.get(name));
        }
        byte[] now = objects.get("changed").clone(); // the proxy's other version: every byte inverted
        for (int i = 0; i < now.length; i++) {
            now[i] = (byte) ~now[i];
        }
        assertThat(dest.resolve("changed")).as("as it now is, never parts of two versions").hasBinaryContent(now);
    }
}
