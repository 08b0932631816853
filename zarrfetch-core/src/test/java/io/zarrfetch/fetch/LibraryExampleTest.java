package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import io.zarrfetch.store.Source;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.S3Server;

/** The examples of docs/library.md, against an in-process S3 server instead of AWS. */
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

    final Map<String, String> digests = new ConcurrentHashMap<>();

    void record(String name, byte[] digest) {
        digests.put(name, java.util.HexFormat.of().formatHex(digest));
    }

    /** The streaming example, with objects three times the memory limit. */
    @Test
    void theDocumentedStreamExampleWorks() throws Exception {
        byte[] big = new byte[3 << 20];
        new java.util.Random(1).nextBytes(big);
        try (S3Server server = S3Server.start()) {
            server.createBucket("mur-sst");
            server.put("mur-sst", "zarr-v1/analysed_sst/0.1.0", big);
            try (Stores stores = new Stores(StoreOptions.defaults().withAnonymous(true)
                    .withEndpoint(server.endpoint()));
                    Fetcher fetcher = new Fetcher(FetchOptions.defaults().withMemoryLimit(1 << 20))) {
                Source source = stores.resolve("s3://mur-sst/zarr-v1/analysed_sst/");

                Sink sink = Sink.stream(item -> {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    return new Sink.ObjectStream() {
                        public void write(ByteBuffer data) { sha.update(data); }
                        public void complete(FetchItem done) { record(done.name(), sha.digest()); }
                        public void abandon(Throwable cause) { sha.reset(); }
                    };
                });
                FetchReport report = fetcher.fetch(FetchItem.of(source), sink);

                assertThat(report.ok()).isTrue();
                assertThat(report.peakBufferBytes()).isLessThanOrEqualTo(1 << 20);
            }
        }
        assertThat(digests).containsExactly(Map.entry("0.1.0", java.util.HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(big))));
    }
}
