package io.zarrfetch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;

/** The request fixtures land where the tests look for them, and the tally counts what proxies injected. */
class RequestFixturesTest {
    @Test
    void theFixturesArePutInTheBucket() throws Exception {
        try (S3Server s3 = S3Server.start()) {
            s3.createBucket("fixtures");
            RequestFixtures.putPages(s3, "fixtures");
            RequestFixtures.putShardedArray(s3, "fixtures", "arr/");
            Path bucket = s3.root().resolve("fixtures");
            assertThat(RequestFixtures.KEYS).hasSize(2100).allSatisfy(k -> assertThat(bucket.resolve(k)).exists());
            assertThat(Files.readString(bucket.resolve("arr/zarr.json"))).contains("sharding_indexed")
                    .contains("\"index_location\": \"end\"");
            assertThat(bucket.resolve("arr/c/0/0")).exists();
            assertThat(bucket.resolve("arr/c/0/1")).doesNotExist();
        }
    }

    @Test
    void aTallyAddsWhatEachProxyInjected() throws Exception {
        FaultTally tally = new FaultTally();
        try (HttpFileServer http = HttpFileServer.start(Files.createTempDirectory("tally"))) {
            for (int i = 0; i < 2; i++) {
                try (FaultProxy proxy = FaultProxy.start(http.url(), 1).add(Rule.first(1, Fault.SLOW_DOWN_503))) {
                    try (var s = new java.net.Socket(proxy.url().getHost(), proxy.url().getPort())) {
                        s.getOutputStream().write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                        s.getInputStream().readAllBytes();
                    }
                    tally.add(proxy);
                }
            }
        }
        assertThat(tally.total()).isEqualTo(2);
        assertThat(tally).hasToString("injected 2 faults: {SLOW_DOWN_503=2}");
    }
}
