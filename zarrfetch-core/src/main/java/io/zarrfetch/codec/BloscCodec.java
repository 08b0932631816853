package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Inflater;

/**
 * The Blosc 1.x frame decoder (what c-blosc 1.x, numcodecs and zarr-python write), in Java over existing codec
 * libraries, decoding what c-blosc 1.21's {@code blosc_decompress} decodes, byte for byte.
 *
 * <p>A frame: a 16-byte header (format version 2, compressor format version 1, flags, typesize, then little-endian
 * int32 nbytes, blocksize, cbytes), then, unless the frame is a plain copy, one little-endian int32 start offset per
 * block, then the blocks. A block of {@code blocksize} bytes (the last one may be shorter) is stored as {@code
 * nsplits} streams, each an int32 length and that many bytes; a stream as long as its decoded size is stored as it
 * is, any other is compressed with the compressor in flag bits 5-7 (0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib,
 * 4 zstd). A block is split into {@code typesize} streams (one per byte plane) unless flag bit 4 ("don't split")
 * is set, typesize is over 16, it has fewer than 128 elements, or it is the last, short block. Flag bit 0 (byte
 * shuffle, when typesize > 1) or bit 2 (bit shuffle, when the block holds at least one element) means the block
 * was shuffled before compression; bit 1 means the whole frame is a plain copy of the data after the header.
 *
 * <p>Nothing in a frame is trusted: nbytes must equal the destination's size and cbytes the encoded length before
 * anything is written; block offsets and stream lengths must lie inside the frame; every stream must decode to
 * exactly its share of its block, and the decoders are bounded by that share, so a lying stream fails instead of
 * writing past its block. Memory: one pooled scratch block of {@code blocksize} bytes (at most the destination's
 * size; off-heap for typesize-2 shuffled blocks of at most 4 MiB going to a heap destination under C2, where
 * that lets the unshuffle vectorize, see {@link Shuffle}) and, for shuffled blocks that are not typesize 2 going
 * to a direct buffer, a second one.
 */
final class BloscCodec implements BytesCodec {
    static final int HEADER = 16;
    private static final int VERSION = 2;
    private static final int MAX_SPLITS = 16;
    private static final int MIN_BUFFERSIZE = 128;
    private static final int MAX_TYPESIZE = 255;
    /** c-blosc's BLOSC_MAX_BLOCKSIZE. */
    private static final int MAX_BLOCKSIZE = (Integer.MAX_VALUE - MAX_TYPESIZE * 4) / 3;

    private static final int FLAG_SHUFFLE = 0x1;
    private static final int FLAG_MEMCPYED = 0x2;
    private static final int FLAG_BITSHUFFLE = 0x4;
    private static final int FLAG_RESERVED = 0x8;
    private static final int FLAG_DONT_SPLIT = 0x10;

    static final int BLOSCLZ = 0;
    static final int LZ4 = 1;
    static final int SNAPPY = 2;
    static final int ZLIB = 3;
    static final int ZSTD = 4;
    private static final String[] FORMAT_NAMES = {"blosclz", "lz4", "snappy", "zlib", "zstd"};
    private static final String[] STREAM_NAMES = {"blosclz stream", "lz4 stream", "snappy stream", "zlib stream",
        "zstd stream"};

    private final String description;

    /** @param description the metadata's configuration, for {@link #toString()} */
    BloscCodec(String description) {
        this.description = description;
    }

    @Override
    public String name() {
        return "blosc";
    }

    @Override
    public String toString() {
        return "blosc" + description;
    }

    @Override
    public long decodedSize(ByteBuffer encoded) throws CodecException {
        ByteBuffer src = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        checkHeaderBasics(src);
        return src.getInt(4);
    }

    /** Checks what decodedSize needs: a header, a known format version, a non-negative nbytes. */
    private static void checkHeaderBasics(ByteBuffer src) throws CodecException {
        if (src.remaining() < HEADER) {
            throw new CodecException("blosc frame is " + src.remaining() + " bytes, shorter than its " + HEADER
                    + "-byte header");
        }
        int version = src.get(0) & 0xFF;
        if (version >= 3 && version <= 5 && (src.get(1) & 0xFF) >= 1) {
            // c-blosc2's chunk format versions (BLOSC2_VERSION_FORMAT_ALPHA to _VL_BLOCKS)
            throw new CodecException("this is a Blosc2 chunk (format version " + version + "); only Blosc 1.x frames "
                    + "(format version " + VERSION + ", as c-blosc 1.x, numcodecs and zarr-python write) are read");
        }
        if (version != VERSION) {
            throw new CodecException("not a Blosc frame: a Blosc 1.x frame starts with format version " + VERSION
                    + ", this data with byte " + version + " (corrupt, or compressed with another codec?)");
        }
        int nbytes = src.getInt(4);
        if (nbytes < 0) {
            throw new CodecException("blosc header says " + Integer.toUnsignedString(nbytes)
                    + " decoded bytes, over Blosc's 2 GiB limit");
        }
    }

