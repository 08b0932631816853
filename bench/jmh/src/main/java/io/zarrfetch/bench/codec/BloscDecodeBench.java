package io.zarrfetch.bench.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.Map;
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

import com.scalableminds.bloscjava.Blosc;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.CodecException;
import io.zarrfetch.codec.Codecs;

/**
 * Decoding one FULL-scale MUR-like chunk (Blosc, LZ4, byte shuffle, typesize 2; 64,764,000 bytes decoded, about
 * 28 MB stored), single-threaded:
 * <ul>
 *   <li>zarrfetchHeap / zarrfetchDirect: zarrfetch's Java Blosc decoder, heap frame into a heap buffer, or direct
 *       frame into a direct buffer (as the fetch engine's pooled buffers are);
 *   <li>bloscJava: c-blosc 1.21.4 through blosc-java, nthreads 1, what a Java user calls today (it copies the input
 *       and returns a new 64.8 MB array each time);
 *   <li>cBloscHeap / cBloscDirect: c-blosc alone, {@code blosc_decompress_ctx(src, dst, n, 1)} into a preallocated
 *       buffer through the FFM API (Debian's libblosc1 1.21.3: blosc-java does not export c-blosc's symbols). The
 *       floor: no copies, no allocation.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
public class BloscDecodeBench {
    private final BytesCodec blosc = Codecs.v2Compressor(Map.of("id", "blosc"));
    private byte[] frame;
    private ByteBuffer frameHeap;
    private ByteBuffer frameDirect;
    private ByteBuffer dstHeap;
    private ByteBuffer dstDirect;
    private MethodHandle cBlosc;
    private MemorySegment frameHeapSeg;
    private MemorySegment frameDirectSeg;
    private MemorySegment dstHeapSeg;
    private MemorySegment dstDirectSeg;

    @Setup(Level.Trial)
    public void setup() throws Throwable {
        frame = MurChunk.frame();
        frameHeap = ByteBuffer.wrap(frame);
        frameDirect = MurChunk.direct(frame);
        dstHeap = ByteBuffer.allocate(MurChunk.DECODED);
        dstDirect = ByteBuffer.allocateDirect(MurChunk.DECODED);
        frameHeapSeg = MemorySegment.ofArray(frame);
        frameDirectSeg = MemorySegment.ofBuffer(frameDirect);
        dstHeapSeg = MemorySegment.ofArray(dstHeap.array());
        dstDirectSeg = MemorySegment.ofBuffer(dstDirect);
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup("libblosc.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("c-blosc (libblosc.so.1) is missing: apt-get install libblosc1", e);
        }
        cBlosc = Linker.nativeLinker().downcallHandle(lib.find("blosc_decompress_ctx").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                Linker.Option.critical(true)); // lets heap segments through, like JNI's GetPrimitiveArrayCritical

        // every contender must produce the same bytes
        byte[] expected = Blosc.decompress(frame, 1);
        zarrfetchHeap();
        zarrfetchDirect();
        check(dstHeap.array(), expected, "zarrfetch heap");
        check(bytes(dstDirect), expected, "zarrfetch direct");
        java.util.Arrays.fill(dstHeap.array(), (byte) 0);
        cBloscHeap();
        check(dstHeap.array(), expected, "c-blosc heap");
        dstDirect.clear().put(new byte[MurChunk.DECODED]).clear();
        cBloscDirect();
        check(bytes(dstDirect), expected, "c-blosc direct");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.capacity()];
        b.get(0, out);
        return out;
    }

    private static void check(byte[] got, byte[] expected, String who) {
        if (!java.util.Arrays.equals(got, expected)) {
            throw new IllegalStateException(who + " decoded different bytes");
        }
    }

    @Benchmark
    public ByteBuffer zarrfetchHeap() throws CodecException {
        dstHeap.clear();
        blosc.decode(frameHeap, dstHeap);
        return dstHeap;
    }

    @Benchmark
    public ByteBuffer zarrfetchDirect() throws CodecException {
        dstDirect.clear();
        blosc.decode(frameDirect, dstDirect);
        return dstDirect;
    }

    @Benchmark
    public byte[] bloscJava() {
        return Blosc.decompress(frame, 1);
    }

    @Benchmark
    public int cBloscHeap() throws Throwable {
        int n = (int) cBlosc.invokeExact(frameHeapSeg, dstHeapSeg, (long) MurChunk.DECODED, 1);
        if (n != MurChunk.DECODED) {
            throw new IllegalStateException("blosc_decompress_ctx returned " + n);
        }
        return n;
    }

    @Benchmark
    public int cBloscDirect() throws Throwable {
        int n = (int) cBlosc.invokeExact(frameDirectSeg, dstDirectSeg, (long) MurChunk.DECODED, 1);
        if (n != MurChunk.DECODED) {
            throw new IllegalStateException("blosc_decompress_ctx returned " + n);
        }
        return n;
    }
}
