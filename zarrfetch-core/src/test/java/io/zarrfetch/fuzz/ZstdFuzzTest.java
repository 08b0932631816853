package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the zstd decoder for {@link CodecHarness}'s properties. */
class ZstdFuzzTest {
    private static final BytesCodec CODEC = Codecs.v3("zstd", Map.of());

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void zstd(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
