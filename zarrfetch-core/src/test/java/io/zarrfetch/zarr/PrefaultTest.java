package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mapping a file's pages in ahead of the decoders never changes what the file holds, may run beside writers, and
 * ends when closed. The tests run with native access enabled, as the launcher runs zarrfetch; without it, and off
 * Linux, it does nothing.
 */
class PrefaultTest {
    @TempDir
    Path tmp;

    @Test
    void populatingAMappingLeavesItsBytesAsTheWritersPutThem() throws Exception {
        assertThat(Prefault.available()).as("Linux, native access enabled")
                .isEqualTo(System.getProperty("os.name").startsWith("Linux"));
        long size = 3L << 20;
        try (FileChannel ch = FileChannel.open(tmp.resolve("f"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofShared()) {
            MemorySegment region = ch.map(FileChannel.MapMode.READ_WRITE, 100, size, arena); // not page-aligned
            try (Prefault ahead = Prefault.start(region)) {
                for (long at = 0; at < size; at += 4096) {
                    region.set(ValueLayout.JAVA_BYTE, at, (byte) (at / 4096));
                }
            }
            for (long at = 0; at < size; at += 4096) {
                assertThat(region.get(ValueLayout.JAVA_BYTE, at)).isEqualTo((byte) (at / 4096));
                assertThat(region.get(ValueLayout.JAVA_BYTE, at + 1)).isZero();
            }
            assertThat(ch.size()).isEqualTo(100 + size);
        }
    }
}
