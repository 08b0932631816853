package io.zarrfetch.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The bytes-to-bytes codecs zarrfetch decodes, made from array metadata.
 *
 * <p>Supported:
 * <ul>
 *   <li>{@code blosc}: Blosc 1.x frames (c-blosc 1.x, numcodecs, zarr-python) with any of their compressors
 *       (blosclz, lz4, lz4hc, snappy, zlib, zstd), byte shuffle or bit shuffle, any typesize and block size; the
 *       frame format is decoded in Java, producing what c-blosc 1.21 produces byte for byte. Blosc2 frames are not
 *       supported.
 *   <li>{@code zstd}: Zstandard frames, with or without a recorded content size or checksum.
 *   <li>{@code gzip}: gzip members (RFC 1952), one or several.
 *   <li>{@code zlib} (Zarr v2 / numcodecs): a zlib stream (RFC 1950).
 *   <li>{@code lz4} (Zarr v2 / numcodecs): numcodecs' framing, a little-endian int32 size then one LZ4 block.
 *   <li>{@code crc32c} (Zarr v3): the payload followed by its CRC-32C, verified.
 * </ul>
 * Not supported: {@code bz2}, {@code lzma} and every other numcodecs compressor.
 *
 * <p>Decoding reads every parameter it needs from the encoded bytes (Blosc's header says its compressor, shuffle
 * and typesize), so the configuration is only checked: a value that no writer of the codec produces is rejected
 * here, with the codec and the key named. Keys a codec does not know are ignored.
 *
 * <p>Guarantees of the returned codecs (see {@link BytesCodec}): thread-safe and reusable; {@code decode} fills the
 * destination exactly or throws {@link CodecException} saying why; nothing an encoding announces is trusted
 * (sizes, offsets and lengths are checked against the destination and the encoded length before anything is
 * written or allocated, and decompressors are bounded by the destination), so hostile input fails fast, without
 * writing outside the destination or allocating memory in proportion to what it claims. Decoding allocates
 * nothing in proportion to the data in steady state: scratch memory (one Blosc block, at most 1 MiB for
 * automatic block sizes) is pooled.
 */
public final class Codecs {
    private static final String V2_SUPPORTED = "blosc, gzip, lz4, zlib, zstd";
    private static final String V3_SUPPORTED = "blosc, crc32c, gzip, zstd, and numcodecs.{"
            + V2_SUPPORTED.replace(", ", ",") + "}";
    private static final List<String> BLOSC_CNAMES = List.of("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd");
    private static final List<String> V3_SHUFFLES = List.of("noshuffle", "shuffle", "bitshuffle");

    private Codecs() {
    }

    /**
     * The codec of a Zarr v2 {@code .zarray} "compressor" object: {@code "id"} plus numcodecs' configuration, e.g.
     * {@code {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}}. Numbers may be any
     * integral {@link Number} (as JSON parsers give them).
     *
     * <p>Checked: blosc {@code cname} (blosclz, lz4, lz4hc, snappy, zlib, zstd), {@code clevel} 0..9, {@code
     * shuffle} -1..2, {@code blocksize} >= 0; zstd {@code level}; zlib and gzip {@code level} 0..9 (gzip -1..9);
     * lz4 {@code acceleration}.
     *
     * @throws IllegalArgumentException naming the codec and the problem, when the id is missing or unsupported
     *                                  ({@code "unsupported compressor 'bz2' (supported: ...)"}) or a value is
     *                                  out of range
     */
    public static BytesCodec v2Compressor(Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        Object id = config.get("id");
        if (!(id instanceof String s)) {
            throw new IllegalArgumentException("compressor " + config + " has no string \"id\" (supported: "
                    + V2_SUPPORTED + ")");
        }
        return numcodecs(s, config, "compressor", s, V2_SUPPORTED);
    }

