package io.zarrfetch.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zarrfetch.dist.Launcher.Run;

/**
 * The distribution as a user installs it: its tarball unpacked into a temporary folder, {@code bin/zarrfetch} run
 * from another working folder, by its path and through symlinks, on a PATH that holds only the programs the launcher
 * uses (no Maven, no java), with the JDK in JAVA_HOME ({@link Launcher}).
 */
class DistributionTest {
    static final String VERSION = Launcher.VERSION;
    static final Path TARBALL = Path.of(System.getProperty("zarrfetch.tarball"));
    /** The CLI module's runtime class path, as its build wrote it (the source tree's launcher runs with it). */
    static final Path CLI_CLASSPATH = Path.of(System.getProperty("zarrfetch.cli.classpath"));

    @TempDir
    static Path dir;
    static Launcher launcher;
    /** The unpacked installation. */
    static Path home;
    static Path work;

    @BeforeAll
    static void unpack() throws Exception {
        launcher = new Launcher(dir);
        work = launcher.work;
        home = Launcher.untar(TARBALL, dir.resolve("opt"));
    }

    static Run run(Path zarrfetch, String... args) throws Exception {
        return launcher.run(zarrfetch, args);
    }

    static Run run(Map<String, String> env, Path zarrfetch, String... args) throws Exception {
        return launcher.run(env, zarrfetch, args);
    }

    static Map<String, String> environment() {
        return launcher.environment();
    }

