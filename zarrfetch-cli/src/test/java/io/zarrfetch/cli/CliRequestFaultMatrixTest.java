package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultOutcome;
import io.zarrfetch.testkit.FaultOutcome.Request;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultTally;
import io.zarrfetch.testkit.RequestFixtures;

/**
 * The fault matrix of the requests that are not object GETs (the library's is RequestFaultMatrixTest), through the
 * commands a user runs: {@code ls} of a prefix of three listing pages (the fault on the second), {@code info} of a
 * sharded v3 array (on its {@code zarr.json}), {@code read} of it into an .npy file (on the index of shard
 * {@code c/0/0}), and {@code ls} of a plain HTTP URL (on its HEAD). What is checked is what a user sees: the exit
 * status, the output (the same as a run without faults, or for a shard's 404 the array with that shard's region the
 * fill value), the error line naming the listing, document or shard and the cause, and no .npy file, final or
 * partial, when the read failed.
 */
class CliRequestFaultMatrixTest {
    static final String BUCKET = "requests";

    static RequestFixtures.Servers servers;
    @TempDir
    Path tmp;
    static final Map<String, Baseline> BASELINES = new ConcurrentHashMap<>();
    static final FaultTally INJECTED = new FaultTally();

    enum Via { S3, HTTP }

