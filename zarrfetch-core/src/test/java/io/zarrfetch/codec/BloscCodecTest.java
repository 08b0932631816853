package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.scalableminds.bloscjava.Blosc;

import io.zarrfetch.testkit.mur.MurDataset;

/**
 * The Java Blosc decoder against frames the real c-blosc 1.21.4 writes (blosc-java's bundled library), across
 * compressors, shuffles, typesizes, sizes, block sizes and levels.
 */
class BloscCodecTest {
    private static final BytesCodec BLOSC = Codecs.v2Compressor(Map.of("id", "blosc"));

    static Stream<Arguments> compressorsAndShuffles() {
        List<Arguments> a = new ArrayList<>();
        for (Blosc.Compressor c : List.of(Blosc.Compressor.LZ4, Blosc.Compressor.LZ4HC, Blosc.Compressor.BLOSCLZ,
                Blosc.Compressor.ZLIB, Blosc.Compressor.ZSTD)) {
            for (Blosc.Shuffle s : Blosc.Shuffle.values()) {
                a.add(Arguments.of(c, s));
            }
        }
        return a.stream();
    }

    /**
     * Every combination of typesize (1, 2, 3, 4, 8, 16), level (0 = plain copy, 1, 5, 9), size (empty, under the
     * 128 bytes c-blosc always copies, one block, several blocks with a short last one, not a multiple of the
     * typesize), forced block size (automatic, 256, 4096) and data (array-like, random, runs), decoded into heap
     * buffers and compared byte for byte with the input.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("compressorsAndShuffles")
    void decodesWhatCBloscWrites(Blosc.Compressor compressor, Blosc.Shuffle shuffle) throws Exception {
        int frames = 0;
        boolean hcr = compressor == Blosc.Compressor.ZSTD || compressor == Blosc.Compressor.ZLIB
                || compressor == Blosc.Compressor.LZ4HC;
        for (int typesize : new int[] {1, 2, 3, 4, 8, 16}) {
            for (int clevel : new int[] {0, 1, 5, 9}) {
                for (int size : new int[] {0, 1, 7, 127, 128, 1000, 4099, 40_003, 150_001}) {
                    if (hcr && clevel == 9 && size > 40_003) {
                        continue; // slow to compress, and nothing new to decode
                    }
                    for (int blocksize : new int[] {0, 256, 4096}) {
                        for (int kind = 0; kind < 3; kind++) {
                            long seed = 31L * size + typesize + 7L * clevel + kind;
                            byte[] raw = switch (kind) {
                                case 0 -> TestData.smooth(size, typesize, seed);
                                case 1 -> TestData.random(size, seed);
                                default -> TestData.runs(size, seed);
                            };
                            byte[] frame = Blosc.compress(raw, typesize, compressor, clevel, shuffle, blocksize, 1);
                            String what = compressor + " " + shuffle + " typesize=" + typesize + " clevel=" + clevel
                                    + " size=" + size + " blocksize=" + blocksize + " data=" + kind + ": "
                                    + TestData.describe(frame);
                            try {
                                assertThat(TestData.decode(BLOSC, frame, size)).as(what).isEqualTo(raw);
                            } catch (CodecException e) {
                                fail(what + ": " + e.getMessage(), e);
                            }
                            assertThat(BLOSC.decodedSize(ByteBuffer.wrap(frame))).isEqualTo(size);
                            frames++;
                        }
                    }
                }
            }
        }
        assertThat(frames).isGreaterThan(1000);
    }

    /** Direct and odd heap buffers on both sides, and read-only input. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("compressorsAndShuffles")
    void decodesBetweenAnyKindsOfBuffers(Blosc.Compressor compressor, Blosc.Shuffle shuffle) throws Exception {
        for (int typesize : new int[] {1, 2, 4, 3}) {
            byte[] raw = TestData.smooth(300_007, typesize, typesize);
            byte[] frame = Blosc.compress(raw, typesize, compressor, 5, shuffle, 0, 1);
            assertThat(TestData.decodeDirect(BLOSC, frame, raw.length)).isEqualTo(raw);

            ByteBuffer dst = TestData.offsetHeap(new byte[raw.length]);
            int pos = dst.position();
            BLOSC.decode(TestData.offsetHeap(frame).asReadOnlyBuffer(), dst);
            assertThat(dst.position()).isEqualTo(dst.limit());
            byte[] got = new byte[raw.length];
            dst.get(pos, got);
            assertThat(got).isEqualTo(raw);
            // the bytes around the destination are untouched
            assertThat(dst.array()[dst.arrayOffset() + pos - 1]).isEqualTo((byte) 0x5A);
            assertThat(dst.array()[dst.arrayOffset() + pos + raw.length]).isEqualTo((byte) 0x5A);

            ByteBuffer heapDst = ByteBuffer.allocate(raw.length);
            ByteBuffer directSrc = TestData.direct(frame);
            BLOSC.decode(directSrc, heapDst);
            assertThat(heapDst.array()).isEqualTo(raw);
            assertThat(directSrc.position()).isZero(); // the input's position is left alone
        }
    }

    @Test
    void murChunksDecodeToTheirValues() throws Exception {
        MurDataset ds = new MurDataset(new MurDataset.Options(3, MurDataset.Scale.SMALL, 7));
        for (int i = 0; i < 3; i++) {
            short[] values = ds.chunkValues(i);
            ByteBuffer expected = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            expected.asShortBuffer().put(values);
            byte[] frame = ds.compressedChunk(i);
            assertThat(TestData.decode(BLOSC, frame, expected.capacity())).isEqualTo(expected.array());
            assertThat(TestData.decodeDirect(BLOSC, frame, expected.capacity())).isEqualTo(expected.array());
        }
    }

    /** The benchmark's chunk: 64,764,000 bytes, LZ4, byte shuffle, typesize 2, many 256 KiB blocks. */
    @Test
    void fullScaleMurChunkMatchesCBlosc() throws Exception {
        MurDataset ds = new MurDataset(new MurDataset.Options(1, MurDataset.Scale.FULL, 1));
        byte[] frame = ds.compressedChunk(0);
        byte[] expected = Blosc.decompress(frame, 1);
        assertThat(expected).hasSize(64_764_000);
        assertThat(TestData.decode(BLOSC, frame, expected.length)).isEqualTo(expected);
        assertThat(TestData.decodeDirect(BLOSC, frame, expected.length)).isEqualTo(expected);
    }

    /** Scratch memory is pooled across threads, virtual ones included; concurrent decodes stay correct. */
    @Test
    void decodesConcurrently() throws Exception {
        List<byte[]> raws = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        Blosc.Compressor[] cs = {Blosc.Compressor.LZ4, Blosc.Compressor.ZSTD, Blosc.Compressor.BLOSCLZ,
            Blosc.Compressor.ZLIB};
        for (int i = 0; i < 16; i++) {
            int typesize = new int[] {2, 4, 1, 8}[i % 4];
            byte[] raw = TestData.smooth(200_000 + 997 * i, typesize, i);
            raws.add(raw);
            frames.add(Blosc.compress(raw, typesize, cs[i % cs.length], 5,
                    Blosc.Shuffle.values()[i % 3], i % 2 == 0 ? 0 : 8192, 1));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int i = t % 16;
                futures.add(pool.submit(() -> {
                    for (int k = 0; k < 5; k++) {
                        assertThat(TestData.decode(BLOSC, frames.get(i), raws.get(i).length)).isEqualTo(raws.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }
}
