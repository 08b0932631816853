package io.zarrfetch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import io.zarrfetch.fetch.FetchFailure;
import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.FetchRun;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.FileErrors;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Stores;
import picocli.CommandLine.Model.CommandSpec;

/** The steps cp, bench and demo share: sources to items, a fetch with progress and Ctrl-C, failures printed. */
final class Fetching {
    private Fetching() {
    }

    /**
     * The objects that sources (prefixes listed as they stream) and the lines of a --from file name, and the lines
     * that named nothing to fetch: each fails on its own, as {@code FILE:LINE: why}, and the others are fetched.
     */
    static final class Inputs {
        private final Queue<String> badLines = new ConcurrentLinkedQueue<>();
        private final Stream<FetchItem> items;

        /**
         * @param sources what the source URLs name ({@link #resolve})
         * @param fromFile the --from file, or {@code null}
         * @throws Flags.BadInput when the --from file cannot be opened
         */
        Inputs(CommandSpec command, Stores stores, List<Source> sources, String fromFile) {
            Stream<FetchItem> s = sources.stream().flatMap(source -> Fetching.items(source, null));
            this.items = fromFile == null ? s : Stream.concat(s, fromLines(command, stores, fromFile));
        }

        /** The items; the --from file is read as they are taken. */
        Stream<FetchItem> items() {
            return items;
        }

        /** The lines of the --from file read so far that named nothing to fetch, as {@code FILE:LINE: why}. */
        List<String> badLines() {
            return List.copyOf(badLines);
        }

        /** One object URL a line ('#' comments and blank lines skipped); a URL ending in '/' names a prefix. */
        private Stream<FetchItem> fromLines(CommandSpec command, Stores stores, String file) {
            BufferedReader reader;
            try {
                reader = file.equals("-")
                        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Flags.BadInput(command, "--from " + FileErrors.describe(Path.of(file), e));
            }
            AtomicLong lineNumber = new AtomicLong();
            return reader.lines().flatMap(text -> {
                long n = lineNumber.incrementAndGet();
                String url = text.strip();
                if (url.isEmpty() || url.startsWith("#")) {
                    return Stream.empty();
                }
                try {
                    Stores.Location loc = stores.locate(url);
                    String key = loc.key();
                    if (key.isEmpty() && !loc.store().canList()) {
                        throw new IllegalArgumentException("plain HTTP servers cannot list objects; name an object: "
                                + url);
                    }
                    return FetchItem.of(key.isEmpty() || key.endsWith("/") ? new Source(url, loc.store(), key, null)
                            : new Source(url, loc.store(), key, ObjectInfo.of(key)));
                } catch (IllegalArgumentException e) {
                    badLines.add((file.equals("-") ? "stdin" : file) + ":" + n + ": " + e.getMessage());
                    return Stream.empty();
                }
            }).onClose(() -> {
                try {
                    reader.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * What each URL names, in order.
     *
     * @throws Flags.BadInput when a URL names no store (unsupported scheme, no bucket, ...)
     */
    static List<Source> resolve(CommandSpec command, Stores stores, List<String> urls) throws IOException {
        for (String url : urls) {
            locate(command, stores, url); // every URL checked before any is listed
        }
        try {
            return stores.resolveAll(urls);
        } catch (IllegalArgumentException e) {
            throw new Flags.BadInput(command, e.getMessage());
        }
    }

    /**
     * Where a URL points.
     *
     * @throws Flags.BadInput when it names no store
     */
    static Stores.Location locate(CommandSpec command, Stores stores, String url) {
        try {
            return stores.locate(url);
        } catch (IllegalArgumentException e) {
            throw new Flags.BadInput(command, e.getMessage());
        }
    }

    /**
     * The items of one source, named relative to it, or {@code name} for an object when given. A URL that names a
     * key, where no object has that key and none is under {@code key/}, gives one item for the key: its fetch fails
     * "no such object" naming the URL, as the same URL in a --from file does.
     */
    static Stream<FetchItem> items(Source source, String name) {
        if (!source.isPrefix()) {
            return Stream.of(new FetchItem(source.store(), source.object(),
                    name != null ? name : source.name(source.object())));
        }
        Stream<FetchItem> listed = FetchItem.of(source);
        return namesKey(source) ? orElse(listed, () -> missing(source, name)) : listed;
    }

    /** Whether a prefix source came from a URL naming a key (s3://b/k, not s3://b/k/) that no object has. */
    static boolean namesKey(Source source) {
        return source.isPrefix() && source.store().canList() && !source.prefix().isEmpty()
                && !source.url().endsWith("/");
    }

    /** The item for the key of a {@link #namesKey} source, named {@code name} or after the key's last segment. */
    static FetchItem missing(Source source, String name) {
        String key = source.prefix().substring(0, source.prefix().length() - 1);
        return new FetchItem(source.store(), ObjectInfo.of(key),
                name != null ? name : key.substring(key.lastIndexOf('/') + 1));
    }

    /** {@code items}, or, when it turns out empty, the one item {@code fallback} makes. As lazy as the listing. */
    private static <T> Stream<T> orElse(Stream<T> items, Supplier<T> fallback) {
        Iterator<T> it = items.iterator();
        Iterator<T> or = new Iterator<>() {
            private boolean any;
            private boolean fellBack;

            @Override
            public boolean hasNext() {
                return it.hasNext() || !any && !fellBack;
            }

            @Override
            public T next() {
                if (it.hasNext()) {
                    any = true;
                    return it.next();
                }
                if (any || fellBack) {
                    throw new NoSuchElementException();
                }
                fellBack = true;
                return fallback.get();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(or, Spliterator.ORDERED), false)
                .onClose(items::close);
    }

    /** Runs a fetch to its end, with a progress line on a terminal; Ctrl-C cancels it and removes partial files. */
    static FetchReport run(Fetcher fetcher, Stream<FetchItem> items, Sink sink, boolean quiet)
            throws IOException, InterruptedException {
        return run(fetcher, items, sink, quiet, null);
    }

    /**
     * The same, also recording throughput over time to {@code trace} when it is not null.
     *
     * @throws IOException when the trace cannot be written
     */
    static FetchReport run(Fetcher fetcher, Stream<FetchItem> items, Sink sink, boolean quiet, Path trace)
            throws IOException, InterruptedException {
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
        } catch (UncheckedIOException e) {
            run.cancel();
            throw e.getCause();
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

    /** One line per failed object (and bad --from line, before them) on stderr, naming it and the cause. */
    static void printFailures(FetchReport report, List<String> badLines, PrintWriter err) {
        for (String line : badLines) {
            err.println("zarrfetch: failed: " + Main.printable(line));
        }
        for (FetchFailure f : report.failures()) {
            err.println("zarrfetch: failed: " + Main.printable(f.describe()));
        }
        err.flush();
    }
}
