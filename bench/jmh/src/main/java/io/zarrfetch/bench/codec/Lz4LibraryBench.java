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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.lz4.Lz4NativeDecompressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Which LZ4 library: decompressing every LZ4 stream of the MUR-like chunk (255 blocks of two 128 KiB byte planes;
 * 64.8 MB out in all) into one 256 KiB scratch block, as the Blosc decoder does. lz4-java's JNI binding (from a
 * heap or a direct frame), its pure-Java safe decoder, aircompressor's pure-Java decoder and its native one (FFM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class Lz4LibraryBench {
    private byte[] frame;
    private ByteBuffer frameHeap;
    private ByteBuffer frameDirect;
    private MemorySegment frameSeg;
    private int[] offsets;
    private int[] lengths;
    private int[] sizes;
    private final byte[] block = new byte[256 * 1024];
    private final ByteBuffer blockBuffer = ByteBuffer.wrap(block);
    private final MemorySegment blockSeg = MemorySegment.ofArray(block);
    private final LZ4SafeDecompressor lz4JavaJni = LZ4Factory.nativeInstance().safeDecompressor();
    private final LZ4SafeDecompressor lz4JavaSafe = LZ4Factory.safeInstance().safeDecompressor();
    private final Lz4JavaDecompressor airJava = new Lz4JavaDecompressor();
    private Lz4NativeDecompressor airNative;

    @Setup(Level.Trial)
    public void setup() {
        frame = MurChunk.frame();
        frameHeap = ByteBuffer.wrap(frame);
        frameDirect = MurChunk.direct(frame);
        frameSeg = MemorySegment.ofArray(frame);
        int[][] s = MurChunk.streams(frame);
        offsets = s[0];
        lengths = s[1];
        sizes = s[2];
        if (!Lz4NativeDecompressor.isEnabled()) {
            throw new IllegalStateException("aircompressor's native LZ4 is not available here");
        }
        airNative = new Lz4NativeDecompressor();
    }

    private static int check(int n, int expected) {
        if (n != expected) {
            throw new IllegalStateException("decoded " + n + ", expected " + expected);
        }
        return n;
    }

    @Benchmark
    public long lz4JavaJniHeap() {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            total += check(lz4JavaJni.decompress(frameHeap, offsets[i], lengths[i], blockBuffer, 0, sizes[i]),
                    sizes[i]);
        }
        return total;
    }

    @Benchmark
    public long lz4JavaJniDirect() {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            total += check(lz4JavaJni.decompress(frameDirect, offsets[i], lengths[i], blockBuffer, 0, sizes[i]),
                    sizes[i]);
        }
        return total;
    }

    @Benchmark
    public long lz4JavaSafeJava() {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            total += check(lz4JavaSafe.decompress(frame, offsets[i], lengths[i], block, 0, sizes[i]), sizes[i]);
        }
        return total;
    }

    @Benchmark
    public long aircompressorJava() {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            total += check(airJava.decompress(frame, offsets[i], lengths[i], block, 0, sizes[i]), sizes[i]);
        }
        return total;
    }

    @Benchmark
    public long aircompressorNative() {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            total += check(airNative.decompress(frameSeg.asSlice(offsets[i], lengths[i]),
                    blockSeg.asSlice(0, sizes[i])), sizes[i]);
        }
        return total;
    }
}
