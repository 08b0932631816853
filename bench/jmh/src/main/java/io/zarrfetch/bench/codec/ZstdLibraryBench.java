package io.zarrfetch.bench.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.scalableminds.bloscjava.Blosc;

import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdNativeDecompressor;

/**
 * Which zstd library: decoding one zstd frame of the MUR-like chunk's 64.8 MB (byte-shuffled by c-blosc first, as
 * Blosc would, at zstd level {@code level}) into a preallocated buffer. zstd-jni (arrays, or direct buffers),
 * aircompressor's pure-Java decoder and its native one (FFM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class ZstdLibraryBench {
    @Param({"3"})
    public int level;

    private byte[] compressed;
    private ByteBuffer compressedDirect;
    private final byte[] out = new byte[MurChunk.DECODED];
    private final ByteBuffer outDirect = ByteBuffer.allocateDirect(MurChunk.DECODED);
    private final ZstdDecompressCtx jni = new ZstdDecompressCtx();
    private final ZstdJavaDecompressor airJava = new ZstdJavaDecompressor();
    private ZstdNativeDecompressor airNative;
    private MemorySegment compressedSeg;
    private final MemorySegment outSeg = MemorySegment.ofArray(out);

    @Setup(Level.Trial)
    public void setup() {
        // c-blosc's byte shuffle without compression (clevel 0 keeps it unshuffled), so shuffle by hand: the
        // planes of the int16 values, as a Blosc-shuffled block holds them
        byte[] raw = Blosc.decompress(MurChunk.frame(), 1);
        byte[] shuffled = new byte[raw.length];
        int n = raw.length / 2;
        for (int i = 0; i < n; i++) {
            shuffled[i] = raw[2 * i];
            shuffled[n + i] = raw[2 * i + 1];
        }
        compressed = Zstd.compress(shuffled, level);
        compressedDirect = MurChunk.direct(compressed);
        compressedSeg = MemorySegment.ofArray(compressed);
        if (!ZstdNativeDecompressor.isEnabled()) {
            throw new IllegalStateException("aircompressor's native zstd is not available here");
        }
        airNative = new ZstdNativeDecompressor();
    }

    private static int check(long n) {
        if (n != MurChunk.DECODED) {
            throw new IllegalStateException("decoded " + n);
        }
        return (int) n;
    }

    @Benchmark
    public int zstdJniArrays() {
        return check(jni.decompressByteArray(out, 0, out.length, compressed, 0, compressed.length));
    }

    @Benchmark
    public int zstdJniDirect() {
        return check(jni.decompressDirectByteBuffer(outDirect, 0, MurChunk.DECODED, compressedDirect, 0,
                compressed.length));
    }

    @Benchmark
    public int aircompressorJava() {
        return check(airJava.decompress(compressed, 0, compressed.length, out, 0, out.length));
    }

    @Benchmark
    public int aircompressorNative() {
        return check(airNative.decompress(compressedSeg, outSeg));
    }
}
