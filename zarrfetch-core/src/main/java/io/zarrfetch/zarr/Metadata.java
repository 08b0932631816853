package io.zarrfetch.zarr;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Parses Zarr v2 ({@code .zarray}, {@code .zattrs}) and v3 ({@code zarr.json}) array metadata. */
final class Metadata {
    /** Bigger than any sane metadata document; a guard against hostile ones. */
    static final int MAX_DOCUMENT = 16 << 20;
    private static final Set<String> V3_KEYS = Set.of("zarr_format", "node_type", "shape", "data_type",
            "chunk_grid", "chunk_key_encoding", "fill_value", "codecs", "attributes", "dimension_names",
            "storage_transformers");

    private Metadata() {
    }

    /** Parses a v2 array from its {@code .zarray} and (possibly empty) {@code .zattrs} documents. */
    static ArrayMetadata v2(byte[] zarray, byte[] zattrs) {
        Map<String, Object> m = object(Json.parse(zarray, ".zarray"), ".zarray");
        if (!Long.valueOf(2).equals(m.get("zarr_format"))) {
            throw new IllegalArgumentException(".zarray has zarr_format " + m.get("zarr_format") + ", not 2");
        }
        long[] shape = longs(m.get("shape"), "shape");
        int[] chunks = ints(m.get("chunks"), "chunks", shape.length);
        checkGrid(shape, chunks);
        if (!(m.get("dtype") instanceof String dtypeText)) {
            throw new IllegalArgumentException("unsupported dtype " + m.get("dtype")
                    + " (structured dtypes are not supported)");
        }
        DataType dtype = DataType.v2(dtypeText);
        String order = String.valueOf(m.getOrDefault("order", "C"));
        int[] axisOrder = identity(shape.length);
        if (order.equals("F")) {
            for (int i = 0; i < axisOrder.length; i++) {
                axisOrder[i] = axisOrder.length - 1 - i;
            }
        } else if (!order.equals("C")) {
            throw new IllegalArgumentException("order must be \"C\" or \"F\", was " + order);
        }
        List<Filter> filters = new ArrayList<>();
        if (m.get("filters") instanceof List<?> list) {
            for (Object f : list) {
                filters.add(Filter.v2(object(f, "filter")));
            }
        }
        List<BytesCodec> compressors = new ArrayList<>();
        if (m.get("compressor") != null) {
            compressors.add(Codecs.v2Compressor(object(m.get("compressor"), "compressor")));
        }
        ChunkCodec.Plain codec = new ChunkCodec.Plain(dtype, axisOrder, filters, compressors);
        String sep = String.valueOf(m.getOrDefault("dimension_separator", "."));
        Map<String, Object> attrs = zattrs == null || zattrs.length == 0 ? Map.of()
                : object(Json.parse(zattrs, ".zattrs"), ".zattrs");
        List<String> dims = strings(attrs.get("_ARRAY_DIMENSIONS"));
        return new ArrayMetadata(2, shape, chunks, dtype, FillValue.encode(m.get("fill_value"), dtype, false),
                ChunkKeys.v2(sep), codec, codec.names(), attrs, dims);
    }

