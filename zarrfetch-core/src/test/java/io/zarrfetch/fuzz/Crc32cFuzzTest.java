package io.zarrfetch.fuzz;

import java.util.Map;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.Codecs;

/** Fuzzes the crc32c decoder for {@link CodecHarness}'s properties. */
class Crc32cFuzzTest {
    private static final BytesCodec CODEC = Codecs.v3("crc32c", Map.of());

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void crc32c(byte[] input) {
        CodecHarness.check(CODEC, input);
    }
}
