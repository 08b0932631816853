package io.zarrfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.mur.MurDataset;

/**
 * Ctrl-C, for real: the CLI runs in a JVM of its own (started like the launcher starts it), its requests stall
 * mid-body at a {@link FaultProxy} (for an hour, with a 10-minute read timeout), and gets SIGINT once the proxy holds
 * them. It must exit with 130 (128 + SIGINT), leaving neither partial nor final files. The waits are hang guards,
 * not measurements.
 */
class CtrlCTest {
    static final Duration GUARD = Duration.ofSeconds(60);
    @TempDir
    static Path served;
    static S3Server s3;
    static MurDataset dataset;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        dataset = new MurDataset(MurDataset.Options.defaults().withChunkCount(2).withScale(MurDataset.Scale.SMALL));
        dataset.write(served.resolve("mur-sst/zarr-v1"));
        s3 = S3Server.start(served);
        s3.createBucket("bkt");
        for (int i = 0; i < 4; i++) {
            byte[] d = new byte[200_000];
            new Random(i).nextBytes(d);
            s3.put("bkt", "big/obj-" + i, d);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** Whether this JVM was started with SIGINT ignored (nohup, some CI runners): its children then ignore it too. */
    static boolean sigintIgnored() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0; // bit 1: SIGINT
            }
        }
        return false;
    }

    /**
     * Starts the CLI in a JVM of its own, with the launcher's JVM options and this test's class path (Surefire sets
     * java.class.path to it), its output to {@code log}.
     */
    static Process zarrfetch(Path log, String... args) throws Exception {
        Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this environment; Ctrl-C cannot be tried");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does, and waits for the process to end. */
    static int interrupt(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        boolean ended = p.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the process ended after SIGINT").isTrue();
        return p.exitValue();
    }

    /** Polls a condition until it holds; false if {@code limit} passed first (a guard, not a measurement). */
    static boolean eventually(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(5_000_000);
        }
        return true;
    }

    /** Every file under {@code root}, hidden ones too, relative. */
    static List<String> tree(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return List.of("(unlistable: " + e + ")"); // a file renamed while listed; the caller polls again
        }
    }

    static String log(Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void ctrlCStopsACopyAndLeavesNoFile() throws Exception {
        Path dest = tmp.resolve("dest");
        Path log = tmp.resolve("cp.log");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).stall(Duration.ofHours(1))
                .add(Rule.sometimes(1.0, Fault.STALL_MID_BODY).onMethod("GET").onPath("/bkt/big/obj-"))) {
            Process p = zarrfetch(log, "cp", "--no-sign-request", "--endpoint", proxy.endpoint().toString(),
                    "--concurrency", "3", "--part-size", "64KiB", "--read-timeout", "10m", "s3://bkt/big/",
                    dest.toString());
            try {
                assertThat(proxy.awaitStalls(3, GUARD)).as("three requests in flight, stalled; log: %s", log(log))
                        .isTrue();
                assertThat(eventually(() -> !tree(dest).isEmpty(), GUARD)).isTrue();
                assertThat(tree(dest)).as("partial files before Ctrl-C")
                        .allSatisfy(name -> assertThat(name).matches("\\.zf-[0-9a-f]+\\.part"));

                int exit = interrupt(p);

                assertThat(exit).as(log(log)).isEqualTo(130);
                assertThat(tree(dest)).as("no partial or final file; log: %s", log(log)).isEmpty();
                assertThat(proxy.awaitStallsAbandoned(3, GUARD)).as("the stalled connections were closed")
                        .isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void ctrlCStopsAReadAndLeavesNoFile() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path log = tmp.resolve("read.log");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1).stall(Duration.ofHours(1))
                .add(Rule.sometimes(1.0, Fault.STALL_MID_BODY).onMethod("GET").onPath(MurDataset.chunkKey(1)))) {
            Process p = zarrfetch(log, "read", "--no-sign-request", "--endpoint", proxy.endpoint().toString(),
                    "--read-timeout", "10m", "s3://mur-sst/zarr-v1/analysed_sst", "--select", "5:10,90:180,:180",
                    "-o", out.resolve("sst.npy").toString());
            try {
                assertThat(proxy.awaitStalls(1, GUARD)).as("the chunk's request in flight, stalled; log: %s",
                        log(log)).isTrue();
                assertThat(tree(out)).as("the partial .npy before Ctrl-C").singleElement().asString()
                        .matches("\\.zf-[0-9a-f]+\\.npy\\.part");

                int exit = interrupt(p);

                assertThat(exit).as(log(log)).isEqualTo(130);
                assertThat(tree(out)).as("no partial or final file; log: %s", log(log)).isEmpty();
                assertThat(proxy.awaitStallsAbandoned(1, GUARD)).isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
