package io.zarrfetch.zarr;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What an array's metadata says, in Zarr v2 or v3, reduced to what reading needs: the grid, the element type, the
 * fill value and the codecs.
 *
 * @param zarrFormat 2 or 3
 * @param shape the array's shape
 * @param chunks the chunk shape (for sharded arrays: the shard's)
 * @param dtype the element type, in the byte order chunks decode to
 * @param fillValue one element of fill, for chunks that do not exist
 * @param keys how chunk coordinates become keys
 * @param codec how an encoded chunk becomes its elements
 * @param codecNames the codecs by name, in encoding order, for people
 * @param attributes the user attributes ({@code .zattrs}, or v3 {@code attributes})
 * @param dimensionNames v3 dimension names (or v2 {@code _ARRAY_DIMENSIONS}), or null
 */
public record ArrayMetadata(int zarrFormat, long[] shape, int[] chunks, DataType dtype, byte[] fillValue,
        ChunkKeys keys, ChunkCodec codec, List<String> codecNames, Map<String, Object> attributes,
        List<String> dimensionNames) {

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Chunks along each axis. */
    public long[] chunkCounts() {
        long[] n = new long[shape.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = Math.ceilDiv(shape[i], chunks[i]); // not (shape + chunk - 1) / chunk: shape may be near 2^63
        }
        return n;
    }

    /** Chunks in the whole grid. */
    public long chunkCount() {
        return Arrays.stream(chunkCounts()).reduce(1, Math::multiplyExact);
    }

    /** Elements in one chunk. */
    public long chunkElements() {
        return Arrays.stream(chunks).asLongStream().reduce(1, Math::multiplyExact);
    }

    /** The fill value, as a number, boolean or text. */
    public Object fillValueDescription() {
        return FillValue.describe(fillValue, dtype);
    }

    @Override
    public String toString() {
        return "ArrayMetadata[zarr v" + zarrFormat + ", shape " + Arrays.toString(shape) + ", chunks "
                + Arrays.toString(chunks) + ", " + dtype.numpyDescr() + ", codecs " + codecNames + "]";
    }
}
