package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.zarrfetch.zarr.ArrayMetadata;

/** What parsed array metadata must satisfy, whatever document it came from. */
final class MetadataProperties {
    private MetadataProperties() {
    }

    static void check(ArrayMetadata m) {
        assertThat(m.chunks()).hasSameSizeAs(m.shape());
        for (int c : m.chunks()) {
            assertThat(c).isPositive();
        }
        for (long s : m.shape()) {
            assertThat(s).isNotNegative();
        }
        assertThat(m.fillValue()).hasSize(m.dtype().size());
        // what `zarrfetch info` shows, and the reader's chunk arithmetic: defined for any array that parses
        for (long n : m.chunkCounts()) {
            assertThat(n).isNotNegative();
        }
        assertThat(m.chunkCount()).isNotNegative();
        assertThat(m.chunkElements()).isPositive();
        assertThat(m.toString()).isNotEmpty();
        m.fillValueDescription();
        m.keys().key(new long[m.rank()]);
    }
}
