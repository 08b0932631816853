package io.zarrfetch.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.Stores;
import io.zarrfetch.zarr.Npy;
import io.zarrfetch.zarr.Selection;
import io.zarrfetch.zarr.ZarrArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Reads a region of a Zarr array (v2 or v3) and writes it as a NumPy .npy file (numpy.load reads it).",
        "Only the chunks the selection touches are fetched (for sharded arrays, only the inner chunks), all at "
                + "once, and decoded while the others arrive; chunks that do not exist read as the fill value. "
                + "A file is written in place through a memory map under a temporary name, renamed when complete."},
        footer = {"", "Examples:",
                "  zarrfetch read --no-sign-request s3://mur-sst/zarr-v1/analysed_sst --select '0:5,1799:3598,:' "
                        + "-o sst.npy",
                "  zarrfetch read ./data.zarr/temperature --select '-1,...' -o - > last.npy"})
final class ReadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Store store;

    @Mixin
    Flags.Fetch fetch;

    @Mixin
    Flags.Output output;

    @Option(names = "--select", paramLabel = "SELECTION", defaultValue = "",
            description = "NumPy-style selection: comma-separated start:stop:step slices, integers and '...' "
                    + "(default: everything).")
    String select;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "The .npy file to write, or '-' for standard output.")
    String outputFile;

    @Parameters(paramLabel = "URL", description = "The array's URL: s3://..., https://..., a folder.")
    String url;

    @Override
    public Integer call() throws Exception {
        Selection selection;
        try {
            selection = Selection.parse(select);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new Flags.BadInput(spec, "--select " + select + ": " + e.getMessage());
        }
        FetchOptions options = fetch.options();
        long t0 = System.nanoTime();
        long[] shape;
        long bytes;
        String descr;
        try (Stores stores = new Stores(store.options(options.concurrency()));
                Fetcher fetcher = new Fetcher(options)) {
            Stores.Location loc = Fetching.locate(spec, stores, url);
            ZarrArray array = ZarrArray.open(loc.store(), loc.key(), fetcher);
            Selection.Resolved r;
            try {
                r = selection.resolve(array.metadata().shape());
                shape = r.resultShape();
                bytes = Math.multiplyExact(r.elements(), array.metadata().dtype().size());
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new Flags.BadInput(spec, "--select " + select + ": " + e.getMessage());
            } catch (ArithmeticException e) {
                throw new Flags.BadInput(spec, "--select " + (select.isEmpty() ? "(everything)" : select)
                        + ": the selection of the array of shape " + InfoCommand.tuple(array.metadata().shape())
                        + " is too large: more than 2^63 - 1 bytes");
            }
            descr = array.metadata().dtype().numpyDescr();
            if (outputFile.equals("-")) {
                // through a temporary file, not memory: a selection may be larger than the memory there is
                Path temp = Files.createTempFile("zarrfetch-read-", ".npy");
                temp.toFile().deleteOnExit();
                try {
                    Npy.write(array, selection, temp);
                    Files.copy(temp, System.out);
                    System.out.flush();
                } finally {
                    Files.deleteIfExists(temp);
                }
            } else {
                Npy.write(array, selection, Path.of(outputFile));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter err = spec.commandLine().getErr();
        if (output.json) {
            spec.commandLine().getOut().println(new Json().put("url", url).put("output", outputFile)
                    .put("dtype", descr).put("shape", java.util.Arrays.stream(shape).boxed().toList())
                    .put("bytes", bytes).put("wall_seconds", seconds));
        } else if (!output.quiet) {
            err.printf(Locale.ROOT, "read %s %s (%s) in %.2f s%s%n", descr, InfoCommand.tuple(shape),
                    Sizes.format(bytes), seconds, outputFile.equals("-") ? "" : " into " + outputFile);
        }
        return 0;
    }
}
