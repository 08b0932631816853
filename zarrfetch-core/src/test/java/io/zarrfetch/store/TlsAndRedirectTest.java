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
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
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

/**
 * TLS certificates and host names are verified: a certificate nobody vouches for is refused, and so is one from a
 * trusted CA for another host name; redirects are refused naming where they lead.
 */
class TlsAndRedirectTest {
    static final String PASSWORD = "changeit";
    @TempDir
    Path dir;

    /** Runs the JDK's keytool with these arguments, and checks that it succeeded. */
    static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(out).isZero();
    }

    /** A new EC key pair and its self-signed certificate in a PKCS12 key store, under {@code alias}. */
    static void keyPair(Path keystore, String alias, String dname, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-validity", "2", "-dname", dname, "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        args.addAll(List.of(more));
        keytool(args.toArray(String[]::new));
    }

    static KeyStore load(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    /** An HTTPS server on 127.0.0.1 with the key store's key and certificate chain, answering 1, 2, 3 to any GET. */
    static Server httpsServer(KeyStore keystore) throws Exception {
        Server server = new Server();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keystore);
        tls.setKeyStorePassword(PASSWORD);
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
    void aSelfSignedCertificateIsRefusedWithAClearError() throws Exception {
        Path keystore = dir.resolve("server.p12");
        keyPair(keystore, "server", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1");
        Server server = httpsServer(load(keystore));
        ServerConnector connector = (ServerConnector) server.getConnectors()[0];
        try (Stores stores = new Stores(StoreOptions.defaults())) {
            String url = "https://127.0.0.1:" + connector.getLocalPort() + "/data.bin";
            Stores.Location loc = stores.locate(url);
            assertThatThrownBy(() -> read(loc))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1:" + connector.getLocalPort())
                    .hasMessageContaining("the server's certificate is not trusted")
                    .hasMessageContaining("PKIX");
        } finally {
            server.stop();
        }
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
     * A certificate signed by a CA the client trusts is accepted for the host name it names (localhost) and refused
     * for another (127.0.0.1, the same server), with an error naming the URL and the cause. The client trusts the
     * test CA through {@code -Djavax.net.ssl.trustStore}, as a user with a private CA would run zarrfetch
     * ({@code ZARRFETCH_JAVA_OPTS}); the JDK reads it when the HTTPS transport makes its TLS context, so it is set in
     * a JVM of its own rather than in this one.
     */
    @Test
    void aTrustedCertificateIsAcceptedOnlyForItsHostName() throws Exception {
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        keyPair(ca, "ca", "CN=zarrfetch test CA", "-ext", "bc:c");
        keyPair(server, "server", "CN=localhost");
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD, "-file",
                dir.resolve("server.csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-validity", "2",
                "-ext", "san=dns:localhost", "-infile", dir.resolve("server.csr").toString(), "-outfile",
                dir.resolve("server.crt").toString());

        // The server presents its CA-signed certificate and the CA's; the client trusts the CA alone.
        Certificate caCert = load(ca).getCertificate("ca");
        Certificate serverCert;
        try (InputStream in = Files.newInputStream(dir.resolve("server.crt"))) {
            serverCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore serverKeys = load(server);
        serverKeys.setKeyEntry("server", serverKeys.getKey("server", PASSWORD.toCharArray()),
                PASSWORD.toCharArray(), new Certificate[] {serverCert, caCert});
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        Path truststore = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(truststore)) {
            trust.store(out, PASSWORD.toCharArray());
        }

        Server https = httpsServer(serverKeys);
        try {
            String right = "https://localhost:" + port(https) + "/data.bin";
            String wrong = "https://127.0.0.1:" + port(https) + "/data.bin";
            Process get = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djavax.net.ssl.trustStore=" + truststore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                    "-Djavax.net.ssl.trustStoreType=PKCS12",
                    "-cp", System.getProperty("java.class.path"), Get.class.getName(), right, wrong)
                    .redirectErrorStream(true).start();
            String out = new String(get.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(get.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(get.exitValue()).as(out).isZero();
            List<String> lines = out.lines().filter(l -> l.startsWith("GET ")).toList();
            assertThat(lines).as(out).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("GET " + right + " -> 010203");
            assertThat(lines.get(1)).startsWith("GET " + wrong + " -> StoreException: ")
                    .contains("127.0.0.1:" + port(https))
                    .contains("not for this host name")
                    .contains("No subject alternative names matching IP address 127.0.0.1"); // the JDK's words

            // Without the trust store, the same certificate is refused as not trusted: the CA is what vouches.
            try (Stores stores = new Stores(StoreOptions.defaults())) {
                Stores.Location loc = stores.locate(right);
                assertThatThrownBy(() -> read(loc)).isInstanceOf(IOException.class)
                        .hasMessageContaining("localhost:" + port(https)).hasMessageContaining("PKIX");
            }
        } finally {
            https.stop();
        }
    }

    /** Reads each URL given through {@link Stores}, printing its bytes in hex or the exception, one line each. */
    static final class Get {
        public static void main(String[] urls) {
            try (Stores stores = new Stores(StoreOptions.defaults())) {
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
