package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;

/**
 * Objects larger than {@code --memory-limit}, and objects that change while they are fetched, as a user meets them:
 * {@code bench} and {@code cp} of objects four times the memory limit succeed within it, and an object replaced
 * between its listing and its fetch (or during it) is copied as it now is and counted in {@code --json}.
 */
class LargerThanMemoryCliTest {
    static final String BUCKET = "large";
    static final int MIB = 1 << 20;
    static final int LARGE = 4 * MIB + 12_345;
    static S3Server s3;
    static final byte[][] DATA = new byte[3][];
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (int i = 0; i < DATA.length; i++) {
            DATA[i] = new byte[LARGE + i];
            new Random(i).nextBytes(DATA[i]);
            s3.put(BUCKET, "big/obj-" + i, DATA[i]);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static long jsonNumber(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return Long.parseLong(m.group(1));
    }

    static String sha256(byte[] d) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
    }

    String[] s3(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args[0], "--no-sign-request", "--endpoint",
                s3.endpoint().toString()));
        all.addAll(List.of(args).subList(1, args.length));
        return all.toArray(String[]::new);
    }

    @Test
    void benchMeasuresObjectsLargerThanTheMemoryLimitWithinIt() {
        Run r = run(s3("bench", "--json", "--memory-limit", "1MiB", "s3://" + BUCKET + "/big/"));
        assertThat(r.exit()).as(r.err()).isZero();
        String json = r.outLines().getLast();
        assertThat(jsonNumber(json, "objects")).isEqualTo(3);
        assertThat(jsonNumber(json, "failed")).isZero();
        assertThat(jsonNumber(json, "bytes")).isEqualTo(3L * LARGE + 3);
        assertThat(jsonNumber(json, "peak_pooled_bytes")).isLessThanOrEqualTo(MIB);
        assertThat(jsonNumber(json, "memory_limit")).isEqualTo(MIB);
        assertThat(jsonNumber(json, "part_size")).as("a sixteenth of the limit: 16 requests fit").isEqualTo(MIB / 16);
        assertThat(json).contains("\"changed_since_listing\":0");
        Run text = run(s3("bench", "--memory-limit", "1MiB", "s3://" + BUCKET + "/big/"));
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("objects          3\n").contains("(limit 1.0 MiB)").contains("parts of 64.0 KiB")
                .doesNotContain("changed");
    }

    @Test
    void cpWritesObjectsLargerThanTheMemoryLimit() throws Exception {
        Path dest = tmp.resolve("dest");
        Run r = run(s3("cp", "--json", "--memory-limit", "1MiB", "s3://" + BUCKET + "/big/", dest.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        for (int i = 0; i < DATA.length; i++) {
            assertThat(Files.readAllBytes(dest.resolve("obj-" + i))).isEqualTo(DATA[i]);
        }
        try (var files = Files.list(dest)) {
            assertThat(files).hasSize(3);
        }
        assertThat(jsonNumber(r.outLines().getLast(), "changed_since_listing")).isZero();
    }

    @Test
    void anObjectChangedWhileCopiedIsCopiedAsItNowIsAndCounted() throws Exception {
        // The object changes (every byte inverted, another ETag) after its first ranged GET: its later parts get 412.
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), 1)
                .add(Rule.first(1, Fault.OBJECT_CHANGED).onMethod("GET").onPath("/big/obj-1").onRanged(true))) {
            for (String command : List.of("cp", "bench")) {
                Path dest = tmp.resolve(command);
                List<String> args = new java.util.ArrayList<>(List.of(command, "--json", "--no-sign-request",
                        "--endpoint", proxy.endpoint().toString(), "--memory-limit", "1MiB", "--part-size", "1MiB",
                        "s3://" + BUCKET + "/big/"));
                if (command.equals("cp")) {
                    args.add(dest.toString());
                }
                Run r = run(args.toArray(String[]::new));
                assertThat(r.exit()).as(r.err()).isZero();
                String json = r.outLines().getLast();
                assertThat(jsonNumber(json, "changed_since_listing")).as(command).isEqualTo(1);
                assertThat(jsonNumber(json, "objects")).isEqualTo(3);
                if (command.equals("cp")) {
                    byte[] now = DATA[1].clone();
                    for (int b = 0; b < now.length; b++) {
                        now[b] = (byte) ~now[b];
                    }
                    assertThat(sha256(Files.readAllBytes(dest.resolve("obj-1")))).as("as it now is")
                            .isEqualTo(sha256(now));
                    assertThat(Files.readAllBytes(dest.resolve("obj-0"))).isEqualTo(DATA[0]);
                    Run text = run(s3("cp", "--memory-limit", "1MiB", "s3://" + BUCKET + "/big/obj-2",
                            tmp.resolve("two").toString()));
                    assertThat(text.err()).as("nothing changed there").doesNotContain("changed");
                }
            }
        }
    }
}
