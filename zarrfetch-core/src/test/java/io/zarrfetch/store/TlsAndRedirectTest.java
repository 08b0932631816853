package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** A server whose certificate nobody vouches for is refused; redirects are refused naming where they lead. */
class TlsAndRedirectTest {
    @TempDir
    Path dir;

    @Test
    void aSelfSignedCertificateIsRefusedWithAClearError() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(out).isZero();

        Server server = new Server();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore.toString());
        tls.setKeyStorePassword("changeit");
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

    private static byte[] read(Stores.Location loc) throws IOException {
        try (Body body = loc.store().get(loc.key(), 0, ObjectInfo.UNKNOWN_SIZE, null);
                InputStream in = Channels.newInputStream(body)) {
            return in.readAllBytes();
        }
    }
}
