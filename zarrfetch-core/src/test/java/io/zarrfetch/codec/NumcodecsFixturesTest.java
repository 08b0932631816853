package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames written by numcodecs 0.11 (and the system c-blosc 1.21.3 with Snappy, the zstd CLI, Python's gzip),
 * committed under src/test/resources/io/zarrfetch/codec (see the README and make_fixtures.py there), decoded and
 * compared byte for byte with their inputs.
 */
class NumcodecsFixturesTest {

    static Stream<Arguments> fixtures() {
        String manifest = new String(resource("manifest.tsv"), StandardCharsets.UTF_8);
        return manifest.lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("\t"))
                .map(f -> Arguments.of(f[0], f[1], f[2], f[3]));
    }

    static byte[] resource(String name) {
        try (InputStream in = NumcodecsFixturesTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("fixtures")
    void decodes(String file, String codecId, String inputFile, String producer) throws Exception {
        byte[] encoded = resource(file);
        byte[] expected = resource(inputFile);
        BytesCodec codec = Codecs.v2Compressor(Map.of("id", codecId));
        assertThat(TestData.decode(codec, encoded, expected.length)).isEqualTo(expected);
        assertThat(TestData.decodeDirect(codec, encoded, expected.length)).isEqualTo(expected);
        long announced = codec.decodedSize(ByteBuffer.wrap(encoded));
        if (announced >= 0) {
            assertThat(announced).isEqualTo(expected.length);
        } else {
            assertThat(codecId).isIn("zlib", "gzip", "zstd"); // only these may not say
        }
        // the same through Zarr v3 names
        BytesCodec v3 = Codecs.v3(codecId.equals("zlib") || codecId.equals("lz4") ? "numcodecs." + codecId : codecId,
                null);
        assertThat(TestData.decode(v3, encoded, expected.length)).isEqualTo(expected);
    }
}
