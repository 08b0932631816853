package io.zarrfetch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.zarrfetch.fetch.FetchFailure;
import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.FetchRun;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.KeyPaths;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Stores;

/** The steps cp, bench and demo share: sources to items, a fetch with progress and Ctrl-C, failures printed. */
final class Fetching {
    private Fetching() {
    }

    /** The items named by source URLs (prefixes listed as they stream) and by the lines of a --from file. */
    static Stream<FetchItem> items(Stores stores, List<String> sources, String fromFile) throws IOException {
        Stream<FetchItem> items = stores.resolveAll(sources).stream().flatMap(FetchItem::of);
        if (fromFile != null) {
            items = Stream.concat(items, fromLines(stores, fromFile));
        }
        return items;
    }

    /** One object URL a line ('#' comments and blank lines skipped); a URL ending in '/' names a prefix. */
    private static Stream<FetchItem> fromLines(Stores stores, String file) throws IOException {
        BufferedReader reader = file.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        return reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).flatMap(url -> {
            Stores.Location loc = stores.locate(url);
            String key = loc.key();
            Source s = key.isEmpty() || key.endsWith("/") ? new Source(url, loc.store(), key, null)
                    : new Source(url, loc.store(), key, ObjectInfo.of(key));
            return FetchItem.of(s);
        }).onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Runs a fetch to its end, with a progress line on a terminal; Ctrl-C cancels it and removes partial files. */
    static FetchReport run(Fetcher fetcher, Stream<FetchItem> items, Sink sink, boolean quiet)
            throws InterruptedException {
        return run(fetcher, items, sink, quiet, null);
    }

    /** The same, also recording throughput over time to {@code trace} when it is not null. */
    static FetchReport run(Fetcher fetcher, Stream<FetchItem> items, Sink sink, boolean quiet, Path trace)
            throws InterruptedException {
        FetchRun run = fetcher.start(items, sink);
        Thread hook = new Thread(() -> {
            run.cancel();
            try {
                run.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "zarrfetch-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try (AutoCloseable progress = Progress.show(run::progress, quiet);
                AutoCloseable recorder = Trace.to(trace, run::progress)) {
            return run.await();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running.
            }
        }
    }

    /** One line per failed object on stderr, naming it and the cause. */
    static void printFailures(FetchReport report, PrintWriter err) {
        for (FetchFailure f : report.failures()) {
            String line = KeyPaths.printable(f.describe());
            err.println("zarrfetch: failed: " + line.substring(1, line.length() - 1));
        }
        err.flush();
    }
}
