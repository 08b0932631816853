package io.zarrfetch.zarr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.CodecException;

/**
 * How an array's encoded chunks become elements: v2 filters and compressor, or v3 codecs. Opaque to users; the
 * reader decodes with it.
 */
public abstract sealed class ChunkCodec permits ChunkCodec.Plain, ChunkCodec.Sharded {
    /**
     * The layout of a decoded chunk: its bytes are a C-order array over the chunk's axes in this order ({0, 1, 2}
     * for C order, {2, 1, 0} for Fortran order, a v3 transpose's permutation).
     */
    final int[] axisOrder;

    ChunkCodec(int[] axisOrder) {
        this.axisOrder = axisOrder;
    }

    /** Whether decoded chunks are laid out in C order. */
    boolean cOrder() {
        for (int i = 0; i < axisOrder.length; i++) {
            if (axisOrder[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** The layout after a v3 transpose codec with {@code order} applied to this one. */
    static int[] transpose(int[] axisOrder, List<?> order) {
        if (order.size() != axisOrder.length) {
            throw new IllegalArgumentException("transpose order " + order + " has " + order.size()
                    + " axes, the array " + axisOrder.length);
        }
        int[] next = new int[axisOrder.length];
        boolean[] seen = new boolean[axisOrder.length];
        for (int i = 0; i < next.length; i++) {
            if (!(order.get(i) instanceof Long l) || l < 0 || l >= next.length || seen[l.intValue()]) {
                throw new IllegalArgumentException("transpose order " + order + " is not a permutation of 0.."
                        + (next.length - 1));
            }
            seen[l.intValue()] = true;
            next[i] = axisOrder[l.intValue()];
        }
        return next;
    }

    /** Codecs without sharding: v2 filters and compressor, or v3 transposes, bytes and bytes-to-bytes codecs. */
    static final class Plain extends ChunkCodec {
        private final DataType type;
        private final List<Filter> filters;
        private final List<BytesCodec> compressors;
        private final DataType storedType;

        /**
         * @param type the elements' type (in the byte order they decode to)
         * @param filters v2 filters, in encoding order
         * @param compressors bytes-to-bytes codecs, in encoding order
         */
        Plain(DataType type, int[] axisOrder, List<Filter> filters, List<BytesCodec> compressors) {
            super(axisOrder);
            this.type = type;
            this.filters = List.copyOf(filters);
            this.compressors = List.copyOf(compressors);
            DataType t = type;
            for (Filter f : filters) {
                if (f.decodedType().size() != t.size() || f.decodedType().kind() != t.kind()) {
                    throw new IllegalArgumentException("filter " + f.name() + " decodes to "
                            + f.decodedType().numpyDescr() + " but is given " + t.numpyDescr());
                }
                t = f.encodedType();
            }
            this.storedType = t;
        }

        /**
         * Decodes one encoded chunk into {@code dst}, which must have exactly the chunk's bytes remaining; dst's
         * position ends at its limit.
         */
        void decode(ByteBuffer encoded, ByteBuffer dst) throws IOException {
            int n = dst.remaining() / type.size();
            long storedBytes = (long) n * storedType.size();
            ByteBuffer cur = encoded.duplicate();
            for (int i = compressors.size() - 1; i >= 0; i--) {
                BytesCodec c = compressors.get(i);
                ByteBuffer target;
                if (i == 0 && filters.isEmpty()) {
                    target = dst;
                } else {
                    long size = i == 0 ? storedBytes : c.decodedSize(cur);
                    if (size < 0 || size > Math.max(2 * storedBytes, 1 << 20)) {
                        throw new CodecException(c.name() + " says its data decodes to " + size
                                + " bytes, which cannot be right for a chunk of " + storedBytes + " bytes");
                    }
                    target = ByteBuffer.allocate((int) size);
                }
                c.decode(cur, target);
                cur = target == dst ? null : target.flip();
            }
            if (cur == null) {
                return;
            }
            if (filters.isEmpty()) {
                if (cur.remaining() != dst.remaining()) {
                    throw new CodecException("the chunk has " + cur.remaining() + " bytes, not "
                            + dst.remaining());
                }
                dst.put(cur);
                return;
            }
            if (cur.remaining() != storedBytes) {
                throw new CodecException("the chunk decodes to " + cur.remaining() + " bytes, not " + storedBytes);
            }
            cur = cur.slice().order(storedType.order());
            for (int i = filters.size() - 1; i >= 0; i--) {
                Filter f = filters.get(i);
                ByteBuffer out = i == 0 ? dst.slice().order(type.order())
                        : ByteBuffer.allocate(n * f.decodedType().size()).order(f.decodedType().order());
                f.decode(cur, out, n);
                cur = out;
            }
            dst.position(dst.limit());
        }

        List<String> names() {
            List<String> names = new java.util.ArrayList<>();
            filters.forEach(f -> names.add(f.name()));
            compressors.forEach(c -> names.add(c.name()));
            return names;
        }
    }

    /**
     * Zarr v3 {@code sharding_indexed}: a chunk (shard) holds a grid of inner chunks, each encoded with the inner
     * codecs, and an index of their offsets and lengths at its start or end.
     */
    static final class Sharded extends ChunkCodec {
        /** The empty-chunk mark in a shard index: both fields all ones. */
        static final long MISSING = -1L;

        final int[] innerChunks;
        final Plain inner;
        final boolean indexAtEnd;
        final boolean indexChecksum;
        final int[] chunksPerShard;
        final ByteOrder indexOrder;

        Sharded(int[] shardShape, int[] innerChunks, Plain inner, boolean indexAtEnd, boolean indexChecksum,
                ByteOrder indexOrder) {
            super(inner.axisOrder);
            if (innerChunks.length != shardShape.length) {
                throw new IllegalArgumentException("sharding chunk_shape " + Arrays.toString(innerChunks)
                        + " does not have the array's " + shardShape.length + " dimensions");
            }
            this.chunksPerShard = new int[shardShape.length];
            for (int i = 0; i < shardShape.length; i++) {
                if (innerChunks[i] < 1 || shardShape[i] % innerChunks[i] != 0) {
                    throw new IllegalArgumentException("sharding chunk_shape " + Arrays.toString(innerChunks)
                            + " does not divide the shard shape " + Arrays.toString(shardShape));
                }
                chunksPerShard[i] = shardShape[i] / innerChunks[i];
            }
            this.innerChunks = innerChunks;
            this.inner = inner;
            this.indexAtEnd = indexAtEnd;
            this.indexChecksum = indexChecksum;
            this.indexOrder = indexOrder;
        }

        /** Inner chunks in one shard. */
        int innerCount() {
            int n = 1;
            for (int c : chunksPerShard) {
                n = Math.multiplyExact(n, c);
            }
            return n;
        }

        /** The encoded index's length: 16 bytes an inner chunk, and 4 for its checksum. */
        long indexBytes() {
            return 16L * innerCount() + (indexChecksum ? 4 : 0);
        }

        /**
         * Parses an encoded index into {offset, length} pairs, in C order of the inner chunk grid; a pair of
         * {@link #MISSING} marks an absent inner chunk.
         *
         * @param shardSize the shard object's size, to check every range lies inside it
         */
        long[] parseIndex(ByteBuffer encoded, long shardSize) throws CodecException {
            ByteBuffer b = encoded.duplicate().order(indexOrder);
            if (b.remaining() != indexBytes()) {
                throw new CodecException("shard index has " + b.remaining() + " bytes, not " + indexBytes());
            }
            int n = innerCount();
            if (indexChecksum) {
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                ByteBuffer payload = b.duplicate().limit(b.position() + 16 * n);
                crc.update(payload);
                int stored = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(b.position() + 16 * n);
                if ((int) crc.getValue() != stored) {
                    throw new CodecException("shard index checksum mismatch (crc32c)");
                }
            }
            long[] pairs = new long[2 * n];
            long dataStart = indexAtEnd ? 0 : indexBytes();
            long dataEnd = indexAtEnd ? shardSize - indexBytes() : shardSize;
            for (int i = 0; i < n; i++) {
                long off = b.getLong(b.position() + 16 * i);
                long len = b.getLong(b.position() + 16 * i + 8);
                if (off == MISSING && len == MISSING) {
                    pairs[2 * i] = MISSING;
                    pairs[2 * i + 1] = MISSING;
                    continue;
                }
                if (off < dataStart || len < 0 || off > dataEnd || len > dataEnd - off) {
                    throw new CodecException("shard index entry " + i + " (offset " + off + ", length " + len
                            + ") lies outside the shard's data (" + dataStart + ".." + dataEnd + ")");
                }
                pairs[2 * i] = off;
                pairs[2 * i + 1] = len;
            }
            return pairs;
        }
    }
}
