package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the gzip decoder for {@link CodecHarness}'s properties. */
class GzipFuzzTest {
    private static final BytesCodec CODEC = Codecs.v3("gzip", Map.of());

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void gzip(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
