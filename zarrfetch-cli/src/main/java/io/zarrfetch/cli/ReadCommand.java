package io.zarrfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.FileErrors;
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
        FetchOptions options = fetch.options(store.aws());
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
                    write(array, selection, temp, bytes);
                    Files.copy(temp, System.out);
                    System.out.flush();
                } finally {
                    Files.deleteIfExists(temp);
                }
            } else {
                write(array, selection, Path.of(outputFile), bytes);
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

    /**
     * {@link #writeFile}, once the file's folder is known to have room for its {@code bytes}; its file system errors
     * said in words.
     */
    private static void write(ZarrArray array, Selection selection, Path target, long bytes) throws IOException,
            InterruptedException {
        checkRoom(target, bytes);
        try {
            writeFile(array, selection, target);
        } catch (FileSystemException e) {
            throw new IOException(FileErrors.cannotWrite(target, e), e);
        } catch (RuntimeException | Error e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof InternalError && String.valueOf(c.getMessage()).contains("unsafe memory access")) {
                    // the JDK's word for a write to a file mapping that found no disk space behind it (SIGBUS)
                    throw new IOException(FileErrors.cannotWrite(target, c), e);
                }
            }
            throw e;
        }
    }

    /**
     * Fails before anything is fetched when {@code target} cannot hold {@code bytes}: its folder is a file, or its file
     * system has less room. (A write to a memory-mapped file that finds no room stops the program with an obscure
     * error, which {@link #write} translates; this says it early, in plain words, in the usual case.)
     */
    private static void checkRoom(Path target, long bytes) throws IOException {
        Path existing = target.toAbsolutePath().getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new IOException("cannot write " + target + ": not a folder (at " + existing + ")");
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        if (bytes > free) {
            throw new IOException("cannot write " + target + ": no space left on device (the selection takes "
                    + Sizes.format(bytes) + ", " + Sizes.format(free) + " are free there)");
        }
    }

    /**
     * Writes the .npy header, then reads the selection straight into the file through a memory map, under a
     * temporary name renamed when complete. Not synced to disk, like cp's files.
     */
    private static void writeFile(ZarrArray array, Selection selection, Path target) throws IOException,
            InterruptedException {
        Selection.Resolved r = selection.resolve(array.metadata().shape());
        byte[] header = Npy.header(array.metadata().dtype(), r.resultShape());
        long bytes = Math.multiplyExact(r.elements(), array.metadata().dtype().size());
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // named and created like cp's partial files: default permissions (createTempFile's are owner-only)
        Path temp = dir.resolve(".zf-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + ".npy.part");
        temp.toFile().deleteOnExit(); // also on Ctrl-C, which ends the JVM without running the finally below
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
                    Arena arena = Arena.ofShared()) {
                ByteBuffer h = ByteBuffer.wrap(header);
                while (h.hasRemaining()) {
                    ch.write(h, h.position());
                }
                if (bytes > 0) {
                    MemorySegment region = ch.map(FileChannel.MapMode.READ_WRITE, header.length, bytes, arena);
                    try (Prefault ahead = Prefault.start(region)) {
                        array.read(selection, region);
                    }
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }
}
