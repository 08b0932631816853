package io.zarrfetch.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.dist.Launcher.Run;

/**
 * The JIT the launcher chooses by platform (docs/decisions/0002-defaults.md): C1 alone for fetching only where
 * netty-tcnative ships BoringSSL (Linux with glibc and macOS, on x86-64 and ARM64), full tiered compilation elsewhere,
 * where the JDK's TLS runs and would be ~40 times slower under C1; full tiered for {@code read} and {@code demo}
 * everywhere. Other platforms are played by a {@code uname} on PATH that answers as they would, and musl by an
 * {@code ldd} that answers as Alpine's does.
 */
class JvmOptionsTest {
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    @TempDir
    static Path dir;
    static Launcher launcher;
    static Path home;
    static Path bash;

    @BeforeAll
    static void unpack() throws Exception {
        Assumptions.assumeTrue(Files.notExists(Path.of("/lib/ld-musl-x86_64.so.1"))
                && Files.notExists(Path.of("/lib/ld-musl-aarch64.so.1")), "this machine's C library is musl");
        launcher = new Launcher(dir);
        home = Launcher.untar(DistributionTest.TARBALL, dir.resolve("opt"));
        bash = launcher.tools.resolve("bash").toRealPath();
    }

    /** A folder with a {@code uname} that answers {@code uname -sm} as {@code platform} and, if given, an ldd. */
    static Path platform(String name, String unameSm, String ldd) throws Exception {
        Path shims = Files.createDirectories(dir.resolve("platforms/" + name));
        script(shims.resolve("uname"), "[ \"$*\" = -sm ] || { echo \"uname: unexpected $*\" >&2; exit 2; }\n"
                + "echo '" + unameSm + "'\n");
        if (ldd != null) {
            script(shims.resolve("ldd"), ldd);
        }
        return shims;
    }

    static final String GLIBC_LDD = "echo 'ldd (Debian GLIBC 2.36-9+deb12u14) 2.36'\n";
    // Alpine's: its version on stderr, exit status 1
    static final String MUSL_LDD = "echo 'musl libc (x86_64)' >&2\necho 'Version 1.2.5' >&2\nexit 1\n";

    static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!" + bash + "\n" + body);
        assertThat(file.toFile().setExecutable(true)).isTrue();
    }

    /** The JVM options the installed launcher chooses for {@code command} with only {@code shims} on PATH. */
    static List<String> options(Path shims, String command) throws Exception {
        Map<String, String> env = launcher.environment();
        env.put("PATH", shims.toString());
        Run r = launcher.run(env, bash, "-c", "source \"$1\"; zarrfetch_jvm_options \"$2\"; "
                + "printf '%s\\n' \"${ZARRFETCH_JVM_OPTIONS[@]}\"", "options", home.resolve("bin/zarrfetch").toString(),
                command);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return r.out().lines().toList();
    }

    @Test
    void c1AloneForFetchingWhereBoringSslShipsAndFullTieredForReading() throws Exception {
        for (Path p : List.of(platform("linux-x64", "Linux x86_64", GLIBC_LDD),
                platform("linux-arm64", "Linux aarch64", GLIBC_LDD),
                platform("macos-x64", "Darwin x86_64", null), platform("macos-arm64", "Darwin arm64", null))) {
            for (String fetching : List.of("cp", "ls", "bench", "info", "")) {
                assertThat(options(p, fetching)).as("%s %s", p.getFileName(), fetching).contains(C1_ONLY)
                        .contains("-XX:+UseSerialGC");
            }
            for (String decoding : List.of("read", "demo")) {
                assertThat(options(p, decoding)).as("%s %s", p.getFileName(), decoding).doesNotContain(C1_ONLY)
                        .contains("-XX:+UseSerialGC");
            }
        }
    }

    @Test
    void fullTieredEverywhereTheJdksTlsRuns() throws Exception {
        for (Path p : List.of(platform("alpine-x64", "Linux x86_64", MUSL_LDD),
                platform("alpine-arm64", "Linux aarch64", MUSL_LDD.replace("x86_64", "aarch64")),
                platform("linux-riscv64", "Linux riscv64", GLIBC_LDD), platform("linux-ppc64le", "Linux ppc64le",
                        GLIBC_LDD), platform("freebsd", "FreeBSD amd64", null),
                platform("windows-git-bash", "MINGW64_NT-10.0-19045 x86_64", null))) {
            for (String command : List.of("cp", "ls", "", "read")) {
                assertThat(options(p, command)).as("%s %s", p.getFileName(), command).doesNotContain(C1_ONLY)
                        .contains("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED");
            }
        }
    }

    @Test
    void theJvmRunsWithTheOptionsChosen() throws Exception {
        // the installed launcher, its JVM and AOT cache, with uname answering for another platform before the real one
        record Platform(Path shims, boolean c1Only) {
        }
        for (Platform p : List.of(new Platform(platform("jvm-linux-x64", "Linux x86_64", GLIBC_LDD), true),
                new Platform(platform("jvm-linux-riscv64", "Linux riscv64", GLIBC_LDD), false))) {
            Map<String, String> env = launcher.environment();
            env.put("PATH", p.shims() + ":" + launcher.tools);
            env.put("ZARRFETCH_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
            Run cp = launcher.run(env, home.resolve("bin/zarrfetch"), "cp", "--help");
            assertThat(cp.exit()).as(cp.err()).isZero();
            assertThat(cp.out().lines().findFirst().orElseThrow().contains(C1_ONLY)).as(cp.out())
                    .isEqualTo(p.c1Only());
            Run read = launcher.run(env, home.resolve("bin/zarrfetch"), "read", "--help");
            assertThat(read.exit()).as(read.err()).isZero();
            assertThat(read.out().lines().findFirst().orElseThrow()).doesNotContain(C1_ONLY);
        }
    }
}
