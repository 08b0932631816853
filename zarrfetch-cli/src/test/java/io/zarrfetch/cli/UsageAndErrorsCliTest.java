package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.data;
import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.S3Server;

/** Exit statuses, usage errors and what messages say, as a user of the AWS CLI or of NumPy expects them. */
class UsageAndErrorsCliTest {
    static S3Server s3;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("bkt");
        s3.createBucket("empty");
        s3.put("bkt", "arr/0.1.0", data(30_000, 0));
        s3.put("bkt", "arr/1.1.0", data(20_000, 1));
        s3.put("bkt", "odd/back\\slash \"q\".txt", data(5, 2));
        s3.put("bkt", "ctl/ctl\u0001.txt", data(5, 3));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    String[] s3(String command, String... args) {
        return Stream.concat(Stream.of(command, "--no-sign-request", "--endpoint", s3.endpoint().toString()),
                Stream.of(args)).toArray(String[]::new);
    }

    @Test
    void withoutACommandTheUsageGoesToStderrWithStatusTwo() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: zarrfetch").contains("Commands:");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        Run zero = run(s3("cp", "--concurrency", "0", "s3://bkt/arr/", tmp.toString()));
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--concurrency: concurrency must be between 1 and 4096, was 0");
        Run part = run(s3("bench", "--part-size", "1k", "s3://bkt/arr/"));
        assertThat(part.exit()).isEqualTo(2);
        assertThat(part.err()).contains("--part-size: part size must be between 64 KiB and 1 GiB");
        Run attempts = run(s3("cp", "--max-attempts", "0", "s3://bkt/arr/", tmp.toString()));
        assertThat(attempts.exit()).isEqualTo(2);
        assertThat(attempts.err()).contains("--max-attempts must be 1 or more, was 0");

