package io.zarrfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.zarrfetch.fetch.FetchItem;
import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.fetch.Sink;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.mur.MurDataset;
import io.zarrfetch.zarr.ArrayData;
import io.zarrfetch.zarr.Selection;
import io.zarrfetch.zarr.ZarrArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Runs the seed's race on this machine, with no network and no setup: an S3 server (S3Proxy) starts in "
                + "this process, holding a generated MUR-like Zarr data set (Blosc-LZ4 int16 chunks of ~28 MB, "
                + "named analysed_sst/{i}.1.0 like s3://mur-sst/zarr-v1); zarrfetch lists the array, then fetches "
                + "the chunks, and reports.",
        "Then it reads a region of the array as a user would (10 chunks, decoded into int16 values).",
        "The data set is generated on first use (~2.8 GB for 100 chunks, a minute or so) and kept for the next runs.",
        "With --serve, the S3 server stays up instead, for trying the other commands against it."},
        footer = {"", "Examples:", "  zarrfetch demo", "  zarrfetch demo --chunks 20 --concurrency 8",
                "  zarrfetch demo --small --json", "  zarrfetch demo --serve --port 9000"})
final class DemoCommand implements Callable<Integer> {
    private static final String BUCKET = "mur-sst";
    private static final String PREFIX = "zarr-v1/";

    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Fetch fetch;

