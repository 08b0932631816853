package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import net.jpountz.lz4.LZ4Factory;

/** zstd, zlib, gzip, lz4 (numcodecs framing) and crc32c, on data made in Java, good and bad. */
class StreamCodecsTest {
    private static final BytesCodec ZSTD = Codecs.v3("zstd", Map.of("level", 3L, "checksum", false));
    private static final BytesCodec ZLIB = Codecs.v2Compressor(Map.of("id", "zlib", "level", 1));
    private static final BytesCodec GZIP = Codecs.v3("gzip", Map.of("level", 5));
    private static final BytesCodec LZ4 = Codecs.v2Compressor(Map.of("id", "lz4", "acceleration", 1));
    private static final BytesCodec CRC32C = Codecs.v3("crc32c", Map.of());

    private static final byte[] DATA = TestData.smooth(200_003, 2, 1);

    private static void roundTrips(BytesCodec codec, byte[] encoded, byte[] raw) throws CodecException {
        assertThat(TestData.decode(codec, encoded, raw.length)).isEqualTo(raw);
        assertThat(TestData.decodeDirect(codec, encoded, raw.length)).isEqualTo(raw);
        ByteBuffer dst = TestData.offsetHeap(new byte[raw.length]);
        int pos = dst.position();
        ByteBuffer src = TestData.offsetHeap(encoded).asReadOnlyBuffer();
        int srcPos = src.position();
        codec.decode(src, dst);
        assertThat(src.position()).isEqualTo(srcPos);
        assertThat(dst.position()).isEqualTo(dst.limit());
        byte[] got = new byte[raw.length];
        dst.get(pos, got);
        assertThat(got).isEqualTo(raw);
        // heap source, direct destination, and the other way round
        ByteBuffer direct = ByteBuffer.allocateDirect(raw.length);
        codec.decode(ByteBuffer.wrap(encoded), direct);
        assertThat(direct.flip()).isEqualTo(ByteBuffer.wrap(raw));
        ByteBuffer heap = ByteBuffer.allocate(raw.length);
        codec.decode(TestData.direct(encoded), heap);
        assertThat(heap.array()).isEqualTo(raw);
    }

    private static void failsWith(BytesCodec codec, byte[] encoded, int size, String message) {
        assertThatThrownBy(() -> TestData.decode(codec, encoded, size)).isInstanceOf(CodecException.class)
                .hasMessageContaining(message);
    }

    // zstd

    @Test
    void zstdFramesWithAndWithoutContentSizeAndChecksum() throws Exception {
        for (boolean contentSize : new boolean[] {true, false}) {
            for (boolean checksum : new boolean[] {true, false}) {
                try (ZstdCompressCtx c = new ZstdCompressCtx()) {
                    c.setLevel(5).setContentSize(contentSize).setChecksum(checksum);
                    byte[] frame = c.compress(DATA);
                    roundTrips(ZSTD, frame, DATA);
                    assertThat(ZSTD.decodedSize(ByteBuffer.wrap(frame))).isEqualTo(contentSize ? DATA.length : -1);
                }
            }
        }
    }

    @Test
    void zstdConcatenatedAndSkippableFrames() throws Exception {
        byte[] a = Zstd.compress(Arrays.copyOf(DATA, 1000), 1);
        byte[] b = Zstd.compress(Arrays.copyOfRange(DATA, 1000, DATA.length), 1);
        ByteBuffer skippable = ByteBuffer.allocate(8 + 5).order(ByteOrder.LITTLE_ENDIAN).putInt(0x184D2A53).putInt(5);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(a);
        all.writeBytes(skippable.array());
        all.writeBytes(b);
        roundTrips(ZSTD, all.toByteArray(), DATA);
        assertThat(ZSTD.decodedSize(ByteBuffer.wrap(all.toByteArray()))).isEqualTo(DATA.length);
    }

