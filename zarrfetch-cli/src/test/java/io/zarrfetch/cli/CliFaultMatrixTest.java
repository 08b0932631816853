package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultOutcome;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.FaultTally;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.TestPki;

/**
 * {@code zarrfetch cp} through {@link FaultProxy}, for every fault: whole objects (10 kB, one request each) and
 * objects of 4 parts (200 kB, {@code --part-size 64KiB}), from an S3 prefix (listed: sizes and ETags known up front)
 * and from plain HTTP URLs (no listing: the first, ranged, answer tells the size), and from the S3 prefix over HTTPS
 * (the proxy serving TLS, trusted through {@code --ca-bundle}). The first GET of one object gets
 * the fault. What is checked is what a user sees: the exit status, the --json summary, the failure lines on stderr,
 * and the destination folder byte for byte: every other object with its SHA-256, the faulted one exact (as it now
 * is, when the fault changed it) or absent, and nothing else (no {@code .zf-*} partial file).
 *
 * <p>The outcomes are those of the library's matrix (FaultMatrixTest in zarrfetch-core, docs/reliability.md). The
 * timeouts are 1 s, so a stall costs about a second; the CLI's retries wait at most 100 ms before the first retry,
 * and every fault here needs at most one.
 */
class CliFaultMatrixTest {
    static final String BUCKET = "faults";
    static final int SMALL = 10_000;
    static final int BIG = 200_000;

    static S3Server s3;
    static HttpFileServer http;
    /** Key to SHA-256. */
    static final Map<String, String> SHA = new TreeMap<>();
    /** Key to the SHA-256 of the version {@link Fault#OBJECT_CHANGED} makes of it, and {@link Fault#OBJECT_GREW}. */
    static final Map<String, String> CHANGED = new TreeMap<>();
    static final Map<String, String> GROWN = new TreeMap<>();
    @TempDir
    Path tmp;

    enum Size {
        /** 3 objects smaller than a part: one request each. */
        WHOLE("whole", 3, 1),
        /** 2 objects of 4 parts. */
        PARTS("parts", 2, 4);

        final String folder;
        final int objects;
        final int parts;

        Size(String folder, int objects, int parts) {
            this.folder = folder;
            this.objects = objects;
            this.parts = parts;
        }
    }

    /** S3 with a listing, or each object's HTTP URL; S3 also over HTTPS (the proxy serving TLS). */
    enum Via {
        S3(true, false), HTTP(false, false), S3_HTTPS(true, true);

        final boolean s3;
        final boolean tls;

        Via(boolean s3, boolean tls) {
            this.s3 = s3;
            this.tls = tls;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (Size size : Size.values()) {
            for (int i = 0; i < size.objects; i++) {
                String key = size.folder + "/obj-" + i;
                byte[] d = new byte[size == Size.WHOLE ? SMALL : BIG];
                new Random(key.hashCode()).nextBytes(d);
                s3.put(BUCKET, key, d);
                SHA.put(key, sha256(d));
                byte[] inverted = d.clone();
                for (int b = 0; b < d.length; b++) {
                    inverted[b] = (byte) ~d[b];
                }
                CHANGED.put(key, sha256(inverted));
                byte[] grown = java.util.Arrays.copyOf(d, d.length + 1);
                grown[d.length] = FaultProxy.GROWN_BYTE;
                GROWN.put(key, sha256(grown));
            }
        }
        // S3Proxy keeps each object as a plain file under its key: the same bytes over plain HTTP.
        http = HttpFileServer.start(s3.root().resolve(BUCKET));
    }

    /** Files found after the runs: those equal to their object's SHA-256 (with their bytes), and the others. */
    static final LongAdder VERIFIED_FILES = new LongAdder();
    static final LongAdder VERIFIED_BYTES = new LongAdder();
    static final LongAdder CORRUPT = new LongAdder();
    static final FaultTally INJECTED = new FaultTally();

    @AfterAll
    static void stop() throws Exception {
        http.close();
        s3.close();
        System.out.println("CliFaultMatrixTest " + INJECTED);
        System.out.println("CliFaultMatrixTest found " + VERIFIED_FILES.sum() + " files, " + VERIFIED_BYTES.sum()
                + " bytes, equal to their SHA-256; files that were not: " + CORRUPT.sum());
    }

    static String sha256(byte[] d) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The outcome docs/reliability.md gives for a fault, as FaultMatrixTest checks it in the library. */
    static FaultOutcome expected(Fault fault, Size size, Via via) {
        return FaultOutcome.of(fault, size == Size.WHOLE, size == Size.WHOLE && via.s3);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Fault f : Fault.values()) {
            for (Size s : Size.values()) {
                for (Via v : Via.values()) {
                    cases.add(Arguments.of(f, s, v));
                }
            }
        }
        return cases.stream();
    }

    /** The command line: the S3 prefix with a listing, or each object's HTTP URL. */
    static String[] command(Size size, Via via, FaultProxy proxy, Path dest) {
        List<String> args = new ArrayList<>(List.of("cp", "--json", "--concurrency", "4", "--part-size", "64KiB",
                "--read-timeout", "1s", "--connect-timeout", "1s"));
        if (via.tls) {
            args.addAll(List.of("--ca-bundle", TestPki.local().caBundle().toString()));
        }
        if (via.s3) {
            args.addAll(List.of("--no-sign-request", "--endpoint", proxy.endpoint().toString(),
                    "s3://" + BUCKET + "/" + size.folder + "/"));
        } else {
            for (int i = 0; i < size.objects; i++) {
                args.add(proxy.url() + size.folder + "/obj-" + i);
            }
        }
        args.add(dest.toString());
        return args.toArray(String[]::new);
    }

