package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;

/** {@code zarrfetch demo}, with this module on the class path, as the launcher runs it. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void runsTheRaceOnASmallDataSetAndReusesIt() {
        Run r = run("demo", "--small", "--chunks", "12", "--data", tmp.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("objects          12").contains("seed race");
        assertThat(r.err()).contains("S3Proxy");
        Run again = run("demo", "--small", "--chunks", "12", "--data", tmp.toString(), "--json");
        assertThat(again.exit()).isZero();
        assertThat(again.err()).as("the data set is reused").doesNotContain("Generating");
        assertThat(again.outLines().getLast()).contains("\"objects\":12", "\"failed\":0");
    }

    /** What bench/lib/gen_mur.sh runs: the data set alone, as a Zarr store in a folder. */
    @Test
    void writesTheDataSetAloneWhereItIsTold() throws Exception {
        Path dir = tmp.resolve("set");
        Run r = run("demo", "--quiet", "--small", "--chunks", "3", "--write-to", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(dir.resolve(".zgroup")).exists();
        assertThat(dir.resolve("analysed_sst/.zarray")).exists();
        for (int i = 0; i < 3; i++) {
            assertThat(Files.size(dir.resolve("analysed_sst/" + i + ".1.0"))).isPositive();
        }
    }

    @Test
    void rangeErrorsAreUsageErrorsAndGenerateNothing(@TempDir Path tmp) {
        Run chunks = run("demo", "--chunks", "0", "--data", tmp.toString());
        assertThat(chunks.exit()).isEqualTo(2);
        assertThat(chunks.err()).contains("--chunks: chunkCount must be 1..1289, got 0");
        Run port = run("demo", "--serve", "--port", "99999", "--data", tmp.toString());
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).contains("--port must be from 0 to 65535, was 99999");
        assertThat(tmp).as("no data set was generated for a run that cannot start").isEmptyDirectory();
    }

    @Test
    void helpPrintsNoPicocliWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Run r = run("demo", "--help");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("at most 5% of requests");
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    @Test
    void isListedAmongTheCommands() {
        assertThat(run("--help").out()).contains("demo");
        Object demo = Main.commandLine(CliTest.noAws()).getSubcommands().get("demo").getCommand();
        assertThat(demo).isInstanceOf(DemoCommand.class);
    }
}
