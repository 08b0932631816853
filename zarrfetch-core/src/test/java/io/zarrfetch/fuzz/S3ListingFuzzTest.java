package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.S3ListingAccess;

/**
 * Fuzzes the S3 ListObjectsV2 parser: it returns a page of well-formed entries or throws IllegalArgumentException,
 * nothing else.
 */
class S3ListingFuzzTest {
    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void listing(byte[] xml) {
        S3ListingAccess.Page page;
        try {
            page = S3ListingAccess.parse(xml);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (ObjectInfo o : page.objects()) {
            assertThat(o.key()).isNotNull();
            assertThat(o.size()).isNotNegative();
        }
        if (page.truncated()) {
            assertThat(page.nextContinuationToken()).isNotEmpty();
        }
    }
}
