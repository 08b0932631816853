package io.zarrfetch.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.StoreException;
import io.zarrfetch.store.Stores;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.ZarrArray;
import io.zarrfetch.zarr.ZarrGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Describes a Zarr array (v2 or v3): format, shape, chunks, data type, codecs, fill value, chunk count, and, "
                + "when the store can list, the chunks present and the bytes they take. For a group: its arrays."},
        footer = {"", "Examples:", "  zarrfetch info --no-sign-request s3://mur-sst/zarr-v1/analysed_sst",
                "  zarrfetch info --json ./data.zarr/temperature"})
final class InfoCommand implements Callable<Integer> {
    private static final Set<String> METADATA = Set.of(".zarray", ".zattrs", ".zgroup", ".zmetadata", "zarr.json");

    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Store store;

    @Mixin
    Flags.Output output;

    @Option(names = "--no-count", description = "Do not list the store to count the chunks present.")
    boolean noCount;

    @Parameters(paramLabel = "URL", description = "The array's (or group's) URL: s3://..., https://..., a folder.")
    String url;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = new Stores(store.options(8));
                Fetcher fetcher = new Fetcher(io.zarrfetch.fetch.FetchOptions.defaults())) {
            Stores.Location loc = Fetching.locate(spec, stores, url);
            ZarrArray array;
            try {
                array = ZarrArray.open(loc.store(), loc.key(), fetcher);
            } catch (StoreException e) {
                if (!e.notFound()) {
                    throw e;
                }
                ZarrGroup group = ZarrGroup.open(loc.store(), loc.key());
                if (group == null) {
                    throw new StoreException(loc.store().url(loc.key()), 404, false,
                            "no Zarr array or group here (no zarr.json, .zarray or .zgroup)");
                }
                printGroup(out, group, stores, fetcher);
                return 0;
            }
            printArray(out, array);
        }
        out.flush();
        return 0;
    }

    private void printArray(PrintWriter out, ZarrArray array) {
        ArrayMetadata m = array.metadata();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("url", array.url());
        info.put("node", "array");
        info.put("zarr_format", m.zarrFormat());
        info.put("shape", Arrays.stream(m.shape()).boxed().toList());
        info.put("chunks", Arrays.stream(m.chunks()).boxed().toList());
        info.put("dtype", m.dtype().numpyDescr());
        info.put("codecs", m.codecNames());
        info.put("fill_value", m.fillValueDescription());
        info.put("chunk_count", m.chunkCount());
        if (m.dimensionNames() != null) {
            info.put("dimension_names", m.dimensionNames());
        }
        if (!noCount && array.store().canList()) {
            long present = 0;
            long bytes = 0;
            Iterator<ObjectInfo> it = array.store().list(array.path()).iterator();
            while (it.hasNext()) {
                ObjectInfo o = it.next();
                if (!METADATA.contains(o.key().substring(array.path().length()))) {
                    present++;
                    bytes += Math.max(0, o.size());
                }
            }
            info.put("chunks_present", present);
            info.put("stored_bytes", bytes);
        }
        info.put("attributes", m.attributes());
        if (output.json) {
            Json j = new Json();
            info.forEach(j::put);
            out.println(j);
            return;
        }
        out.printf("%-16s %s%n", "url", array.url());
        out.printf("%-16s %d%n", "zarr format", m.zarrFormat());
        out.printf("%-16s %s%n", "shape", tuple(m.shape()));
        out.printf("%-16s %s%n", "chunks", tuple(Arrays.stream(m.chunks()).asLongStream().toArray()));
        out.printf("%-16s %s%n", "dtype", m.dtype().numpyDescr());
        out.printf("%-16s %s%n", "codecs", String.join(", ", m.codecNames()));
        out.printf("%-16s %s%n", "fill value", m.fillValueDescription());
        out.printf(Locale.ROOT, "%-16s %,d (%s per axis)%n", "chunk count", m.chunkCount(), tuple(m.chunkCounts()));
        if (info.containsKey("chunks_present")) {
            out.printf(Locale.ROOT, "%-16s %,d, %s%n", "chunks present", (long) info.get("chunks_present"),
                    Sizes.format((long) info.get("stored_bytes")));
        }
        if (m.dimensionNames() != null) {
            out.printf("%-16s %s%n", "dimensions", m.dimensionNames());
        }
        if (!m.attributes().isEmpty()) {
            String attrs = new Json().put("a", m.attributes()).toString();
            attrs = attrs.substring(5, attrs.length() - 1);
            out.printf("%-16s %s%n", "attributes", attrs.length() > 400 ? attrs.substring(0, 400) + "..." : attrs);
        }
    }

    private void printGroup(PrintWriter out, ZarrGroup group, Stores stores, Fetcher fetcher) throws Exception {
        List<String> arrays = group.arrays();
        if (output.json) {
            out.println(new Json().put("url", group.url()).put("node", "group")
                    .put("zarr_format", group.zarrFormat()).put("arrays", arrays)
                    .put("attributes", group.attributes()));
            return;
        }
        out.printf("%-16s %s%n", "url", group.url());
        out.printf("%-16s zarr v%d group, %d arrays%n", "node", group.zarrFormat(), arrays.size());
        for (String a : arrays) {
            try {
                ArrayMetadata m = ZarrArray.open(group.store(), group.path() + a, fetcher).metadata();
                out.printf("  %-30s %s %s chunks %s%n", a, m.dtype().numpyDescr(), tuple(m.shape()),
                        tuple(Arrays.stream(m.chunks()).asLongStream().toArray()));
            } catch (RuntimeException | java.io.IOException e) {
                out.printf("  %-30s (unreadable: %s)%n", a, e.getMessage());
            }
        }
    }

    static String tuple(long[] v) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            b.append(v[i]).append(i < v.length - 1 ? ", " : v.length == 1 ? "," : "");
        }
        return b.append(')').toString();
    }
}
