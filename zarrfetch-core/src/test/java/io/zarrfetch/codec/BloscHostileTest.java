package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

import com.github.luben.zstd.Zstd;
import com.scalableminds.bloscjava.Blosc;

import net.jpountz.lz4.LZ4Factory;

/**
 * Frames that lie: each must fail with a {@link CodecException} that says what is wrong, before writing outside
 * the destination or allocating what the frame claims.
 */
class BloscHostileTest {
    private static final BytesCodec BLOSC = Codecs.v2Compressor(Map.of("id", "blosc"));

    private static byte[] frame(Blosc.Compressor c, Blosc.Shuffle s, int typesize, int size, int blocksize) {
        return Blosc.compress(TestData.smooth(size, typesize, size), typesize, c, 5, s, blocksize, 1);
    }

    private static void decodeInto(byte[] frame, int size) throws CodecException {
        BLOSC.decode(ByteBuffer.wrap(frame), ByteBuffer.allocate(size));
    }

    private static byte[] withInt(byte[] frame, int at, int value) {
        byte[] f = frame.clone();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return f;
    }

    private static int nbytes(byte[] frame) {
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    // An LZ4 frame, typesize 4, byte shuffle: 4 blocks of 65536 bytes (c-blosc enlarges the forced 4096 for codecs
    // that split blocks) of 4 streams each, and a short last block of 37856 bytes in one stream.
    private static final int SIZE = 300_000;
    private final byte[] lz4 = frame(Blosc.Compressor.LZ4, Blosc.Shuffle.BYTE_SHUFFLE, 4, SIZE, 4096);

    @Test
    void theSampleFrameHasTheExpectedShape() {
        assertThat(TestData.describe(lz4)).contains("nbytes=300000 blocksize=65536");
        assertThat(lz4[2] & 0x10).as("split").isZero();
    }

    @Test
    void nbytesMustMatchTheDestination() {
        assertThatThrownBy(() -> decodeInto(lz4, SIZE + 1)).isInstanceOf(CodecException.class)
                .hasMessage("blosc header says 300000 decoded bytes, the destination has 300001");
        assertThatThrownBy(() -> decodeInto(lz4, SIZE - 1)).isInstanceOf(CodecException.class)
                .hasMessageContaining("300000").hasMessageContaining("299999");
    }

    @Test
    void nothingIsWrittenWhenTheHeaderIsRejected() {
        ByteBuffer dst = ByteBuffer.allocate(SIZE + 1);
        Arrays.fill(dst.array(), (byte) 7);
        assertThatThrownBy(() -> BLOSC.decode(ByteBuffer.wrap(lz4), dst)).isInstanceOf(CodecException.class);
        assertThat(dst.array()).containsOnly((byte) 7);
        assertThat(dst.position()).isZero();
    }

    @Test
    void aHugeClaimedSizeFailsWithoutAllocating() throws Exception {
        byte[] f = withInt(lz4, 4, Integer.MAX_VALUE);
        assertThat(BLOSC.decodedSize(ByteBuffer.wrap(f))).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> decodeInto(f, SIZE)).isInstanceOf(CodecException.class)
                .hasMessageContaining("2147483647");
        byte[] negative = withInt(lz4, 4, -5);
        assertThatThrownBy(() -> BLOSC.decodedSize(ByteBuffer.wrap(negative))).isInstanceOf(CodecException.class)
                .hasMessageContaining("over Blosc's 2 GiB limit");
        // a million blocks claimed (blocksize 1), a frame far too short for their offsets: rejected up front
        byte[] manyBlocks = withInt(withInt(lz4, 4, 1_000_000), 8, 1);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> decodeInto(manyBlocks, 1_000_000)).isInstanceOf(CodecException.class)
                .hasMessageContaining("too short for the offsets of its 1000000 blocks");
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos()); // no per-block work
    }

    @Test
    void cbytesMustMatchTheEncodedLength() {
        assertThatThrownBy(() -> decodeInto(Arrays.copyOf(lz4, lz4.length + 1), SIZE))
                .isInstanceOf(CodecException.class)
                .hasMessage("blosc header says the frame is " + lz4.length + " bytes, it is " + (lz4.length + 1));
        assertThatThrownBy(() -> decodeInto(withInt(lz4, 12, lz4.length - 1), SIZE))
                .isInstanceOf(CodecException.class).hasMessageContaining("header says the frame is");
    }

    @Test
    void blocksizeMustBePlausible() {
        for (int bad : new int[] {0, -1, SIZE + 1, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> decodeInto(withInt(lz4, 8, bad), SIZE)).as("blocksize %d", bad)
                    .isInstanceOf(CodecException.class).hasMessageContaining("blocksize " + bad);
        }
        // a blocksize that changes the block count: offsets no longer fit, or blocks no longer decode
        for (int other : new int[] {1, 2, 100, 65_535, 65_537, 131_072, SIZE}) {
            assertThatThrownBy(() -> decodeInto(withInt(lz4, 8, other), SIZE)).as("blocksize %d", other)
                    .isInstanceOf(CodecException.class);
        }
    }

    @Test
    void randomBytesAreNotABloscFrame() {
        byte[] random = new byte[300];
        new java.util.Random(41).nextBytes(random);
        random[0] = (byte) 171;
        assertThatThrownBy(() -> decodeInto(random, SIZE)).isInstanceOf(CodecException.class)
                .hasMessage("not a Blosc frame: a Blosc 1.x frame starts with format version 2, this data with byte "
                        + "171 (corrupt, or compressed with another codec?)");
    }

    @Test
    void otherHeaderFieldsAreChecked() {
        byte[] v3 = lz4.clone();
        v3[0] = 3;
        assertThatThrownBy(() -> decodeInto(v3, SIZE)).isInstanceOf(CodecException.class)
                .hasMessageContaining("format version 3").hasMessageContaining("Blosc2");
        byte[] lzVersion = lz4.clone();
        lzVersion[1] = 2;
        assertThatThrownBy(() -> decodeInto(lzVersion, SIZE)).isInstanceOf(CodecException.class)
                .hasMessage("blosc frame uses lz4 format version 2; only version 1 is defined");
        byte[] reserved = lz4.clone();
        reserved[2] |= 0x08;
        assertThatThrownBy(() -> decodeInto(reserved, SIZE)).isInstanceOf(CodecException.class)
                .hasMessageContaining("reserved flag bit 3");
        for (int format = 5; format < 8; format++) {
            byte[] f = lz4.clone();
            f[2] = (byte) ((f[2] & 0x1F) | format << 5);
            assertThatThrownBy(() -> decodeInto(f, SIZE)).isInstanceOf(CodecException.class)
                    .hasMessageContaining("compressor format");
        }
        byte[] typesize0 = lz4.clone();
        typesize0[3] = 0;
        assertThatThrownBy(() -> decodeInto(typesize0, SIZE)).isInstanceOf(CodecException.class)
                .hasMessage("blosc header says typesize 0");
        assertThatThrownBy(() -> decodeInto(Arrays.copyOf(lz4, 15), SIZE)).isInstanceOf(CodecException.class)
                .hasMessage("blosc frame is 15 bytes, shorter than its 16-byte header");
    }

    @Test
    void blockOffsetsMustPointIntoTheData() {
        int tableEnd = 16 + 4 * 5;
        for (int bad : new int[] {0, 15, 16, tableEnd - 1, lz4.length - 3, lz4.length, Integer.MAX_VALUE, -1}) {
            assertThatThrownBy(() -> decodeInto(withInt(lz4, 16 + 4 * 3, bad), SIZE)).as("offset %d", bad)
                    .isInstanceOf(CodecException.class).hasMessageContaining("blosc block 3 of 5 starts at byte");
        }
        // pointing at another block's data: decodes garbage or fails, never more
        int otherBlock = ByteBuffer.wrap(lz4).order(ByteOrder.LITTLE_ENDIAN).getInt(16 + 4 * 1);
        try {
            decodeInto(withInt(lz4, 16 + 4 * 3, otherBlock), SIZE);
        } catch (CodecException expected) {
            // fine either way: the frame is consistent, just not the original data
        }
    }

    @Test
    void streamLengthsMustFitTheFrame() {
        int start = ByteBuffer.wrap(lz4).order(ByteOrder.LITTLE_ENDIAN).getInt(16 + 4 * 2);
        for (int bad : new int[] {-1, lz4.length, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> decodeInto(withInt(lz4, start, bad), SIZE)).as("length %d", bad)
                    .isInstanceOf(CodecException.class)
                    .hasMessageStartingWith("blosc block 2 of 5, stream 0 of 4: says it is");
        }
        // shorter than it is: the stream is cut, so it fails to decode
        int len = ByteBuffer.wrap(lz4).order(ByteOrder.LITTLE_ENDIAN).getInt(start);
        assertThatThrownBy(() -> decodeInto(withInt(lz4, start, len - 1), SIZE))
                .isInstanceOf(CodecException.class).hasMessageContaining("blosc block 2 of 5, stream 0");
    }

    // Streams that decode to more (or fewer) bytes than their block: every compressor stops at the block's end.

    private static void assertOverrun(int format, byte[] stream, String message) {
        byte[] f = TestData.oneStreamFrame(format, 1000, stream);
        ByteBuffer dst = ByteBuffer.allocate(1000 + 64).limit(1000); // room after the block that must stay zero
        assertThatThrownBy(() -> BLOSC.decode(ByteBuffer.wrap(f), dst)).isInstanceOf(CodecException.class)
                .hasMessageStartingWith("blosc block 0 of 1, stream 0: ").hasMessageContaining(message);
        for (int i = 1000; i < 1064; i++) {
            assertThat(dst.array()[i]).as("byte %d after the block", i).isZero();
        }
    }

    @Test
    void anLz4StreamLongerThanItsBlockFails() {
        byte[] stream = LZ4Factory.safeInstance().fastCompressor().compress(TestData.runs(5000, 1));
        assertOverrun(BloscCodec.LZ4, stream, "is not a valid LZ4 block of at most 1000 bytes");
        byte[] shorter = LZ4Factory.safeInstance().fastCompressor().compress(TestData.runs(600, 1));
        assertOverrun(BloscCodec.LZ4, shorter, "lz4 stream decodes to 600 bytes, expected 1000");
    }

    @Test
    void aZstdStreamLongerThanItsBlockFails() {
        assertOverrun(BloscCodec.ZSTD, Zstd.compress(TestData.runs(5000, 2), 3), "decodes to more than 1000 bytes");
        assertOverrun(BloscCodec.ZSTD, Zstd.compress(TestData.runs(999, 2), 3),
                "zstd stream decodes to 999 bytes, expected 1000");
    }

    @Test
    void aZlibStreamLongerThanItsBlockFails() {
        assertOverrun(BloscCodec.ZLIB, deflate(TestData.runs(5000, 3)), "decodes to more than 1000 bytes");
        assertOverrun(BloscCodec.ZLIB, deflate(TestData.runs(10, 3)), "zlib stream decodes to 10 bytes");
        byte[] cut = deflate(TestData.runs(1000, 3));
        assertOverrun(BloscCodec.ZLIB, Arrays.copyOf(cut, cut.length - 5), "truncated");
    }

    @Test
    void aBloscLzStreamLongerThanItsBlockFails() {
        // a real blosclz stream of 5000 bytes, taken from a c-blosc frame of one unsplit block
        byte[] big = Blosc.compress(TestData.runs(5000, 4), 1, Blosc.Compressor.BLOSCLZ, 5,
                Blosc.Shuffle.NO_SHUFFLE, 0, 1);
        ByteBuffer b = ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(8)).as("one block").isEqualTo(5000);
        int start = b.getInt(16);
        byte[] stream = Arrays.copyOfRange(big, start + 4, start + 4 + b.getInt(start));
        assertOverrun(BloscCodec.BLOSCLZ, stream, "blosclz stream decodes to more than 1000 bytes");
        // a match reaching before the start of the output
        assertOverrun(BloscCodec.BLOSCLZ, new byte[] {0, 42, (byte) 0x20, 5, 0}, "refers");
        // a literal run cut short
        assertOverrun(BloscCodec.BLOSCLZ, new byte[] {31, 1, 2, 3}, "truncated");
    }

    @Test
    void aSnappyStreamLongerThanItsBlockFails() {
        // varint 2000, then a 1-byte literal and a copy of 64 bytes repeated
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.write(0xD0);
        s.write(0x0F); // 2000
        s.write(0);
        s.write(9); // literal of 1 byte
        assertOverrun(BloscCodec.SNAPPY, s.toByteArray(), "snappy stream says it decodes to 2000 bytes");
        // announces 1000 but its copies write more
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.write(0xE8);
        t.write(0x07); // 1000
        t.write(0);
        t.write(9);
        for (int i = 0; i < 20; i++) {
            t.write(0xFE); // copy 64 bytes, 2-byte distance
            t.write(1);
            t.write(0);
        }
        assertOverrun(BloscCodec.SNAPPY, t.toByteArray(), "writes more than");
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(6);
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length + 100];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    @Test
    void splitBlocksMustDivideByTypesize() {
        // typesize 3, blocksize 1000: c-blosc never writes this (its block sizes are multiples of the typesize)
        byte[] f = TestData.bloscHeader(16 + 4 + 4 + 4, 1, BloscCodec.LZ4 << 5, 3, 2000, 1000, 28).array();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 24).putInt(20, 24);
        assertThatThrownBy(() -> decodeInto(f, 2000)).isInstanceOf(CodecException.class)
                .hasMessageContaining("blocksize is not a multiple of typesize 3");
    }

    @Test
    void aPlainCopyMustHoldExactlyItsBytes() {
        byte[] copy = Blosc.compress(TestData.random(1000, 1), 1, Blosc.Compressor.LZ4, 0,
                Blosc.Shuffle.NO_SHUFFLE, 0, 1);
        assertThat(copy[2] & 0x02).as("memcpyed").isEqualTo(2);
        byte[] lying = withInt(Arrays.copyOf(copy, copy.length - 1), 12, copy.length - 1);
        assertThatThrownBy(() -> decodeInto(lying, 1000)).isInstanceOf(CodecException.class)
                .hasMessage("blosc frame is a plain copy of 1000 bytes but is 1015 bytes long, not 1016");
    }

    /** Every truncation of real frames, with the header's cbytes left as is and with it patched to agree. */
    @Test
    void everyTruncationFails() {
        List<byte[]> frames = List.of(
                frame(Blosc.Compressor.LZ4, Blosc.Shuffle.BYTE_SHUFFLE, 2, 3000, 512),
                frame(Blosc.Compressor.BLOSCLZ, Blosc.Shuffle.BYTE_SHUFFLE, 4, 3000, 1024),
                frame(Blosc.Compressor.ZSTD, Blosc.Shuffle.BIT_SHUFFLE, 2, 3000, 0),
                frame(Blosc.Compressor.ZLIB, Blosc.Shuffle.NO_SHUFFLE, 1, 3000, 0),
                Blosc.compress(TestData.random(500, 5), 1, Blosc.Compressor.LZ4, 0, Blosc.Shuffle.NO_SHUFFLE, 0, 1));
        for (byte[] f : frames) {
            int size = nbytes(f);
            for (int len = 0; len < f.length; len++) {
                byte[] cut = Arrays.copyOf(f, len);
                assertThatThrownBy(() -> decodeInto(cut, size)).as("%s cut to %d", TestData.describe(f), cut.length)
                        .isInstanceOf(CodecException.class);
                if (len >= 16) {
                    byte[] agreeing = withInt(cut, 12, len);
                    assertThatThrownBy(() -> decodeInto(agreeing, size))
                            .as("%s cut to %d, cbytes patched", TestData.describe(f), len)
                            .isInstanceOf(CodecException.class);
                }
            }
        }
    }

    /** Random bytes, with and without a plausible header: a CodecException or (rarely) a decode, nothing else. */
    @Test
    void randomBytesFailCleanly() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SplittableRandom r = new SplittableRandom(42);
            for (int i = 0; i < 20_000; i++) {
                byte[] f = new byte[r.nextInt(200)];
                r.nextBytes(f);
                int size = r.nextInt(4) == 0 ? r.nextInt(5000) : 1000;
                if (f.length >= 16 && r.nextBoolean()) {
                    f[0] = 2;
                    f[1] = 1;
                    f[2] &= (byte) 0x97; // a known compressor, no reserved bit
                    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(4, size)
                            .putInt(8, 1 + r.nextInt(size + 1)).putInt(12, f.length);
                }
                expectCodecExceptionOrSuccess(f, size, "random input " + i);
            }
        });
    }

    /** Real frames of every compressor and shuffle, with bytes flipped at random (fixed seed). */
    @Test
    void mutatedFramesFailCleanly() {
        List<byte[]> frames = new ArrayList<>();
        for (Blosc.Compressor c : Blosc.Compressor.values()) {
            for (Blosc.Shuffle s : Blosc.Shuffle.values()) {
                frames.add(frame(c, s, 2, 20_000, 2048));
                frames.add(frame(c, s, 4, 5_000, 0));
            }
        }
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 6_000; i++) {
                byte[] original = frames.get(r.nextInt(frames.size()));
                byte[] f = original.clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = r.nextInt(4) == 0 ? r.nextInt(Math.min(f.length, 64)) : r.nextInt(f.length);
                    f[at] = (byte) r.nextInt(256);
                }
                expectCodecExceptionOrSuccess(f, nbytes(original), "mutation " + i + " of " + TestData.describe(
                        original));
            }
        });
    }

    private static void expectCodecExceptionOrSuccess(byte[] f, int size, String what) {
        ByteBuffer dst = ByteBuffer.allocate(size + 16).limit(size);
        try {
            BLOSC.decode(ByteBuffer.wrap(f), dst);
            assertThat(dst.position()).as(what).isEqualTo(size);
        } catch (CodecException e) {
            assertThat(e.getMessage()).as(what).isNotBlank();
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
        for (int i = size; i < size + 16; i++) {
            assertThat(dst.array()[i]).as("%s: byte %d past the destination", what, i).isZero();
        }
    }
}
