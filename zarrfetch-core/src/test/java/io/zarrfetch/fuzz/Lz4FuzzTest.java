package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the lz4 decoder for {@link CodecHarness}'s properties. */
class Lz4FuzzTest {
    private static final BytesCodec CODEC = Codecs.v2Compressor(Map.of("id", "lz4"));

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void lz4(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
