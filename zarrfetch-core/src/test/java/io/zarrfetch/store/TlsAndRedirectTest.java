package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.TestPki;

/**
 * The JDK's trust settings are honoured when no CA bundle is given, and redirects are refused naming where they
 * lead. (Certificates, host names and CA bundles with each TLS engine: {@link TlsTransportTest}.)
 */
class TlsAndRedirectTest {
    static final String PASSWORD = "changeit";
    @TempDir
    Path dir;

    /** An HTTPS server on 127.0.0.1 with the key store's key and certificate chain, answering 1, 2, 3 to any GET. */
    static Server httpsServer(KeyStore keystore, String password) throws Exception {
        Server server = new Server();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keystore);
        tls.setKeyStorePassword(password);
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.write(true, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), callback);
                return true;
            }
        });
        server.start();
        return server;
    }

    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Test
    void aRedirectIsRefusedNamingWhereItLeads() throws Exception {
        Files.write(dir.resolve("real.bin"), new byte[] {7, 8, 9});
        Handler.Wrapper moved = new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (Request.getPathInContext(request).equals("/moved.bin")) {
                    response.setStatus(301);
                    response.getHeaders().put(HttpHeader.LOCATION, "http://elsewhere.example/real.bin");
                    callback.succeeded();
                    return true;
                }
                return super.handle(request, response, callback);
            }
        };
        try (HttpFileServer server = HttpFileServer.start(dir, moved);
                Stores stores = new Stores(StoreOptions.defaults())) {
            Stores.Location ok = stores.locate(server.url() + "real.bin");
            assertThat(read(ok)).containsExactly(7, 8, 9);
            Stores.Location loc = stores.locate(server.url() + "moved.bin");
            assertThatThrownBy(() -> read(loc))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("moved.bin")
                    .hasMessageContaining("301")
                    .hasMessageContaining("http://elsewhere.example/real.bin");
        }
    }

    /**
     * Without a CA bundle, the JDK's trust applies, with its settings: a certificate signed by a CA that
     * {@code -Djavax.net.ssl.trustStore} trusts is accepted for the host name it names (localhost) and refused for
     * another (127.0.0.1, the same server), with an error naming the URL and the cause; without that trust store
     * the same certificate is refused as signed by no trusted authority. The JDK reads the property once, so the
     * client runs in a JVM of its own.
     */
    @Test
    void theJdkTrustStoreIsHonouredWithoutABundle() throws Exception {
        TestPki ca = TestPki.create("zarrfetch test CA");
        Path truststore = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(truststore)) {
            ca.trustStore().store(out, PASSWORD.toCharArray());
        }
        Server https = httpsServer(ca.issue("localhost").keyStore(), TestPki.Issued.password());
        try {
            String right = "https://localhost:" + port(https) + "/data.bin";
            String wrong = "https://127.0.0.1:" + port(https) + "/data.bin";
            Process get = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djavax.net.ssl.trustStore=" + truststore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                    "-Djavax.net.ssl.trustStoreType=PKCS12", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Get.class.getName(), right, wrong)
                    .redirectErrorStream(true).start();
            String out = new String(get.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(get.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(get.exitValue()).as(out).isZero();
            List<String> lines = out.lines().filter(l -> l.startsWith("GET ")).toList();
            assertThat(lines).as(out).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("GET " + right + " -> 010203");
            assertThat(lines.get(1)).startsWith("GET " + wrong + " -> StoreException: " + wrong
                    + ": the TLS certificate of 127.0.0.1 is not accepted: it is not for the host name 127.0.0.1")
                    .contains("No subject alternative names matching IP address 127.0.0.1"); // the JDK's words

            try (Stores stores = new Stores(StoreOptions.defaults().withCaBundle(null))) {
                Stores.Location loc = stores.locate(right);
                assertThatThrownBy(() -> read(loc)).isInstanceOf(StoreException.class)
                        .hasMessageContaining("the TLS certificate of localhost is not accepted: "
                                + "no trusted certificate authority signed it");
            }
        } finally {
            https.stop();
        }
    }

    /** Reads each URL given through {@link Stores}, printing its bytes in hex or the exception, one line each. */
    static final class Get {
        public static void main(String[] urls) {
            try (Stores stores = new Stores(StoreOptions.defaults().withCaBundle(null))) {
                for (String url : urls) {
                    String result;
                    try {
                        result = HexFormat.of().formatHex(read(stores.locate(url)));
                    } catch (Exception e) {
                        result = e.getClass().getSimpleName() + ": " + e.getMessage();
                    }
                    System.out.println("GET " + url + " -> " + result.replace('\n', ' '));
                }
            }
        }
    }

    private static byte[] read(Stores.Location loc) throws IOException {
        try (Body body = loc.store().get(loc.key(), 0, ObjectInfo.UNKNOWN_SIZE, null);
                InputStream in = Channels.newInputStream(body)) {
            return in.readAllBytes();
        }
    }
}
