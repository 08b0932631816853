package io.zarrfetch.dist;

import static io.zarrfetch.dist.Launcher.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .singleElement().asString().startsWith("libnetty_tcnative_");
        }
        Path served = Files.createDirectories(dir.resolve("served"));
        byte[] bytes = new byte[1_500_000];
        new Random(4).nextBytes(bytes);
        Files.write(served.resolve("obj.bin"), bytes);
        Launcher.overHttps(served, dir, (url, ca) -> {
            Map<String, String> env = withoutJdk();
            // BoringSSL or an error; Netty could not unpack its library into a folder that does not exist
            env.put("ZARRFETCH_JAVA_OPTS", "-Dzarrfetch.tls=boringssl -Dio.netty.native.workdir="
                    + dir.resolve("no-such-folder"));
            Run cp = launcher.run(env, home.resolve("bin/zarrfetch"), "cp", "--quiet", "--ca-bundle",
                    ca.toString(), url + "obj.bin", "tls/");
            assertThat(cp.exit()).as(cp.err()).isZero();
            assertThat(launcher.work.resolve("tls/obj.bin")).hasBinaryContent(bytes);
        });
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
