package io.zarrfetch.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLHandshakeException;

import io.zarrfetch.store.ResponseHead.ProtocolException;

/**
 * {@link HttpTransport} for {@code http://} and {@code https://}: HTTP/1.1 over blocking {@link SocketChannel}s on
 * the caller's thread, with keep-alive connections pooled and capped per origin. A plain body is read by
 * {@code SocketChannel.read} straight into the caller's buffer: for the off-heap buffers of the fetch engine that is
 * the kernel's one copy and no other (docs/decisions/0001-http-client.md has the measurements that chose this). Over
 * TLS ({@link TlsChannel}, engines from {@link TlsEngines}) records are decrypted straight into the caller's buffer
 * in the same way; a connection that ends without {@code close_notify} ends its body as cut short, never complete.
 *
 * <p>What it speaks: GET and HEAD with a few headers; answers framed by Content-Length, chunked transfer coding, or
 * the connection's end; {@code Connection: close}; 1xx interim answers are skipped. What it refuses, with an error
 * naming the cause: heads over 64 KiB or 200 header lines, malformed status lines, headers, lengths or chunks.
 * A connection taken from the pool that turns out to be closed by the server is replaced once, transparently
 * (GET and HEAD are idempotent). A read that sees no byte for the read timeout fails; so does a connect that takes
 * longer than the connect timeout.
 */
final class NioTransport implements HttpTransport {
    private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final StoreOptions options;
    /**
     * The TLS engines, made once: by {@link #prepareTls()} in the background, or by the first https request. Loading
     * BoringSSL and the trusted certificates takes a few hundred milliseconds of CPU.
     */
    private final FutureTask<TlsEngines> tls;
    private final AtomicBoolean tlsStarted = new AtomicBoolean();
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final Set<HttpConnection> busy = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    NioTransport(StoreOptions options) {
        this(options, TlsEngines.Provider.fromSystemProperty());
    }

    /** With the TLS engines of {@code provider}, made on the first https request. */
    NioTransport(StoreOptions options, TlsEngines.Provider provider) {
        this.options = options;
        this.tls = new FutureTask<>(() -> TlsEngines.create(options, provider));
        this.watchdog = Thread.ofPlatform().daemon().name("zarrfetch-http-watchdog").start(this::watch);
    }

    /** The connections of one scheme://host:port, and the cap on how many may be open. */
    static final class Origin {
        final boolean https;
        final String host;
        final int port;
        final String hostHeader;
        /** host:port, as a tunnel names it. */
        final String authority;
        /** The proxy its connections go through ({@link Proxies}), or null. */
        final URI proxy;
        final String proxyAuthorization;
        final Semaphore permits;
        final ArrayDeque<HttpConnection> idle = new ArrayDeque<>();

        Origin(boolean https, String host, int port, int max, URI proxy) {
            this.https = https;
            this.host = host;
            this.port = port;
            String name = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            this.hostHeader = name + (port == (https ? 443 : 80) ? "" : ":" + port);
            this.authority = name + ":" + port;
            this.proxy = proxy;
            this.proxyAuthorization = proxy == null ? null : Proxies.authorization(proxy);
            this.permits = new Semaphore(max, true);
        }

        synchronized HttpConnection takeIdle() {
            long now = System.nanoTime();
            HttpConnection c;
            while ((c = idle.pollLast()) != null) {
                if (now - c.idleSince < MAX_IDLE_NANOS && c.channel.isOpen()) {
                    return c;
                }
                c.closeInOrder();
            }
            return null;
        }

        synchronized void putIdle(HttpConnection c) {
            c.idleSince = System.nanoTime();
            idle.addLast(c);
        }

        synchronized void closeAll() {
            idle.forEach(HttpConnection::closeInOrder);
            idle.clear();
        }
    }