    @Mixin
    Flags.Output output;

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "100",
            description = "Chunks in the race, like the seed's 100 (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--small", description = "Use small chunks (162 kB raw) instead of the real 64.8 MB ones.")
    boolean small;

    @Option(names = "--serve", description = "Instead of racing, keep the S3 server running (until Ctrl-C) so other "
            + "commands can try it: ls, cp and bench with --endpoint and --no-sign-request.")
    boolean serve;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "The S3 server's port on 127.0.0.1 (default: a free one).")
    int port;

    @Option(names = "--write-to", paramLabel = "DIR",
            description = "Only write the data set as a Zarr store in DIR (DIR/.zgroup, DIR/analysed_sst/...) and exit: "
                    + "for serving it with another server.")
    Path writeTo;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Where the generated data set is kept (default: ~/.cache/zarrfetch/demo).")
    Path data;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        boolean talk = !output.quiet && !output.json;
        MurDataset.Scale scale = small ? MurDataset.Scale.SMALL : MurDataset.Scale.FULL;
        if (port < 0 || port > 65535) {
            throw new Flags.BadInput(spec, "--port must be from 0 to 65535, was " + port);
        }
        FetchOptions options = fetch.options(); // its range errors before the data set is generated
        MurDataset dataset;
        try {
            dataset = new MurDataset(MurDataset.Options.defaults().withChunkCount(chunks).withScale(scale));
        } catch (IllegalArgumentException e) {
            throw new Flags.BadInput(spec, "--chunks: " + e.getMessage());
        }
        Path root = (data != null ? data : Path.of(System.getProperty("user.home"), ".cache", "zarrfetch", "demo"))
                .resolve(scale.name().toLowerCase(Locale.ROOT) + "-" + chunks);
        Path arrayDir = writeTo != null ? writeTo : root.resolve(BUCKET).resolve(PREFIX);
        if (writeTo != null) {
            root = writeTo;
        }
        if (!dataset.isWritten(arrayDir)) {
            ensureSpace(root, (long) chunks * scale.chunkBytes() / 2);
            if (talk) {
                err.printf("Generating the MUR-like data set: %d chunks of %s raw, Blosc-LZ4 with byte shuffle, in %s%n",
                        chunks, Sizes.format(scale.chunkBytes()), root);
            }
            long t0 = System.nanoTime();
            boolean redraw = talk && Progress.terminal();
            dataset.write(arrayDir, (done, total) -> {
                if (redraw) {
                    err.printf("\r  %d/%d chunks", done, total);
                    err.flush();
                }
            });
            if (talk) {
                err.printf("\r  %d chunks in %.1f s%n", chunks, (System.nanoTime() - t0) / 1e9);
            }
        }
        if (writeTo != null) {
            return 0;
        }
        Set<String> race = dataset.chunkKeys().stream().map(k -> PREFIX + k).collect(Collectors.toSet());
        if (serve) {
            try (S3Server server = S3Server.start(root, port)) {
                err.printf("Serving s3://%s/%s (%d chunks) at %s until Ctrl-C. Try:%n", BUCKET, PREFIX, chunks,
                        server.endpoint());
                err.printf("  ./zarrfetch ls --no-sign-request --endpoint %s s3://%s/%s%s/%n", server.endpoint(),
                        BUCKET, PREFIX, MurDataset.ARRAY_NAME);
                err.flush();
                Thread.currentThread().join(); // until the JVM is stopped
            }
            return 0;
        }
        try (S3Server server = S3Server.start(root);
                Stores stores = new Stores(StoreOptions.builtIn().withEndpoint(server.endpoint())
                        .withAnonymous(true).withMaxConnectionsPerHost(options.concurrency()));
                Fetcher fetcher = new Fetcher(options)) {
            String url = "s3://" + BUCKET + "/" + PREFIX + MurDataset.ARRAY_NAME + "/";
            if (talk) {
                err.flush();
                err.printf("S3 server (S3Proxy, in this process) at %s%n", server.endpoint());
                err.printf("Race: list %s, then fetch the %d chunks {i}.1.0 (concurrency %s, parts of %s, "
                        + "memory limit %s)%n", url, chunks, options.adaptive() ? "adaptive up to "
                        + options.concurrency() : options.concurrency(), Sizes.format(options.partSize()),
                        Sizes.format(options.memoryLimit()));
                err.flush();
            }
            BenchCommand.Measurement m = BenchCommand.Measurement.start();
            Source source = stores.resolve(url);
            FetchReport report = Fetching.run(fetcher, FetchItem.of(source)
                    .filter(i -> race.contains(i.object().key())), Sink.discard(), output.quiet);
            BenchCommand.Measurement.Result r = m.stop();
            Fetching.printFailures(report, List.of(), err);
            if (report.objects() != chunks || !report.ok()) {
                BenchCommand.print(spec.commandLine().getOut(), report, r, options, output);
                err.printf("zarrfetch: the race fetched %d of %d chunks%n", report.objects(), chunks);
                return 1;
            }
            ArrayRead read = readArray(stores, fetcher);
            PrintWriter out = spec.commandLine().getOut();
            BenchCommand.print(out, report, r, options, output, java.util.Map.of("read_selection", read.selection,
                    "read_bytes", read.bytes, "read_seconds", read.seconds, "read_mb_per_s",
                    read.bytes / read.seconds / 1e6), 0);
            if (talk) {
                out.printf(Locale.ROOT, "%nArray read: %s[%s] -> %s (%s decoded from %d Blosc-LZ4 chunks) in %.2f s "
                        + "(%.0f MB/s decoded)%nmean sea surface temperature over the ocean: %.2f K%n", read.url,
                        read.selection, read.shape, Sizes.format(read.bytes), read.chunks, read.seconds,
                        read.bytes / read.seconds / 1e6, read.meanKelvin);
                out.printf(Locale.ROOT, "%nThe seed race (../shared/MISSION.md) fetched 100 such chunks from S3: "
                        + "Python asyncio + aiohttp 37.7 s, Julia HTTP.jl 35.8 to 73.8 s.%n"
                        + "Here the S3 server runs in this process: the CPU, allocation and RSS above are "
                        + "the server's and the client's together.%n"
                        + "docs/benchmarks.md has the client alone, side by side with curl, aria2c, rclone and "
                        + "the seed's aiohttp code, also on an S3-like network.%n");
            }
            out.flush();
            return 0;
        }
    }

    private record ArrayRead(String url, String selection, String shape, long bytes, int chunks, double seconds,
            double meanKelvin) {
    }

    /** Chunks the array read decodes: enough to show decoding beside fetching, bounded for small machines. */
    private static final int READ_CHUNKS = 10;

    /** Reads a region of the array as a user would: metadata, chunks fetched and decoded, int16 values. */
    private ArrayRead readArray(Stores stores, Fetcher fetcher) throws Exception {
        ZarrArray array = ZarrArray.open(stores, "s3://" + BUCKET + "/" + PREFIX + MurDataset.ARRAY_NAME, fetcher);
        int[] cs = array.metadata().chunks();
        int n = Math.min(READ_CHUNKS, chunks);
        String sel = "0:" + n * cs[0] + "," + cs[1] + ":" + 2 * cs[1] + ",0:" + cs[2];
        long t0 = System.nanoTime();
        ArrayData data = array.read(Selection.parse(sel));
        double seconds = (System.nanoTime() - t0) / 1e9;
        // A real value from it: the mean of the ocean's temperatures, scaled as the attributes say.
        ShortBuffer values = data.asByteBuffer().asShortBuffer();
        double sum = 0;
        long ocean = 0;
        for (int i = 0; i < values.limit(); i++) {
            short v = values.get(i);
            if (v != MurDataset.FILL_VALUE) {
                sum += v;
                ocean++;
            }
        }
        return new ArrayRead(array.url(), sel, data.dtype().numpyDescr() + " " + InfoCommand.tuple(data.shape()),
                data.data().byteSize(), n, seconds,
                sum / Math.max(1, ocean) * MurDataset.SCALE_FACTOR + MurDataset.ADD_OFFSET);
    }

    private static void ensureSpace(Path root, long needed) throws IOException {
        Path existing = root.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            long free = Files.getFileStore(existing).getUsableSpace();
            if (free < needed) {
                throw new IOException("the demo data set needs about " + Sizes.format(needed) + " in " + root
                        + " but only " + Sizes.format(free) + " is free: use --data DIR elsewhere, or fewer --chunks");
            }
        }
    }
}
