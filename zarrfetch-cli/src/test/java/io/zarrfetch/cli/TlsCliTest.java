package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.data;
import static io.zarrfetch.cli.CliTest.noAws;
import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.TestPki;

/**
 * The commands over HTTPS (an S3 server and a plain HTTP server, each behind a TLS front with a certificate of a
 * test CA), trusting the CA the AWS way: {@code --ca-bundle}, else {@code AWS_CA_BUNDLE}, else the profile's
 * {@code ca_bundle}; a server nobody vouches for is refused at once, never retried, naming the host and the way out.
 */
class TlsCliTest {
    static final TestPki CA = TestPki.create("TlsCliTest CA");
    @TempDir
    static Path dir;
    static S3Server s3;
    static HttpFileServer http;
    static FaultProxy s3Tls;
    static FaultProxy httpTls;
    static Path caPem;
    static Path otherPem;
    @TempDir
    Path out;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("bkt");
        for (int i = 0; i < 4; i++) {
            s3.put("bkt", "arr/" + i + ".1.0", data(300_000 + i, i));
        }
        Path served = Files.createDirectories(dir.resolve("served"));
        Files.write(served.resolve("plain.bin"), data(200_000, 9));
        http = HttpFileServer.start(served);
        s3Tls = FaultProxy.startTls(s3.endpoint(), 1, CA.issue("127.0.0.1"));
        httpTls = FaultProxy.startTls(http.url(), 1, CA.issue("127.0.0.1"));
        caPem = CA.writePem(dir.resolve("ca.pem"));
        otherPem = TestPki.create("someone else").writePem(dir.resolve("other.pem"));
    }

    @AfterAll
    static void stop() throws Exception {
        httpTls.close();
        s3Tls.close();
        http.close();
        s3.close();
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(noAws());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    void assertCopied(Path folder) throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(Files.readAllBytes(folder.resolve(i + ".1.0"))).isEqualTo(data(300_000 + i, i));
        }
    }

    @Test
    void copiesAPrefixOverHttpsTrustingTheCaBundleOption() throws Exception {
        Run r = run(env(), "cp", "--no-sign-request", "--endpoint", s3Tls.endpoint().toString(), "--ca-bundle",
                caPem.toString(), "s3://bkt/arr/", out + "/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertCopied(out);
    }

    @Test
    void awsCaBundleMayHoldSeveralCertificatesAndTheOptionWinsOverIt() throws Exception {
        Path both = Files.writeString(out.resolve("both.pem"), Files.readString(otherPem) + Files.readString(caPem));
        Run r = run(env("AWS_CA_BUNDLE", both.toString()), "cp", "--no-sign-request", "--endpoint",
                s3Tls.endpoint().toString(), "s3://bkt/arr/", out + "/a/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertCopied(out.resolve("a"));

        // The option is taken before the environment: the environment's bundle here trusts nothing of ours.
        Run o = run(env("AWS_CA_BUNDLE", otherPem.toString()), "ls", "--no-sign-request", "--endpoint",
                s3Tls.endpoint().toString(), "--ca-bundle", caPem.toString(), "s3://bkt/arr/");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.outLines()).hasSize(4);
    }

    @Test
    void theProfilesCaBundleIsUsedWithoutAnythingElse() throws Exception {
        Path config = Files.writeString(out.resolve("config"), "[default]\nca_bundle = " + caPem + "\n");
        Run r = run(env("AWS_CONFIG_FILE", config.toString()), "cp", "--no-sign-request", "--endpoint",
                s3Tls.endpoint().toString(), "s3://bkt/arr/1.1.0", out + "/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve("1.1.0"))).isEqualTo(data(300_001, 1));
    }

    @Test
    void anUntrustedServerFailsAtOnceNamingTheHostAndTheWayOut() throws Exception {
        Run r = run(env("AWS_CA_BUNDLE", otherPem.toString()), "cp", "--no-sign-request", "--endpoint",
                s3Tls.endpoint().toString(), "s3://bkt/arr/", out + "/x/");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the TLS certificate of 127.0.0.1 is not accepted")
                .contains("no trusted certificate authority signed it").contains("--ca-bundle FILE")
                .doesNotContain("Exception");
        assertThat(out.resolve("x")).doesNotExist();

        Run plain = run(env("AWS_CA_BUNDLE", otherPem.toString()), "cp", httpTls.url() + "plain.bin",
                out + "/p/");
        assertThat(plain.exit()).isEqualTo(1);
        assertThat(plain.err()).contains(httpTls.url() + "plain.bin")
                .contains("the TLS certificate of 127.0.0.1 is not accepted").contains("after 1 attempt");
        assertThat(out.resolve("p")).doesNotExist();
    }

    @Test
    void readsPlainHttpsUrls() throws Exception {
        Run r = run(env(), "cp", "--ca-bundle", caPem.toString(), httpTls.url() + "plain.bin", out + "/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve("plain.bin"))).isEqualTo(data(200_000, 9));
    }

    /**
     * Netty serves only BoringSSL in the CLI, through its unpooled allocator: the default one of Netty 4.2 has JFR
     * events, whose classes made the JVM load JFR's metadata at every https start. An https copy in a JVM of its own
     * loads none of them; a user's own {@code -Dio.netty.allocator.type} is kept.
     */
    @Test
    void httpsLoadsNoneOfTheAllocatorsJfrEventsUnlessTheUserChoosesItsAllocator() throws Exception {
        assertThat(nettyEventsLoaded(List.of(), "own")).isEmpty();
        assertThat(nettyEventsLoaded(List.of("-Dio.netty.allocator.type=adaptive"), "adaptive"))
                .contains("io.netty.buffer.AllocateChunkEvent");
    }

    /** The classes of io.netty.buffer's JFR events that a CLI copy over https loaded, in a JVM of its own. */
    List<String> nettyEventsLoaded(List<String> jvmOptions, String name) throws Exception {
        Path log = out.resolve(name + ".classes");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xlog:class+load=info:file=" + log + ":none"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "cp", "--ca-bundle", caPem.toString(), httpTls.url() + "plain.bin", out + "/" + name + "/"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(out.resolve(name + ".out").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out.resolve(name + ".out"))).isZero();
        assertThat(Files.readAllBytes(out.resolve(name).resolve("plain.bin"))).isEqualTo(data(200_000, 9));
        assertThat(Files.readString(log)).contains("io.netty.handler.ssl.OpenSsl "); // BoringSSL did load
        return Files.readAllLines(log).stream().map(l -> l.split(" ")[0])
                .filter(c -> c.startsWith("io.netty.buffer.") && c.endsWith("Event")).toList();
    }
}