    @Test
    void zstdHostile() {
        byte[] frame = Zstd.compress(DATA, 3);
        failsWith(ZSTD, frame, DATA.length + 1, "zstd frames record 200003 decoded bytes, the destination has "
                + "200004");
        for (int cut : new int[] {0, 3, 4, 5, 10, frame.length / 2, frame.length - 1}) {
            assertThatThrownBy(() -> TestData.decode(ZSTD, Arrays.copyOf(frame, cut), DATA.length))
                    .as("cut to %d", cut).isInstanceOf(CodecException.class);
        }
        failsWith(ZSTD, TestData.random(1000, 1), 1000, "has magic");
        byte[] trailing = Arrays.copyOf(frame, frame.length + 2);
        failsWith(ZSTD, trailing, DATA.length, "stray bytes");
        // no content size recorded: bounded by the destination alone
        try (ZstdCompressCtx c = new ZstdCompressCtx()) {
            byte[] unsized = c.setContentSize(false).compress(DATA);
            failsWith(ZSTD, unsized, 1000, "zstd data decodes to more than 1000 bytes");
            failsWith(ZSTD, unsized, DATA.length + 10, "zstd data decodes to 200003 bytes, expected 200013");
        }
        // a frame claiming 2^60 bytes
        byte[] huge = frame.clone();
        huge[4] = (byte) 0xC0; // FCS flag 3: 8 bytes, not single segment
        assertThatThrownBy(() -> TestData.decode(ZSTD, huge, 100)).isInstanceOf(CodecException.class);
    }

    // zlib

    private static byte[] deflate(byte[] data, boolean raw) {
        Deflater d = new Deflater(6, raw);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    @Test
    void zlib() throws Exception {
        byte[] z = deflate(DATA, false);
        roundTrips(ZLIB, z, DATA);
        assertThat(ZLIB.decodedSize(ByteBuffer.wrap(z))).isEqualTo(-1);
        roundTrips(ZLIB, deflate(new byte[0], false), new byte[0]);
    }

    @Test
    void zlibHostile() {
        byte[] z = deflate(DATA, false);
        failsWith(ZLIB, z, DATA.length - 1, "zlib stream decodes to more than 200002 bytes");
        failsWith(ZLIB, z, DATA.length + 1, "zlib stream decodes to 200003 bytes, expected 200004");
        failsWith(ZLIB, Arrays.copyOf(z, z.length - 2), DATA.length, "truncated");
        failsWith(ZLIB, Arrays.copyOf(z, z.length + 3), DATA.length, "3 bytes follow the end of the zlib stream");
        failsWith(ZLIB, new byte[] {1, 2, 3}, 10, "not a zlib header");
        byte[] corrupt = z.clone();
        corrupt[z.length - 1] ^= 1; // the Adler-32
        failsWith(ZLIB, corrupt, DATA.length, "incorrect data check");
        assertThatThrownBy(() -> ZLIB.decodedSize(ByteBuffer.wrap(new byte[1]))).isInstanceOf(CodecException.class);
    }

    // gzip

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void gzipOneAndSeveralMembersAndPadding() throws Exception {
        byte[] one = gzip(DATA);
        roundTrips(GZIP, one, DATA);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(gzip(Arrays.copyOf(DATA, 77)));
        two.writeBytes(gzip(new byte[0]));
        two.writeBytes(gzip(Arrays.copyOfRange(DATA, 77, DATA.length)));
        two.writeBytes(new byte[9]);
        roundTrips(GZIP, two.toByteArray(), DATA);
        assertThat(GZIP.decodedSize(ByteBuffer.wrap(one))).isEqualTo(-1);
        roundTrips(GZIP, new byte[0], new byte[0]);
    }

    @Test
    void gzipHostile() throws Exception {
        byte[] g = gzip(DATA);
        failsWith(GZIP, g, DATA.length - 1, "gzip member 0 decodes to more than 200002 bytes");
        failsWith(GZIP, g, DATA.length + 1, "gzip data decodes to 200003 bytes, expected 200004");
        failsWith(GZIP, Arrays.copyOf(g, g.length - 3), DATA.length, "trailer is missing");
        failsWith(GZIP, Arrays.copyOf(g, 5), DATA.length, "truncated (in its header)");
        byte[] badCrc = g.clone();
        badCrc[g.length - 8] ^= 1;
        failsWith(GZIP, badCrc, DATA.length, "gzip member 0 fails its CRC-32");
        byte[] badSize = g.clone();
        badSize[g.length - 1] ^= 1;
        failsWith(GZIP, badSize, DATA.length, "its trailer says");
        byte[] magic = g.clone();
        magic[1] = 0;
        failsWith(GZIP, magic, DATA.length, "is not gzip");
        byte[] garbageAfter = Arrays.copyOf(g, g.length + 12);
        garbageAfter[g.length + 2] = 1;
        failsWith(GZIP, garbageAfter, DATA.length, "is not gzip");
        byte[] method = g.clone();
        method[2] = 7;
        failsWith(GZIP, method, DATA.length, "compression method 7");
    }

    // lz4 (numcodecs framing)

    private static byte[] lz4(byte[] data) {
        byte[] block = LZ4Factory.safeInstance().fastCompressor().compress(data);
        return ByteBuffer.allocate(4 + block.length).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).put(block)
                .array();
    }

