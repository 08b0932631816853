package io.zarrfetch.cli;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cp", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Copies objects into a local folder (or one object to a file), many at once, in bounded memory.",
        "A prefix URL (ending in '/', a bucket, a folder, or an S3 key with objects below it) copies every object "
                + "under it to DEST/<key below the prefix>; an object URL copies to DEST/<its last path segment>. "
                + "One object URL and a DEST that is not a folder and does not end in '/' copies to the file DEST, "
                + "as 'aws s3 cp' does.",
        "Each file is written under a temporary name and renamed when complete. Keys that would land outside DEST "
                + "('..', absolute paths, backslashes, control characters) are refused; the rest are copied."},
        footer = {"", "Exit status: 0 when everything was copied, 1 when anything failed (one line per failed "
                + "object on stderr), 2 for bad usage.", "", "Examples:",
                "  zarrfetch cp --no-sign-request s3://mur-sst/zarr-v1/analysed_sst/0.1.0 ./chunks/",
                "  zarrfetch cp --no-sign-request s3://mur-sst/zarr-v1/analysed_sst/.zarray zarray.json",
                "  zarrfetch cp --endpoint http://127.0.0.1:9000 s3://bucket/arr/ ./arr/",
                "  zarrfetch cp --from urls.txt ./downloads/"})
final class CpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Store store;

    @Mixin
    Flags.Fetch fetch;

    @Mixin
    Flags.Output output;

    @Option(names = "--from", paramLabel = "FILE",
            description = "Also copy the objects named in FILE, one URL a line ('-' reads stdin).")
    String from;

    @Parameters(paramLabel = "SRC|DEST", arity = "1..*", description = "Sources, then the destination: a folder, or "
            + "a file for one object.")
    List<String> args;

    @Override
    public Integer call() throws Exception {
        if (args.size() < (from == null ? 2 : 1)) {
            throw new ParameterException(spec.commandLine(), "cp needs at least one SRC (or --from FILE) and DEST");
        }
        String dest = args.getLast();
        if (dest.matches("(?i)(s3|https?)://.*")) {
            throw new ParameterException(spec.commandLine(), "DEST must be a local folder or file, not " + dest);
        }
        List<String> sources = args.subList(0, args.size() - 1);
        FetchOptions options = fetch.options();
        FetchReport report;
        List<String> badLines;
        try (Stores stores = new Stores(store.options(options.concurrency()));
                Fetcher fetcher = new Fetcher(options)) {
            Fetching.Inputs inputs = null;
            Stream<FetchItem> items;
            Path folder = Path.of(dest);
            List<Source> resolved = Fetching.resolve(spec, stores, sources);
            Path file = fileDestination(dest, resolved);
            if (file != null) {
                // one object to a file name, as 'aws s3 cp s3://b/k out.bin': written (and checked) as cp writes
                // every file, in the folder it names
                folder = file.toAbsolutePath().getParent();
                Source source = resolved.getFirst();
                String name = file.getFileName().toString();
                items = source.isPrefix() ? Stream.of(Fetching.missing(source, name)) : Fetching.items(source, name);
            } else {
                inputs = new Fetching.Inputs(spec, stores, resolved, from);
                items = inputs.items();
            }
            report = Fetching.run(fetcher, items, Sink.files(folder), output.quiet);
            badLines = inputs == null ? List.of() : inputs.badLines();
        }
        Fetching.printFailures(report, badLines, spec.commandLine().getErr());
        int failed = report.failures().size() + badLines.size();
        PrintWriter out = spec.commandLine().getOut();
        double seconds = report.wall().toNanos() / 1e9;
        if (output.json) {
            out.println(new Json().put("objects", report.objects()).put("bytes", report.bytes())
                    .put("wall_seconds", seconds).put("failed", failed)
                    .put("requests", report.requests()).put("retries", report.retries())
                    .put("hedges", report.hedges()).put("hedges_won", report.hedgesWon())
                    .put("checksums_verified", report.verified())
                    .put("changed_since_listing", report.changedSinceListing())
                    .put("cancelled", report.cancelled()).put("destination", Path.of(dest).toAbsolutePath()));
        } else if (!output.quiet) {
            spec.commandLine().getErr().printf(Locale.ROOT, "copied %d object%s, %s in %.2f s (%.0f MB/s)%s%s%n",
                    report.objects(), report.objects() == 1 ? "" : "s",
                    Sizes.format(report.bytes()), seconds, report.bytes() / Math.max(seconds, 1e-9) / 1e6,
                    report.changedSinceListing() == 0 ? "" : "; " + report.changedSinceListing() + " changed since "
                            + "listed, copied as now", failed == 0 ? "" : "; " + failed + " failed");
        }
        out.flush();
        if (report.objects() == 0 && failed == 0 && !report.cancelled()) {
            spec.commandLine().getErr().println("zarrfetch: nothing to copy: no objects "
                    + (sources.isEmpty() ? "" : "under " + String.join(", ", sources) + (from != null ? " nor " : ""))
                    + (from != null ? "in --from " + from : ""));
            return 1;
        }
        return failed == 0 && report.ok() ? 0 : 1;
    }

    /**
     * The file one source copies to: DEST, when the source is one object (or a key that names none: its fetch then
     * fails, naming it) and DEST is not an existing folder and does not end in '/', as with 'aws s3 cp'. {@code null}
     * when DEST is a folder.
     */
    private Path fileDestination(String dest, List<Source> sources) {
        if (sources.size() != 1 || from != null || dest.endsWith("/") || dest.endsWith(File.separator)) {
            return null;
        }
        Path p = Path.of(dest);
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (Files.isDirectory(p) || name.isEmpty() || name.equals(".") || name.equals("..")) {
            return null;
        }
        Source source = sources.getFirst();
        return !source.isPrefix() || Fetching.namesKey(source) && nothingUnder(source) ? p : null;
    }

    /** Whether a prefix lists nothing: one listing request. */
    private static boolean nothingUnder(Source source) {
        try (Stream<ObjectInfo> objects = source.objects()) {
            return objects.findFirst().isEmpty();
        }
    }
}