    /** Every file under {@code root} (hidden ones too), relative, to its SHA-256. */
    static Map<String, String> folder(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    files.put(root.relativize(p).toString(), sha256(Files.readAllBytes(p)));
                }
            }
        }
        return files;
    }

    static long jsonNumber(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest(name = "{0} {1} via {2}")
    @MethodSource("matrix")
    void cpEndsWithTheExactFilesOrACleanFailure(Fault fault, Size size, Via via) throws Exception {
        String target = size.folder + "/obj-0";
        Rule rule = Rule.first(1, fault).onMethod("GET").onPath("/" + target);
        if (fault == Fault.OBJECT_CHANGED || fault == Fault.OBJECT_GREW) {
            rule = rule.onRanged(true); // the object changes after a ranged GET of it
        }
        FaultOutcome outcome = expected(fault, size, via);
        Path dest = tmp.resolve("dest");
        URI upstream = via.s3 ? s3.endpoint() : http.url();
        try (FaultProxy proxy = (via.tls ? FaultProxy.startTls(upstream, 42) : FaultProxy.start(upstream, 42))
                .add(rule)) {
            Run r = run(command(size, via, proxy, dest));
            String report = "exit " + r.exit() + "\nstdout: " + r.out() + "stderr: " + r.err();

            if (outcome == FaultOutcome.PASSES) {
                assertThat(proxy.injected(fault)).as("the fault does not apply: nothing injected").isZero();
            } else {
                assertThat(proxy.injected(fault)).as("the fault was injected").isGreaterThanOrEqualTo(1);
            }
            long targetGets = proxy.requests().stream()
                    .filter(q -> q.method().equals("GET") && q.target().contains("/" + target)).count();

            // The folder holds exactly the objects that arrived, byte for byte, and nothing partial.
            Map<String, String> expectedFiles = new TreeMap<>();
            for (int i = 0; i < size.objects; i++) {
                String key = size.folder + "/obj-" + i;
                if (key.equals(target) && outcome == FaultOutcome.REFETCHED) {
                    expectedFiles.put("obj-" + i, (fault == Fault.OBJECT_CHANGED ? CHANGED : GROWN).get(key));
                } else if (!(key.equals(target) && outcome == FaultOutcome.FAILS)) {
                    expectedFiles.put("obj-" + i, SHA.get(key));
                }
            }
            Map<String, String> found = folder(dest);
            for (Map.Entry<String, String> f : found.entrySet()) {
                String key = size.folder + "/" + f.getKey();
                if (f.getValue().equals(SHA.get(key)) || f.getValue().equals(CHANGED.get(key))
                        || f.getValue().equals(GROWN.get(key))) {
                    VERIFIED_FILES.increment();
                    VERIFIED_BYTES.add(Files.size(dest.resolve(f.getKey())));
                } else {
                    CORRUPT.increment();
                }
            }
            INJECTED.add(proxy);
            assertThat(found).as(report).isEqualTo(expectedFiles);

            String json = r.outLines().getLast();
            assertThat(jsonNumber(json, "objects")).as(report).isEqualTo(expectedFiles.size());
            assertThat(json).contains("\"cancelled\":false");
            switch (outcome) {
                case REFETCHED -> {
                    assertThat(r.exit()).as(report).isZero();
                    assertThat(jsonNumber(json, "failed")).isZero();
                    assertThat(jsonNumber(json, "changed_since_listing")).as(report).isEqualTo(1);
                    assertThat(jsonNumber(json, "retries")).as(report).isGreaterThanOrEqualTo(1);
                    assertThat(targetGets).as("fetched again: more GETs than parts").isGreaterThan(size.parts);
                }
                case RECOVERS, DELIVERED, PASSES -> {
                    assertThat(r.exit()).as(report).isZero();
                    assertThat(jsonNumber(json, "failed")).isZero();
                    assertThat(r.err()).as(report).doesNotContain("failed");
                    if (outcome == FaultOutcome.RECOVERS) {
                        assertThat(targetGets).as("retried: more GETs than parts").isGreaterThan(size.parts);
                    } else {
                        assertThat(targetGets).as("no retry: one GET a part").isEqualTo(size.parts);
                    }
                }
                case ABSENT -> throw new AssertionError("an object GET is never taken for absent");
                case FAILS -> {
                    assertThat(r.exit()).as(report).isEqualTo(1);
                    assertThat(jsonNumber(json, "failed")).isEqualTo(1);
                    String url = via.s3 ? "s3://" + BUCKET + "/" + target : proxy.url() + target;
                    List<String> failed = r.err().lines().filter(l -> l.startsWith("zarrfetch: failed: ")).toList();
                    assertThat(failed).as(report).singleElement().asString()
                            .startsWith("zarrfetch: failed: " + url + ": ")
                            .contains(switch (fault) {
                                case FORBIDDEN_403 -> "403";
                                case NOT_FOUND_404 -> "404";
                                default -> "changed";
                            })
                            .endsWith("(after " + targetGets + " attempt" + (targetGets == 1 ? ")" : "s)"));
                }
            }
        }
    }
}
