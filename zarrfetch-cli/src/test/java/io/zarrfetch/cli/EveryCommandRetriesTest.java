package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.RequestFixtures;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.mur.MurDataset;

/**
 * Every command against a server that answers each distinct request {@code 503 SlowDown} once, and then properly
 * (as S3 under load may, and as boto3's standard retries get through): listing pages, metadata documents, shard
 * indexes, HEADs, object GETs and their parts, each fails once. Every command must end as it does against the same
 * server without faults: the same exit status (0), the same output, the same files.
 */
class EveryCommandRetriesTest {
    static final String BUCKET = "once";
    static S3Server s3;
    @TempDir
    static Path root;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        // a prefix of three listing pages, with objects of several parts among them
        RequestFixtures.putPages(s3, BUCKET);
        for (int i = 0; i < 3; i++) {
            s3.put(BUCKET, "many/big-" + i, CliTest.data(200_000, i));
        }
        // a Zarr v2 group and array (the MUR-like one), and a sharded v3 array
        MurDataset dataset = new MurDataset(MurDataset.Options.defaults().withChunkCount(4)
                .withScale(MurDataset.Scale.SMALL));
        Path mur = root.resolve("mur");
        dataset.write(mur);
        try (Stream<Path> files = Files.walk(mur)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                s3.put(BUCKET, "mur/" + mur.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        RequestFixtures.putShardedArray(s3, BUCKET, "sharded/");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** A command, given the proxy's S3 options and its URL, and the folder it may write in. */
    interface Command {
        List<String> args(List<String> s3, String http, Path dir);
    }

    static Stream<Arguments> commands() {
        String array = "s3://" + BUCKET + "/mur/" + MurDataset.ARRAY_NAME;
        String sharded = "s3://" + BUCKET + "/sharded";
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("ls of a prefix of three pages", (Command) (s3, h, d) -> cat(List.of("ls"), s3,
                List.of("s3://" + BUCKET + "/many/"))));
        cases.add(Arguments.of("ls of a plain HTTP URL (a HEAD)", (Command) (s3, h, d) -> List.of("ls", h
                + "many/big-1")));
        cases.add(Arguments.of("info of a v2 array", (Command) (s3, h, d) -> cat(List.of("info"), s3,
                List.of(array))));
        cases.add(Arguments.of("info of a group", (Command) (s3, h, d) -> cat(List.of("info"), s3,
                List.of("s3://" + BUCKET + "/mur/"))));
        cases.add(Arguments.of("info of a sharded v3 array", (Command) (s3, h, d) -> cat(List.of("info"), s3,
                List.of(sharded))));
        cases.add(Arguments.of("read of a v2 array", (Command) (s3, h, d) -> cat(List.of("read", "--select",
                "0:7,3:95,170:185"), s3, List.of(array, "-o", d.resolve("v2.npy").toString()))));
        cases.add(Arguments.of("read of a sharded v3 array", (Command) (s3, h, d) -> cat(List.of("read"), s3,
                List.of(sharded, "-o", d.resolve("v3.npy").toString()))));
        cases.add(Arguments.of("read of a sharded v3 array over HTTP", (Command) (s3, h, d) -> List.of("read",
                h + "sharded", "-o", d.resolve("v3.npy").toString())));
        cases.add(Arguments.of("cp of a prefix (parts of 64 KiB)", (Command) (s3, h, d) -> cat(List.of("cp",
                "--part-size", "64KiB"), s3, List.of("s3://" + BUCKET + "/many/", d.resolve("copy").toString()))));
        cases.add(Arguments.of("cp of plain HTTP URLs", (Command) (s3, h, d) -> List.of("cp", "--part-size", "64KiB",
                h + "many/big-0", h + "many/big-2", d.resolve("copy").toString())));
        cases.add(Arguments.of("bench of a prefix", (Command) (s3, h, d) -> cat(List.of("bench", "--json",
                "--part-size", "64KiB"), s3, List.of("s3://" + BUCKET + "/many/"))));
        return cases.stream();
    }

    @SafeVarargs
    static List<String> cat(List<String>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    /** What a run leaves: its exit, its output made comparable, and every file it wrote (name to bytes). */
    record Outcome(int exit, String out, TreeMap<String, String> files) {
    }

    static Outcome run(Command command, FaultProxy proxy, Path dir) throws Exception {
        List<String> s3Options = List.of("--no-sign-request", "--endpoint", proxy.endpoint().toString());
        String http = proxy.url() + BUCKET + "/"; // S3Proxy serves objects path-style to plain GETs too
        Run r = CliTest.run(command.args(s3Options, http, dir).toArray(String[]::new));
        assertThat(r.exit()).as("exit status; stderr: %s", r.err()).isZero();
        TreeMap<String, String> files = new TreeMap<>(); // every file, partial ones included, to its SHA-256
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    files.put(dir.relativize(p).toString(), CliFaultMatrixTest.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return new Outcome(r.exit(), comparable(r.out(), proxy), files);
    }

    /** The output without what differs from run to run: the proxy's address, timings and request counts. */
    static String comparable(String out, FaultProxy proxy) {
        Function<String, String> json = l -> l.replaceAll("\"(wall_seconds|mb_per_s|cpu_seconds|"
                + "cpu_seconds_per_gb|process_cpu_seconds|allocated_bytes|allocated_fraction|peak_pooled_bytes|"
                + "peak_rss_bytes|requests|retries|max_concurrency_used)\":[^,}]*", "\"$1\":_");
        return out.lines().map(l -> json.apply(l.replace(proxy.url().toString(), "PROXY/")))
                .reduce("", (a, b) -> a + b + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void succeedsAgainstAServerThatAnswersEachRequest503Once(String name, Command command) throws Exception {
        Outcome clean;
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)) {
            clean = run(command, proxy, tmp.resolve("clean"));
        }
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).add(Rule.oncePerRequest(Fault.SLOW_DOWN_503))) {
            Outcome faulted = run(command, proxy, tmp.resolve("faulted"));
            assertThat(proxy.injected(Fault.SLOW_DOWN_503)).as("every request failed once")
                    .isEqualTo(proxy.requests().stream().map(q -> q.method() + " " + q.target() + " "
                            + q.header("Range")).distinct().count());
            assertThat(faulted).isEqualTo(clean);
        }
    }
}
