package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.testkit.HttpHead;
import io.zarrfetch.testkit.TestPki;

/**
 * The HTTP/1.1 client against a scripted server on a real socket: each accepted connection answers requests with
 * the raw bytes a test gives, so framing and failure cases can be played exactly. Every case is played over plain
 * HTTP and over TLS with each engine (the server's bytes then travel in TLS records, and a closing server sends
 * {@code close_notify}).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(NioTransportTest.Wire.class)
class NioTransportTest {
    /** How the client reaches the scripted server. */
    enum Wire {
        HTTP(null), HTTPS_BORINGSSL(TlsEngines.Provider.BORINGSSL), HTTPS_JDK(TlsEngines.Provider.JDK);

        final TlsEngines.Provider tls;

        Wire(TlsEngines.Provider tls) {
            this.tls = tls;
        }
    }

    @Parameter
    Wire wire;
    @TempDir
    static java.nio.file.Path dir;
    static final TestPki CA = TestPki.create("NioTransportTest CA");

    /** What the server does with one request on a connection: the bytes to write, then whether to close. */
    record Answer(byte[] bytes, boolean close, CountDownLatch holdBeforeClose) {
        static Answer of(String head, byte[] body, boolean close) {
            byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            return new Answer(all, close, null);
        }

        static Answer of(String raw) {
            return of(raw, new byte[0], false);
        }
    }

    ServerSocket server;
    final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    NioTransport transport;

    @BeforeEach
    void start() throws IOException {
        server = wire.tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : CA.issue("127.0.0.1").serverContext().getServerSocketFactory()
                        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    sockets.add(s);
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        transport = new NioTransport(StoreOptions.defaults().withReadTimeout(Duration.ofMillis(400))
                .withMaxConnectionsPerHost(4).withCaBundle(CA.writePem(dir.resolve("ca.pem"))),
                wire.tls == null ? TlsEngines.Provider.AUTO : wire.tls);
    }

    @AfterEach
    void stop() throws IOException {
        transport.close();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String request = HttpHead.read(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                Answer a = answers.take();
                out.write(a.bytes());
                out.flush();
                if (a.holdBeforeClose() != null) {
                    a.holdBeforeClose().await();
                }
                if (a.close()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the test is over with this connection
        }
    }

    URI uri(String path) {
        return URI.create((wire.tls == null ? "http" : "https") + "://127.0.0.1:" + server.getLocalPort() + path);
    }

    static byte[] body(HttpTransport.Response r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocateDirect(7); // small on purpose: reads cross chunk boundaries
        while (r.read(buf.clear()) >= 0) {
            byte[] b = new byte[buf.flip().remaining()];
            buf.get(b);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    @Test
    void sendsAWellFormedRequestAndReusesTheConnection() throws Exception {
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"e1\"\r\n\r\n", "hello".getBytes(),
                false));
        answers.add(Answer.of("HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n\r\n", "abc".getBytes(), false));
        try (HttpTransport.Response r = transport.execute("GET", uri("/a%20b/c?x=1"), Map.of("Range", "bytes=0-4"))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("etag")).isEqualTo("\"e1\"");
            assertThat(r.contentLength()).isEqualTo(5);
            assertThat(body(r)).isEqualTo("hello".getBytes());
        }
        try (HttpTransport.Response r = transport.execute("GET", uri("/next"), Map.of())) {
            assertThat(body(r)).isEqualTo("abc".getBytes());
        }
        assertThat(requests.get(0)).startsWith("GET /a%20b/c?x=1 HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n").contains("\r\nRange: bytes=0-4\r\n");
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void readsChunkedBodiesWithExtensionsAndTrailers() throws Exception {
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n"));
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        try (HttpTransport.Response r = transport.execute("GET", uri("/c"), Map.of())) {
            assertThat(r.contentLength()).isEqualTo(-1);
            assertThat(new String(body(r), StandardCharsets.US_ASCII)).isEqualTo("hello world!");
        }
        try (HttpTransport.Response r = transport.execute("GET", uri("/d"), Map.of())) {
            assertThat(body(r)).isEqualTo("ok".getBytes());
        }
        assertThat(connections.get()).as("the connection survives a chunked body").isEqualTo(1);
    }

    @Test
    void skipsInterimAnswersAndReadsBodiesThatEndWithTheConnection() throws Exception {
        answers.add(Answer.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
                "to the end".getBytes(), true));
        try (HttpTransport.Response r = transport.execute("GET", uri("/e"), Map.of())) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(body(r)).isEqualTo("to the end".getBytes());
        }
    }

    @Test
    void headAnswersHaveNoBody() throws Exception {
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n"));
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"));
        try (HttpTransport.Response r = transport.execute("HEAD", uri("/h"), Map.of())) {
            assertThat(r.header("Content-Length")).isEqualTo("12345");
            assertThat(r.read(ByteBuffer.allocate(10))).isEqualTo(-1);
        }
        try (HttpTransport.Response r = transport.execute("GET", uri("/h"), Map.of())) {
            assertThat(body(r)).isEqualTo("z".getBytes());
        }
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aTruncatedBodyFailsLoudly() throws Exception {
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "only this".getBytes(), true));
        try (HttpTransport.Response r = transport.execute("GET", uri("/t"), Map.of())) {
            assertThatThrownBy(() -> body(r)).isInstanceOf(IOException.class)
                    .hasMessageContaining("91 bytes of the body still to come");
        }
    }

    @Test
    void aStalledBodyTimesOut() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        answers.add(new Answer(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "start".getBytes(), false)
                .bytes(), true, never));
        try (HttpTransport.Response r = transport.execute("GET", uri("/s"), Map.of())) {
            assertThatThrownBy(() -> body(r)).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("no byte came");
        } finally {
            never.countDown();
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        answers.add(new Answer(new byte[0], true, never));
        try {
            assertThatThrownBy(() -> transport.execute("GET", uri("/silent"), Map.of()).close())
                    .isInstanceOf(SocketTimeoutException.class);
        } finally {
            never.countDown();
        }
    }

    @Test
    void replacesAPooledConnectionTheServerClosed() throws Exception {
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", "1".getBytes(), false));
        try (HttpTransport.Response r = transport.execute("GET", uri("/1"), Map.of())) {
            assertThat(body(r)).isEqualTo("1".getBytes());
        }
        // The server drops the idle connection; the next request must go through on a new one.
        for (Socket s : sockets) {
            s.close();
        }
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", "2".getBytes(), false));
        try (HttpTransport.Response r = transport.execute("GET", uri("/2"), Map.of())) {
            assertThat(body(r)).isEqualTo("2".getBytes());
        }
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void refusesMalformedAnswers() throws Exception {
        List<String> bad = new ArrayList<>(List.of(
                "HTTP/1.1 2000 OK\r\n\r\n",
                "SPDY/3 200 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: " + "y".repeat(70_000) + "\r\n\r\n"));
        for (String head : bad) {
            answers.add(Answer.of(head, new byte[0], true));
            assertThatThrownBy(() -> transport.execute("GET", uri("/bad"), Map.of()).close())
                    .as(head.length() > 80 ? head.substring(0, 80) : head)
                    .isInstanceOf(ResponseHead.ProtocolException.class);
        }
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", new byte[0], true));
        try (HttpTransport.Response r = transport.execute("GET", uri("/badchunk"), Map.of())) {
            assertThatThrownBy(() -> body(r)).hasMessageContaining("malformed chunk size");
        }
    }

    @Test
    void holdsTheConnectionCap() throws Exception {
        List<HttpTransport.Response> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
            open.add(transport.execute("GET", uri("/" + i), Map.of()));
        }
        // A platform thread: parked on the cap it shows WAITING; reading a fifth connection it would be RUNNABLE.
        Thread fifth = Thread.ofPlatform().start(() -> {
            try (HttpTransport.Response r = transport.execute("GET", uri("/5"), Map.of())) {
                body(r);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        while (fifth.getState() != Thread.State.WAITING && requests.size() < 5) {
            Thread.onSpinWait();
        }
        assertThat(requests).as("no fifth request while four answers are open").hasSize(4);
        assertThat(java.util.concurrent.locks.LockSupport.getBlocker(fifth)).as("parked on the cap").isNotNull();
        assertThat(connections.get()).isEqualTo(4);
        answers.add(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"));
        for (HttpTransport.Response r : open) {
            body(r);
            r.close();
        }
        fifth.join();
        assertThat(connections.get()).isEqualTo(4);
    }
}
