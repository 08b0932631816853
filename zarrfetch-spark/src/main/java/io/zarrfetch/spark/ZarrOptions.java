package io.zarrfetch.spark;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.zarr.Selection;

/**
 * The options of a {@code zarr} read, checked: every error names the option, the value and what it takes.
 *
 * @param url the array's (or, for {@code view=info}, the group's) URL
 * @param view what one row is
 * @param selection the NumPy-style selection text, or "" for everything
 * @param maskFill whether fill values read as NULL
 * @param partitionBytes the decoded bytes a partition holds at most (unless one chunk is larger)
 * @param maxChunkBytes the largest decoded chunk the chunks view puts in a row
 * @param batchRows rows per columnar batch
 * @param pushAggregates whether count, sum, min, max and avg of {@code value} (grouped by dimension columns, or
 *     not) are computed on the executors over decoded chunks rather than by Spark over rows
 * @param engine how executors reach the store and fetch
 */
record ZarrOptions(String url, View view, String selection, boolean maskFill, long partitionBytes,
        long maxChunkBytes, int batchRows, boolean pushAggregates, EngineSettings engine) {

    /** What one row is. */
    enum View {
        ELEMENTS, CHUNKS, INFO
    }

    static final long DEFAULT_PARTITION_BYTES = 128L << 20;
    static final long DEFAULT_MAX_CHUNK_BYTES = 256L << 20;
    /** The largest decoded chunk zarrfetch decodes at once. */
    static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 64;
    static final int DEFAULT_BATCH_ROWS = 4096;
    static final long DEFAULT_MEMORY_LIMIT = 256L << 20;

    /** Every option, lower case (Spark hands them over case-insensitively). */
    private static final Set<String> KNOWN = Set.of("path", "view", "selection", "maskfill", "partitionbytes",
            "maxchunkbytes", "batchrows", "pushaggregates", "endpoint", "region", "anonymous", "cabundle", "accesskeyid",
            "secretaccesskey", "sessiontoken", "concurrency", "maxconnections", "memorylimit", "partsize",
            "connecttimeout", "readtimeout");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min)?", Pattern.CASE_INSENSITIVE);

    /**
     * Reads options as Spark hands them over (keys in any case).
     *
     * @throws IllegalArgumentException naming the option that is missing, unknown or malformed
     */
    static ZarrOptions parse(Map<String, String> given) {
        Map<String, String> o = new java.util.HashMap<>();
        Set<String> unknown = new TreeSet<>();
        given.forEach((k, v) -> {
            String key = k.toLowerCase(Locale.ROOT);
            if (!KNOWN.contains(key) && !key.equals("paths")) {
                unknown.add(k);
            }
            o.put(key, v);
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown zarr option(s) " + unknown + "; the options are view, "
                    + "selection, maskFill, partitionBytes, maxChunkBytes, batchRows, pushAggregates, endpoint, "
                    + "region, anonymous, caBundle, accessKeyId, secretAccessKey, sessionToken, concurrency, "
                    + "maxConnections, memoryLimit, partSize, connectTimeout, readTimeout (docs/spark.md)");
        }
        String url = o.get("path");
        if (o.containsKey("paths") && o.get("paths").contains("\",\"")) {
            throw new IllegalArgumentException("the zarr source reads one array (or group) at a time: load(url)");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no array URL: spark.read().format(\"zarr\").load(\"s3://bucket/"
                    + "path/array\")");
        }
        View view = switch (o.getOrDefault("view", "elements").strip().toLowerCase(Locale.ROOT)) {
            case "elements" -> View.ELEMENTS;
            case "chunks" -> View.CHUNKS;
            case "info" -> View.INFO;
            default -> throw new IllegalArgumentException("option view: '" + o.get("view")
                    + "' is not a view; use elements (the default), chunks or info");
        };
        String selection = o.getOrDefault("selection", "").strip();
        try {
            Selection.parse(selection);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option selection: " + e.getMessage(), e);
        }
        long partitionBytes = size(o, "partitionBytes", DEFAULT_PARTITION_BYTES, 1L << 20, MAX_CHUNK_BYTES);
        long maxChunkBytes = size(o, "maxChunkBytes", DEFAULT_MAX_CHUNK_BYTES, 1, MAX_CHUNK_BYTES);
        int batchRows = (int) integer(o, "batchRows", DEFAULT_BATCH_ROWS, 1, 1 << 20);

        String endpoint = text(o, "endpoint");
        String accessKey = text(o, "accessKeyId");
        String secret = text(o, "secretAccessKey");
        String token = text(o, "sessionToken");
        if ((accessKey == null) != (secret == null)) {
            throw new IllegalArgumentException("options accessKeyId and secretAccessKey go together: give both, or "
                    + "neither to use the AWS credential chain of each executor");
        }
        if (token != null && accessKey == null) {
            throw new IllegalArgumentException("option sessionToken needs accessKeyId and secretAccessKey");
        }
        boolean anonymous = bool(o, "anonymous", false);
        if (anonymous && accessKey != null) {
            throw new IllegalArgumentException("option anonymous=true sends unsigned requests: drop it, or the "
                    + "credentials");
        }
        int concurrency = (int) integer(o, "concurrency", FetchOptions.DEFAULT_CONCURRENCY, 1, 4096);
        int maxConnections = (int) integer(o, "maxConnections", Math.max(64, concurrency), 1, 4096);
        long memoryLimit = size(o, "memoryLimit", DEFAULT_MEMORY_LIMIT, 1L << 20, Long.MAX_VALUE);
        long partSize = size(o, "partSize", FetchOptions.DEFAULT_PART_SIZE, 64L << 10, 1L << 30);
        Duration connect = duration(o, "connectTimeout", Duration.ofSeconds(10));
        Duration read = duration(o, "readTimeout", Duration.ofSeconds(30));
        EngineSettings engine = new EngineSettings(endpoint, text(o, "region"), anonymous, text(o, "caBundle"),
                accessKey, secret, token, concurrency, maxConnections, memoryLimit, partSize, connect.toMillis(),
                read.toMillis());
        engine.storeOptions(); // checks the endpoint and the rest now, on the driver
        return new ZarrOptions(url.strip(), view, selection, bool(o, "maskFill", true), partitionBytes,
                maxChunkBytes, batchRows, bool(o, "pushAggregates", true), engine);
    }

    private static String text(Map<String, String> o, String name) {
        String v = o.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static boolean bool(Map<String, String> o, String name, boolean dflt) {
        String v = text(o, name);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option " + name + ": '" + v + "' is not true or false");
        };
    }

    private static long integer(Map<String, String> o, String name, long dflt, long min, long max) {
        String v = text(o, name);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + ": '" + v + "' is not an integer");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("option " + name + ": " + n + " is not between " + min + " and "
                    + max);
        }
        return n;
    }

    /** A size: bytes, or a number with k, m, g or t (powers of 1024), as in 128m, 128MiB or 1g. */
    static long size(Map<String, String> o, String name, long dflt, long min, long max) {
        String v = text(o, name);
        if (v == null) {
            return dflt;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("option " + name + ": '" + v + "' is not a size; use bytes or a "
                    + "number with k, m, g or t, such as 128m");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + ": '" + v + "' is too large");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("option " + name + ": " + v + " is not between " + min + " and "
                    + max + " bytes");
        }
        return n;
    }

    private static Duration duration(Map<String, String> o, String name, Duration dflt) {
        String v = text(o, name);
        if (v == null) {
            return dflt;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("option " + name + ": '" + v + "' is not a duration; use 500ms, 10s "
                    + "or 2m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m", "min" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("option " + name + ": must be positive");
        }
        return d;
    }
}
