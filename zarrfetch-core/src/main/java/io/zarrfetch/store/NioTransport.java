package io.zarrfetch.store;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

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
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_HEADER_LINES = 200;
    private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final StoreOptions options;
    /**
     * The TLS engines, made once: by {@link #prepareTls()} in the background, or by the first https request. Loading
     * BoringSSL and the trusted certificates takes a few hundred milliseconds of CPU.
     */
    private final java.util.concurrent.FutureTask<TlsEngines> tls;
    private final java.util.concurrent.atomic.AtomicBoolean tlsStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final Set<Connection> busy = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    NioTransport(StoreOptions options) {
        this(options, TlsEngines.Provider.fromSystemProperty());
    }

    /** With the TLS engines of {@code provider}, made on the first https request. */
    NioTransport(StoreOptions options, TlsEngines.Provider provider) {
        this.options = options;
        this.tls = new java.util.concurrent.FutureTask<>(() -> TlsEngines.create(options, provider));
        this.watchdog = Thread.ofPlatform().daemon().name("zarrfetch-http-watchdog").start(this::watch);
    }

    /** The connections of one scheme://host:port, and the cap on how many may be open. */
    private static final class Origin {
        final boolean https;
        final String host;
        final int port;
        final String hostHeader;
        final Semaphore permits;
        final ArrayDeque<Connection> idle = new ArrayDeque<>();

        Origin(boolean https, String host, int port, int max) {
            this.https = https;
            this.host = host;
            this.port = port;
            this.hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                    + (port == (https ? 443 : 80) ? "" : ":" + port);
            this.permits = new Semaphore(max, true);
        }

        synchronized Connection takeIdle() {
            long now = System.nanoTime();
            Connection c;
            while ((c = idle.pollLast()) != null) {
                if (now - c.idleSince < MAX_IDLE_NANOS && c.channel.isOpen()) {
                    return c;
                }
                c.closeInOrder();
            }
            return null;
        }

        synchronized void putIdle(Connection c) {
            c.idleSince = System.nanoTime();
            idle.addLast(c);
        }

        synchronized void closeAll() {
            idle.forEach(Connection::closeInOrder);
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
                k -> new Origin(https, host, port, options.maxConnectionsPerHost()));
        try {
            origin.permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a connection to " + host);
        }
        boolean handedOver = false;
        try {
            byte[] request = request(method, uri, origin, headers);
            Connection c = origin.takeIdle();
            NioResponse r = null;
            if (c != null) {
                c.reused = true;
                try {
                    r = exchange(c, origin, request, method, abort);
                } catch (StaleConnection e) {
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
        StringBuilder b = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(origin.hostHeader).append("\r\n")
                .append("User-Agent: zarrfetch\r\n");
        headers.forEach((name, value) -> {
            if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                    || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " contains a line break");
            }
            b.append(name).append(": ").append(value).append("\r\n");
        });
        return b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private Connection connect(Origin origin, Abort abort) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (abort != null) {
                abort.whileWaiting(() -> closeQuietly(ch)); // a connect blocked on a silent host ends at once
            }
            // The socket adaptor's connect honours a timeout; the channel stays in blocking mode.
            ch.socket().connect(new InetSocketAddress(origin.host, origin.port),
                    (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (abort != null && abort.aborted()) {
                throw new IOException("abandoned while connecting: " + Abort.WHY, e);
            }
            if (e instanceof SocketTimeoutException) {
                throw new SocketTimeoutException("connect timed out after " + options.connectTimeout().toMillis()
                        + " ms");
            }
            throw e;
        }
        Connection c = new Connection(ch);
        if (origin.https) {
            handshake(c, origin, abort);
        }
        return c;
    }

    /** Starts TLS on a new connection, under the read timeout and the abort handle of its request. */
    private void handshake(Connection c, Origin origin, Abort abort) throws IOException {
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
        return tls.state() == java.util.concurrent.Future.State.SUCCESS ? tls.resultNow().provider() : null;
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
            throw new java.io.InterruptedIOException("interrupted while TLS was set up");
        } catch (java.util.concurrent.ExecutionException e) {
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

    private NioResponse exchange(Connection c, Origin origin, byte[] request, String method, Abort abort)
            throws IOException {
        busy.add(c);
        c.answering = false;
        if (abort != null) {
            abort.whileWaiting(c::abort);
        }
        try {
            c.touch();
            c.write(ByteBuffer.wrap(request));
            Head head = readHead(c);
            return new NioResponse(this, origin, c, head, method.equals("HEAD"));
        } catch (StaleConnection e) {
            if (c.aborted) {
                busy.remove(c);
                throw c.explain(e);
            }
            busy.remove(c);
            throw e;
        } catch (IOException e) {
            busy.remove(c);
            if (c.reused && !c.answering && !c.timedOut && !c.aborted && !(e instanceof ProtocolException)) {
                throw new StaleConnection(e); // e.g. the request's write hit a connection the server had reset
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

    /** Status line and headers, parsed. */
    private record Head(int status, Map<String, String> headers, long contentLength, boolean chunked,
            boolean keepAlive) {
    }

    /** Reads and parses the head of the next final (non-1xx) answer. */
    private static Head readHead(Connection c) throws IOException {
        while (true) {
            int end = c.readUntilHeadEnd();
            String text = new String(c.buf.array(), c.buf.position(), end - c.buf.position() - 4,
                    StandardCharsets.ISO_8859_1);
            c.buf.position(end);
            Head head = parseHead(text);
            if (head.status >= 200 || head.status == 101) {
                return head;
            }
            // 1xx: an interim answer; the real one follows.
        }
    }

    static Head parseHead(String text) throws IOException {
        String[] lines = text.split("\r\n", -1);
        String status = lines[0];
        if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
                || !Character.isDigit(status.charAt(9)) || !Character.isDigit(status.charAt(10))
                || !Character.isDigit(status.charAt(11)) || (status.length() > 12 && status.charAt(12) != ' ')) {
            throw new ProtocolException("malformed status line: " + printable(status));
        }
        boolean http10 = status.startsWith("HTTP/1.0");
        int code = Integer.parseInt(status.substring(9, 12));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        int count = 0;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (++count > MAX_HEADER_LINES) {
                throw new ProtocolException("more than " + MAX_HEADER_LINES + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new ProtocolException("malformed header line: " + printable(line));
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            if (name.chars().anyMatch(ch -> ch <= ' ' || ch == 0x7f)) {
                throw new ProtocolException("malformed header name: " + printable(line));
            }
            String value = line.substring(colon + 1).strip();
            String previous = headers.putIfAbsent(name, value);
            if (previous != null && name.equals("content-length") && !previous.equals(value)) {
                throw new ProtocolException("conflicting Content-Length headers: " + previous + " and " + value);
            }
        }
        String te = headers.get("transfer-encoding");
        boolean chunked = false;
        if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) {
                throw new ProtocolException("unsupported Transfer-Encoding: " + printable(te));
            }
            chunked = true;
        }
        long length = -1;
        String cl = headers.get("content-length");
        if (cl != null && !chunked) {
            if (cl.isEmpty() || cl.length() > 18 || !cl.chars().allMatch(Character::isDigit)) {
                throw new ProtocolException("malformed Content-Length: " + printable(cl));
            }
            length = Long.parseLong(cl);
        }
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        boolean keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close");
        return new Head(code, headers, length, chunked, keepAlive && (chunked || length >= 0));
    }

    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return KeyPaths.printable(t);
    }

    /** A response whose body is read from the connection on demand. */
    private static final class NioResponse implements Response {
        private final NioTransport transport;
        private final Origin origin;
        private final Connection c;
        private final Head head;
        private final boolean noBody;
        private long remaining; // of a Content-Length body, or of the current chunk; -1 = to the end
        private boolean lastChunkSeen;
        private boolean ended;
        private boolean released;

        NioResponse(NioTransport transport, Origin origin, Connection c, Head head, boolean headRequest) {
            this.transport = transport;
            this.origin = origin;
            this.c = c;
            this.head = head;
            this.noBody = headRequest || head.status == 204 || head.status == 304 || head.status < 200;
            this.remaining = noBody ? 0 : head.chunked ? 0 : head.contentLength;
            this.ended = noBody || (!head.chunked && head.contentLength == 0);
        }

        @Override
        public int status() {
            return head.status;
        }

        @Override
        public String header(String name) {
            return head.headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public long contentLength() {
            return noBody ? 0 : head.chunked ? -1 : head.contentLength;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (ended) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            try {
                if (head.chunked && remaining == 0) {
                    if (!nextChunk()) {
                        ended = true;
                        return -1;
                    }
                }
                int n = c.read(dst, remaining);
                if (n < 0) {
                    if (remaining < 0) {
                        ended = true; // delimited by the connection's end
                        return -1;
                    }
                    throw new EOFException(head.chunked ? "the connection closed inside a chunk"
                            : "the connection closed with " + remaining + " bytes of the body still to come");
                }
                if (remaining > 0) {
                    remaining -= n;
                    if (remaining == 0 && !head.chunked) {
                        ended = true;
                    }
                }
                return n;
            } catch (IOException e) {
                throw c.explain(e);
            }
        }

        /** Moves to the next chunk's data; false at the last (empty) chunk, whose trailers are skipped. */
        private boolean nextChunk() throws IOException {
            if (lastChunkSeen) {
                return false;
            }
            if (c.chunksRead++ > 0 && !c.readLine(2).isEmpty()) {
                throw new ProtocolException("chunk data not followed by CRLF");
            }
            String line = c.readLine(1024);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                throw new ProtocolException("malformed chunk size: " + printable(line));
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                lastChunkSeen = true;
                for (int i = 0; i <= MAX_HEADER_LINES; i++) {
                    if (c.readLine(8192).isEmpty()) {
                        return false;
                    }
                }
                throw new ProtocolException("too many trailer lines");
            }
            remaining = size;
            return true;
        }

        @Override
        public void abort() {
            c.abort(); // thread-safe, like the watchdog's close; the reader's close() releases the connection
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            transport.busy.remove(c);
            boolean reusable = ended && head.keepAlive && !transport.closed && !c.aborted && !c.hasUnreadBytes();
            if (reusable) {
                c.chunksRead = 0;
                origin.putIdle(c);
            } else {
                c.close();
            }
            origin.permits.release();
        }
    }

    /** One TCP connection (with TLS over it for https): its channel and a buffer for heads and bytes read ahead. */
    private static final class Connection {
        final SocketChannel channel;
        /** TLS over the channel, or null for plain http. */
        TlsChannel tls;
        private TlsEngines engines;
        private boolean released;
        /** Bytes read but not consumed yet, between position and limit; grows only for large heads. */
        ByteBuffer buf = ByteBuffer.allocate(8192).flip();
        volatile long lastActivity = System.nanoTime();
        volatile boolean timedOut;
        /** Set when another thread closed it on purpose (Response.abort). */
        volatile boolean aborted;
        long idleSince;
        int chunksRead;
        /** Whether this connection came from the pool, so that a server may have closed it meanwhile. */
        boolean reused;
        /** Whether a byte of the current answer has arrived. */
        boolean answering;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void touch() {
            lastActivity = System.nanoTime();
        }

        void startTls(TlsEngines engines, javax.net.ssl.SSLEngine engine) {
            this.engines = engines;
            this.tls = new TlsChannel(channel, engine, this::touch);
        }

        /** Reads bytes as they come off the connection: plaintext, decrypted in place over TLS; -1 at its end. */
        private int readWire(ByteBuffer dst) throws IOException {
            return tls == null ? channel.read(dst) : tls.read(dst);
        }

        void write(ByteBuffer src) throws IOException {
            if (tls != null) {
                tls.write(src);
                return;
            }
            while (src.hasRemaining()) {
                channel.write(src);
            }
        }

        /** Whether bytes came that no answer has consumed (so the connection cannot serve another request). */
        boolean hasUnreadBytes() {
            return buf.hasRemaining() || (tls != null && tls.hasBufferedPlaintext());
        }

        /** Reads more bytes after the unconsumed ones; -1 at the connection's end. */
        private int fill(int maxBuffered) throws IOException {
            if (buf.position() > 0) {
                buf.compact().flip();
            }
            if (buf.limit() == buf.capacity()) {
                if (buf.capacity() >= maxBuffered) {
                    throw new ProtocolException("more than " + maxBuffered + " bytes without the expected line end");
                }
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxBuffered, buf.capacity() * 2));
                bigger.put(buf).flip();
                buf = bigger;
            }
            int start = buf.position();
            buf.position(buf.limit()).limit(buf.capacity());
            int n;
            try {
                n = readWire(buf);
            } finally {
                buf.limit(buf.position()).position(start);
            }
            touch();
            if (n > 0) {
                answering = true;
            }
            return n;
        }

        /** Reads until a complete head is buffered; returns the index just past its blank line. */
        int readUntilHeadEnd() throws IOException {
            int scanned = 0; // bytes after position already searched
            while (true) {
                int p = buf.position();
                for (int i = p + Math.max(3, scanned); i < buf.limit(); i++) {
                    if (buf.get(i) == '\n' && buf.get(i - 1) == '\r' && buf.get(i - 2) == '\n'
                            && buf.get(i - 3) == '\r') {
                        return i + 1;
                    }
                }
                scanned = Math.max(0, buf.limit() - p - 3);
                int n;
                try {
                    n = fill(MAX_HEAD);
                } catch (ProtocolException e) {
                    throw e;
                } catch (IOException e) {
                    if (reused && !answering && !timedOut && !aborted) {
                        throw new StaleConnection(e);
                    }
                    throw e;
                }
                if (n < 0) {
                    if (reused && !answering) {
                        throw new StaleConnection(new EOFException("closed before answering"));
                    }
                    throw new EOFException(answering ? "the connection closed in the middle of the answer's head"
                            : "the connection closed without an answer");
                }
            }
        }

        /** A line ending in CRLF (returned without it) of at most {@code max} bytes. */
        String readLine(int max) throws IOException {
            int scanned = 0;
            while (true) {
                int p = buf.position();
                for (int i = p + Math.max(1, scanned); i < buf.limit(); i++) {
                    if (buf.get(i) == '\n' && buf.get(i - 1) == '\r') {
                        String line = new String(buf.array(), p, i - 1 - p, StandardCharsets.ISO_8859_1);
                        buf.position(i + 1);
                        return line;
                    }
                }
                if (buf.remaining() > max) {
                    throw new ProtocolException("a line of a chunked body is longer than " + max + " bytes");
                }
                scanned = Math.max(0, buf.limit() - p - 1);
                if (fill(MAX_HEAD) < 0) {
                    throw new EOFException("the connection closed in a chunked body");
                }
            }
        }

        /** Reads body bytes into dst, at most {@code remaining} (-1: any): first those read ahead, then the socket's. */
        int read(ByteBuffer dst, long remaining) throws IOException {
            int limit = dst.limit();
            if (remaining >= 0 && dst.remaining() > remaining) {
                dst.limit(dst.position() + (int) remaining);
            }
            try {
                if (buf.hasRemaining()) {
                    int n = Math.min(buf.remaining(), dst.remaining());
                    dst.put(dst.position(), buf, buf.position(), n);
                    dst.position(dst.position() + n);
                    buf.position(buf.position() + n);
                    return n;
                }
                int n = readWire(dst);
                touch();
                return n;
            } finally {
                dst.limit(limit);
            }
        }

        IOException explain(IOException e) {
            if (aborted) {
                return new IOException("abandoned: " + Abort.WHY, e);
            }
            if (timedOut) {
                SocketTimeoutException t = new SocketTimeoutException("no byte came for the read timeout");
                t.initCause(e);
                return t;
            }
            if (e instanceof ClosedByInterruptException) {
                return new java.io.InterruptedIOException("interrupted");
            }
            return e;
        }

        /** Closes it from another thread, on purpose: its reader fails with a message saying so. */
        void abort() {
            aborted = true;
            closeChannel();
        }

        /**
         * Closes the socket; any thread may, and a read blocked on it fails. What the TLS engine holds is freed by
         * {@link #close()}, which only the thread using the connection calls.
         */
        void closeChannel() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        /** Closes it for good: socket and TLS engine. Only by the thread that uses it, or for an idle one. */
        void close() {
            closeChannel();
            if (tls != null && !released) {
                released = true;
                engines.release(tls.engine());
            }
        }

        /** Closes an idle connection, saying so to a TLS peer first. */
        void closeInOrder() {
            if (tls != null) {
                tls.closeOutbound();
            }
            close();
        }
    }

    /** An idle pooled connection that the server had closed: safe to retry on a new one. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(IOException cause) {
            super(cause);
        }
    }

    /** An answer that does not follow HTTP/1.1. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
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
            for (Connection c : busy) {
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
        busy.forEach(Connection::closeChannel); // their readers fail, and free them
    }

}