    @Test
    void lz4() throws Exception {
        byte[] l = lz4(DATA);
        roundTrips(LZ4, l, DATA);
        assertThat(LZ4.decodedSize(ByteBuffer.wrap(l))).isEqualTo(DATA.length);
        roundTrips(LZ4, lz4(new byte[0]), new byte[0]);
    }

    @Test
    void lz4Hostile() {
        byte[] l = lz4(DATA);
        failsWith(LZ4, l, DATA.length + 1, "lz4 data says it decodes to 200003 bytes, the destination has 200004");
        failsWith(LZ4, new byte[3], 0, "shorter than its 4-byte size");
        byte[] lies = l.clone();
        ByteBuffer.wrap(lies).order(ByteOrder.LITTLE_ENDIAN).putInt(0, DATA.length - 1);
        failsWith(LZ4, lies, DATA.length - 1, "lz4 block is not a valid LZ4 block of at most 200002 bytes");
        ByteBuffer.wrap(lies).order(ByteOrder.LITTLE_ENDIAN).putInt(0, DATA.length + 1);
        failsWith(LZ4, lies, DATA.length + 1, "lz4 block decodes to 200003 bytes, expected 200004");
        ByteBuffer.wrap(lies).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -1);
        assertThatThrownBy(() -> LZ4.decodedSize(ByteBuffer.wrap(lies))).isInstanceOf(CodecException.class)
                .hasMessageContaining("4294967295");
        failsWith(LZ4, Arrays.copyOf(l, l.length - 1), DATA.length, "not a valid LZ4 block");
    }

    // crc32c

    private static byte[] crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return ByteBuffer.allocate(data.length + 4).order(ByteOrder.LITTLE_ENDIAN).put(data)
                .putInt((int) c.getValue()).array();
    }

    @Test
    void crc32cGoodAndCorrupt() throws Exception {
        byte[] good = crc32c(DATA);
        roundTrips(CRC32C, good, DATA);
        assertThat(CRC32C.decodedSize(ByteBuffer.wrap(good))).isEqualTo(DATA.length);
        roundTrips(CRC32C, crc32c(new byte[0]), new byte[0]);
        // the CRC-32C of "123456789" is e3069283
        assertThat(Arrays.copyOfRange(crc32c("123456789".getBytes()), 9, 13))
                .isEqualTo(new byte[] {(byte) 0x83, (byte) 0x92, 0x06, (byte) 0xe3});

        byte[] corrupt = good.clone();
        corrupt[1000] ^= 0x10;
        failsWith(CRC32C, corrupt, DATA.length, "crc32c checksum mismatch");
        byte[] badSum = good.clone();
        badSum[badSum.length - 1] ^= 1;
        failsWith(CRC32C, badSum, DATA.length, "crc32c checksum mismatch");
        failsWith(CRC32C, good, DATA.length - 1, "crc32c data holds 200003 bytes, the destination has 200002");
        failsWith(CRC32C, new byte[3], 0, "shorter than its checksum");
    }
}
