package io.zarrfetch.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.TestPki;
import io.zarrfetch.testkit.mur.MurDataset;

/**
 * Makes an installation's AOT cache at build time (docs/decisions/0006-start-up.md): starts an S3 server and an
 * HTTP file server with HTTPS fronts (certificates of a CA made for the run), writes the training commands (ls, cp,
 * bench, info and read against them and a local folder, over http and https, the usage and a usage error) and runs
 * the installation's {@code bin/zarrfetch} once with {@code -XX:AOTCacheOutput=lib/zarrfetch.aot}: the cache is made
 * with the launcher's own JDK, class path and JVM options, which it must match to be used.
 *
 * <p>Usage: {@code TrainingRun INSTALLATION}. The build runs it (zarrfetch-dist's pom) for the distribution and
 * the runtime image; it fails, naming the command, when a training command does not end as expected.
 */
public final class TrainingRun {
    static final String CACHE = "lib/zarrfetch.aot";
    /**
     * What the cache was made for, as the launcher checks it before it gives the JVM the cache: the release file of
     * the runtime that made it, then the size, modification time (s) and name of each jar.
     */
    static final String MADE_FOR = CACHE + ".made-for";
    private static final long GUARD_MINUTES = 10;

    private TrainingRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: TrainingRun INSTALLATION");
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createTempDirectory("zarrfetch-training");
        try {
            train(home, work);
        } finally {
            delete(work);
        }
    }

    static void train(Path home, Path work) throws Exception {
        if (work.toString().matches(".*\\s.*")) {
            throw new IllegalStateException("the training folder " + work + " has a space in its path, which "
                    + "ZARRFETCH_JAVA_OPTS cannot carry: set java.io.tmpdir to a folder without one");
        }
        Path served = Files.createDirectories(work.resolve("served"));
        Path files = Files.createDirectories(work.resolve("files"));
        Path out = Files.createDirectories(work.resolve("out"));
        Random random = new Random(13);
        for (int i = 0; i < 8; i++) {
            Files.write(Files.createDirectories(served.resolve("train/small")).resolve("obj-" + i),
                    bytes(random, 1_000 + 997 * i));
            Files.write(files.resolve("small-" + i), bytes(random, 2_000 + 991 * i));
        }
        // larger than a part (8 MiB): fetched as several ranged requests
        Files.write(served.resolve("train/big.bin"), bytes(random, 20_000_000));
        Files.write(files.resolve("big.bin"), bytes(random, 20_000_000));
        new MurDataset(MurDataset.Options.defaults().withChunkCount(2).withScale(MurDataset.Scale.SMALL))
                .write(served.resolve("mur-sst/zarr-v1"));
        TestPki ca = TestPki.create("zarrfetch training CA");
        Path caPem = ca.writePem(work.resolve("ca.pem"));

        try (S3Server s3 = S3Server.start(served);
             HttpFileServer http = HttpFileServer.start(files);
             // HTTPS fronts (fault proxies without faults)
             FaultProxy s3Tls = FaultProxy.startTls(s3.endpoint(), 1, ca.issue("127.0.0.1"));
             FaultProxy httpTls = FaultProxy.startTls(http.url(), 1, ca.issue("127.0.0.1"))) {
            String s3Http = s3.endpoint().toString();
            String s3Https = s3Tls.endpoint().toString();
            String web = http.url().toString();
            String webTls = httpTls.url().toString();
            String bundle = caPem.toString();
            List<String> commands = List.of(
                    line(0, "--version"),
                    line(0, "--help"),
                    line(0, "cp", "--help"),
                    line(2, "cp", "--no-such-option"),
                    line(0, "ls", "--no-sign-request", "--endpoint", s3Http, "s3://train/"),
                    line(0, "ls", "--json", "--no-sign-request", "--endpoint", s3Http, "s3://train/small/"),
                    line(0, "cp", "--no-sign-request", "--endpoint", s3Http, "s3://train/", out + "/s3/"),
                    line(0, "ls", "--no-sign-request", "--endpoint", s3Https, "--ca-bundle", bundle, "s3://train/"),
                    line(0, "cp", "--no-sign-request", "--endpoint", s3Https, "--ca-bundle", bundle, "s3://train/",
                            out + "/s3-tls/"),
                    line(0, "cp", web + "big.bin", web + "small-0", out + "/http/"),
                    line(0, "cp", "--ca-bundle", bundle, webTls + "big.bin", webTls + "small-1", out + "/https/"),
                    line(1, "cp", web + "no-such-object", out + "/missing/"),
                    line(0, "ls", files.toString()),
                    line(0, "cp", files + "/", out + "/local/"),
                    line(0, "bench", "--quiet", "--no-sign-request", "--endpoint", s3Http, "s3://train/"),
                    line(0, "bench", "--json", "--ca-bundle", bundle, webTls + "big.bin"),
                    line(0, "info", "--no-sign-request", "--endpoint", s3Http, "s3://mur-sst/zarr-v1/analysed_sst"),
                    line(0, "read", "--no-sign-request", "--endpoint", s3Https, "--ca-bundle", bundle,
                            "s3://mur-sst/zarr-v1/analysed_sst", "--select", "0:2,0:90,0:180", "-o",
                            out + "/region.npy"));
            Path commandFile = Files.write(work.resolve("commands.tsv"), commands);
            run(home, work, commandFile, commands.size());
        }
    }

    /** Runs the installation's launcher over the commands, recording the cache; fails with its output if it fails. */
    private static void run(Path home, Path work, Path commandFile, int count) throws Exception {
        Path cache = home.resolve(CACHE);
        Path madeFor = home.resolve(MADE_FOR);
        Files.deleteIfExists(cache);
        Files.deleteIfExists(madeFor);
        // the runtime the launcher runs on: the installation's own, else the JDK of JAVA_HOME, this one
        Path runtime = Files.isDirectory(home.resolve("runtime")) ? home.resolve("runtime")
                : Path.of(System.getProperty("java.home"));
        if (!Files.isRegularFile(runtime.resolve("release"))) {
            throw new IllegalStateException(runtime + " has no release file, by which the launcher would tell the "
                    + "runtime the AOT cache was made with");
        }
        Path log = work.resolve("training.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/zarrfetch").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("ZARRFETCH_JAVA_OPTS"));
        env.put("AWS_CONFIG_FILE", work.resolve("no-aws/config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws/credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // -Dzarrfetch.training.options: JVM options of the training run, for measuring other kinds of cache
        env.put("ZARRFETCH_JAVA_OPTS", ("-XX:AOTCacheOutput=" + CACHE + " -Dzarrfetch.training=" + commandFile + " "
                + System.getProperty("zarrfetch.training.options", "")).strip());
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(GUARD_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("the training run of " + home + " did not end in " + GUARD_MINUTES
                    + " minutes; its output:\n" + Files.readString(log));
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training run of " + home + " failed (exit status "
                    + p.exitValue() + (Files.isRegularFile(cache) ? "" : ", no " + CACHE) + "); its output:\n"
                    + Files.readString(log));
        }
        Files.writeString(madeFor, madeFor(runtime, home.resolve("lib")));
        System.out.printf("%s: %s, %.1f MB, made by a training run of %d commands in %.1f s%n", home, CACHE,
                Files.size(cache) / 1e6, count, (System.nanoTime() - start) / 1e9);
    }

    /** The text of {@link #MADE_FOR} for a runtime and a lib folder, as bin/zarrfetch makes it to compare. */
    static String madeFor(Path runtime, Path lib) throws IOException {
        StringBuilder s = new StringBuilder();
        for (String line : Files.readAllLines(runtime.resolve("release"))) {
            s.append(line).append('\n');
        }
        for (Path jar : RuntimeImage.jars(lib)) {
            s.append(Files.size(jar)).append(' ')
                    .append(Files.getLastModifiedTime(jar).to(java.util.concurrent.TimeUnit.SECONDS)).append(' ')
                    .append(jar.getFileName()).append('\n');
        }
        return s.toString();
    }

    /** A line of the training file: the expected exit status, then the arguments, separated by tabs. */
    private static String line(int status, String... args) {
        return status + "\t" + String.join("\t", args);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