    /** Parses a v3 array from its {@code zarr.json} document. */
    static ArrayMetadata v3(byte[] zarrJson) {
        Map<String, Object> m = object(Json.parse(zarrJson, "zarr.json"), "zarr.json");
        if (!Long.valueOf(3).equals(m.get("zarr_format"))) {
            throw new IllegalArgumentException("zarr.json has zarr_format " + m.get("zarr_format") + ", not 3");
        }
        if (!"array".equals(m.get("node_type"))) {
            throw new IllegalArgumentException("zarr.json describes a " + m.get("node_type") + ", not an array");
        }
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!V3_KEYS.contains(e.getKey()) && !(e.getValue() instanceof Map<?, ?> ext
                    && Boolean.FALSE.equals(ext.get("must_understand")))) {
                throw new IllegalArgumentException("unsupported extension \"" + e.getKey() + "\" in zarr.json");
            }
        }
        if (m.get("storage_transformers") instanceof List<?> st && !st.isEmpty()) {
            throw new IllegalArgumentException("storage_transformers are not supported");
        }
        long[] shape = longs(m.get("shape"), "shape");
        Map<String, Object> grid = object(m.get("chunk_grid"), "chunk_grid");
        if (!"regular".equals(grid.get("name"))) {
            throw new IllegalArgumentException("unsupported chunk_grid " + grid.get("name") + " (supported: regular)");
        }
        int[] chunks = ints(configuration(grid).get("chunk_shape"), "chunk_shape", shape.length);
        checkGrid(shape, chunks);
        ChunkKeys keys = keyEncoding(m.get("chunk_key_encoding"));
        List<Object> codecs = list(m.get("codecs"), "codecs");
        ParsedCodecs parsed = codecs(codecs, m.get("data_type"), chunks, "codecs");
        DataType dtype = parsed.type;
        List<String> dims = strings(m.get("dimension_names"));
        Map<String, Object> attrs = m.get("attributes") == null ? Map.of() : object(m.get("attributes"), "attributes");
        return new ArrayMetadata(3, shape, chunks, dtype, FillValue.encode(m.get("fill_value"), dtype, true), keys,
                parsed.codec, parsed.names, attrs, dims);
    }

    private record ParsedCodecs(ChunkCodec codec, DataType type, List<String> names) {
    }

    /** A v3 codec list: array-to-array codecs, one array-to-bytes codec, bytes-to-bytes codecs. */
    private static ParsedCodecs codecs(List<Object> codecs, Object dataType, int[] chunkShape, String where) {
        int[] axisOrder = identity(chunkShape.length);
        List<String> names = new ArrayList<>();
        List<BytesCodec> compressors = new ArrayList<>();
        DataType type = null;
        Map<String, Object> sharding = null;
        for (Object c : codecs) {
            Map<String, Object> codec = object(c, "codec");
            String name = String.valueOf(codec.get("name"));
            Map<String, Object> config = configuration(codec);
            names.add(name);
            boolean afterBytes = type != null || sharding != null;
            switch (name) {
                case "transpose" -> {
                    if (afterBytes) {
                        throw new IllegalArgumentException("transpose after the array-to-bytes codec in " + where);
                    }
                    axisOrder = ChunkCodec.transpose(axisOrder, list(config.get("order"), "transpose order"));
                }
                case "bytes" -> {
                    if (afterBytes) {
                        throw new IllegalArgumentException("two array-to-bytes codecs in " + where);
                    }
                    Object endian = config.get("endian");
                    type = DataType.v3(dataType, endian == null ? ByteOrder.LITTLE_ENDIAN
                            : FillValue.order(String.valueOf(endian)));
                    if (endian == null && type.hasByteOrder()) {
                        throw new IllegalArgumentException("the bytes codec needs an endian for "
                                + type.numpyDescr().substring(1));
                    }
                }
                case "sharding_indexed" -> {
                    if (afterBytes) {
                        throw new IllegalArgumentException("two array-to-bytes codecs in " + where);
                    }
                    sharding = config;
                }
                default -> {
                    if (!afterBytes) {
                        throw new IllegalArgumentException("unsupported array-to-array codec \"" + name + "\" in "
                                + where + " (supported: transpose)");
                    }
                    compressors.add(Codecs.v3(name, config));
                }
            }
        }
        if (sharding != null) {
            if (!compressors.isEmpty()) {
                throw new IllegalArgumentException("bytes-to-bytes codecs after sharding_indexed are not supported");
            }
            int[] inner = ints(sharding.get("chunk_shape"), "sharding chunk_shape", chunkShape.length);
            ParsedCodecs innerCodecs = codecs(list(sharding.get("codecs"), "sharding codecs"), dataType, inner,
                    "sharding codecs");
            if (!(innerCodecs.codec instanceof ChunkCodec.Plain plain)) {
                throw new IllegalArgumentException("nested sharding is not supported");
            }
            String location = String.valueOf(sharding.getOrDefault("index_location", "end"));
            if (!location.equals("end") && !location.equals("start")) {
                throw new IllegalArgumentException("index_location must be \"start\" or \"end\", was " + location);
            }
            List<Object> indexCodecs = list(sharding.getOrDefault("index_codecs", List.of()), "index_codecs");
            boolean checksum = indexChecksum(indexCodecs);
            if (!cOrder(axisOrder)) {
                throw new IllegalArgumentException("transpose before sharding_indexed is not supported");
            }
            List<String> all = new ArrayList<>(names);
            all.addAll(innerCodecs.names.stream().map(n -> "sharding/" + n).toList());
            return new ParsedCodecs(new ChunkCodec.Sharded(chunkShape, inner, plain, location.equals("end"),
                    checksum, indexOrder(indexCodecs)), innerCodecs.type, all);
        }
        if (type == null) {
            throw new IllegalArgumentException("no array-to-bytes codec (bytes or sharding_indexed) in " + where);
        }
        return new ParsedCodecs(new ChunkCodec.Plain(type, axisOrder, List.of(), compressors), type, names);
    }

    /** Whether a shard index ends in a crc32c; the index encodings read are [bytes] and [bytes, crc32c]. */
    private static boolean indexChecksum(List<Object> codecs) {
        List<String> names = new ArrayList<>();
        for (Object c : codecs) {
            names.add(String.valueOf(object(c, "index codec").get("name")));
        }
        if (names.equals(List.of("bytes", "crc32c"))) {
            return true;
        }
        if (names.equals(List.of("bytes"))) {
            return false;
        }
        throw new IllegalArgumentException("unsupported index_codecs " + names
                + " (supported: [bytes], [bytes, crc32c])");
    }

    /** The byte order of a shard index's offsets and lengths. */
    private static ByteOrder indexOrder(List<Object> codecs) {
        Object endian = configuration(object(codecs.getFirst(), "index codec")).get("endian");
        return endian == null ? ByteOrder.LITTLE_ENDIAN : FillValue.order(String.valueOf(endian));
    }

    private static ChunkKeys keyEncoding(Object value) {
        Map<String, Object> enc = object(value, "chunk_key_encoding");
        String name = String.valueOf(enc.get("name"));
        Object sep = configuration(enc).get("separator");
        return switch (name) {
            case "default" -> ChunkKeys.v3Default(sep == null ? "/" : String.valueOf(sep));
            case "v2" -> ChunkKeys.v2(sep == null ? "." : String.valueOf(sep));
            default -> throw new IllegalArgumentException("unsupported chunk_key_encoding " + name
                    + " (supported: default, v2)");
        };
    }

    static Map<String, Object> configuration(Map<String, Object> named) {
        Object c = named.get("configuration");
        return c == null ? Map.of() : object(c, named.get("name") + " configuration");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String what) {
        if (!(v instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(what + " is not a JSON object: " + v);
        }
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object v, String what) {
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " is not a JSON list: " + v);
        }
        return (List<Object>) l;
    }

    private static long[] longs(Object v, String what) {
        List<Object> l = list(v, what);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (l.get(i) instanceof java.math.BigInteger big && big.signum() > 0) {
                throw new IllegalArgumentException(what + " " + v + " is too large: " + big + " along axis " + i
                        + " is more than " + Long.MAX_VALUE + " (2^63 - 1), the most an axis may hold");
            }
            if (!(l.get(i) instanceof Long x) || x < 0) {
                throw new IllegalArgumentException(what + " must hold integers >= 0: " + v);
            }
            out[i] = x;
        }
        if (out.length > 32) {
            throw new IllegalArgumentException(what + " has " + out.length + " dimensions; at most 32 are read");
        }
        return out;
    }

    private static int[] ints(Object v, String what, int rank) {
        long[] l = longs(v, what);
        if (l.length != rank) {
            throw new IllegalArgumentException(what + " " + v + " has " + l.length + " dimensions, the array "
                    + rank);
        }
        int[] out = new int[l.length];
        long elements = 1;
        for (int i = 0; i < out.length; i++) {
            if (l[i] < 1) {
                throw new IllegalArgumentException(what + " must hold integers >= 1: " + v);
            }
            if (l[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " " + v + " is too large: " + l[i] + " elements along axis "
                        + i + ", where a chunk holds at most " + Integer.MAX_VALUE + " (2^31 - 1) elements in all");
            }
            out[i] = (int) l[i];
            elements *= l[i]; // both factors are under 2^31: no overflow
            if (elements > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " " + v + " is too large: it makes chunks of more than "
                        + Integer.MAX_VALUE + " (2^31 - 1) elements, the most that are read");
            }
        }
        return out;
    }

    /** Checks that the chunk grid has fewer than 2^63 chunks, so that no arithmetic over it overflows. */
    private static void checkGrid(long[] shape, int[] chunks) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long c = Math.ceilDiv(shape[i], chunks[i]);
            if (c != 0 && n > Long.MAX_VALUE / c) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " in chunks of "
                        + java.util.Arrays.toString(chunks) + " is too large: it makes more than " + Long.MAX_VALUE
                        + " (2^63 - 1) chunks");
            }
            n *= c;
        }
    }

    private static List<String> strings(Object v) {
        if (!(v instanceof List<?> l)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            out.add(o == null ? null : String.valueOf(o));
        }
        return out;
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static boolean cOrder(int[] axisOrder) {
        for (int i = 0; i < axisOrder.length; i++) {
            if (axisOrder[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** A group's metadata: its format and attributes. */
    record Group(int zarrFormat, Map<String, Object> attributes) {
    }

    static Map<String, Object> linked(Map<String, Object> m) {
        return new LinkedHashMap<>(m);
    }
}
