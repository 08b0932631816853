package io.zarrfetch.dist;

import static io.zarrfetch.dist.Launcher.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.zarrfetch.dist.Launcher.Run;

/**
 * The runtime image's tarball (zarrfetch-VERSION-PLATFORM.tar.gz) on a machine without a JDK as far as the launcher
 * can tell: no JAVA_HOME, no java on PATH. It runs on its own runtime/, with the AOT cache made there.
 */
class RuntimeImageTest {
    @TempDir
    static Path dir;
    static Launcher launcher;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("zarrfetch.runtime.skip"),
                "no runtime image is made for this platform (zarrfetch-dist's profiles)");
        launcher = new Launcher(dir);
        home = Launcher.untar(Path.of(System.getProperty("zarrfetch.runtime.tarball")), dir.resolve("opt"));
    }

    static Map<String, String> withoutJdk() {
        Map<String, String> env = launcher.environment();
        env.remove("JAVA_HOME");
        return env;
    }

    @Test
    void runsOnItsOwnRuntimeWithItsAotCache() throws Exception {
        assertThat(home.getFileName().toString()).startsWith("zarrfetch-" + VERSION + "-");
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        Map<String, String> env = withoutJdk();
        // the launcher gives the JVM the cache, and -XX:AOTMode=on makes the JVM refuse to start unless it can use it
        env.put("ZARRFETCH_JAVA_OPTS", "-XX:AOTMode=on -XX:+PrintCommandLineFlags -XshowSettings:properties");
        Run r = launcher.run(env, home.resolve("bin/zarrfetch"), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("-XX:AOTCache=" + home.resolve("lib/zarrfetch.aot"))
                .endsWith("\nzarrfetch " + VERSION + "\n");
        assertThat(r.err()).contains("java.home = " + home.resolve("runtime"));
    }

    @Test
    void loadsBoringSslFromLibNativeWithoutUnpackingIt() throws Exception {
        try (Stream<Path> s = Files.list(home.resolve("lib/native"))) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList())
                    .singleElement().asString().startsWith("libnetty_tcnative_");
        }
        assertThat(home.resolve("lib/native/license/LICENSE.boringssl.txt")).isNotEmptyFile();
        // BoringSSL or an error, and the JVM says from where it loaded it
        Run cp = cpOverHttps("boringssl", "--ca-bundle", "-Dzarrfetch.tls=boringssl -Xlog:library=info:stdout");
        assertThat(cp.out()).contains("Loaded library " + home.resolve("lib/native/libnetty_tcnative_"))
                .doesNotContain(System.getProperty("java.io.tmpdir") + "/libnetty_tcnative");
    }

    /**
     * Either engine, trusting a CA bundle or the runtime's own trust store (here one of the test CA, as
     * javax.net.ssl.trustStore names it): a module the image lacks (a crypto provider, a key store type) fails here.
     */
    @ParameterizedTest
    @CsvSource({"boringssl, --ca-bundle", "jdk, --ca-bundle", "boringssl, trustStore", "jdk, trustStore"})
    void copiesOverHttpsWithEitherEngineAndEitherTrust(String engine, String trust) throws Exception {
        cpOverHttps(engine + "-" + trust, trust, "-Dzarrfetch.tls=" + engine);
    }

    @Test
    void itsTrustStoreHoldsTheAuthoritiesOfItsJdk() throws Exception {
        KeyStore image = KeyStore.getInstance(home.resolve("runtime/lib/security/cacerts").toFile(), (char[]) null);
        KeyStore jdk = KeyStore.getInstance(Path.of(System.getProperty("java.home"), "lib/security/cacerts").toFile(),
                (char[]) null);
        assertThat(image.size()).isEqualTo(jdk.size()).isGreaterThan(50);
    }

    /** A PKCS#12 trust store (password changeit) of the certificate in a PEM file. */
    private static Path trustStore(Path pem, Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    /** cp of one object over HTTPS with {@code options} in ZARRFETCH_JAVA_OPTS, the test CA trusted as told. */
    private static Run cpOverHttps(String name, String trust, String options) throws Exception {
        Path served = Files.createDirectories(dir.resolve("served-" + name));
        byte[] bytes = new byte[1_500_000];
        new Random(name.hashCode()).nextBytes(bytes);
        Files.write(served.resolve("obj.bin"), bytes);
        Run[] run = new Run[1];
        Launcher.overHttps(served, dir, (url, ca) -> {
            Map<String, String> env = withoutJdk();
            List<String> args = new ArrayList<>(List.of("cp", "--quiet"));
            if (trust.equals("--ca-bundle")) {
                args.addAll(List.of("--ca-bundle", ca.toString()));
                env.put("ZARRFETCH_JAVA_OPTS", options);
            } else {
                Path store = trustStore(ca, dir.resolve("trust-" + name + ".p12"));
                env.put("ZARRFETCH_JAVA_OPTS", options + " -Djavax.net.ssl.trustStore=" + store
                        + " -Djavax.net.ssl.trustStorePassword=changeit");
            }
            args.addAll(List.of(url + "obj.bin", "tls-" + name + "/"));
            Run cp = launcher.run(env, home.resolve("bin/zarrfetch"), args.toArray(String[]::new));
            assertThat(cp.exit()).as(cp.err()).isZero();
            assertThat(cp.err()).isEmpty();
            assertThat(launcher.work.resolve("tls-" + name + "/obj.bin")).hasBinaryContent(bytes);
            run[0] = cp;
        });
        return run[0];
    }

    @Test
    void copiesAndMeasuresWithTheModulesItHas() throws Exception {
        Path data = Files.createDirectories(launcher.work.resolve("image-data"));
        byte[] bytes = new byte[2_000_000];
        new Random(2).nextBytes(bytes);
        Files.write(data.resolve("a.bin"), bytes);

        Path zarrfetch = home.resolve("bin/zarrfetch");
        Run cp = launcher.run(withoutJdk(), zarrfetch, "cp", "--quiet", "image-data/", "image-copy/");
        assertThat(cp.exit()).as(cp.err()).isZero();
        assertThat(launcher.work.resolve("image-copy/a.bin")).hasBinaryContent(bytes);

        // bench reads the process's CPU time and allocation (jdk.management)
        Run bench = launcher.run(withoutJdk(), zarrfetch, "bench", "--json", "image-data/");
        assertThat(bench.exit()).as(bench.err()).isZero();
        assertThat(bench.out()).contains("\"objects\":1").contains("\"bytes\":2000000");
    }
}
