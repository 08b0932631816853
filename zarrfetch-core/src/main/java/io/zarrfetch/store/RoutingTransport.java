package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * {@code http://} and {@code https://} through {@link NioTransport} (bodies land in the caller's buffer with no copy
 * of ours); {@code -Dzarrfetch.http=apache} sends both through {@link ApacheTransport} instead, kept to repeat the
 * measurements of docs/decisions/0001-http-client.md and 0005-tls.md.
 */
final class RoutingTransport implements HttpTransport {
    private static final boolean VIA_APACHE = "apache".equals(System.getProperty("zarrfetch.http"));

    private final HttpTransport transport;

    RoutingTransport(StoreOptions options) {
        this.transport = VIA_APACHE ? new ApacheTransport(options) : new NioTransport(options);
    }

    @Override
    public Response execute(String method, URI uri, Map<String, String> headers, Abort abort) throws IOException {
        return transport.execute(method, uri, headers, abort);
    }

    @Override
    public void prepareTls() {
        transport.prepareTls();
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
