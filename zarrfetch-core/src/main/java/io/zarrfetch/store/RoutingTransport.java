package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Plain {@code http://} through {@link NioTransport} (bodies land in the caller's buffer with no copy of ours);
 * {@code https://} through {@link ApacheTransport}, whose TLS is a library's business, created on first use.
 */
final class RoutingTransport implements HttpTransport {
    private final StoreOptions options;
    private final NioTransport plain;
    private volatile ApacheTransport tls;

    RoutingTransport(StoreOptions options) {
        this.options = options;
        this.plain = new NioTransport(options);
    }

    /** -Dzarrfetch.http=apache sends plain http through Apache HttpClient too: kept to repeat the measurements. */
    private static final boolean PLAIN_VIA_APACHE = "apache".equals(System.getProperty("zarrfetch.http"));

    @Override
    public Response execute(String method, URI uri, Map<String, String> headers, Abort abort) throws IOException {
        if ("http".equalsIgnoreCase(uri.getScheme()) && !PLAIN_VIA_APACHE) {
            return plain.execute(method, uri, headers, abort);
        }
        ApacheTransport t = tls;
        if (t == null) {
            synchronized (this) {
                t = tls;
                if (t == null) {
                    t = new ApacheTransport(options);
                    tls = t;
                }
            }
        }
        return t.execute(method, uri, headers, abort);
    }

    @Override
    public void close() {
        plain.close();
        ApacheTransport t = tls;
        if (t != null) {
            t.close();
        }
    }
}
