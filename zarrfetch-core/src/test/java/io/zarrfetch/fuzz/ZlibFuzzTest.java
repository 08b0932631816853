package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the zlib decoder for {@link CodecHarness}'s properties. */
class ZlibFuzzTest {
    private static final BytesCodec CODEC = Codecs.v2Compressor(Map.of("id", "zlib"));

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void zlib(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
