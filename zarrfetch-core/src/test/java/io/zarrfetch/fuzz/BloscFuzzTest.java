package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the blosc decoder for {@link CodecHarness}'s properties. */
class BloscFuzzTest {
    private static final BytesCodec CODEC = Codecs.v2Compressor(Map.of("id", "blosc"));

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void blosc(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