    @Test
    void theInstallationHoldsTheLauncherTheClisJarsItsAotCacheTheLicenseAndAReadme() throws Exception {
        assertThat(home.getFileName().toString()).isEqualTo("zarrfetch-" + VERSION);
        assertThat(home.resolve("bin/zarrfetch")).isExecutable();
        assertThat(home.resolve("LICENSE")).content().contains("Apache License").contains("Version 2.0");
        assertThat(home.resolve("README.md")).content().contains("bin/zarrfetch");
        List<String> lib;
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            lib = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // exactly the CLI's jars, as its module resolves them, with the cache: no jar of an earlier build; but
        // BoringSSL's libraries unpacked into lib/native in place of the jars that carry them, one per platform
        List<String> cli = new ArrayList<>(List.of("zarrfetch-cli-" + VERSION + ".jar", "native",
                TrainingRun.CACHE.substring(4), TrainingRun.MADE_FOR.substring(4)));
        int platforms = 0;
        for (String jar : Files.readString(CLI_CLASSPATH).strip().split(":")) {
            String name = Path.of(jar).getFileName().toString();
            if (name.matches(Natives.JAR_PREFIX + "[0-9.]+Final-.+\\.jar")) {
                platforms++;
            } else {
                cli.add(name);
            }
        }
        assertThat(lib).containsExactlyInAnyOrderElementsOf(cli)
                .contains("zarrfetch-core-" + VERSION + ".jar")
                .anyMatch(j -> j.startsWith("picocli-")).anyMatch(j -> j.startsWith("slf4j-simple-"))
                .anyMatch(j -> j.startsWith("netty-tcnative-classes-"));
        List<String> natives;
        try (Stream<Path> s = Files.list(home.resolve("lib/native"))) {
            natives = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(platforms).isEqualTo(5);
        assertThat(natives).hasSize(platforms).allMatch(n -> n.contains("netty_tcnative_"))
                .contains("libnetty_tcnative_linux_x86_64.so", "libnetty_tcnative_osx_aarch_64.jnilib");
        assertThat(home.resolve("lib/native/license/LICENSE.boringssl.txt")).content()
                .containsIgnoringCase("boringssl");
        // nothing of the tests' or the demo's: its S3 server (S3Proxy, Jetty) stays in the source tree
        assertThat(lib).noneMatch(j -> j.startsWith("zarrfetch-testkit") || j.startsWith("zarrfetch-demo")
                || j.startsWith("s3proxy") || j.startsWith("jetty-") || j.startsWith("junit-")
                || j.startsWith("assertj-") || j.startsWith("bcpkix-") || j.startsWith("blosc-java"));
    }

    @Test
    void versionRunsFromAnotherFolderByPathAndThroughSymlinks() throws Exception {
        Run direct = run(home.resolve("bin/zarrfetch"), "--version");
        assertThat(direct).isEqualTo(new Run(0, "zarrfetch " + VERSION + "\n", ""));

        // as installed with `ln -s /opt/zarrfetch-VERSION/bin/zarrfetch ~/bin/`, and a link to that link
        Path links = Files.createDirectories(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("zarrfetch"), home.resolve("bin/zarrfetch"));
        Path relative = Files.createSymbolicLink(links.resolve("zf"), Path.of("zarrfetch"));
        assertThat(run(link, "--version")).isEqualTo(direct);
        assertThat(run(relative, "--version")).isEqualTo(direct);
    }

    @Test
    void lsAndCpOfALocalFolder() throws Exception {
        Path data = Files.createDirectories(work.resolve("data/sub"));
        byte[] big = new byte[3_000_000];
        new Random(1).nextBytes(big);
        Files.write(work.resolve("data/big.bin"), big);
        Files.writeString(data.resolve("small.txt"), "hello\n");

        Run ls = run(home.resolve("bin/zarrfetch"), "ls", "data/");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out().lines()).containsExactly("       3000000  big.bin", "             6  sub/small.txt");

        Run cp = run(home.resolve("bin/zarrfetch"), "cp", "--quiet", "data/", "copy/");
        assertThat(cp.exit()).as(cp.err()).isZero();
        assertThat(work.resolve("copy/big.bin")).hasBinaryContent(big);
        assertThat(work.resolve("copy/sub/small.txt")).hasContent("hello\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"boringssl", "jdk"})
    void cpOverHttpsWithEitherTlsEngine(String engine) throws Exception {
        Path served = Files.createDirectories(dir.resolve("served-" + engine));
        byte[] bytes = new byte[1_500_000];
        new Random(3).nextBytes(bytes);
        Files.write(served.resolve("obj.bin"), bytes);
        Launcher.overHttps(served, dir, (url, ca) -> {
            Map<String, String> env = environment();
            // this engine or an error, no fallback; the JVM says from where it loads native libraries
            env.put("ZARRFETCH_JAVA_OPTS", "-Dzarrfetch.tls=" + engine + " -Xlog:library=info:stdout");
            Run cp = run(env, home.resolve("bin/zarrfetch"), "cp", "--quiet", "--ca-bundle", ca.toString(),
                    url + "obj.bin", "tls-" + engine + "/");
            assertThat(cp.exit()).as(cp.err()).isZero();
            assertThat(cp.err()).isEmpty();
            if (engine.equals("boringssl")) { // from lib/native, not unpacked from a jar into a temporary file
                assertThat(cp.out()).contains("Loaded library " + home.resolve("lib/native/libnetty_tcnative_"))
                        .doesNotContain(System.getProperty("java.io.tmpdir") + "/libnetty_tcnative");
            }
            assertThat(work.resolve("tls-" + engine + "/obj.bin")).hasBinaryContent(bytes);
        });
    }

    @Test
    void theAotCacheFitsTheInstallationWhereverItIsUnpacked() throws Exception {
        // the launcher gives the JVM the cache, and -XX:AOTMode=on makes the JVM refuse to start unless it can use it
        Map<String, String> env = environment();
        env.put("ZARRFETCH_JAVA_OPTS", "-XX:AOTMode=on -XX:+PrintCommandLineFlags");
        Run r = run(env, home.resolve("bin/zarrfetch"), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("-XX:AOTCache=" + home.resolve(TrainingRun.CACHE))
                .endsWith("\nzarrfetch " + VERSION + "\n");
    }

    /** Runs {@code --version} of an installation; whether the launcher gave the JVM the AOT cache. */
    static boolean versionWithCache(Path installation) throws Exception {
        Map<String, String> env = environment();
        env.put("ZARRFETCH_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        Run r = run(env, installation.resolve("bin/zarrfetch"), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).endsWith("\nzarrfetch " + VERSION + "\n");
        return r.out().contains("-XX:AOTCache=");
    }

    @Test
    void aJarChangedSinceTheCacheWasMadeLeavesTheCacheOut() throws Exception {
        Path copy = Launcher.untar(TARBALL, dir.resolve("changed"));
        assertThat(versionWithCache(copy)).isTrue();
        Path jar = copy.resolve("lib/zarrfetch-core-" + VERSION + ".jar");
        FileTime time = Files.getLastModifiedTime(jar);

        // the same bytes at another time
        Files.setLastModifiedTime(jar, FileTime.fromMillis(time.toMillis() - 3_600_000));
        assertThat(versionWithCache(copy)).isFalse();
        Files.setLastModifiedTime(jar, time);
        assertThat(versionWithCache(copy)).isTrue();

        // other bytes at the same time: JDK 25 would run the cache's classes instead of the jar's (JDK-8377932)
        byte[] bytes = Files.readAllBytes(jar);
        Files.write(jar, Arrays.copyOf(bytes, bytes.length + 1)); // a zip may end with a stray byte
        Files.setLastModifiedTime(jar, time);
        assertThat(versionWithCache(copy)).isFalse();
    }

    @Test
    void aCacheThatIsNoneOrOfAnotherRuntimeOnlyCostsItsSpeedUp() throws Exception {
        Path copy = Launcher.untar(TARBALL, dir.resolve("other-runtime"));
        Path madeFor = copy.resolve(TrainingRun.MADE_FOR);
        String text = Files.readString(madeFor);
        Files.writeString(madeFor, text.replaceAll("JAVA_RUNTIME_VERSION=\"[^\"]*\"",
                "JAVA_RUNTIME_VERSION=\"25.0.0+1\""));
        assertThat(versionWithCache(copy)).isFalse();

        // a cache the JVM refuses (here: not a cache at all) while the launcher gives it: nothing to see
        Files.writeString(madeFor, text);
        Files.write(copy.resolve(TrainingRun.CACHE), new byte[] {1, 2, 3});
        assertThat(run(copy.resolve("bin/zarrfetch"), "--version"))
                .isEqualTo(new Run(0, "zarrfetch " + VERSION + "\n", ""));
        Map<String, String> env = environment();
        env.put("ZARRFETCH_JAVA_OPTS", "-Xlog:aot");
        assertThat(run(env, copy.resolve("bin/zarrfetch"), "--version").out()).contains("AOT cache")
                .endsWith("zarrfetch " + VERSION + "\n");
    }

    @Test
    void aJavaHomeOlderThan25IsPassedOver() throws Exception {
        // a JDK 17 whose java would leave a mark if the launcher ran it
        Path old = Files.createDirectories(dir.resolve("jdk-17/bin"));
        Files.writeString(old.resolveSibling("release"), "JAVA_VERSION=\"17.0.2\"\n");
        Path mark = dir.resolve("jdk-17-ran");
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\ntouch " + mark + "\nexit 1\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = environment();
        env.put("JAVA_HOME", old.getParent().toString());
        env.put("PATH", launcher.tools + ":" + Path.of(System.getProperty("java.home"), "bin"));

        Run r = run(env, home.resolve("bin/zarrfetch"), "--version");
        assertThat(r).isEqualTo(new Run(0, "zarrfetch " + VERSION + "\n", ""));
        assertThat(mark).doesNotExist();
    }

    @Test
    void demoSaysWhereItRuns() throws Exception {
        Run r = run(home.resolve("bin/zarrfetch"), "demo");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the demo is not on this class path").contains("source tree")
                .contains("./zarrfetch");
    }
}
