package io.zarrfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
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

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Fetches objects and drops them, then reports like the seed's race: objects, bytes, wall seconds, MB/s, CPU "
                + "seconds, JVM allocated bytes and peak pooled memory.",
        "Each object's parts are taken in order as they arrive, so objects of any size are measured within "
                + "--memory-limit.",
        "Sources are named as for cp."},
        footer = {"", "Examples:", "  zarrfetch bench --no-sign-request s3://mur-sst/zarr-v1/analysed_sst/",
                "  zarrfetch bench --json --from urls.txt",
                "  zarrfetch bench --trace trace.csv s3://bucket/prefix/"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Store store;

    @Mixin
    Flags.Fetch fetch;

    @Mixin
    Flags.Output output;

    @Option(names = "--from", paramLabel = "FILE", description = "Also fetch the objects named in FILE, one URL a "
            + "line ('-' reads stdin).")
    String from;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write throughput over time to FILE (CSV, a line "
            + "every 100 ms: seconds, bytes received, MB/s, requests in flight, concurrency, buffer bytes, objects).")
    Path trace;

    @Parameters(paramLabel = "SRC", arity = "0..*", description = "Sources: prefix or object URLs.")
    List<String> sources = List.of();

    @Override
    public Integer call() throws Exception {
        if (sources.isEmpty() && from == null) {
            throw new ParameterException(spec.commandLine(), "bench needs at least one SRC or --from FILE");
        }
        FetchOptions options = fetch.options();
        Measurement m = Measurement.start();
        FetchReport report;
        Fetching.Inputs inputs;
        try (Stores stores = new Stores(store.options(options.concurrency()));
                Fetcher fetcher = new Fetcher(options)) {
            inputs = new Fetching.Inputs(spec, stores, Fetching.resolve(spec, stores, sources), from);
            report = Fetching.run(fetcher, inputs.items(), Sink.discard(), output.quiet, trace);
        }
        Measurement.Result r = m.stop();
        List<String> badLines = inputs.badLines();
        Fetching.printFailures(report, badLines, spec.commandLine().getErr());
        print(spec.commandLine().getOut(), report, r, options, output, java.util.Map.of(), badLines.size());
        return report.ok() && badLines.isEmpty() ? 0 : 1;
    }

    /** Prints a fetch report with its CPU and memory figures: lines for people, or one JSON line. */
    static void print(PrintWriter out, FetchReport report, Measurement.Result m, FetchOptions options,
            Flags.Output output) {
        print(out, report, m, options, output, java.util.Map.of(), 0);
    }

    /**
     * The same, with {@code extra} fields added to the JSON line, and {@code alsoFailed} items that failed before
     * they could be fetched (bad --from lines) counted among the failed.
     */
    static void print(PrintWriter out, FetchReport report, Measurement.Result m, FetchOptions options,
            Flags.Output output, java.util.Map<String, Object> extra, int alsoFailed) {
        int failed = report.failures().size() + alsoFailed;
        double seconds = report.wall().toNanos() / 1e9;
        double gb = report.bytes() / 1e9;
        double mbps = report.bytes() / Math.max(seconds, 1e-9) / 1e6;
        if (output.json) {
            out.println(new Json()
                    .put("objects", report.objects())
                    .put("bytes", report.bytes())
                    .put("wall_seconds", seconds)
                    .put("mb_per_s", mbps)
                    .put("cpu_seconds", m.cpuSeconds())
                    .put("cpu_seconds_per_gb", gb > 0 ? m.cpuSeconds() / gb : null)
                    .put("process_cpu_seconds", m.processCpuSeconds())
                    .put("allocated_bytes", m.allocatedBytes())
                    .put("allocated_fraction", report.bytes() > 0 ? (double) m.allocatedBytes() / report.bytes()
                            : null)
                    .put("peak_pooled_bytes", report.peakBufferBytes())
                    .put("peak_rss_bytes", m.peakRssBytes())
                    .put("requests", report.requests())
                    .put("retries", report.retries())
                    .put("hedges", report.hedges())
                    .put("hedges_won", report.hedgesWon())
                    .put("hedging", options.hedging().enabled())
                    .put("checksums_verified", report.verified())
                    .put("changed_since_listing", report.changedSinceListing())
                    .put("failed", failed)
                    .put("concurrency", options.concurrency())
                    .put("adaptive", options.adaptive())
                    .put("max_concurrency_used", report.maxConcurrency())
                    .put("part_size", report.partSize())
                    .put("memory_limit", options.memoryLimit()).putAll(extra));
        } else if (!output.quiet) {
            out.printf(Locale.ROOT, "objects          %d%s%n", report.objects(),
                    failed == 0 ? "" : " (" + failed + " failed)");
            out.printf(Locale.ROOT, "bytes            %d (%s)%n", report.bytes(), Sizes.format(report.bytes()));
            out.printf(Locale.ROOT, "wall             %.2f s%n", seconds);
            out.printf(Locale.ROOT, "throughput       %.0f MB/s (%.2f Gbit/s)%n", mbps, mbps * 8 / 1000);
            out.printf(Locale.ROOT, "CPU              %.2f s (%.2f s/GB); whole process %.2f s%n", m.cpuSeconds(),
                    gb > 0 ? m.cpuSeconds() / gb : 0, m.processCpuSeconds());
            out.printf(Locale.ROOT, "JVM allocated    %s (%.3f%% of bytes fetched)%n",
                    Sizes.format(m.allocatedBytes()), report.bytes() > 0 ? 100.0 * m.allocatedBytes()
                            / report.bytes() : 0);
            out.printf(Locale.ROOT, "peak pooled      %s (limit %s)%n", Sizes.format(report.peakBufferBytes()),
                    Sizes.format(options.memoryLimit()));
            if (m.peakRssBytes() > 0) {
                out.printf(Locale.ROOT, "peak RSS         %s%n", Sizes.format(m.peakRssBytes()));
            }
            if (report.changedSinceListing() > 0) {
                out.printf(Locale.ROOT, "changed          %d object%s since listed, fetched again as now%n",
                        report.changedSinceListing(), report.changedSinceListing() == 1 ? "" : "s");
            }
            out.printf(Locale.ROOT, "requests         %d (%d retries, %d hedges of which %d won), concurrency %s, "
                    + "parts of %s%n", report.requests(), report.retries(), report.hedges(), report.hedgesWon(),
                    options.adaptive() ? "adaptive (up to "
                            + report.maxConcurrency() + " of " + options.concurrency() + ")"
                            : Integer.toString(options.concurrency()), Sizes.format(report.partSize()));
        }
        out.flush();
    }

    /** CPU time, heap allocation and peak RSS of this process over a stretch of work. */
    record Measurement(long cpuNanos, long allocated) {
        record Result(double cpuSeconds, double processCpuSeconds, long allocatedBytes, long peakRssBytes) {
        }

        private static com.sun.management.OperatingSystemMXBean os() {
            return (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        }

        private static com.sun.management.ThreadMXBean threads() {
            return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        }

        static Measurement start() {
            return new Measurement(os().getProcessCpuTime(), threads().getTotalThreadAllocatedBytes());
        }

        Result stop() {
            long cpu = os().getProcessCpuTime();
            long alloc = threads().getTotalThreadAllocatedBytes();
            return new Result((cpu - cpuNanos) / 1e9, cpu / 1e9, alloc - allocated, peakRss());
        }

        /** VmHWM from /proc/self/status, or 0 where there is none. */
        private static long peakRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // Not Linux: no figure.
            }
            return 0;
        }
    }
}
