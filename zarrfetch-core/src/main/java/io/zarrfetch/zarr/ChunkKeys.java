package io.zarrfetch.zarr;

/**
 * How a chunk's grid coordinates become its key below the array: Zarr v2's {@code 0.1.2} (or {@code 0/1/2}), v3's
 * default {@code c/0/1/2}.
 *
 * @param prefix what comes before the coordinates ({@code ""} for v2, {@code "c"} for v3's default encoding)
 * @param separator between coordinates
 */
public record ChunkKeys(String prefix, String separator) {
    public ChunkKeys {
        if (!separator.equals(".") && !separator.equals("/")) {
            throw new IllegalArgumentException("chunk key separator must be \".\" or \"/\", was \"" + separator + "\"");
        }
    }

    /** Zarr v2 keys, with {@code dimension_separator} {@code sep}. */
    public static ChunkKeys v2(String separator) {
        return new ChunkKeys("", separator);
    }

    /** Zarr v3's {@code default} chunk key encoding. */
    public static ChunkKeys v3Default(String separator) {
        return new ChunkKeys("c", separator);
    }

    /** The key of the chunk at {@code coords}, relative to the array. */
    public String key(long[] coords) {
        StringBuilder b = new StringBuilder(prefix.length() + coords.length * 4).append(prefix);
        if (coords.length == 0) {
            return prefix.isEmpty() ? "0" : prefix;
        }
        for (int i = 0; i < coords.length; i++) {
            if (i > 0 || !prefix.isEmpty()) {
                b.append(separator);
            }
            b.append(coords[i]);
        }
        return b.toString();
    }
}
