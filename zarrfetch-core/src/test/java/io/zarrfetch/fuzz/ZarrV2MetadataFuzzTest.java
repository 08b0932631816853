package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.MetadataAccess;

/**
 * Fuzzes the Zarr v2 .zarray and .zattrs parser (JSON, dtypes, fill values, filters, compressors). The input is the
 * .zarray document, a NUL byte, then the .zattrs document (none when there is no NUL). It returns metadata
 * satisfying {@link MetadataProperties} or throws IllegalArgumentException, nothing else.
 */
class ZarrV2MetadataFuzzTest {
    @DictionaryEntries({"\"shape\"", "\"chunks\"", "\"dtype\"", "\"filters\"", "\"compressor\"", "\"fill_value\"",
            "9223372036854775807", "2147483647", "4294967296", "-1", "1e400", "NaN", "0x7fc00000"})
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void zarray(byte[] input) {
        int nul = 0;
        while (nul < input.length && input[nul] != 0) {
            nul++;
        }
        byte[] zarray = Arrays.copyOf(input, nul);
        byte[] zattrs = nul < input.length ? Arrays.copyOfRange(input, nul + 1, input.length) : null;
        ArrayMetadata m;
        try {
            m = MetadataAccess.v2(zarray, zattrs);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        MetadataProperties.check(m);
    }
}
