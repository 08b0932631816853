package io.zarrfetch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
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
        "Copies objects into a local folder, many at once, in bounded memory.",
        "A prefix URL (ending in '/', a bucket, a folder, or an S3 key with objects below it) copies every object "
                + "under it to DEST/<key below the prefix>; an object URL copies to DEST/<its last path segment>.",
        "Each file is written under a temporary name and renamed when complete. Keys that would land outside DEST "
                + "('..', absolute paths, backslashes, control characters) are refused; the rest are copied."},
        footer = {"", "Exit status: 0 when everything was copied, 1 when anything failed (one line per failed "
                + "object on stderr), 2 for bad usage.", "", "Examples:",
                "  zarrfetch cp --no-sign-request s3://mur-sst/zarr-v1/analysed_sst/0.1.0 ./chunks/",
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

    @Parameters(paramLabel = "SRC|DEST", arity = "1..*", description = "Sources, then the destination folder.")
    List<String> args;

    @Override
    public Integer call() throws Exception {
        if (args.size() < (from == null ? 2 : 1)) {
            throw new ParameterException(spec.commandLine(), "cp needs at least one SRC (or --from FILE) and DEST");
        }
        String dest = args.getLast();
        if (dest.matches("(?i)(s3|https?)://.*")) {
            throw new ParameterException(spec.commandLine(), "DEST must be a local folder, not " + dest);
        }
        List<String> sources = args.subList(0, args.size() - 1);
        FetchOptions options = fetch.options();
        FetchReport report;
        try (Stores stores = new Stores(store.options(options.concurrency()));
                Fetcher fetcher = new Fetcher(options)) {
            report = Fetching.run(fetcher, Fetching.items(stores, sources, from), Sink.files(Path.of(dest)),
                    output.quiet);
        }
        Fetching.printFailures(report, spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        double seconds = report.wall().toNanos() / 1e9;
        if (output.json) {
            out.println(new Json().put("objects", report.objects()).put("bytes", report.bytes())
                    .put("wall_seconds", seconds).put("failed", report.failures().size())
                    .put("requests", report.requests()).put("retries", report.retries())
                    .put("hedges", report.hedges()).put("hedges_won", report.hedgesWon())
                    .put("checksums_verified", report.verified())
                    .put("cancelled", report.cancelled()).put("destination", Path.of(dest).toAbsolutePath()));
        } else if (!output.quiet) {
            spec.commandLine().getErr().printf(Locale.ROOT, "copied %d object%s, %s in %.2f s (%.0f MB/s)%s%n",
                    report.objects(), report.objects() == 1 ? "" : "s",
                    Sizes.format(report.bytes()), seconds, report.bytes() / Math.max(seconds, 1e-9) / 1e6,
                    report.failures().isEmpty() ? "" : "; " + report.failures().size() + " failed");
        }
        out.flush();
        if (report.objects() == 0 && report.failures().isEmpty() && !report.cancelled()) {
            spec.commandLine().getErr().println("zarrfetch: nothing to copy: the sources name no objects");
            return 1;
        }
        return report.ok() ? 0 : 1;
    }
}