    @Override
    public Response execute(String method, URI uri, Map<String, String> headers, Abort abort) throws IOException {
        if (closed) {
            throw new IOException("the HTTP transport is closed");
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (!(https || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http:// or https:// URL: " + uri);
        }
        int port = uri.getPort() < 0 ? (https ? 443 : 80) : uri.getPort();
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        Origin origin = origins.computeIfAbsent((https ? "https://" : "http://") + host + ":" + port,
                k -> new Origin(https, host, port, options.maxConnectionsPerHost(),
                        options.proxies().forTarget(https, host)));
        try {
            origin.permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a connection to " + host);
        }
        boolean handedOver = false;
        try {
            byte[] request = request(method, uri, origin, headers);
            HttpConnection c = origin.takeIdle();
            NioResponse r = null;
            if (c != null) {
                c.reused = true;
                try {
                    r = exchange(c, origin, request, method, abort);
                } catch (HttpConnection.StaleConnection e) {
                    c.close(); // the server closed it while idle, before our request: use a new one
                }
            }
            if (r == null) {
                r = exchange(connect(origin, abort), origin, request, method, abort); // a new one is never stale
            }
            handedOver = true;
            return r;
        } finally {
            if (!handedOver) {
                origin.permits.release();
            }
        }
    }

    private static byte[] request(String method, URI uri, Origin origin, Map<String, String> headers) {
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        if (origin.proxy != null && !origin.https) {
            target = "http://" + origin.hostHeader + target; // a proxy is asked for the whole URL
        }
        StringBuilder b = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(origin.hostHeader).append("\r\n")
                .append("User-Agent: zarrfetch\r\n");
        if (origin.proxy != null && !origin.https && origin.proxyAuthorization != null) {
            b.append("Proxy-Authorization: ").append(origin.proxyAuthorization).append("\r\n");
        }
        headers.forEach((name, value) -> {
            if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                    || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " contains a line break");
            }
            b.append(name).append(": ").append(value).append("\r\n");
        });
        return b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private HttpConnection connect(Origin origin, Abort abort) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (abort != null) {
                abort.whileWaiting(() -> closeQuietly(ch)); // a connect blocked on a silent host ends at once
            }
            // The socket adaptor's connect honours a timeout; the channel stays in blocking mode.
            InetSocketAddress to = origin.proxy == null ? new InetSocketAddress(origin.host, origin.port)
                    : new InetSocketAddress(origin.proxy.getHost(), Proxies.port(origin.proxy));
            ch.socket().connect(to, (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (abort != null && abort.aborted()) {
                throw new IOException("abandoned while connecting: " + Abort.WHY, e);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            IOException failure = e instanceof SocketTimeoutException
                    ? new SocketTimeoutException("connect timed out after " + options.connectTimeout().toMillis()
                            + " ms")
                    : (IOException) e;
            if (origin.proxy != null) {
                throw new ProxyException("cannot reach the proxy " + Proxies.describe(origin.proxy) + ": "
                        + HttpReads.describe(failure), true, failure);
            }
            throw failure;
        }
        HttpConnection c = new HttpConnection(ch);
        if (origin.https) {
            if (origin.proxy != null) {
                tunnel(c, origin, abort);
            }
            handshake(c, origin, abort);
        }
        return c;
    }

    /**
     * Asks the proxy of a new connection for a tunnel to the origin ({@code CONNECT}), under the read timeout and the
     * abort handle of its request; TLS then runs through it, end to end.
     */
    private void tunnel(HttpConnection c, Origin origin, Abort abort) throws IOException {
        String proxy = Proxies.describe(origin.proxy);
        StringBuilder b = new StringBuilder(128).append("CONNECT ").append(origin.authority)
                .append(" HTTP/1.1\r\nHost: ").append(origin.authority).append("\r\nUser-Agent: zarrfetch\r\n");
        if (origin.proxyAuthorization != null) {
            b.append("Proxy-Authorization: ").append(origin.proxyAuthorization).append("\r\n");
        }
        busy.add(c);
        c.touch();
        try {
            c.write(ByteBuffer.wrap(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8)));
            int status = ResponseHead.read(c).status();
            if (status == 407 || status == 401) { // tinyproxy says 401
                throw new ProxyException("the proxy " + proxy + (origin.proxyAuthorization == null
                        ? " asks for credentials (" + status + "): give them in its URL, http://user:password@"
                                + proxy
                        : " refused the credentials in its URL (" + status + ")"), false, null);
            }
            if (status != 200) {
                throw new ProxyException("the proxy " + proxy + " did not open a tunnel to " + origin.authority
                        + " (HTTP " + status + ")", status >= 500, null);
            }
            if (c.hasUnreadBytes()) {
                throw new ProtocolException("the proxy " + proxy + " sent bytes after opening the tunnel");
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            if (abort != null && abort.aborted()) {
                throw new IOException("abandoned while the proxy opened a tunnel: " + Abort.WHY, e);
            }
            if (c.timedOut) {
                throw new ProxyException("the proxy " + proxy + " did not answer CONNECT within the read timeout ("
                        + options.readTimeout().toMillis() + " ms)", true, e);
            }
            if (e instanceof IOException io && !(e instanceof ProxyException)) {
                throw new ProxyException("the proxy " + proxy + " failed while opening a tunnel to "
                        + origin.authority + ": " + HttpReads.describe(io), !(e instanceof ProtocolException), io);
            }
            throw e;
        } finally {
            busy.remove(c);
        }
    }

    /** Starts TLS on a new connection, under the read timeout and the abort handle of its request. */
    private void handshake(HttpConnection c, Origin origin, Abort abort) throws IOException {
        TlsEngines engines = tlsEngines();
        c.startTls(engines, engines.engine(origin.host, origin.port));
        busy.add(c);
        c.touch();
        try {
            c.tls.handshake();
        } catch (IOException | RuntimeException e) {
            c.close();
            if (abort != null && abort.aborted()) {
                throw new IOException("abandoned during the TLS handshake: " + Abort.WHY, e);
            }
            if (c.timedOut) {
                throw new SocketTimeoutException("the TLS handshake got no byte for the read timeout ("
                        + options.readTimeout().toMillis() + " ms)");
            }
            if (e instanceof SSLHandshakeException h && UntrustedServerException.isTrustFailure(h)) {
                throw new UntrustedServerException(origin.host, h, options.caBundle());
            }
            throw e;
        } finally {
            busy.remove(c);
        }
    }

    /** The TLS engine in use ("boringssl", "jdk"), or null before the first https request. */
    String tlsEngine() {
        return tls.state() == Future.State.SUCCESS ? tls.resultNow().provider() : null;
    }

    @Override
    public void prepareTls() {
        if (!closed && tlsStarted.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("zarrfetch-tls-setup").start(tls);
        }
    }

    private TlsEngines tlsEngines() throws IOException {
        tls.run(); // here, unless prepareTls() started it (then this returns at once) or it ran
        try {
            return tls.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while TLS was set up");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw new UntrustedServerException(bad.getMessage()); // an unusable CA bundle
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private NioResponse exchange(HttpConnection c, Origin origin, byte[] request, String method, Abort abort)
            throws IOException {
        busy.add(c);
        c.answering = false;
        if (abort != null) {
            abort.whileWaiting(c::abort);
        }
        try {
            c.touch();
            c.write(ByteBuffer.wrap(request));
            ResponseHead head = ResponseHead.read(c);
            return new NioResponse(this, origin, c, head, method.equals("HEAD"));
        } catch (HttpConnection.StaleConnection e) {
            if (c.aborted) {
                busy.remove(c);
                throw c.explain(e);
            }
            busy.remove(c);
            throw e;
        } catch (IOException e) {
            busy.remove(c);
            if (c.reused && !c.answering && !c.timedOut && !c.aborted && !(e instanceof ProtocolException)) {
                // e.g. the request's write hit a connection the server had reset
                throw new HttpConnection.StaleConnection(e);
            }
            c.close();
            throw c.explain(e);
        } catch (RuntimeException e) {
            busy.remove(c);
            c.close();
            throw e;
        } finally {
            if (abort != null) {
                abort.whileWaiting(null); // from here on, Response.abort
            }
        }
    }

    /** The exchange on {@code c} is over: the read timeout no longer watches it. */
    void done(HttpConnection c) {
        busy.remove(c);
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes connections that have seen no byte for the read timeout; their readers then fail. */
    private void watch() {
        long timeout = options.readTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(timeout / 4, TimeUnit.SECONDS.toNanos(1)));
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (HttpConnection c : busy) {
                if (now - c.lastActivity > timeout) {
                    c.timedOut = true;
                    c.closeChannel();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
        origins.values().forEach(Origin::closeAll);
        busy.forEach(HttpConnection::closeChannel); // their readers fail, and free them
    }

}
