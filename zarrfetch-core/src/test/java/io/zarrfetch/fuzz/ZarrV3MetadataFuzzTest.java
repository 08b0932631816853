package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.MetadataAccess;

/**
 * Fuzzes the Zarr v3 zarr.json parser (JSON, data types, fill values, codecs, sharding configuration): it returns
 * metadata satisfying {@link MetadataProperties} or throws IllegalArgumentException, nothing else.
 */
class ZarrV3MetadataFuzzTest {
    @DictionaryEntries({"\"shape\"", "\"chunk_grid\"", "\"chunk_shape\"", "\"sharding_indexed\"",
            "\"index_codecs\"", "\"data_type\"", "\"codecs\"", "9223372036854775807", "2147483647", "4294967296",
            "-1", "1e400", "NaN", "0x7fc00000"})
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void zarrJson(byte[] zarrJson) {
        ArrayMetadata m;
        try {
            m = MetadataAccess.v3(zarrJson);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        MetadataProperties.check(m);
    }
}
