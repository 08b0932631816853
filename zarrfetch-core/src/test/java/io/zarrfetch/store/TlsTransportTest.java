package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.testkit.HttpHead;
import io.zarrfetch.testkit.TestPki;

/**
 * What HTTPS adds to the transport, with each TLS engine: protocol versions, SNI, ALPN and resumed sessions as the
 * server sees them; certificates refused for their authority, their host name or their dates, fast and without a
 * retry; bodies cut without {@code close_notify}, at a record's edge or inside one; a handshake that stalls or is
 * abandoned; the fallback to the JDK's engine where BoringSSL cannot load. (Framing and the other failures are
 * played over TLS by {@link NioTransportTest}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTransportTest {
    static final TestPki CA = TestPki.create("TlsTransportTest CA");

    @TempDir
    Path dir;
    final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** A TLS server on 127.0.0.1 that hands each accepted (not yet handshaken) connection to {@code serve}. */
    ServerSocket tlsServer(TestPki.Issued certificate, String[] protocols, BiConsumer<SSLSocket, Integer> serve)
            throws IOException {
        SSLServerSocket server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SSLParameters p = server.getSSLParameters();
        p.setApplicationProtocols(new String[] {"http/1.1"});
        if (protocols != null) {
            p.setProtocols(protocols);
        }
        server.setSSLParameters(p);
        accept(server, (s, i) -> serve.accept((SSLSocket) s, i));
        return server;
    }

    /** Accepts connections on virtual threads, numbering them from 0. */
    void accept(ServerSocket server, BiConsumer<Socket, Integer> serve) {
        closing.add(server);
        Thread.ofVirtual().start(() -> {
            for (int i = 0; !server.isClosed(); i++) {
                try {
                    Socket s = server.accept();
                    closing.add(s);
                    int n = i;
                    Thread.ofVirtual().start(() -> serve.accept(s, n));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Answers every request on the connection with {@code body}, keeping it alive. */
    static void answer(Socket s, byte[] body) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (HttpHead.read(in) != null) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    NioTransport transport(TlsEngines.Provider provider, Duration readTimeout) {
        NioTransport t = new NioTransport(StoreOptions.defaults().withReadTimeout(readTimeout)
                .withCaBundle(CA.writePem(dir.resolve("ca.pem"))), provider);
        closing.add(t);
        return t;
    }

    NioTransport transport(TlsEngines.Provider provider) {
        return transport(provider, Duration.ofSeconds(20));
    }

    static URI uri(String host, ServerSocket server, String path) {
        return URI.create("https://" + host + ":" + server.getLocalPort() + path);
    }

    /** Reads a body whole through buffers of the given sizes in turn: direct and heap, small and large. */
    static byte[] read(HttpTransport.Response r, int... sizes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; ; i++) {
            int size = sizes[i % sizes.length];
            ByteBuffer b = i % 2 == 0 ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            int n = r.read(b);
            if (n < 0) {
                return out.toByteArray();
            }
            byte[] got = new byte[b.flip().remaining()];
            b.get(got);
            out.writeBytes(got);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    enum Engine {
        BORINGSSL, JDK;

        TlsEngines.Provider provider() {
            return TlsEngines.Provider.valueOf(name());
        }
    }

    /** A server that records, per connection, the protocol, ALPN and SNI it negotiated, then answers "hi". */
    ServerSocket recordingServer(TestPki.Issued certificate, String protocol, List<String> seen) throws IOException {
        return tlsServer(certificate, protocol == null ? null : new String[] {protocol}, (s, i) -> {
            try {
                s.startHandshake();
                ExtendedSSLSession session = (ExtendedSSLSession) s.getSession();
                seen.add(session.getProtocol() + " alpn=" + s.getApplicationProtocol() + " sni="
                        + session.getRequestedServerNames().stream()
                                .map(n -> ((SNIHostName) n).getAsciiName()).toList());
            } catch (IOException e) {
                seen.add(e.toString());
            }
            answer(s, "hi".getBytes(StandardCharsets.US_ASCII));
        });
    }

    /** TLS 1.3 and 1.2 with ALPN http/1.1; no SNI for an IP address (SNI names hosts only). */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void speaksTls13AndTls12WithAlpnHttp11(Engine engine) throws Exception {
        NioTransport t = transport(engine.provider());
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            List<String> seen = new CopyOnWriteArrayList<>();
            ServerSocket server = recordingServer(CA.issue("127.0.0.1"), protocol, seen);
            try (HttpTransport.Response r = t.execute("GET", uri("127.0.0.1", server, "/x"), Map.of())) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(read(r, 100)).asString(StandardCharsets.US_ASCII).isEqualTo("hi");
            }
            assertThat(seen).containsExactly(protocol + " alpn=http/1.1 sni=[]");
        }
    }

    /**
     * SNI names the host asked for: a fully qualified name (engines send none for a bare name like localhost),
     * resolved to 127.0.0.1 by a hosts file of the child JVM's own, so that no test depends on DNS.
     */
    @Test
    void sendsTheHostNameAsSni() throws Exception {
        String host = "s3.zarrfetch.test";
        List<String> seen = new CopyOnWriteArrayList<>();
        ServerSocket server = recordingServer(CA.issue(host), null, seen);
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + host + "\n");
        for (Engine engine : Engine.values()) {
            assertThat(get(List.of("-Djdk.net.hosts.file=" + hosts), engine.name(), uri(host, server, "/x")))
                    .isEqualTo(engine.provider() == TlsEngines.Provider.JDK ? "jdk 200 hi" : "boringssl 200 hi");
        }
        assertThat(seen).containsExactly("TLSv1.3 alpn=http/1.1 sni=[" + host + "]",
                "TLSv1.3 alpn=http/1.1 sni=[" + host + "]");
    }

    /**
     * A second connection to the same server resumes the first one's session instead of a full handshake, over TLS
     * 1.3 and 1.2. The server is BoringSSL's engine (OpenSSL-based servers like nginx resume alike), driven by
     * {@link TlsChannel}; it tells whether it resumed (a package-private method of Netty's, read by reflection).
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void resumesSessionsOnNewConnections(Engine engine) throws Exception {
        io.netty.handler.ssl.OpenSsl.ensureAvailability(); // loads the native library before any class uses it
        java.lang.reflect.Method reused = Class.forName("io.netty.handler.ssl.ReferenceCountedOpenSslEngine")
                .getDeclaredMethod("isSessionReused");
        reused.setAccessible(true);
        TestPki.Issued issued = CA.issue("localhost");
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            NioTransport t = transport(engine.provider());
            List<Object> resumed = new CopyOnWriteArrayList<>();
            io.netty.handler.ssl.SslContext context = io.netty.handler.ssl.SslContextBuilder
                    .forServer(issued.key(), issued.certificate(), issued.ca())
                    .sslProvider(io.netty.handler.ssl.SslProvider.OPENSSL).protocols(protocol).build();
            // A channel's socket, so that accepted sockets have channels for TlsChannel.
            ServerSocket server = java.nio.channels.ServerSocketChannel.open()
                    .bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).socket();
            accept(server, (s, i) -> {
                javax.net.ssl.SSLEngine e = context.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
                try (java.nio.channels.SocketChannel ch = s.getChannel()) {
                    TlsChannel tls = new TlsChannel(ch, e, () -> { });
                    tls.handshake();
                    ByteBuffer request = ByteBuffer.allocate(4096);
                    while (tls.read(request) > 0) {
                        String text = new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII);
                        if (text.endsWith("\r\n\r\n")) {
                            resumed.add(reused.invoke(e));
                            tls.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
                                    .getBytes(StandardCharsets.US_ASCII)));
                            request.clear();
                        }
                    }
                } catch (IOException | ReflectiveOperationException x) {
                    resumed.add(x);
                } finally {
                    io.netty.util.ReferenceCountUtil.release(e);
                }
            });
            try (HttpTransport.Response first = t.execute("GET", uri("localhost", server, "/1"), Map.of())) {
                assertThat(read(first, 10)).containsExactly('x');
                // The first connection is still open, so the second request opens another.
                try (HttpTransport.Response second = t.execute("GET", uri("localhost", server, "/2"), Map.of())) {
                    assertThat(read(second, 10)).containsExactly('x');
                }
            }
            assertThat(resumed).as(protocol + ": a full handshake, then a resumed one").containsExactly(false, true);
        }
    }

    /** Bodies of many records, read through buffers of every kind and odd sizes, arrive byte for byte. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void largeBodiesArriveIntactThroughAnyBuffer(Engine engine) throws Exception {
        byte[] body = random(3_000_000, 7);
        ServerSocket server = tlsServer(CA.issue("127.0.0.1"), null, (s, i) -> answer(s, body));
        NioTransport t = transport(engine.provider());
        for (int[] sizes : new int[][] {{1 << 20}, {7, 16_383, 100_000}, {16_384, 1}, {5_000_000}}) {
            try (HttpTransport.Response r = t.execute("GET", uri("127.0.0.1", server, "/big"), Map.of())) {
                assertThat(Arrays.equals(read(r, sizes), body)).as(Arrays.toString(sizes)).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void certificatesAreRefusedAtOnceSayingWhyAndHowToTrustACa(Engine engine) throws Exception {
        NioTransport t = transport(engine.provider());
        Instant now = Instant.now();
        record Case(TestPki.Issued certificate, String reason, String advice) {
        }
        List<Case> cases = List.of(
                new Case(CA.issue("other.example"), "it is not for the host name localhost",
                        "; use a host name the certificate is for"),
                new Case(TestPki.create("someone else").issue("localhost"), "no trusted certificate authority signed it",
                        "; if the server's certificate comes from a private certificate authority"),
                new Case(CA.issue(now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)), "localhost"),
                        "it has expired", "; check this machine's clock"));
        for (Case c : cases) {
            ServerSocket server = tlsServer(c.certificate(), null, (s, i) -> answer(s, new byte[] {1}));
            assertThatThrownBy(() -> t.execute("GET", uri("localhost", server, "/x"), Map.of()).close())
                    .isInstanceOf(UntrustedServerException.class)
                    .hasMessageContaining("the TLS certificate of localhost is not accepted: " + c.reason())
                    .hasMessageContaining(c.advice())
                    .hasMessageContaining("--ca-bundle FILE or AWS_CA_BUNDLE=FILE");
        }
    }

    /** Through a store, a refused certificate is a failure that is not worth retrying, naming the URL. */
    @Test
    void aRefusedCertificateIsNotRetryable() throws Exception {
        ServerSocket server = tlsServer(TestPki.create("unknown").issue("127.0.0.1"), null,
                (s, i) -> answer(s, new byte[] {1}));
        String url = uri("127.0.0.1", server, "/o.bin").toString();
        try (Stores stores = new Stores(StoreOptions.defaults().withCaBundle(CA.writePem(dir.resolve("ca.pem"))))) {
            Stores.Location loc = stores.locate(url);
            assertThatThrownBy(() -> loc.store().get(loc.key(), 0, ObjectInfo.UNKNOWN_SIZE, null))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retryable()).isFalse())
                    .hasMessageStartingWith(url + ": the TLS certificate of 127.0.0.1 is not accepted")
                    .hasMessageContaining("trusting only the certificate authorities in " + dir.resolve("ca.pem"));
        }
    }

    /**
     * A bundle of several certificates trusts each; a bundle that is missing or holds none is refused by name, also
     * when TLS was set up in the background ({@code prepareTls}).
     */
    @Test
    void caBundlesMayHoldSeveralCertificates() throws Exception {
        ServerSocket server = tlsServer(CA.issue("localhost"), null, (s, i) -> answer(s, new byte[] {9}));
        Path two = Files.writeString(dir.resolve("two.pem"), TestPki.create("first").pem() + CA.pem());
        for (Engine engine : Engine.values()) {
            try (NioTransport t = new NioTransport(StoreOptions.defaults().withCaBundle(two), engine.provider());
                    HttpTransport.Response r = t.execute("GET", uri("localhost", server, "/x"), Map.of())) {
                assertThat(read(r, 10)).containsExactly(9);
            }
        }
        Path none = Files.writeString(dir.resolve("none.pem"), "not a certificate\n");
        Path missing = dir.resolve("missing.pem");
        for (Path bundle : List.of(none, missing)) {
            try (NioTransport t = new NioTransport(StoreOptions.defaults().withCaBundle(bundle),
                    TlsEngines.Provider.JDK)) {
                t.prepareTls(); // set up in the background: the request still gets the error
                assertThatThrownBy(() -> t.execute("GET", uri("localhost", server, "/x"), Map.of()).close())
                        .isInstanceOf(UntrustedServerException.class).hasMessageContaining(bundle.toString());
            }
        }
    }

    /** How a server ends a body early. */
    enum Cut {
        /** TCP FIN at a record's edge, without close_notify. */
        AT_RECORD_EDGE,
        /** The first bytes of a record, then FIN. */
        INSIDE_A_RECORD,
        /** close_notify before the Content-Length is reached. */
        CLOSE_NOTIFY
    }

    /**
     * A TLS server whose answer to the first request is {@code head} and {@code body}, and then the connection ends
     * as {@code cut} says; it is layered over a plain socket so that it can end the TCP connection under TLS.
     */
    ServerSocket cuttingServer(String head, byte[] body, Cut cut) throws IOException {
        ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        javax.net.ssl.SSLSocketFactory tls = CA.issue("127.0.0.1").serverContext().getSocketFactory();
        accept(plain, (raw, i) -> {
            try (raw; SSLSocket s = (SSLSocket) tls.createSocket(raw, null, raw.getPort(), false)) {
                s.setUseClientMode(false);
                if (HttpHead.read(s.getInputStream()) == null) {
                    return;
                }
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                switch (cut) {
                    case AT_RECORD_EDGE -> raw.close();
                    case INSIDE_A_RECORD -> {
                        // An application-data record header for 16 KiB, and a few of its bytes.
                        raw.getOutputStream().write(new byte[] {23, 3, 3, 0x40, 0, 1, 2, 3, 4, 5});
                        raw.getOutputStream().flush();
                        raw.close();
                    }
                    case CLOSE_NOTIFY -> s.close();
                }
            } catch (IOException e) {
                // the client went away
            }
        });
        return plain;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aBodyCutShortIsNeverComplete(Engine engine) throws Exception {
        byte[] half = random(50_000, 3);
        NioTransport t = transport(engine.provider());
        for (Cut cut : Cut.values()) {
            ServerSocket server = cuttingServer("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", half, cut);
            try (HttpTransport.Response r = t.execute("GET", uri("127.0.0.1", server, "/cut"), Map.of())) {
                assertThatThrownBy(() -> read(r, 8192)).as(cut.name()).isInstanceOf(java.io.EOFException.class)
                        .hasMessageContaining(cut == Cut.CLOSE_NOTIFY ? "bytes of the body still to come"
                                : "without TLS close_notify");
            }
        }
    }

    /** A body that runs to the connection's end is complete at close_notify, and cut short without it. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aBodyDelimitedByTheConnectionNeedsCloseNotify(Engine engine) throws Exception {
        byte[] body = random(40_000, 4);
        NioTransport t = transport(engine.provider());
        String head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
        ServerSocket clean = cuttingServer(head, body, Cut.CLOSE_NOTIFY);
        try (HttpTransport.Response r = t.execute("GET", uri("127.0.0.1", clean, "/all"), Map.of())) {
            assertThat(r.contentLength()).isEqualTo(-1);
            assertThat(read(r, 4096)).isEqualTo(body);
        }
        ServerSocket cut = cuttingServer(head, body, Cut.AT_RECORD_EDGE);
        try (HttpTransport.Response r = t.execute("GET", uri("127.0.0.1", cut, "/all"), Map.of())) {
            assertThatThrownBy(() -> read(r, 4096)).hasMessageContaining("without TLS close_notify");
        }
    }

    /** A server that accepts connections and never says a word: the handshake waits for its first record. */
    ServerSocket silentServer(CountDownLatch accepted) throws IOException {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        accept(silent, (s, i) -> accepted.countDown());
        return silent;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStalledHandshakeTimesOut(Engine engine) throws Exception {
        ServerSocket silent = silentServer(new CountDownLatch(1));
        NioTransport t = transport(engine.provider(), Duration.ofMillis(300));
        assertThatThrownBy(() -> t.execute("GET", uri("127.0.0.1", silent, "/x"), Map.of()).close())
                .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("TLS handshake got no byte");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anAbortEndsAHandshakeInProgress(Engine engine) throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        ServerSocket silent = silentServer(accepted);
        NioTransport t = transport(engine.provider(), Duration.ofMinutes(1));
        Abort abort = new Abort();
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                t.execute("GET", uri("127.0.0.1", silent, "/x"), Map.of(), abort).close();
                return null;
            } catch (IOException e) {
                return e;
            }
        }, r -> Thread.ofPlatform().start(r));
        assertThat(accepted.await(20, TimeUnit.SECONDS)).isTrue();
        abort.abort();
        assertThat(failure.get(20, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                .hasMessageContaining("abandoned");
    }

    /**
     * Where BoringSSL's native library cannot load (here: its jars left off the class path, as on a platform it
     * does not ship for), HTTPS works through the JDK's engine after one line of warning.
     */
    @Test
    void fallsBackToTheJdkEngineWithOneLineOfWarning() throws Exception {
        ServerSocket server = tlsServer(CA.issue("localhost"), null, (s, i) -> answer(s, "ok".getBytes()));
        List<String> stderr = new ArrayList<>();
        assertThat(get(List.of(), "AUTO", uri("localhost", server, "/x"), "netty-tcnative", stderr))
                .isEqualTo("jdk 200 ok");
        assertThat(stderr).singleElement().asString().contains("WARN")
                .contains("TLS falls back to the JDK's engine").contains("BoringSSL could not load")
                .doesNotContain("C1");
        // Under the C1 compiler alone the JDK's TLS is some 30 times slower: the line says so, and what to do.
        List<String> c1 = new ArrayList<>();
        assertThat(get(List.of("-XX:TieredStopAtLevel=1"), "AUTO", uri("localhost", server, "/x"), "netty-tcnative",
                c1)).isEqualTo("jdk 200 ok");
        assertThat(c1).singleElement().asString().contains("TLS falls back to the JDK's engine")
                .contains("C1 compiler only").contains("-XX:TieredStopAtLevel=4");
    }

    /**
     * Where Netty unpacked BoringSSL into a folder mounted noexec (what it reports, in the chain of its error), the
     * warning names the folder's option; otherwise it does not.
     */
    @Test
    void theFallbackWarningSaysWhereATemporaryFolderWasMountedNoexec() {
        IllegalArgumentException none = new IllegalArgumentException("Failed to load any of the given libraries: "
                + "[netty_tcnative_linux_x86_64, netty_tcnative]");
        UnsatisfiedLinkError noexec = new UnsatisfiedLinkError("/tmp/libnetty_tcnative_linux_x86_641.so exists but "
                + "cannot be executed even when execute permissions set; check volume for \"noexec\" flag; use "
                + "-Dio.netty.native.workdir=[path] to set native working directory separately.");
        UnsatisfiedLinkError mapped = new UnsatisfiedLinkError("/tmp/libnetty_tcnative_linux_x86_641.so: failed to map "
                + "segment from shared object");
        mapped.addSuppressed(noexec);
        IllegalArgumentException any = new IllegalArgumentException(none.getMessage());
        any.addSuppressed(mapped);
        Error netty = new UnsatisfiedLinkError("failed to load the required native library");
        netty.initCause(any);

        assertThat(TlsEngines.fallbackWarning(netty, false))
                .startsWith("TLS falls back to the JDK's engine, which costs more CPU: BoringSSL could not load here (")
                .contains("mounted noexec?): name one that does with -Dio.netty.native.workdir=DIR")
                .doesNotContain("C1");
        assertThat(TlsEngines.fallbackWarning(new UnsatisfiedLinkError("x").initCause(none), true))
                .doesNotContain("noexec").contains("C1 compiler only");
    }

    String get(List<String> jvmOptions, String provider, URI url) throws Exception {
        List<String> stderr = new ArrayList<>();
        String out = get(jvmOptions, provider, url, null, stderr);
        assertThat(stderr).isEmpty();
        return out;
    }

    /**
     * Runs {@link GetMain} in a JVM of its own, with the class path less the entries containing {@code leaveOut}:
     * one GET with the given engine choice; returns what it printed, and adds its non-blank stderr lines.
     */
    String get(List<String> jvmOptions, String provider, URI url, String leaveOut, List<String> stderr)
            throws Exception {
        List<String> classPath = new ArrayList<>(List.of(System.getProperty("java.class.path")
                .split(java.io.File.pathSeparator)));
        if (leaveOut != null) {
            assertThat(classPath.removeIf(e -> e.contains(leaveOut))).isTrue();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", String.join(java.io.File.pathSeparator, classPath)));
        command.addAll(jvmOptions);
        command.addAll(List.of(GetMain.class.getName(), CA.writePem(dir.resolve("ca.pem")).toString(), provider,
                url.toString()));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("stderr"));
        assertThat(p.exitValue()).as(out + err).isZero();
        err.lines().filter(l -> !l.isBlank()).forEach(stderr::add);
        return out.strip();
    }

    /** The child JVM of {@link #get}: one GET with an engine choice; prints the engine, the status and the body. */
    static final class GetMain {
        public static void main(String[] args) throws Exception {
            StoreOptions options = StoreOptions.defaults().withCaBundle(Path.of(args[0]));
            try (NioTransport t = new NioTransport(options, TlsEngines.Provider.valueOf(args[1]));
                    HttpTransport.Response r = t.execute("GET", URI.create(args[2]), Map.of())) {
                System.out.println(t.tlsEngine() + " " + r.status() + " "
                        + new String(read(r, 64), StandardCharsets.UTF_8));
            }
        }
    }
}
