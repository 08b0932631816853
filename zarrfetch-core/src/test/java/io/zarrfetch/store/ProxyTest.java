package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ConnectHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.TestPki;

/**
 * Requests through an HTTP proxy (Jetty's {@link ConnectHandler}, a real one, in this process): https through a
 * tunnel it opens, with TLS end to end; http asked of the proxy with the whole URL; credentials from the proxy's URL;
 * the hosts of {@code NO_PROXY} reached directly; and the proxy's refusals and absence as errors that name it.
 */
class ProxyTest {
    static final TestPki CA = TestPki.create("zarrfetch proxy test CA");

    @TempDir
    Path dir;
    final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    /** What the proxy was asked, one line each: "CONNECT host:port auth" or "GET absolute-URL auth". */
    final List<String> asked = new CopyOnWriteArrayList<>();
    byte[] body;
    URI https;
    Server proxy;
    /** The Proxy-Authorization the proxy wants, or null for none. */
    volatile String wanted;

    @BeforeEach
    void servers() throws Exception {
        body = new byte[3_000_000];
        new Random(5).nextBytes(body);
        // an HTTPS server that keeps connections alive, answering every request with the body
        ServerSocket tls = CA.issue("127.0.0.1").serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(tls);
        Thread.ofVirtual().start(() -> {
            while (!tls.isClosed()) {
                try {
                    Socket s = tls.accept();
                    closing.add(s);
                    Thread.ofVirtual().start(() -> TlsTransportTest.answer(s, body));
                } catch (IOException e) {
                    return;
                }
            }
        });
        https = URI.create("https://127.0.0.1:" + tls.getLocalPort() + "/");

        proxy = new Server();
        ServerConnector connector = new ServerConnector(proxy);
        connector.setHost("127.0.0.1");
        proxy.addConnector(connector);
        // Requests that are not CONNECT: a forward proxy's own, answered here with the URL it was asked for.
        Handler forward = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String auth = request.getHeaders().get(HttpHeader.PROXY_AUTHORIZATION);
                asked.add(request.getMethod() + " " + request.getHttpURI() + " " + auth);
                if (wanted != null && !wanted.equals(auth)) {
                    response.setStatus(HttpStatus.PROXY_AUTHENTICATION_REQUIRED_407);
                    callback.succeeded();
                    return true;
                }
                response.write(true, ByteBuffer.wrap(("via proxy: " + request.getHttpURI())
                        .getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        proxy.setHandler(new ConnectHandler(forward) {
            @Override
            protected boolean handleAuthentication(Request request, Response response, String address) {
                String auth = request.getHeaders().get(HttpHeader.PROXY_AUTHORIZATION);
                asked.add("CONNECT " + address + " " + auth);
                return wanted == null || wanted.equals(auth);
            }
        });
        proxy.start();
        closing.add(proxy::stop);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    URI proxyUrl(String userInfo) {
        return URI.create("http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:"
                + ((ServerConnector) proxy.getConnectors()[0]).getLocalPort());
    }

    NioTransport transport(Proxies proxies) {
        NioTransport t = new NioTransport(StoreOptions.builtIn().withCaBundle(CA.writePem(dir.resolve("ca.pem")))
                .withReadTimeout(Duration.ofSeconds(20)).withProxies(proxies), TlsEngines.Provider.AUTO);
        closing.add(t);
        return t;
    }

    static byte[] read(HttpTransport.Response r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocateDirect(100_000);
        for (int n; (n = r.read(b.clear())) >= 0; ) {
            byte[] chunk = new byte[n];
            b.flip().get(chunk);
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    @Test
    void httpsGoesThroughATunnelWithTlsEndToEndAndItsConnectionsAreReused() throws Exception {
        NioTransport t = transport(new Proxies(null, proxyUrl(null), List.of()));
        for (int i = 0; i < 3; i++) {
            try (HttpTransport.Response r = t.execute("GET", https.resolve("/obj.bin"), Map.of())) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(read(r)).isEqualTo(body);
            }
        }
        // one tunnel, to the origin's host:port, kept alive for the next requests; no credentials sent
        assertThat(asked).as(asked.toString()).containsExactly("CONNECT 127.0.0.1:" + https.getPort() + " null");
        assertThat(t.tlsEngine()).isIn("boringssl", "jdk");
    }

    @Test
    void httpIsAskedOfTheProxyWithTheWholeUrl() throws Exception {
        NioTransport t = transport(new Proxies(proxyUrl(null), null, List.of()));
        URI url = URI.create("http://data.example:8123/a/b.bin?x=1");
        try (HttpTransport.Response r = t.execute("GET", url, Map.of())) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(read(r), StandardCharsets.UTF_8)).isEqualTo("via proxy: " + url);
        }
        assertThat(asked).containsExactly("GET " + url + " null");
    }

    @Test
    void credentialsInTheProxysUrlGoToItAsBasicAuthentication() throws Exception {
        wanted = "Basic " + Base64.getEncoder().encodeToString("ann:p@ss w+rd".getBytes(StandardCharsets.UTF_8));
        Proxies proxies = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", proxyUrl("ann:p%40ss%20w+rd").toString(),
                "HTTP_PROXY", proxyUrl("ann:p%40ss%20w+rd").toString()));
        NioTransport t = transport(proxies);
        try (HttpTransport.Response r = t.execute("GET", https.resolve("/obj.bin"), Map.of())) {
            assertThat(read(r)).isEqualTo(body);
        }
        try (HttpTransport.Response r = t.execute("GET", URI.create("http://data.example/x"), Map.of())) {
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(asked).containsExactly("CONNECT 127.0.0.1:" + https.getPort() + " " + wanted,
                "GET http://data.example/x " + wanted);
    }

    @Test
    void theHostsOfNoProxyAreReachedDirectly() throws Exception {
        NioTransport t = transport(Proxies.fromEnvironment(Map.of("https_proxy", proxyUrl(null).toString(),
                "no_proxy", "example.org, .127.0.0.1")));
        try (HttpTransport.Response r = t.execute("GET", https.resolve("/obj.bin"), Map.of())) {
            assertThat(read(r)).isEqualTo(body);
        }
        assertThat(asked).isEmpty();
    }

    @Test
    void refusalsAndAnAbsentProxyFailNamingTheProxyAndWhetherToTryAgain() throws Exception {
        String url = https.resolve("/obj.bin").toString();
        wanted = "Basic " + Base64.getEncoder().encodeToString("ann:secret".getBytes(StandardCharsets.UTF_8));
        String named = "127.0.0.1:" + proxyUrl(null).getPort();

        NioTransport none = transport(new Proxies(null, proxyUrl(null), List.of()));
        assertThatThrownBy(() -> HttpReads.execute(none, "GET", URI.create(url), Map.of(), url))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining(url).hasMessageContaining("the proxy " + named + " asks for credentials (407)")
                .hasMessageContaining("http://user:password@" + named);

        NioTransport wrong = transport(new Proxies(null, proxyUrl("ann:guess"), List.of()));
        assertThatThrownBy(() -> HttpReads.execute(wrong, "GET", URI.create(url), Map.of(), url))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("the proxy " + named + " refused the credentials in its URL (407)")
                .hasMessageNotContaining("guess");

        // an http request: the proxy's 407 is its answer, said as such by the store
        try (Stores stores = new Stores(StoreOptions.builtIn().withProxies(new Proxies(proxyUrl(null), null,
                List.of())))) {
            Stores.Location loc = stores.locate("http://data.example/x.bin");
            assertThatThrownBy(() -> loc.store().get(loc.key(), 0, ObjectInfo.UNKNOWN_SIZE, null).close())
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retryable()).isFalse())
                    .hasMessageContaining("http://data.example/x.bin")
                    .hasMessageContaining("the proxy asks for credentials (HTTP 407)");
        }

