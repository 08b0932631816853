package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.S3Server;

/**
 * What only a process of its own shows: the CLI with nothing but the environment it is given (no AWS variables, an
 * empty home: no credentials anywhere), and host names resolved through a hosts file of the test's
 * ({@code -Djdk.net.hosts.file}; names not in it do not resolve, so no request can leave the machine), for
 * virtual-hosted buckets, S3 Transfer Acceleration and the China regions' host names.
 */
class AwsCliProcessTest {
    static final long GUARD_SECONDS = 60;
    @TempDir
    static Path root;
    static S3Server plain;
    static S3Server signed;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("bkt/arr"));
        Files.write(root.resolve("bkt/arr/0.1.0"), data(50_000, 1));
        Files.write(root.resolve("bkt/arr/1.1.0"), data(2_000, 2));
        plain = S3Server.start(root);
        signed = S3Server.startWithCredentials("AKIDPROCESS", "process-secret");
        signed.createBucket("private");
        signed.put("private", "k", data(10, 3));
    }

    @AfterAll
    static void stop() throws Exception {
        plain.close();
        signed.close();
    }

    /**
     * Runs the CLI in a JVM of its own (with this test's class path) with exactly {@code env} as its environment
     * (and HOME, an empty folder), resolving names through {@code hosts} ("127.0.0.1 name ..." lines).
     */
    Run zarrfetch(Map<String, String> env, String hosts, String... args) throws Exception {
        Path hostsFile = Files.writeString(tmp.resolve("hosts"), hosts);
        Path home = Files.createDirectories(tmp.resolve("home"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Djdk.net.hosts.file=" + hostsFile,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        pb.environment().clear();
        pb.environment().put("HOME", home.toString());
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true"); // no instance metadata lookups, off EC2 or on
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("zarrfetch " + String.join(" ", args) + " did not end (a hang guard)");
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void withNoCredentialsAnywhereRequestsGoUnsignedAndOneShortLineSaysSo() throws Exception {
        Run r = zarrfetch(Map.of("AWS_ENDPOINT_URL", plain.endpoint().toString()), "", "ls", "s3://bkt/arr/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.err().lines().filter(l -> l.contains("credentials")))
                .containsExactly("WARN no AWS credentials found; sending unsigned requests");

        Run denied = zarrfetch(Map.of("AWS_ENDPOINT_URL", signed.endpoint().toString()), "", "cp", "s3://private/k",
                tmp.resolve("k").toString());
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err()).contains("access denied to bucket private")
                .contains("no AWS credentials were found: this bucket may need them");
        assertThat(tmp.resolve("k")).doesNotExist();
    }

    @Test
    void ignoringConfiguredEndpointsSendsRequestsToAws() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(plain.endpoint(), 1)) {
            Run r = zarrfetch(Map.of("AWS_ENDPOINT_URL", proxy.endpoint().toString(),
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), "", "ls", "--no-sign-request", "s3://bkt/arr/");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("unknown host").contains("bkt.s3.us-east-1.amazonaws.com");

            Path config = Files.writeString(tmp.resolve("config"), "[default]\nendpoint_url = " + proxy.endpoint()
                    + "\nignore_configured_endpoint_urls = true\nregion = eu-north-1\n");
            Run profile = zarrfetch(Map.of("AWS_CONFIG_FILE", config.toString()), "", "ls", "--no-sign-request",
                    "s3://bkt/arr/");
            assertThat(profile.exit()).isEqualTo(1);
            assertThat(profile.err()).contains("unknown host").contains("bkt.s3.eu-north-1.amazonaws.com");
            assertThat(proxy.requests()).as("the configured endpoint got nothing").isEmpty();

            Run honoured = zarrfetch(Map.of("AWS_CONFIG_FILE", config.toString(),
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"), "", "ls", "--no-sign-request", "s3://bkt/arr/");
            assertThat(honoured.exit()).as(honoured.err()).isZero();
            assertThat(proxy.requests()).isNotEmpty();
        }
    }

    @Test
    void virtualAddressingPutsTheBucketInTheHostName() throws Exception {
        try (S3Server virtual = S3Server.startVirtualHosted(root, "s3.test");
                FaultProxy proxy = FaultProxy.start(virtual.endpoint(), 1)) {
            String endpoint = "http://s3.test:" + proxy.endpoint().getPort();
            Path config = Files.writeString(tmp.resolve("config"), "[default]\nendpoint_url = " + endpoint
                    + "\ns3 =\n  addressing_style = virtual\n");
            Run r = zarrfetch(Map.of("AWS_CONFIG_FILE", config.toString()), "127.0.0.1 s3.test bkt.s3.test\n",
                    "cp", "--no-sign-request", "s3://bkt/arr/0.1.0", tmp.resolve("chunk").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(tmp.resolve("chunk")).hasBinaryContent(data(50_000, 1));
            assertThat(proxy.requests()).isNotEmpty().allSatisfy(q -> {
                assertThat(q.header("Host")).isEqualTo("bkt.s3.test:" + proxy.endpoint().getPort());
                assertThat(q.target()).doesNotStartWith("/bkt");
            });
        }
    }

    @Test
    void accelerateAndChinaHostNamesAreS3() throws Exception {
        for (String host : List.of("s3-accelerate.amazonaws.com", "s3.cn-north-1.amazonaws.com.cn")) {
            try (S3Server virtual = S3Server.startVirtualHosted(root, host);
                    FaultProxy proxy = FaultProxy.start(virtual.endpoint(), 1)) {
                int port = proxy.endpoint().getPort();
                // the URL's port and scheme lead to the test's server; the host name is AWS's
                String url = "http://bkt." + host + ":" + port + "/arr/";
                Run ls = zarrfetch(Map.of(), "127.0.0.1 " + host + " bkt." + host + "\n", "ls",
                        "--no-sign-request", url);
                assertThat(ls.exit()).as(ls.err()).isZero();
                assertThat(ls.outLines()).as("listed as S3").hasSize(2);
                Run cp = zarrfetch(Map.of(), "127.0.0.1 " + host + " bkt." + host + "\n", "cp",
                        "--no-sign-request", url + "1.1.0", tmp.resolve(host).toString());
                assertThat(cp.exit()).as(cp.err()).isZero();
                assertThat(tmp.resolve(host)).hasBinaryContent(data(2_000, 2));
                assertThat(proxy.requests()).isNotEmpty()
                        .allSatisfy(q -> assertThat(q.header("Host")).isEqualTo("bkt." + host + ":" + port));
            }
        }
    }
}