    @Override
    public void decode(ByteBuffer encoded, ByteBuffer dst) throws CodecException {
        ByteBuffer src = encoded.slice().order(ByteOrder.LITTLE_ENDIAN);
        checkHeaderBasics(src);
        int versionLz = src.get(1) & 0xFF;
        int flags = src.get(2) & 0xFF;
        int typesize = src.get(3) & 0xFF;
        int nbytes = src.getInt(4);
        int blocksize = src.getInt(8);
        int cbytes = src.getInt(12);
        if (nbytes != dst.remaining()) {
            throw new CodecException("blosc header says " + nbytes + " decoded bytes, the destination has "
                    + dst.remaining());
        }
        if (cbytes != src.remaining()) {
            throw new CodecException("blosc header says the frame is " + Integer.toUnsignedString(cbytes)
                    + " bytes, it is " + src.remaining());
        }
        if ((flags & FLAG_RESERVED) != 0) {
            throw new CodecException("blosc header sets reserved flag bit 3 (flags 0x" + Integer.toHexString(flags)
                    + "): written by a newer Blosc?");
        }
        Output out = new Output(dst);
        if (nbytes == 0) {
            return; // c-blosc stops here too, whatever the rest of the header says
        }
        if (typesize == 0) {
            throw new CodecException("blosc header says typesize 0");
        }
        if (blocksize <= 0 || blocksize > nbytes || blocksize > MAX_BLOCKSIZE) {
            throw new CodecException("blosc header says blocksize " + blocksize + ", which is not in 1.."
                    + Math.min(nbytes, MAX_BLOCKSIZE) + " for " + nbytes + " decoded bytes");
        }
        if ((flags & FLAG_MEMCPYED) != 0) {
            if ((long) nbytes + HEADER != cbytes) {
                throw new CodecException("blosc frame is a plain copy of " + nbytes + " bytes but is " + cbytes
                        + " bytes long, not " + ((long) nbytes + HEADER));
            }
            out.buffer.put(0, src, HEADER, nbytes);
        } else {
            int format = flags >>> 5;
            if (format >= FORMAT_NAMES.length) {
                throw new CodecException("blosc frame uses compressor format " + format
                        + ", which no Blosc 1.x defines");
            }
            if (versionLz != 1) {
                throw new CodecException("blosc frame uses " + FORMAT_NAMES[format] + " format version "
                        + versionLz + "; only version 1 is defined");
            }
            try (Scratch scratch = Scratch.acquire()) {
                new Frame(src, flags, format, typesize, nbytes, blocksize, cbytes, out, scratch).decodeBlocks();
            }
        }
        dst.position(dst.limit());
    }

    /** One frame being decoded: what every block needs. */
    private static final class Frame {
        final ByteBuffer src;
        final int format;
        final int typesize;
        final int nbytes;
        final int blocksize;
        final int cbytes;
        final boolean shuffle;
        final boolean bitshuffle;
        final boolean dontSplit;
        final Output out;
        final Scratch scratch;
        final int nblocks;

        Frame(ByteBuffer src, int flags, int format, int typesize, int nbytes, int blocksize, int cbytes,
                Output out, Scratch scratch) {
            this.src = src;
            this.format = format;
            this.typesize = typesize;
            this.nbytes = nbytes;
            this.blocksize = blocksize;
            this.cbytes = cbytes;
            this.shuffle = (flags & FLAG_SHUFFLE) != 0 && typesize > 1;
            this.bitshuffle = (flags & FLAG_BITSHUFFLE) != 0;
            this.dontSplit = (flags & FLAG_DONT_SPLIT) != 0;
            this.out = out;
            this.scratch = scratch;
            this.nblocks = nbytes / blocksize + (nbytes % blocksize != 0 ? 1 : 0);
        }

        void decodeBlocks() throws CodecException {
            long tableEnd = HEADER + 4L * nblocks;
            if (tableEnd > cbytes) {
                throw new CodecException("blosc frame of " + cbytes + " bytes is too short for the offsets of its "
                        + nblocks + " blocks");
            }
            for (int b = 0; b < nblocks; b++) {
                int start = src.getInt(HEADER + 4 * b);
                if (start < tableEnd || start > cbytes - 4) {
                    throw new CodecException("blosc block " + b + " of " + nblocks + " starts at byte " + start
                            + ", outside the frame's data (" + tableEnd + ".." + (cbytes - 4) + ")");
                }
                boolean last = b == nblocks - 1;
                int bsize = last ? nbytes - b * blocksize : blocksize;
                decodeBlock(b, start, bsize, last && bsize < blocksize);
            }
        }

