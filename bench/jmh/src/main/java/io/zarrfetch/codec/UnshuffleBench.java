package io.zarrfetch.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The typesize-2 unshuffle kernels alone (zarrfetch-internal, hence this package): one 256 KiB shuffled block
 * unshuffled 247 times into successive parts of a 64.8 MB destination, as in a MUR chunk, heap or direct.
 * {@code lanes} is what C2 runs (block staged off-heap for a heap destination, on the heap for a direct one),
 * {@code widen} C2's fallback for heap-to-heap, {@code longs} what C1 runs, {@code bytes} the plain loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class UnshuffleBench {
    private static final int BLOCK = 256 * 1024;
    private static final int BLOCKS = 64_764_000 / BLOCK;

    @Param({"lanes", "widen", "longs", "bytes"})
    public String kernel;

    @Param({"heap", "direct"})
    public String dst;

    private final byte[] src = new byte[BLOCK];
    private MemorySegment srcOffHeap;
    private byte[] heap;
    private ByteBuffer direct;
    private MemorySegment seg;
    private Scratch scratch;

    @Setup(Level.Trial)
    public void setup() {
        new SplittableRandom(1).nextBytes(src);
        srcOffHeap = java.lang.foreign.Arena.ofAuto().allocate(BLOCK);
        MemorySegment.copy(src, 0, srcOffHeap, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, BLOCK);
        heap = new byte[BLOCKS * BLOCK];
        direct = ByteBuffer.allocateDirect(BLOCKS * BLOCK);
        seg = dst.equals("heap") ? MemorySegment.ofArray(heap) : MemorySegment.ofBuffer(direct);
        scratch = Scratch.acquire();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scratch.close();
    }

    @Benchmark
    public Object unshuffle() {
        int n = BLOCK / 2;
        byte[] spare = scratch.spare(BLOCK);
        for (int b = 0; b < BLOCKS; b++) {
            int off = b * BLOCK;
            switch (kernel) {
                case "lanes" -> {
                    if (dst.equals("heap")) {
                        Shuffle.unshuffle2Lanes(srcOffHeap, n, seg, off);
                    } else {
                        Shuffle.unshuffle2Lanes(src, n, seg, off);
                    }
                }
                case "widen" -> Shuffle.unshuffle2Widen(src, n, seg, off, scratch);
                case "longs" -> {
                    if (dst.equals("heap")) {
                        Shuffle.unshuffle2Longs(src, n, heap, off);
                    } else {
                        Shuffle.unshuffle2Longs(src, n, spare, 0);
                        MemorySegment.copy(spare, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, off, BLOCK);
                    }
                }
                default -> {
                    if (dst.equals("heap")) {
                        Shuffle.unshuffleGeneric(2, src, n, heap, off);
                    } else {
                        Shuffle.unshuffleGeneric(2, src, n, spare, 0);
                        MemorySegment.copy(spare, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, off, BLOCK);
                    }
                }
            }
        }
        return seg;
    }
}