        int port = proxyUrl(null).getPort();
        proxy.stop();
        NioTransport gone = transport(new Proxies(null, URI.create("http://127.0.0.1:" + port), List.of()));
        assertThatThrownBy(() -> HttpReads.execute(gone, "GET", URI.create(url), Map.of(), url))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining(url).hasMessageContaining("cannot reach the proxy 127.0.0.1:" + port);
    }

    @Test
    void proxiesComeFromTheEnvironmentAsTheAwsCliAndCurlTakeThem() {
        Proxies p = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "proxy.corp:3128", "https_proxy", "http://lower:8080",
                "HTTP_PROXY", "http://u:p@up:81/",
                "NO_PROXY", " .Internal.Example ,169.254.169.254, host:443,,[::1]:80"));
        assertThat(p.https()).isEqualTo(URI.create("http://lower:8080")); // the lower-case name wins
        assertThat(p.toString()).isEqualTo("Proxies[http=http://****@up:81, https=http://lower:8080, "
                + "noProxy=[internal.example, 169.254.169.254, host, ::1]]");
        assertThat(StoreOptions.builtIn().withProxies(p).toString()).doesNotContain("u:p");
        assertThat(p.http()).isEqualTo(URI.create("http://u:p@up:81/"));
        assertThat(p.noProxy()).containsExactly("internal.example", "169.254.169.254", "host", "::1");
        assertThat(p.forTarget(true, "s3.amazonaws.com")).isEqualTo(URI.create("http://lower:8080"));
        assertThat(p.forTarget(true, "bucket.s3.internal.example")).isNull();
        assertThat(p.forTarget(true, "internal.example")).isNull();
        assertThat(p.forTarget(true, "notinternal.example")).isNotNull();
        assertThat(p.forTarget(false, "169.254.169.254")).isNull();
        assertThat(p.forTarget(false, "::1")).isNull();
        assertThat(Proxies.fromEnvironment(Map.of("https_proxy", "http://x:1", "no_proxy", "*")).forTarget(true, "a"))
                .isNull();
        assertThat(Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "proxy.corp:3128")).https())
                .isEqualTo(URI.create("http://proxy.corp:3128"));
        assertThat(Proxies.fromEnvironment(Map.of()).https()).isNull();
        assertThat(Proxies.fromEnvironment(Map.of("https_proxy", " ")).https()).isNull();

        assertThatThrownBy(() -> Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "https://secure:443")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTPS_PROXY")
                .hasMessageContaining("only http:// proxies are supported");
        assertThatThrownBy(() -> Proxies.fromEnvironment(Map.of("http_proxy", "http://u:s3cret@proxy:80/path")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http_proxy")
                .hasMessageContaining("no path").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> Proxies.fromEnvironment(Map.of("http_proxy", "http://u:s3cret@pro xy:80")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http_proxy is not a URL")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void awsConfigTakesTheProxiesIntoItsStoreOptions() {
        Map<String, String> env = Map.of("HOME", dir.toString(), "HTTPS_PROXY", "http://proxy.corp:3128",
                "NO_PROXY", "169.254.169.254");
        StoreOptions o = AwsConfig.load(null, env).storeOptions();
        assertThat(o.proxies().https()).isEqualTo(URI.create("http://proxy.corp:3128"));
        assertThat(o.proxies().noProxy()).containsExactly("169.254.169.254");
        assertThat(StoreOptions.builtIn().proxies()).isEqualTo(Proxies.none());
    }
}
