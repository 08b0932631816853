package io.zarrfetch.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.TestPki;

/**
 * Runs an installation's {@code bin/zarrfetch} as a user's shell would: from a working folder of its own, on a PATH
 * that holds only the programs the launcher uses (no Maven, no java), with this JDK in JAVA_HOME and no AWS settings.
 */
final class Launcher {
    static final String VERSION = System.getProperty("zarrfetch.version");
    static final long GUARD_SECONDS = 120;

    /** A temporary folder of the test class. */
    final Path dir;
    /** Symlinks to the programs the launcher runs: the PATH of every run. */
    final Path tools;
    /** The working folder of the runs: neither the installation nor the build's. */
    final Path work;

    record Run(int exit, String out, String err) {
    }

    Launcher(Path dir) throws Exception {
        this.dir = dir;
        tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("bash", "readlink", "stat", "sed", "uname", "ldd")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        work = Files.createDirectories(dir.resolve("work"));
    }

    /** Unpacks a tarball into {@code into} with tar, as a user would; the one folder it holds. */
    static Path untar(Path tarball, Path into) throws Exception {
        Files.createDirectories(into);
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", into.toString()).inheritIO().start();
        assertThat(tar.waitFor()).as("tar -xzf " + tarball).isZero();
        try (Stream<Path> s = Files.list(into)) {
            List<Path> top = s.toList();
            assertThat(top).as("the tarball holds one folder").hasSize(1);
            return top.getFirst();
        }
    }

    private static Path which(String program) {
        for (String d : System.getenv("PATH").split(":")) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(program + " is not on PATH");
    }

    /** The environment of the runs: PATH of the launcher's programs alone, JAVA_HOME this JDK, no AWS settings. */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", tools.toString());
        env.put("HOME", dir.resolve("home").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("AWS_CONFIG_FILE", dir.resolve("no-aws/config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws/credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /**
     * Serves {@code files} over HTTPS (an HTTP file server behind a TLS front, its certificate from a CA made here)
     * while {@code body} runs with the base URL and the CA's PEM file.
     */
    static void overHttps(Path files, Path work, HttpsBody body) throws Exception {
        TestPki ca = TestPki.create("zarrfetch distribution test CA");
        Path pem = ca.writePem(work.resolve("ca.pem"));
        try (HttpFileServer http = HttpFileServer.start(files);
             FaultProxy https = FaultProxy.startTls(http.url(), 1, ca.issue("127.0.0.1"))) {
            body.run(https.url().toString(), pem);
        }
    }

    interface HttpsBody {
        void run(String url, Path caPem) throws Exception;
    }

    Run run(Path launcher, String... args) throws Exception {
        return run(environment(), launcher, args);
    }

    /** Runs {@code launcher} with {@code args} in {@link #work}, with exactly {@code env} as its environment. */
    Run run(Map<String, String> env, Path launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in " + GUARD_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