        Run ftp = run("cp", "ftp://x/y", tmp.toString());
        assertThat(ftp.exit()).isEqualTo(2);
        assertThat(ftp.err()).contains("unsupported URL scheme in ftp://x/y");
        Run noBucket = run("ls", "s3://");
        assertThat(noBucket.exit()).isEqualTo(2);
        assertThat(noBucket.err()).contains("no bucket in \"s3://\"");
        Run badBucket = run("info", "s3://x!/a");
        assertThat(badBucket.exit()).isEqualTo(2);
        assertThat(badBucket.err()).contains("not a valid S3 bucket name: \"x!\"");
        Run missingFrom = run("cp", "--from", tmp.resolve("urls.txt").toString(), tmp.toString());
        assertThat(missingFrom.exit()).isEqualTo(2);
        assertThat(missingFrom.err()).contains("--from " + tmp.resolve("urls.txt") + ": no such file or folder");
        assertThat(List.of(zero, part, ftp, noBucket, missingFrom)).allSatisfy(r -> assertThat(r.err())
                .doesNotContain("Exception").doesNotContain("java.").startsWith("zarrfetch: error: "));
    }

    @Test
    void aSizeThatIsNotOneSaysWhatASizeLooksLike() {
        Run r = run("cp", "--memory-limit", "10XB", "s3://bkt/arr/", tmp.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("zarrfetch: error: Invalid value for option '--memory-limit': '10XB' is not a "
                + "size: write a number of bytes with an optional unit, like 64MiB, 1.5GiB, 512k, 100MB or 1000000")
                .contains("Run 'zarrfetch cp --help'").doesNotContain("java.").doesNotContain("Long");
    }

    @Test
    void helpPrintsNoPicocliWarnings() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // picocli warns on System.err
        try {
            for (String command : List.of("cp", "bench", "read")) { // demo: DemoCommandTest
                Run r = run(command, "--help");
                assertThat(r.exit()).isZero();
                assertThat(r.out()).contains("at most 5% of requests");
            }
            assertThat(run("read", "--concurrency", "0", "-o", "x", "y").exit()).isEqualTo(2);
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    @Test
    void aBadLineOfAFromFileFailsAloneAndTheRestIsCopied() throws Exception {
        Path list = tmp.resolve("urls.txt");
        Files.writeString(list, String.join("\n", "s3://bkt/arr/0.1.0", "ftp://host/x", "# a comment", "",
                "s3://", "s3://bkt/arr/1.1.0", ""));
        Path dest = tmp.resolve("dest");
        Run r = run(s3("cp", "--from", list.toString(), dest.toString()));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines().filter(l -> l.startsWith("zarrfetch: failed: "))).containsExactly(
                "zarrfetch: failed: " + list + ":2: unsupported URL scheme in ftp://host/x: use s3://, http://, "
                        + "https://, file:// or a local path",
                "zarrfetch: failed: " + list + ":5: no bucket in \"s3://\": write s3://BUCKET/KEY or "
                        + "s3://BUCKET/PREFIX/");
        assertThat(r.err()).contains("copied 2 objects").contains("; 2 failed");
        assertThat(dest.resolve("0.1.0")).hasBinaryContent(data(30_000, 0));
        assertThat(dest.resolve("1.1.0")).hasBinaryContent(data(20_000, 1));

        Run json = run(s3("bench", "--json", "--from", list.toString()));
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.outLines().getLast()).contains("\"objects\":2").contains("\"failed\":2");
    }

    @Test
    void lsOfAKeyOrPrefixThatNamesNothingExitsWithOne() {
        Run prefix = run(s3("ls", "s3://bkt/none/"));
        assertThat(prefix.exit()).isEqualTo(1);
        assertThat(prefix.err()).isEqualTo("zarrfetch: error: s3://bkt/none/: no objects under this prefix\n");
        Run key = run(s3("ls", "s3://bkt/arr/9.1.0"));
        assertThat(key.exit()).isEqualTo(1);
        assertThat(key.err()).contains("s3://bkt/arr/9.1.0: no such object, and no objects under arr/9.1.0/");
        Run emptyBucket = run(s3("ls", "s3://empty"));
        assertThat(emptyBucket.exit()).as("an empty bucket is not an error").isZero();
        assertThat(emptyBucket.err()).contains("0 objects");
    }

    @Test
    void aMissingKeyIsOneMessageNamingItsUrlWhereverItIsNamed() throws Exception {
        Run direct = run(s3("cp", "s3://bkt/arr/9.1.0", tmp.resolve("a").toString() + "/"));
        assertThat(direct.exit()).isEqualTo(1);
        Path list = Files.writeString(tmp.resolve("urls.txt"), "s3://bkt/arr/9.1.0\n");
        Run from = run(s3("cp", "--from", list.toString(), tmp.resolve("b").toString()));
        assertThat(from.exit()).isEqualTo(1);
        List<String> failed = direct.err().lines().filter(l -> l.startsWith("zarrfetch: failed:")).toList();
        assertThat(failed).singleElement().asString()
                .startsWith("zarrfetch: failed: s3://bkt/arr/9.1.0: no such object");
        assertThat(from.err().lines().filter(l -> l.startsWith("zarrfetch: failed:"))).isEqualTo(failed);
        assertThat(direct.err()).doesNotContain("nothing to copy");
    }

    @Test
    void oneObjectToANameThatIsNotAFolderIsWrittenAsThatFile() throws Exception {
        Path file = tmp.resolve("out.bin");
        Run r = run(s3("cp", "s3://bkt/arr/1.1.0", file.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(file).isRegularFile().hasBinaryContent(data(20_000, 1));
        Run again = run(s3("cp", "s3://bkt/arr/0.1.0", file.toString()));
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(file).as("replaced, as aws s3 cp does").hasBinaryContent(data(30_000, 0));

        Path folder = Files.createDirectories(tmp.resolve("folder"));
        assertThat(run(s3("cp", "s3://bkt/arr/1.1.0", folder.toString())).exit()).isZero();
        assertThat(folder.resolve("1.1.0")).hasBinaryContent(data(20_000, 1));
        Path slash = tmp.resolve("new");
        assertThat(run(s3("cp", "s3://bkt/arr/1.1.0", slash + "/")).exit()).isZero();
        assertThat(slash.resolve("1.1.0")).hasBinaryContent(data(20_000, 1));
        Path nested = tmp.resolve("a/b/c.bin");
        assertThat(run(s3("cp", "s3://bkt/arr/1.1.0", nested.toString())).exit()).isZero();
        assertThat(nested).hasBinaryContent(data(20_000, 1));

        Path missing = tmp.resolve("missing.bin");
        Run none = run(s3("cp", "s3://bkt/arr/9.1.0", missing.toString()));
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("s3://bkt/arr/9.1.0: no such object");
        assertThat(missing).doesNotExist();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void keysShowPlainlyAndControlCharactersOnceEscaped() throws Exception {
        Run ls = run(s3("ls", "s3://bkt/odd/"));
        assertThat(ls.exit()).isZero();
        assertThat(ls.outLines()).singleElement().asString().endsWith("  odd/back\\slash \"q\".txt");
        Run ctl = run(s3("ls", "s3://bkt/ctl/"));
        assertThat(ctl.outLines()).singleElement().asString().endsWith("  ctl/ctl\\x01.txt");

        Run cp = run(s3("cp", "s3://bkt/ctl/", tmp.resolve("out").toString()));
        assertThat(cp.exit()).isEqualTo(1);
        assertThat(cp.err()).contains("zarrfetch: failed: s3://bkt/ctl/ctl\\x01.txt: refusing key \"ctl\\x01.txt\": "
                + "it contains control character U+0001").doesNotContain("\\u00").doesNotContain("\u0001");
    }

    @Test
    void fileErrorsSayTheirCause() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Run cp = run(s3("cp", "s3://bkt/arr/", file.resolve("sub").toString()));
        assertThat(cp.exit()).isEqualTo(1);
        assertThat(cp.err()).contains("cannot write " + file.resolve("sub/0.1.0") + ": not a folder (at "
                + file.resolve("sub") + ")");
        Run trace = run(s3("bench", "--trace", file.resolve("trace.csv").toString(), "s3://bkt/arr/"));
        assertThat(trace.exit()).isEqualTo(1);
        assertThat(trace.err()).isEqualTo("zarrfetch: error: cannot write " + file.resolve("trace.csv")
                + ": not a folder\n");
        Path array = Files.createDirectories(tmp.resolve("array"));
        Files.writeString(array.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], "
                + "\"dtype\": \"<i2\", \"compressor\": null, \"fill_value\": 7}");
        Run read = run("read", array.toString(), "-o", file.resolve("x.npy").toString());
        assertThat(read.exit()).isEqualTo(1);
        assertThat(read.err()).isEqualTo("zarrfetch: error: cannot write " + file.resolve("x.npy")
                + ": not a folder (at " + file + ")\n");
        assertThat(run("read", array.toString(), "-o", tmp.resolve("x.npy").toString()).exit()).isZero();
    }

    /**
     * A folder the user may not write to: one made read-only, or, for root (whom permissions do not stop), a folder
     * of the kernel's where nobody may create files ({@code /sys/kernel} on Linux).
     */
    @Test
    void writingWherePermissionIsDeniedSaysSo() throws Exception {
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Path dest = locked.resolve("out");
        boolean lockedWorks = locked.toFile().setWritable(false, false) && !Files.isWritable(locked);
        if (!lockedWorks) {
            Path kernel = Path.of("/sys/kernel");
            Assumptions.assumeTrue(Files.isDirectory(kernel),
                    "this user writes anywhere, and there is no /sys/kernel to be refused in");
            dest = kernel;
        }
        try {
            Run cp = run(s3("cp", "s3://bkt/arr/", dest + "/"));
            assertThat(cp.exit()).isEqualTo(1);
            // sysfs mounted read-only (as in many containers) refuses with EROFS before permissions are asked
            String cause = lockedWorks ? "permission denied" : "(permission denied|read-only file system)";
            assertThat(cp.err()).contains("cannot write").containsPattern(cause);
        } finally {
            locked.toFile().setWritable(true, false);
        }
    }
}