    @BeforeAll
    static void start() throws Exception {
        servers = RequestFixtures.serve(BUCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        servers.close();
        System.out.println("CliRequestFaultMatrixTest " + INJECTED);
    }

    static Stream<Arguments> matrix() {
        // S3 listings; a plain HTTP URL's size from a HEAD (on S3, ls lists: a HEAD is the library's)
        return RequestFixtures.cases((kind, s3) -> switch (kind) {
            case LISTING -> s3;
            case HEAD -> !s3;
            default -> true;
        }).stream().map(c -> Arguments.of(c.kind(), c.fault(), c.s3() ? Via.S3 : Via.HTTP));
    }

    /** The command for a kind of request, through the proxy, writing any file to {@code out}. */
    static String[] command(Request kind, Via via, FaultProxy proxy, Path out) {
        List<String> args = new ArrayList<>(List.of(switch (kind) {
            case LISTING, HEAD -> "ls";
            case METADATA -> "info";
            case SHARD_INDEX -> "read";
        }, "--read-timeout", "1s", "--connect-timeout", "1s"));
        String base = via == Via.S3 ? "s3://" + BUCKET + "/" : proxy.url().toString();
        if (via == Via.S3) {
            args.addAll(List.of("--no-sign-request", "--endpoint", proxy.endpoint().toString()));
        }
        switch (kind) {
            case LISTING -> args.add(base + "many/");
            case METADATA -> args.addAll(List.of("--no-count", base + "arr"));
            case SHARD_INDEX -> args.addAll(List.of(base + "arr", "-o", out.toString()));
            case HEAD -> args.add(base + "one");
        }
        return args.toArray(String[]::new);
    }

    /** What a run shows: its output with the proxy's address made neutral, and the file it wrote. */
    record Seen(int exit, String out, byte[] file) {
    }

    static Seen seen(Run r, FaultProxy proxy, Path out) throws Exception {
        return new Seen(r.exit(), r.out().replace(proxy.url().toString(), "PROXY/"),
                Files.exists(out) ? Files.readAllBytes(out) : null);
    }

    /** What a run without faults shows, through a proxy without rules, and the requests it makes. */
    record Baseline(Seen seen, int requests) {
    }

    Baseline baseline(Request kind, Via via) throws Exception {
        synchronized (BASELINES) {
            Baseline b = BASELINES.get(kind + " " + via);
            if (b == null) {
                Path out = tmp.resolve("baseline.npy");
                try (FaultProxy proxy = FaultProxy.start(servers.upstream(via == Via.S3), 1)) {
                    Run r = run(command(kind, via, proxy, out));
                    assertThat(r.exit()).as(r.err()).isZero();
                    b = new Baseline(seen(r, proxy, out), proxy.requests().size());
                }
                Files.deleteIfExists(out);
                BASELINES.put(kind + " " + via, b);
            }
            return b;
        }
    }

    /** The .npy of the whole array with shard c/0/0's region ([0:8, 0:12] of 20 x 27 int16) the fill value, 0. */
    static byte[] withoutShard00(byte[] npy) {
        byte[] b = npy.clone();
        int data = b.length - 20 * 27 * 2;
        for (int row = 0; row < 8; row++) {
            java.util.Arrays.fill(b, data + row * 27 * 2, data + (row * 27 + 12) * 2, (byte) 0);
        }
        return b;
    }

    @ParameterizedTest(name = "{0} {1} via {2}")
    @MethodSource("matrix")
    void eachFaultEndsAsARunWithoutItOrInACleanError(Request kind, Fault fault, Via via) throws Exception {
        FaultOutcome outcome = FaultOutcome.of(fault, kind);
        Baseline baseline = baseline(kind, via);
        Seen expected = baseline.seen();
        int baselineRequests = baseline.requests();
        Path out = tmp.resolve("out.npy");
        try (FaultProxy proxy = FaultProxy.start(servers.upstream(via == Via.S3), 42)
                .add(RequestFixtures.rule(kind, fault))) {
            Run r = run(command(kind, via, proxy, out));
            Seen got = seen(r, proxy, out);
            INJECTED.add(proxy);
            int requests = proxy.requests().size();
            String report = outcome + ", exit " + r.exit() + ", " + requests + " requests against "
                    + baselineRequests + " without faults\nstderr: " + r.err();
            if (outcome == FaultOutcome.PASSES) {
                assertThat(proxy.injected(fault)).as("nothing to inject").isZero();
            } else {
                assertThat(proxy.injected(fault)).as("the fault was injected").isGreaterThanOrEqualTo(1);
            }
            switch (outcome) {
                case REFETCHED -> throw new AssertionError("only whole objects and ranges without an ETag are "
                        + "fetched again as they now are: " + report);
                case RECOVERS, DELIVERED, PASSES, ABSENT -> {
                    assertThat(r.exit()).as(report).isZero();
                    assertThat(got.out()).as(report).isEqualTo(expected.out());
                    assertThat(got.file()).as(report).isEqualTo(outcome == FaultOutcome.ABSENT
                            ? withoutShard00(expected.file()) : expected.file());
                    if (outcome == FaultOutcome.RECOVERS) {
                        assertThat(requests).as("retried: " + report).isGreaterThan(baselineRequests);
                    } else if (outcome != FaultOutcome.ABSENT) {
                        assertThat(requests).as("no retry: " + report).isEqualTo(baselineRequests);
                    }
                }
                case FAILS -> {
                    assertThat(r.exit()).as(report).isEqualTo(1);
                    String base = via == Via.S3 ? "s3://" + BUCKET + "/" : proxy.url().toString();
                    String where = switch (kind) {
                        case LISTING -> base + "many/ (continued)";
                        case METADATA, SHARD_INDEX -> base + "arr"; // info names "arr", read "arr/"'s documents
                        case HEAD -> base + "one";
                    };
                    assertThat(r.err()).as(report).startsWith("zarrfetch: error: ").contains(where)
                            .contains(switch (fault) {
                                case FORBIDDEN_403 -> "403";
                                case NOT_FOUND_404 -> kind == Request.METADATA ? "no Zarr array" : "404";
                                default -> "changed";
                            });
                    assertThat(got.file()).as("no file: " + report).isNull();
                    try (Stream<Path> left = Files.list(tmp)) {
                        assertThat(left.map(p -> p.getFileName().toString())).as("no partial file")
                                .noneMatch(n -> n.startsWith(".zf-"));
                    }
                }
            }
        }
    }
}
