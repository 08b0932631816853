package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.testkit.HttpHead;
import io.zarrfetch.testkit.TestPki;

/**
 * Giving up on a request from another thread ({@link Abort} while it connects or waits for its head,
 * {@link Body#abort()} while its body comes), over plain HTTP and TLS with each engine
 * (connecting: the plain-HTTP one; a TLS handshake: {@link TlsTransportTest}), against a server that answers nothing
 * or stops mid-body. The read timeout is a minute: only the abort can end these exchanges within the test's time
 * limit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AbortTest {
    enum Transport {
        NIO(NioTransport::new, false),
        NIO_TLS_BORINGSSL(o -> new NioTransport(o, TlsEngines.Provider.BORINGSSL), true),
        NIO_TLS_JDK(o -> new NioTransport(o, TlsEngines.Provider.JDK), true);

        final Function<StoreOptions, HttpTransport> make;
        final boolean tls;

        Transport(Function<StoreOptions, HttpTransport> make, boolean tls) {
            this.make = make;
            this.tls = tls;
        }
    }

    static final TestPki CA = TestPki.create("AbortTest CA");
    @TempDir
    static Path dir;

    ServerSocket server;
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final CountDownLatch requested = new CountDownLatch(1);
    /** What the server sends after a request's head before it goes silent. */
    volatile byte[] answer = new byte[0];

    /** Starts the server of a test: plain, or TLS for the transports that speak it. */
    void start(Transport t) throws IOException {
        server = !t.tls ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : CA.issue("127.0.0.1").serverContext().getServerSocketFactory()
                        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread.ofVirtual().start(() -> {
                        try {
                            HttpHead.read(s.getInputStream());
                            OutputStream out = s.getOutputStream();
                            out.write(answer);
                            out.flush();
                            requested.countDown();
                            s.getInputStream().read(); // silent until the client closes
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    HttpTransport transport(Transport t) throws IOException {
        start(t);
        return t.make.apply(StoreOptions.defaults().withReadTimeout(Duration.ofSeconds(60))
                .withCaBundle(CA.writePem(dir.resolve("ca.pem"))));
    }

    URI uri() {
        return URI.create((server instanceof javax.net.ssl.SSLServerSocket ? "https" : "http") + "://127.0.0.1:"
                + server.getLocalPort() + "/object");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAbortEndsAWaitForTheHead(Transport t) throws Exception {
        try (HttpTransport transport = transport(t)) {
            Abort abort = new Abort();
            Thread.ofVirtual().start(() -> {
                try {
                    requested.await();
                    abort.abort();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThatThrownBy(() -> transport.execute("GET", uri(), Map.of(), abort).close())
                    .isInstanceOf(IOException.class).hasMessageContaining("abandoned");
            assertThat(abort.aborted()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAbortBeforeTheRequestFailsItAtOnce(Transport t) throws Exception {
        try (HttpTransport transport = transport(t)) {
            Abort abort = new Abort();
            abort.abort();
            assertThatThrownBy(() -> transport.execute("GET", uri(), Map.of(), abort).close())
                    .isInstanceOf(IOException.class);
        }
    }

    /**
     * A host that never completes the handshake: a listening socket with a backlog of 1 that accepts nothing, its
     * queue filled first, so the kernel drops the next SYN and a connect waits for its timeout (a minute here).
     */
    @Test
    void anAbortEndsAConnectToASilentHost() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket s = new Socket();
                try {
                    s.connect(silent.getLocalSocketAddress(), 200);
                    queued.add(s);
                } catch (SocketTimeoutException e) {
                    full = true; // the queue is full: SYNs are dropped from here on
                    s.close();
                }
            }
            assertThat(full).as("the accept queue filled up").isTrue();
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/object");
            try (HttpTransport transport = new NioTransport(StoreOptions.defaults()
                    .withConnectTimeout(Duration.ofSeconds(60)).withReadTimeout(Duration.ofSeconds(60)))) {
                Abort abort = new Abort();
                CompletableFuture<Throwable> failure = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        transport.execute("GET", uri, Map.of(), abort).close();
                        failure.complete(null);
                    } catch (Throwable e) {
                        failure.complete(e);
                    }
                });
                abort.abort(); // before or during the connect: either way it must end now, not in a minute
                assertThat(failure.get(20, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                        .hasMessageContaining("abandoned");
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aBodyAbortedFromAnotherThreadFailsItsRead(Transport t) throws Exception {
        answer = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII);
        try (HttpTransport transport = transport(t);
                HttpTransport.Response r = transport.execute("GET", uri(), Map.of(), null)) {
            assertThat(r.status()).isEqualTo(200);
            ByteBuffer b = ByteBuffer.allocate(1000);
            while (b.position() < 10) {
                assertThat(r.read(b)).isPositive();
            }
            Thread.ofVirtual().start(r::abort); // while the next read waits for bytes that never come
            assertThatThrownBy(() -> {
                while (r.read(b) >= 0) {
                    // nothing more comes
                }
            }).isInstanceOf(IOException.class);
        }
    }
}
