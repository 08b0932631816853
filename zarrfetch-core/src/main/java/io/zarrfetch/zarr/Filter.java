package io.zarrfetch.zarr;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A Zarr v2 filter (a numcodecs array-to-array codec): its decoding side. Filters see a chunk as a flat run of
 * elements; {@link #encodedType()} is what the filter wrote, {@link #decodedType()} what it gives back.
 */
abstract class Filter {
    final DataType decoded;
    final DataType encoded;

    Filter(DataType decoded, DataType encoded) {
        Elements.check(decoded);
        Elements.check(encoded);
        this.decoded = decoded;
        this.encoded = encoded;
    }

    DataType decodedType() {
        return decoded;
    }

    DataType encodedType() {
        return encoded;
    }

    /** Decodes {@code count} elements of the encoded type in {@code in} into the decoded type in {@code out}. */
    abstract void decode(ByteBuffer in, ByteBuffer out, int count);

    abstract String name();

    /**
     * A filter from its numcodecs configuration.
     *
     * @throws IllegalArgumentException for filters zarrfetch does not decode, naming them
     */
    static Filter v2(Map<String, Object> config) {
        String id = String.valueOf(config.get("id"));
        return switch (id) {
            case "delta" -> new Delta(dtype(config, "dtype"), dtype(config, config.containsKey("astype") ? "astype"
                    : "dtype"));
            case "fixedscaleoffset" -> new FixedScaleOffset(dtype(config, "dtype"),
                    dtype(config, config.containsKey("astype") ? "astype" : "dtype"), number(config, "offset"),
                    number(config, "scale"));
            case "astype" -> new AsType(dtype(config, "decode_dtype"), dtype(config, "encode_dtype"));
            case "quantize" -> new AsType(dtype(config, "dtype"), dtype(config, config.containsKey("astype")
                    ? "astype" : "dtype"), "quantize");
            default -> throw new IllegalArgumentException("unsupported filter '" + id
                    + "' (supported: delta, fixedscaleoffset, astype, quantize)");
        };
    }

    private static DataType dtype(Map<String, Object> config, String key) {
        Object v = config.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("filter " + config.get("id") + " lacks a \"" + key + "\" dtype");
        }
        return DataType.v2(s);
    }

    private static double number(Map<String, Object> config, String key) {
        Object v = config.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v == null && key.equals("offset")) {
            return 0;
        }
        throw new IllegalArgumentException("filter " + config.get("id") + " lacks a numeric \"" + key + "\"");
    }

    /** numcodecs Delta: stored differences; decoding is a running sum in the decoded type. */
    static final class Delta extends Filter {
        Delta(DataType dtype, DataType astype) {
            super(dtype, astype);
        }

        @Override
        String name() {
            return "delta";
        }

        @Override
        void decode(ByteBuffer in, ByteBuffer out, int count) {
            if (Elements.isFloat(decoded)) {
                double sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += Elements.getDouble(in, i, encoded);
                    // NumPy accumulates in the output type: round each step to it.
                    Elements.putDouble(out, i, decoded, sum);
                    sum = Elements.getDouble(out, i, decoded);
                }
            } else {
                long sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += Elements.getLong(in, i, encoded);
                    Elements.putLong(out, i, decoded, sum);
                }
            }
        }
    }

    /** numcodecs FixedScaleOffset: stored {@code round((x - offset) * scale)}; decoded {@code x / scale + offset}. */
    static final class FixedScaleOffset extends Filter {
        private final double offset;
        private final double scale;

        FixedScaleOffset(DataType dtype, DataType astype, double offset, double scale) {
            super(dtype, astype);
            if (scale == 0 || Double.isNaN(scale)) {
                throw new IllegalArgumentException("fixedscaleoffset scale must be a non-zero number, was " + scale);
            }
            this.offset = offset;
            this.scale = scale;
        }

        @Override
        String name() {
            return "fixedscaleoffset";
        }

        @Override
        void decode(ByteBuffer in, ByteBuffer out, int count) {
            for (int i = 0; i < count; i++) {
                Elements.putDouble(out, i, decoded, Elements.getDouble(in, i, encoded) / scale + offset);
            }
        }
    }

    /** numcodecs AsType (and Quantize, whose decoding is the same cast): stored in one type, read as another. */
    static final class AsType extends Filter {
        private final String name;

        AsType(DataType decodeType, DataType encodeType) {
            this(decodeType, encodeType, "astype");
        }

        AsType(DataType decodeType, DataType encodeType, String name) {
            super(decodeType, encodeType);
            this.name = name;
        }

        @Override
        String name() {
            return name;
        }

        @Override
        void decode(ByteBuffer in, ByteBuffer out, int count) {
            boolean viaDouble = Elements.isFloat(encoded) || Elements.isFloat(decoded);
            for (int i = 0; i < count; i++) {
                if (viaDouble) {
                    Elements.putDouble(out, i, decoded, Elements.getDouble(in, i, encoded));
                } else {
                    Elements.putLong(out, i, decoded, Elements.getLong(in, i, encoded));
                }
            }
        }
    }
}
