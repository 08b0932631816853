package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import io.zarrfetch.store.Source;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.S3Server;

/** The example of docs/library.md, against an in-process S3 server instead of AWS. */
class LibraryExampleTest {
    final Map<String, Integer> seen = new ConcurrentHashMap<>();

    void process(String name, ByteBuffer data) {
        seen.put(name, data.remaining());
    }

    @Test
    void theDocumentedExampleWorks() throws Exception {
        try (S3Server server = S3Server.start()) {
            server.createBucket("mur-sst");
            server.put("mur-sst", "zarr-v1/analysed_sst/0.1.0", new byte[300_000]);
            server.put("mur-sst", "zarr-v1/analysed_sst/1.1.0", new byte[200_000]);

            StoreOptions storeOptions = StoreOptions.defaults().withAnonymous(true)
                    .withEndpoint(server.endpoint());
            FetchOptions fetchOptions = FetchOptions.defaults().withMemoryLimit(256L << 20);

            try (Stores stores = new Stores(storeOptions.withMaxConnectionsPerHost(fetchOptions.concurrency()));
                    Fetcher fetcher = new Fetcher(fetchOptions)) {
                Source source = stores.resolve("s3://mur-sst/zarr-v1/analysed_sst/");
                FetchReport report = fetcher.fetch(FetchItem.of(source), Sink.view((item, data) -> {
                    process(item.name(), data);
                }));
                for (FetchFailure f : report.failures()) {
                    System.err.println(f.describe());
                }
                assertThat(report.ok()).isTrue();
            }
        }
        assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("0.1.0", 300_000, "1.1.0", 200_000));
    }
}
