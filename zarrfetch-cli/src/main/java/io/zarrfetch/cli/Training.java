package io.zarrfetch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The training run behind the distribution's AOT cache (docs/decisions/0006-start-up.md): the build starts servers,
 * writes the commands to run against them into a file and runs {@code bin/zarrfetch} with
 * {@code -XX:AOTCacheOutput} and {@code -Dzarrfetch.training=FILE}. The commands then run here one after the other,
 * each as {@link Main} runs one, so that the cache holds the classes of all of them (TLS's included) and the JVM
 * that records it has the installation's exact class path and options.
 *
 * <p>The file has one command a line: the exit status it must end with, then its arguments, separated by tabs.
 */
final class Training {
    private Training() {
    }

    /** Runs the commands of {@code file}; 0 when each ended as expected, else 1 after saying which did not. */
    static int run(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training commands " + file, e);
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t");
            int expected = Integer.parseInt(fields[0]);
            String[] args = Arrays.copyOfRange(fields, 1, fields.length);
            int status = Main.commandLine(System.getenv(), args).execute(args);
            if (status != expected) {
                System.err.println("zarrfetch training: exit status " + status + " instead of " + expected + ": "
                        + String.join(" ", args));
                return 1;
            }
        }
        return 0;
    }
}
