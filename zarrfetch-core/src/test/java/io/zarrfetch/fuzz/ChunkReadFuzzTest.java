package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.zarrfetch.codec.CodecException;
import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.zarr.ArrayData;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.MetadataAccess;
import io.zarrfetch.zarr.Selection;
import io.zarrfetch.zarr.ZarrArray;

/**
 * Fuzzes the chunk read path with no network: a fixture array's zarr.json in a {@link MemoryStore}, and the
 * fuzzer's bytes as its first chunk (a shard for the sharded arrays: the index, its checksum, the inner chunks and
 * their codecs), read whole through {@link ZarrArray#read(Selection)}. The input: a byte choosing the array from
 * {@link #ARRAYS}, a flags byte (bit 0: write the right CRC-32C into a shard index that has one), then the chunk.
 *
 * <p>Properties: the read returns the array, or throws an IOException whose causes are IOExceptions down to a
 * CodecException naming what is malformed; never a runtime exception or an error, here or in a decoder thread.
 */
class ChunkReadFuzzTest {
    static final List<String> ARRAYS = List.of("shard_1d_uint8_v2_key", "shard_end_blosc_index_bytes_only",
            "shard_start_gzip_index_crc32c", "shard_inner_transpose_3d", "shard_unordered_with_gaps",
            "shard_index_big_endian_key_dot", "combo_transpose_gzip_crc32c", "blosc_zstd_bitshuffle");
    private static final List<byte[]> ZARR_JSON = ARRAYS.stream().map(ChunkReadFuzzTest::zarrJson).toList();
    private static final Fetcher FETCHER = new Fetcher(FetchOptions.defaults().withConcurrency(2)
            .withMemoryLimit(8 << 20).withPartSize(64 << 10));

    private static byte[] zarrJson(String array) {
        try (InputStream in = ChunkReadFuzzTest.class.getResourceAsStream("/io/zarrfetch/zarr/v3/" + array
                + "/zarr.json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void close() {
        FETCHER.close();
    }

    @Timeout(FuzzSettings.TIMEOUT_SECONDS)
    @FuzzTest(maxDuration = FuzzSettings.MAX_DURATION)
    void read(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        byte[] zarrJson = ZARR_JSON.get((input[0] & 0xFF) % ZARR_JSON.size());
        ArrayMetadata meta = MetadataAccess.v3(zarrJson);
        byte[] chunk = Arrays.copyOfRange(input, 2, input.length);
        if ((input[1] & 1) != 0) {
            MetadataAccess.fixShardIndexChecksum(meta, chunk);
        }
        MemoryStore store = new MemoryStore();
        store.put("zarr.json", zarrJson);
        store.put(meta.keys().key(new long[meta.rank()]), chunk);
        ZarrArray array = ZarrArray.open(store, "", FETCHER);
        try {
            ArrayData data = array.read(Selection.all());
            assertThat(data.shape()).isEqualTo(meta.shape());
        } catch (IOException e) {
            // down to the exception that says what is malformed (which may wrap a library's own), all IOExceptions
            for (Throwable t = e; t != null && !(t instanceof CodecException); t = t.getCause()) {
                if (!(t instanceof IOException)) {
                    throw new AssertionError("the read failed with " + t + " inside " + e, e);
                }
            }
        }
    }
}
