package io.zarrfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.Timeout;

/**
 * {@link HttpTransport} over Apache HttpClient 5's classic (blocking) API, which reads a body straight into the
 * caller's array and keeps connections alive in a pool capped per host.
 */
final class ApacheTransport implements HttpTransport {
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient client;

    ApacheTransport(StoreOptions options) {
        Timeout connect = Timeout.ofMilliseconds(options.connectTimeout().toMillis());
        Timeout read = Timeout.ofMilliseconds(options.readTimeout().toMillis());
        connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT)
                // LIFO reuses the warmest connection and lets idle ones expire.
                .setConnPoolPolicy(PoolReusePolicy.LIFO)
                .setMaxConnPerRoute(options.maxConnectionsPerHost())
                .setMaxConnTotal(Math.max(options.maxConnectionsPerHost(), 256))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(read)
                        .setTimeToLive(60, TimeUnit.SECONDS)
                        .setValidateAfterInactivity(2, TimeUnit.SECONDS)
                        .build())
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(read).setTcpNoDelay(true).build())
                .build();
        client = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(read)
                        .setRedirectsEnabled(false)
                        .build())
                // Stores want the bytes as stored: no transparent gunzip, no hidden retries, no redirects.
                .disableContentCompression()
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("zarrfetch")
                .build();
    }

    @Override
    public Response execute(String method, URI uri, Map<String, String> headers, Abort abort) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        headers.forEach(request::addHeader);
        if (abort != null) {
            abort.whileWaiting(request::cancel); // thread-safe: closes the connection under the wait
        }
        try {
            ClassicHttpResponse response = client.executeOpen(null, request, null);
            return new ApacheResponse(request, response);
        } catch (IOException | RuntimeException e) {
            // A cancelled request fails with an IOException or, cancelled before it started, IllegalStateException.
            if (abort != null && abort.aborted()) {
                throw new IOException("abandoned: " + Abort.WHY, e);
            }
            throw e;
        } finally {
            if (abort != null) {
                abort.whileWaiting(null);
            }
        }
    }

    @Override
    public void close() {
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        connections.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }

    /** Arrays between the client's streams and off-heap destinations, reused from response to response. */
    private static final java.util.concurrent.ConcurrentLinkedQueue<byte[]> STAGING =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int STAGING_SIZE = 64 * 1024;

    private static byte[] takeStaging() {
        byte[] b = STAGING.poll();
        return b != null ? b : new byte[STAGING_SIZE];
    }

    private static final class ApacheResponse implements Response {
        private final HttpUriRequestBase request;
        private final ClassicHttpResponse response;
        private InputStream body;
        private boolean ended;
        private long received;
        private byte[] staging;

        ApacheResponse(HttpUriRequestBase request, ClassicHttpResponse response) {
            this.request = request;
            this.response = response;
        }

        @Override
        public int status() {
            return response.getCode();
        }

        @Override
        public String header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        @Override
        public long contentLength() {
            HttpEntity entity = response.getEntity();
            return entity == null ? 0 : entity.getContentLength();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (ended) {
                return -1;
            }
            if (body == null) {
                HttpEntity entity = response.getEntity();
                if (entity == null) {
                    ended = true;
                    return -1;
                }
                body = entity.getContent();
            }
            int n;
            if (dst.hasArray()) {
                n = body.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                if (staging == null) {
                    staging = takeStaging();
                }
                n = body.read(staging, 0, Math.min(staging.length, dst.remaining()));
                if (n > 0) {
                    dst.put(staging, 0, n);
                }
            }
            if (n < 0) {
                ended = true;
            } else {
                received += n;
            }
            return n;
        }

        @Override
        public void abort() {
            request.cancel(); // thread-safe: closes the connection under a read in progress
        }

        @Override
        public void close() {
            try {
                long length = contentLength();
                boolean complete = ended || (length >= 0 && received == length);
                if (complete && body != null && !ended) {
                    body.close(); // at its end: nothing to drain, the connection goes back to the pool
                } else if (!complete && body instanceof EofSensorInputStream eof) {
                    // Closing the stream would drain the rest of the body to reuse the connection.
                    eof.abort();
                } else if (!complete) {
                    request.cancel();
                }
                response.close();
                if (staging != null) {
                    STAGING.offer(staging);
                    staging = null;
                }
            } catch (IOException e) {
                // The connection is discarded either way; nothing the caller can do.
            }
        }
    }
}
