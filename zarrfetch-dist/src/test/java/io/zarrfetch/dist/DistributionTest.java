package io.zarrfetch.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.dist.Launcher.Run;

/**
 * The distribution as a user installs it: its tarball unpacked into a temporary folder, {@code bin/zarrfetch} run
 * from another working folder, by its path and through symlinks, on a PATH that holds only the programs the launcher
 * uses (no Maven, no java), with the JDK in JAVA_HOME ({@link Launcher}).
 */
class DistributionTest {
    static final String VERSION = Launcher.VERSION;
    static final Path TARBALL = Path.of(System.getProperty("zarrfetch.tarball"));

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
        assertThat(lib).contains("zarrfetch-cli-" + VERSION + ".jar", "zarrfetch-core-" + VERSION + ".jar",
                "zarrfetch.aot", "zarrfetch.aot.release");
        assertThat(lib).anyMatch(j -> j.startsWith("picocli-")).anyMatch(j -> j.startsWith("slf4j-simple-"))
                .anyMatch(j -> j.startsWith("netty-tcnative-boringssl-static-"));
        assertThat(lib).allMatch(f -> f.endsWith(".jar") || f.startsWith("zarrfetch.aot"));
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

    @Test
    void aCacheThatNoLongerFitsOnlyCostsItsSpeedUp() throws Exception {
        Path copy = Launcher.untar(TARBALL, dir.resolve("stale"));
        Path jar = copy.resolve("lib/zarrfetch-cli-" + VERSION + ".jar");
        Path cache = copy.resolve(TrainingRun.CACHE);
        long made = Files.getLastModifiedTime(cache).toMillis();
        Run fits = new Run(0, "zarrfetch " + VERSION + "\n", "");

        // a jar changed after the cache was made: the launcher leaves the cache out
        Files.setLastModifiedTime(jar, FileTime.fromMillis(made + 60_000));
        assertThat(run(copy.resolve("bin/zarrfetch"), "--version")).isEqualTo(fits);
        // a jar whose time moved back: the JVM finds the cache unfit, and says so only when asked
        Files.setLastModifiedTime(jar, FileTime.fromMillis(made - 3_600_000));
        assertThat(run(copy.resolve("bin/zarrfetch"), "--version")).isEqualTo(fits);
        Map<String, String> env = environment();
        env.put("ZARRFETCH_JAVA_OPTS", "-Xlog:aot");
        assertThat(run(env, copy.resolve("bin/zarrfetch"), "--version").out())
                .contains("timestamp has changed").endsWith("zarrfetch " + VERSION + "\n");
        // a cache that is not one at all
        Files.write(cache, new byte[] {1, 2, 3});
        assertThat(run(copy.resolve("bin/zarrfetch"), "--version")).isEqualTo(fits);
    }

    @Test
    void aCacheMadeByAnotherRuntimeIsLeftOut() throws Exception {
        Path copy = Launcher.untar(TARBALL, dir.resolve("other-jdk"));
        Path release = copy.resolve(TrainingRun.RELEASE);
        Files.writeString(release, Files.readString(release).replaceAll("JAVA_RUNTIME_VERSION=\"[^\"]*\"",
                "JAVA_RUNTIME_VERSION=\"25.0.0+1\""));
        Map<String, String> env = environment();
        env.put("ZARRFETCH_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        Run r = run(env, copy.resolve("bin/zarrfetch"), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).doesNotContain("AOTCache").endsWith("\nzarrfetch " + VERSION + "\n");
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