        private void decodeBlock(int b, int start, int bsize, boolean leftover) throws CodecException {
            boolean bit = !shuffle && bitshuffle && bsize >= typesize;
            int nsplits = !dontSplit && typesize <= MAX_SPLITS && bsize / typesize >= MIN_BUFFERSIZE && !leftover
                    ? typesize : 1;
            if (bsize % nsplits != 0) {
                throw new CodecException("blosc block " + b + " of " + nblocks + ": " + bsize
                        + " bytes do not split into " + nsplits + " streams (blocksize is not a multiple of typesize "
                        + typesize + ")");
            }
            int neblock = bsize / nsplits;
            boolean filtered = shuffle || bit;
            // typesize 2 into a heap destination under C2: stage the block off-heap, where the unshuffle vectorizes
            boolean offHeap = shuffle && typesize == 2 && out.array != null && !Shuffle.Kernel.C1_ONLY
                    && bsize <= Scratch.MAX_RETAINED_BYTES;
            ByteBuffer stage = !filtered ? null
                    : offHeap ? scratch.nativeBlockBuffer(bsize) : scratch.blockBuffer(bsize);
            int outOff = b * blocksize;
            int pos = start;
            for (int j = 0; j < nsplits; j++) {
                if (pos > cbytes - 4) {
                    throw new CodecException("blosc block " + b + " of " + nblocks + ", stream " + j + " of "
                            + nsplits + ": starts past the end of the frame");
                }
                int len = src.getInt(pos);
                pos += 4;
                if (len < 0 || len > cbytes - pos) {
                    throw new CodecException("blosc block " + b + " of " + nblocks + ", stream " + j + " of "
                            + nsplits + ": says it is " + Integer.toUnsignedString(len) + " bytes, "
                            + (cbytes - pos) + " remain in the frame");
                }
                int at = j * neblock;
                if (filtered) {
                    decodeStream(b, j, pos, len, neblock, stage, at);
                } else {
                    decodeStream(b, j, pos, len, neblock, out.buffer, outOff + at);
                }
                pos += len;
            }
            if (offHeap) {
                Shuffle.unshuffle2Native(scratch.nativeBlockSegment(), bsize, out, outOff);
            } else if (shuffle) {
                Shuffle.unshuffle(typesize, bsize, scratch.block(bsize), out, outOff, scratch);
            } else if (bit) {
                Shuffle.bitunshuffle(typesize, bsize, scratch.block(bsize), out, outOff, scratch);
            }
        }

        /** Decodes the stream {@code src[pos, pos + len)} into {@code target[at, at + size)}, exactly. */
        private void decodeStream(int b, int j, int pos, int len, int size, ByteBuffer target, int at)
                throws CodecException {
            if (len == size) { // stored as it is (c-blosc does this for streams that did not compress)
                target.put(at, src, pos, size);
                return;
            }
            String what = STREAM_NAMES[format];
            try {
                switch (format) {
                    case LZ4 -> Lz4Blocks.decompress(src, pos, len, target, at, size, what);
                    case ZSTD -> ZstdFrames.decompress(scratch.zstd(), src, pos, len, target, at, size, what);
                    case ZLIB -> inflate(pos, len, target, at, size, what);
                    default -> decodeInJava(pos, len, target, at, size, what);
                }
            } catch (CodecException e) {
                // the context is added here, only on failure: no string building per stream
                throw new CodecException("blosc block " + b + " of " + nblocks + ", stream " + j + ": "
                        + e.getMessage(), e);
            }
        }

        /** blosclz and snappy: Java decoders over arrays. */
        private void decodeInJava(int pos, int len, ByteBuffer target, int at, int size, String what)
                throws CodecException {
            byte[] in;
            int inOff;
            if (src.hasArray()) {
                in = src.array();
                inOff = src.arrayOffset() + pos;
            } else {
                in = scratch.spare(len);
                inOff = 0;
                src.get(pos, in, 0, len);
            }
            byte[] o;
            int oOff;
            if (target.hasArray()) {
                o = target.array();
                oOff = target.arrayOffset() + at;
            } else {
                // unfiltered blocks, or filtered ones staged off-heap: either way the block scratch is free
                o = scratch.block(size);
                oOff = 0;
            }
            int n = format == BLOSCLZ
                    ? BloscLz.decompress(in, inOff, len, o, oOff, size)
                    : SnappyRaw.decompress(in, inOff, len, o, oOff, size);
            if (n != size) {
                throw new CodecException(what + " decodes to " + n + " bytes, expected " + size);
            }
            if (!target.hasArray()) {
                target.put(at, o, 0, size);
            }
        }

        /**
         * zlib: c-blosc writes each stream with zlib's compress2 (a zlib-wrapped deflate stream) and reads it with
         * uncompress, which ignores bytes after the stream's end; so does this.
         */
        private void inflate(int pos, int len, ByteBuffer target, int at, int size, String what)
                throws CodecException {
            Inflater inf = scratch.inflater(false);
            inf.setInput(src.slice(pos, len));
            ByteBuffer window = target.slice(at, size);
            Inflation.inflate(inf, window, what, size);
            if (window.hasRemaining()) {
                throw new CodecException(what + " decodes to " + window.position() + " bytes, expected " + size);
            }
        }
    }
}
