package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.S3Server;
import io.zarrfetch.testkit.mur.MurDataset;

/** The MUR-like data set (real c-blosc frames) read over S3, against the generator's own values. */
class ZarrMurTest {
    @TempDir
    static Path root;
    static MurDataset dataset;
    static S3Server s3;
    static Stores stores;
    static Fetcher fetcher;

    @BeforeAll
    static void start() throws Exception {
        dataset = new MurDataset(MurDataset.Options.defaults().withChunkCount(6).withScale(MurDataset.Scale.SMALL));
        dataset.write(root.resolve("mur-sst/zarr-v1"));
        s3 = S3Server.start(root);
        stores = new Stores(StoreOptions.defaults().withEndpoint(s3.endpoint()).withAnonymous(true));
        fetcher = new Fetcher(FetchOptions.defaults().withPartSize(64 * 1024));
    }

    @AfterAll
    static void stop() throws Exception {
        fetcher.close();
        stores.close();
        s3.close();
    }

    @Test
    void readsChunksAsTheGeneratorMadeThem() throws Exception {
        ZarrArray a = ZarrArray.open(stores, "s3://mur-sst/zarr-v1/analysed_sst", fetcher);
        assertThat(a.metadata().dtype().numpyDescr()).isEqualTo("<i2");
        assertThat(a.metadata().fillValueDescription()).isEqualTo(-32768L);
        int[] cs = a.metadata().chunks();
        for (int i = 0; i < 6; i++) {
            ArrayData d = a.read(Selection.parse(i * cs[0] + ":" + (i + 1) * cs[0] + "," + cs[1] + ":" + 2 * cs[1]
                    + ",0:" + cs[2]));
            assertThat(d.shape()).containsExactly(cs[0], cs[1], cs[2]);
            assertThat(d.toShortArray()).as("chunk %d", i).containsExactly(dataset.chunkValues(i));
        }
    }

    @Test
    void aRegionAcrossChunksAndMissingOnesMatches() throws Exception {
        ZarrArray a = ZarrArray.open(stores, "s3://mur-sst/zarr-v1/analysed_sst", fetcher);
        int[] cs = a.metadata().chunks();
        // Time 3..12 spans chunks 0..2; latitude from 10 into the missing chunk row 0; every 7th longitude.
        ArrayData d = a.read(Selection.parse("3:12," + 10 + ":" + (cs[1] + 20) + ",::7"));
        short[] got = d.toShortArray();
        long[] shape = d.shape();
        int k = 0;
        for (int t = 3; t < 12; t++) {
            short[] chunk = dataset.chunkValues(t / cs[0]);
            for (int y = 10; y < cs[1] + 20; y++) {
                for (int x = 0; x < a.metadata().shape()[2]; x += 7) {
                    short want = y < cs[1] || x >= cs[2] ? MurDataset.FILL_VALUE
                            : chunk[((t % cs[0]) * cs[1] + (y - cs[1])) * cs[2] + x];
                    assertThat(got[k++]).as("t=%d y=%d x=%d", t, y, x).isEqualTo(want);
                }
            }
        }
        assertThat(k).isEqualTo((int) (shape[0] * shape[1] * shape[2]));
    }
}
