package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.HttpHead;

/** A body cut short is resumed from its last received byte, and the object arrives exact. */
class ResumeTest {
    @Test
    void aTruncatedBodyIsResumedFromWhereItStopped() throws Exception {
        byte[] data = new byte[1000];
        new Random(5).nextBytes(data);
        List<String> requests = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    // First connection: the full length announced, 400 bytes sent, then the connection drops.
                    try (Socket s = server.accept()) {
                        requests.add(HttpHead.read(s.getInputStream()));
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"v1\"\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        out.write(data, 0, 400);
                        out.flush();
                    }
                    // Second connection: the rest, as the range asked for.
                    try (Socket s = server.accept()) {
                        requests.add(HttpHead.read(s.getInputStream()));
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 400-999/1000\r\n"
                                + "Content-Length: 600\r\nETag: \"v1\"\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(data, 400, 600);
                        out.flush();
                        HttpHead.read(s.getInputStream()); // until the client closes
                    }
                } catch (IOException e) {
                    // the test is over
                }
            });
            AtomicReference<byte[]> got = new AtomicReference<>();
            try (Stores stores = new Stores(StoreOptions.defaults()
                            .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO)));
                    Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(1)
                            .withHedging(HedgePolicy.off()))) {
                Store store = stores.locate("http://127.0.0.1:" + server.getLocalPort() + "/").store();
                FetchReport r = fetcher.fetch(Stream.of(new FetchItem(store, ObjectInfo.of("obj"), "obj")),
                        Sink.bytes((item, bytes) -> got.set(bytes)));
                assertThat(r.failures()).isEmpty();
                assertThat(r.retries()).isEqualTo(1);
                assertThat(r.bytesReceived()).as("nothing fetched twice").isEqualTo(1000);
            }
            assertThat(got.get()).isEqualTo(data);
            assertThat(requests.get(0)).contains("Range: bytes=0-");
            assertThat(requests.get(1)).contains("Range: bytes=400-999");
        }
    }
}
