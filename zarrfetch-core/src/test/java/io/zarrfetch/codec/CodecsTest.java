package io.zarrfetch.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CodecsTest {

    @Test
    void v2Compressors() {
        assertThat(Codecs.v2Compressor(Map.of("id", "blosc", "cname", "lz4", "clevel", 5, "shuffle", 1,
                "blocksize", 0)).name()).isEqualTo("blosc");
        assertThat(Codecs.v2Compressor(Map.of("id", "zstd", "level", 22L)).name()).isEqualTo("zstd");
        assertThat(Codecs.v2Compressor(Map.of("id", "zlib", "level", 9)).name()).isEqualTo("zlib");
        assertThat(Codecs.v2Compressor(Map.of("id", "gzip", "level", 1)).name()).isEqualTo("gzip");
        assertThat(Codecs.v2Compressor(Map.of("id", "lz4", "acceleration", 1)).name()).isEqualTo("lz4");
        // numbers as JSON parsers give them
        assertThat(Codecs.v2Compressor(Map.of("id", "blosc", "clevel", 5.0, "shuffle", BigInteger.TWO)).name())
                .isEqualTo("blosc");
        assertThat(Codecs.v2Compressor(Map.of("id", "blosc", "cname", "snappy", "shuffle", -1)).toString())
                .contains("snappy");
    }

    @Test
    void v3Codecs() {
        assertThat(Codecs.v3("blosc", Map.of("cname", "zstd", "clevel", 5, "shuffle", "bitshuffle", "typesize", 4,
                "blocksize", 0)).name()).isEqualTo("blosc");
        assertThat(Codecs.v3("gzip", Map.of("level", 6)).name()).isEqualTo("gzip");
        assertThat(Codecs.v3("zstd", Map.of("level", -5, "checksum", true)).name()).isEqualTo("zstd");
        assertThat(Codecs.v3("crc32c", null).name()).isEqualTo("crc32c");
        assertThat(Codecs.v3("crc32c", Map.of()).name()).isEqualTo("crc32c");
        assertThat(Codecs.v3("numcodecs.zlib", Map.of("level", 1)).name()).isEqualTo("zlib");
        assertThat(Codecs.v3("numcodecs.lz4", null).name()).isEqualTo("lz4");
        assertThat(Codecs.v3("numcodecs.blosc", Map.of("cname", "lz4", "shuffle", 1)).name()).isEqualTo("blosc");
    }

    @Test
    void unsupportedCodecsAreNamedWithTheSupportedOnes() {
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "bz2", "level", 9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported compressor 'bz2' (supported: blosc, gzip, lz4, zlib, zstd)");
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "lzma")))
                .hasMessageStartingWith("unsupported compressor 'lzma'");
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("cname", "lz4")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no string \"id\"");
        assertThatThrownBy(() -> Codecs.v3("xyz", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported codec 'xyz' (supported: blosc, crc32c, gzip, zstd, and "
                        + "numcodecs.{blosc,gzip,lz4,zlib,zstd})");
        assertThatThrownBy(() -> Codecs.v3("numcodecs.bz2", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unsupported codec 'numcodecs.bz2' (supported: blosc, crc32c");
        assertThatThrownBy(() -> Codecs.v3("sharding_indexed", Map.of()))
                .hasMessageStartingWith("unsupported codec 'sharding_indexed'");
    }

    @Test
    void badConfigurationValuesAreNamed() {
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "blosc", "cname", "lzo")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compressor 'blosc': unsupported cname 'lzo' (supported: blosclz, lz4, lz4hc, snappy, "
                        + "zlib, zstd)");
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "blosc", "clevel", 10)))
                .hasMessage("compressor 'blosc': clevel must be an integer in 0..9, got 10");
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "blosc", "shuffle", "shuffle")))
                .hasMessage("compressor 'blosc': shuffle must be an integer in -1..2, got 'shuffle'");
        assertThatThrownBy(() -> Codecs.v2Compressor(Map.of("id", "blosc", "blocksize", 2.5)))
                .hasMessage("compressor 'blosc': blocksize must be an integer >= 0, got 2.5");
        assertThatThrownBy(() -> Codecs.v3("blosc", Map.of("shuffle", 1)))
                .hasMessage("codec 'blosc': unsupported shuffle 1 (supported: noshuffle, shuffle, bitshuffle)");
        assertThatThrownBy(() -> Codecs.v3("blosc", Map.of("typesize", 0)))
                .hasMessage("codec 'blosc': typesize must be an integer >= 1, got 0");
        assertThatThrownBy(() -> Codecs.v3("gzip", Map.of("level", 10)))
                .hasMessage("codec 'gzip': level must be an integer in 0..9, got 10");
        assertThatThrownBy(() -> Codecs.v3("zstd", Map.of("checksum", "yes")))
                .hasMessage("codec 'zstd': checksum must be true or false, got 'yes'");
        assertThatThrownBy(() -> Codecs.v3("zstd", Map.of("level", "3")))
                .hasMessage("codec 'zstd': level must be an integer, got '3'");
        assertThatThrownBy(() -> Codecs.v3("crc32c", Map.of("x", 1)))
                .hasMessage("codec 'crc32c' takes no configuration, got {x=1}");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("id", "zlib");
        withNull.put("level", null);
        assertThat(Codecs.v2Compressor(withNull).name()).isEqualTo("zlib");
    }
}