    /**
     * The codec of one entry of a Zarr v3 {@code "codecs"} list that is a bytes-to-bytes codec: its {@code name}
     * and {@code configuration} (which may be null or empty), e.g. {@code ("blosc", {"cname": "zstd", "clevel": 5,
     * "shuffle": "bitshuffle", "typesize": 4, "blocksize": 0})}. Also accepts zarr-python 3's names for numcodecs
     * codecs, {@code numcodecs.<id>} with numcodecs' configuration (as {@link #v2Compressor}).
     *
     * <p>Checked: blosc {@code cname} (blosclz, lz4, lz4hc, snappy, zlib, zstd), {@code clevel} 0..9, {@code
     * shuffle} noshuffle|shuffle|bitshuffle, {@code typesize} >= 1, {@code blocksize} >= 0; gzip {@code level}
     * 0..9; zstd {@code level} (an integer) and {@code checksum} (a boolean); crc32c takes no configuration.
     *
     * @throws IllegalArgumentException naming the codec and the problem, when the name is unsupported
     *                                  ({@code "unsupported codec 'xyz' (supported: ...)"}) or a value is out of
     *                                  range
     */
    public static BytesCodec v3(String name, Map<String, ?> configuration) {
        Objects.requireNonNull(name, "name");
        Map<String, ?> config = configuration == null ? Map.of() : configuration;
        if (name.startsWith("numcodecs.")) {
            return numcodecs(name.substring("numcodecs.".length()), config, "codec", name, V3_SUPPORTED);
        }
        String codec = "codec '" + name + "'";
        switch (name) {
            case "blosc" -> {
                string(config, "cname", codec, BLOSC_CNAMES);
                integer(config, "clevel", codec, 0, 9);
                string(config, "shuffle", codec, V3_SHUFFLES);
                integer(config, "typesize", codec, 1, Integer.MAX_VALUE);
                integer(config, "blocksize", codec, 0, Integer.MAX_VALUE);
                return new BloscCodec(config.toString());
            }
            case "gzip" -> {
                integer(config, "level", codec, 0, 9);
                return new GzipCodec();
            }
            case "zstd" -> {
                integer(config, "level", codec, Integer.MIN_VALUE, Integer.MAX_VALUE);
                bool(config, "checksum", codec);
                return new ZstdCodec();
            }
            case "crc32c" -> {
                if (!config.isEmpty()) {
                    throw new IllegalArgumentException(codec + " takes no configuration, got " + config);
                }
                return new Crc32cCodec();
            }
            default -> throw new IllegalArgumentException("unsupported codec '" + name + "' (supported: "
                    + V3_SUPPORTED + ")");
        }
    }

    private static BytesCodec numcodecs(String id, Map<String, ?> config, String kind, String shownName,
            String supported) {
        String codec = kind + " '" + shownName + "'";
        switch (id) {
            case "blosc" -> {
                string(config, "cname", codec, BLOSC_CNAMES);
                integer(config, "clevel", codec, 0, 9);
                integer(config, "shuffle", codec, -1, 2);
                integer(config, "typesize", codec, 1, Integer.MAX_VALUE);
                integer(config, "blocksize", codec, 0, Integer.MAX_VALUE);
                return new BloscCodec(config.toString());
            }
            case "zstd" -> {
                integer(config, "level", codec, Integer.MIN_VALUE, Integer.MAX_VALUE);
                bool(config, "checksum", codec);
                return new ZstdCodec();
            }
            case "zlib" -> {
                integer(config, "level", codec, -1, 9);
                return new ZlibCodec();
            }
            case "gzip" -> {
                integer(config, "level", codec, -1, 9);
                return new GzipCodec();
            }
            case "lz4" -> {
                integer(config, "acceleration", codec, Integer.MIN_VALUE, Integer.MAX_VALUE);
                return new Lz4Codec();
            }
            default -> throw new IllegalArgumentException("unsupported " + kind + " '" + shownName
                    + "' (supported: " + supported + ")");
        }
    }

    /** Checks an optional string value against the allowed ones. */
    private static void string(Map<String, ?> config, String key, String codec, List<String> allowed) {
        Object v = config.get(key);
        if (v == null) {
            return;
        }
        if (!(v instanceof String s) || !allowed.contains(s)) {
            throw new IllegalArgumentException(codec + ": unsupported " + key + " " + quote(v) + " (supported: "
                    + String.join(", ", allowed) + ")");
        }
    }

    /** Checks an optional integral value against a range. */
    private static void integer(Map<String, ?> config, String key, String codec, long min, long max) {
        Object v = config.get(key);
        if (v == null) {
            return;
        }
        Long l = integral(v);
        if (l == null || l < min || l > max) {
            throw new IllegalArgumentException(codec + ": " + key + " must be an integer"
                    + (min == Integer.MIN_VALUE ? "" : max == Integer.MAX_VALUE ? " >= " + min
                            : " in " + min + ".." + max)
                    + ", got " + quote(v));
        }
    }

    private static Long integral(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? b.longValue() : null;
        }
        if (v instanceof Number n) {
            try {
                return new BigDecimal(n.toString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static void bool(Map<String, ?> config, String key, String codec) {
        Object v = config.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new IllegalArgumentException(codec + ": " + key + " must be true or false, got " + quote(v));
        }
    }

    private static String quote(Object v) {
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }
}
