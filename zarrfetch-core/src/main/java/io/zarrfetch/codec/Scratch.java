package io.zarrfetch.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.Inflater;

import com.github.luben.zstd.ZstdDecompressCtx;

/**
 * Working memory of one decode call, taken from a small shared pool and given back by {@link #close()}, so that
 * steady-state decoding allocates nothing per chunk. A pool rather than a ThreadLocal: decoders also run on virtual
 * threads, where a ThreadLocal would start empty on every thread. Not thread-safe: one decode call owns an instance.
 */
final class Scratch implements AutoCloseable {
    /**
     * Byte arrays up to this size go back to the pool. Blosc's automatic block sizes stay at or under 1 MiB; only a
     * block size forced at compression time is larger, and its arrays are dropped after the call.
     */
    static final int MAX_RETAINED_BYTES = 4 << 20;

    /** Elements per pass of the widening typesize-2 unshuffle: two 16 KiB char arrays stay in L1. */
    static final int CHARS = 8192;

    private static final int POOL_SIZE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final AtomicReferenceArray<Scratch> POOL = new AtomicReferenceArray<>(POOL_SIZE);

    private byte[] block;
    private ByteBuffer blockBuffer;
    private ByteBuffer nativeBlock;
    private MemorySegment nativeBlockSegment;
    private byte[] spare;
    private byte[] planes;
    private ByteBuffer planesBuffer;
    private char[] charsA;
    private char[] charsB;
    private CharBuffer charsABuffer;
    private MemorySegment charsASegment;
    private CharBuffer charsBBuffer;
    private CharsetDecoder latin1;
    private Inflater zlibInflater;
    private Inflater rawInflater;
    private ZstdDecompressCtx zstd;

    private Scratch() {
    }

    /** An idle instance from the pool, or a new one. */
    static Scratch acquire() {
        int start = (int) (Thread.currentThread().threadId() % POOL_SIZE);
        for (int k = 0; k < POOL_SIZE; k++) {
            int i = (start + k) % POOL_SIZE;
            Scratch s = POOL.get(i);
            if (s != null && POOL.compareAndSet(i, s, null)) {
                return s;
            }
        }
        return new Scratch();
    }

    /** Gives this instance back to the pool (or frees its native state when the pool is full). */
    @Override
    public void close() {
        if (block != null && block.length > MAX_RETAINED_BYTES) {
            block = null;
            blockBuffer = null;
        }
        if (nativeBlock != null && nativeBlock.capacity() > MAX_RETAINED_BYTES) {
            nativeBlock = null;
            nativeBlockSegment = null;
        }
        if (spare != null && spare.length > MAX_RETAINED_BYTES) {
            spare = null;
        }
        if (planes != null && planes.length > MAX_RETAINED_BYTES) {
            planes = null;
            planesBuffer = null;
        }
        int start = (int) (Thread.currentThread().threadId() % POOL_SIZE);
        for (int k = 0; k < POOL_SIZE; k++) {
            int i = (start + k) % POOL_SIZE;
            if (POOL.get(i) == null && POOL.compareAndSet(i, null, this)) {
                return;
            }
        }
        if (zlibInflater != null) {
            zlibInflater.end();
        }
        if (rawInflater != null) {
            rawInflater.end();
        }
        if (zstd != null) {
            zstd.close();
        }
    }

    /** A byte array of at least {@code size} bytes: where Blosc blocks decompress before they are unshuffled. */
    byte[] block(int size) {
        if (block == null || block.length < size) {
            block = new byte[size];
            blockBuffer = ByteBuffer.wrap(block);
        }
        return block;
    }

    /** {@link #block(int)} wrapped in a heap ByteBuffer, for libraries that take buffers. */
    ByteBuffer blockBuffer(int size) {
        block(size);
        return blockBuffer.clear();
    }

    /**
     * A direct buffer of at least {@code size} bytes, cleared: where typesize-2 Blosc blocks decompress before they
     * are unshuffled into a heap destination (see {@link Shuffle#unshuffle2Native}).
     */
    ByteBuffer nativeBlockBuffer(int size) {
        if (nativeBlock == null || nativeBlock.capacity() < size) {
            nativeBlock = ByteBuffer.allocateDirect(size);
            nativeBlockSegment = MemorySegment.ofBuffer(nativeBlock);
        }
        return nativeBlock.clear();
    }

    /** {@link #nativeBlockBuffer(int)}'s memory as a segment. */
    MemorySegment nativeBlockSegment() {
        return nativeBlockSegment;
    }

    /** A second byte array of at least {@code size} bytes: unshuffle output, or a copy of a stream. */
    byte[] spare(int size) {
        if (spare == null || spare.length < size) {
            spare = new byte[size];
        }
        return spare;
    }

    /** A third byte array of at least {@code size} bytes: a bit-shuffled block turned into byte planes. */
    byte[] planes(int size) {
        if (planes == null || planes.length < size) {
            planes = new byte[size];
            planesBuffer = ByteBuffer.wrap(planes);
        }
        return planes;
    }

    char[] charsA() {
        if (charsA == null) {
            charsA = new char[CHARS];
            charsABuffer = CharBuffer.wrap(charsA);
        }
        return charsA;
    }

    char[] charsB() {
        if (charsB == null) {
            charsB = new char[CHARS];
            charsBBuffer = CharBuffer.wrap(charsB);
        }
        return charsB;
    }

    MemorySegment charsASegment() {
        if (charsASegment == null) {
            charsASegment = MemorySegment.ofArray(charsA());
        }
        return charsASegment;
    }

    /** {@code array} in a heap ByteBuffer: a cached one when it is {@link #block(int)}'s or {@link #planes(int)}'s. */
    ByteBuffer wrap(byte[] array) {
        if (array == block) {
            return blockBuffer.clear();
        }
        return array == planes ? planesBuffer.clear() : ByteBuffer.wrap(array);
    }

    CharBuffer charsABuffer() {
        charsA();
        return charsABuffer.clear();
    }

    CharBuffer charsBBuffer() {
        charsB();
        return charsBBuffer.clear();
    }

    /** An ISO-8859-1 decoder: the JDK widens bytes to chars with SIMD instructions in it (see {@link Shuffle}). */
    CharsetDecoder latin1() {
        if (latin1 == null) {
            latin1 = StandardCharsets.ISO_8859_1.newDecoder();
        }
        return latin1;
    }

    /** A reset Inflater for zlib streams ({@code raw == false}) or raw deflate data ({@code raw == true}). */
    Inflater inflater(boolean raw) {
        Inflater inf = raw ? rawInflater : zlibInflater;
        if (inf == null) {
            inf = new Inflater(raw);
            if (raw) {
                rawInflater = inf;
            } else {
                zlibInflater = inf;
            }
        } else {
            inf.reset();
        }
        return inf;
    }

    /** A zstd decompression context (native; reused across calls). */
    ZstdDecompressCtx zstd() {
        if (zstd == null) {
            zstd = new ZstdDecompressCtx();
        }
        return zstd;
    }
}
