package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.zarrfetch.fetch.FetchFailure;
import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.FetchReport;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.StoreException;

/** One read, the orchestrator alone: fill where chunks are missing, failures said per chunk, cancellation. */
class ArrayReadTest {
    static final Fetcher FETCHER = new Fetcher(FetchOptions.defaults().withConcurrency(2));

    @AfterAll
    static void close() {
        FETCHER.close();
    }

    /** A 4 x 4 int16 array of 2 x 2 uncompressed chunks, element (i, j) = 10 i + j, fill 0; chunk 1.1 absent. */
    static MemoryStore array() {
        MemoryStore store = new MemoryStore();
        store.put("a/.zarray", ("{\"zarr_format\": 2, \"shape\": [4, 4], \"chunks\": [2, 2], \"dtype\": \"<i2\", "
                + "\"compressor\": null, \"filters\": null, \"fill_value\": 0, \"order\": \"C\"}")
                .getBytes(StandardCharsets.UTF_8));
        for (int ci = 0; ci < 2; ci++) {
            for (int cj = 0; cj < 2; cj++) {
                if (ci == 1 && cj == 1) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        b.putShort((short) (10 * (2 * ci + i) + 2 * cj + j));
                    }
                }
                store.put("a/" + ci + "." + cj, b.array());
            }
        }
        return store;
    }

    @Test
    void whereAChunkIsMissingTheFillValueIsWrittenIntoTheCallersMemory() throws Exception {
        ZarrArray a = ZarrArray.open(array(), "a", FETCHER);
        try (Arena arena = Arena.ofShared()) { // decoders write from their own threads
            MemorySegment dst = arena.allocate(3 * 3 * 2).fill((byte) 0x7F); // not zeroed: fill must be written
            a.read(Selection.parse("1:4,1:4"), dst);
            short[] got = dst.toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertThat(got).containsExactly((short) 11, (short) 12, (short) 13, (short) 21, (short) 0, (short) 0,
                    (short) 31, (short) 0, (short) 0);
        }
        assertThat(a.read(Selection.parse("2:4,2:4")).toShortArray()).containsOnly((short) 0);
    }

    @Test
    void aChunkThatDoesNotDecodeFailsTheReadNamingIt() throws Exception {
        MemoryStore store = array();
        store.put("a/0.1", new byte[3]); // not the 8 bytes of a chunk
        ZarrArray a = ZarrArray.open(store, "a", FETCHER);
        assertThatThrownBy(() -> a.read(Selection.all())).isInstanceOf(IOException.class)
                .hasMessageStartingWith("1 of the chunks of memory:/a/ could not be read:")
                .hasMessageContaining("memory:/a/0.1: chunk 0.1:");
    }

    static FetchReport report(boolean cancelled, FetchFailure... failures) {
        return new FetchReport(0, 0, 0, 0, 0, Duration.ZERO, 0, 0, 0, 0, 1, 1 << 20, 0, List.of(failures), cancelled);
    }

    static FetchFailure failure(String name, int status) {
        return new FetchFailure("memory:/a/" + name, name, 1, new StoreException("memory:/a/" + name, status,
                false, "HTTP " + status));
    }

    @Test
    void aReadSettlesMissingItemsAsAbsentAndFailsOnAnyOther() throws IOException {
        List<String> missing = new ArrayList<>();
        ArrayRead.settle(report(false, failure("0.0", 404), failure("0.1", 404)), "chunks", "memory:/a/",
                missing::add);
        assertThat(missing).containsExactly("0.0", "0.1");

        FetchFailure[] many = IntStream.range(0, 7).mapToObj(i -> failure("1." + i, 500))
                .toArray(FetchFailure[]::new);
        assertThatThrownBy(() -> ArrayRead.settle(report(false, many), "chunks", "memory:/a/", missing::add))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("7 of the chunks of memory:/a/ could not be read: \n  memory:/a/1.0: HTTP 500")
                .hasMessageContaining("memory:/a/1.4").hasMessageNotContaining("memory:/a/1.5")
                .hasMessageEndingWith("\n  ...")
                .hasCause(many[0].cause());
        assertThatThrownBy(() -> ArrayRead.settle(report(true), "chunks", "memory:/a/", missing::add))
                .isInstanceOf(InterruptedIOException.class).hasMessage("the read of memory:/a/ was cancelled");
    }
}
