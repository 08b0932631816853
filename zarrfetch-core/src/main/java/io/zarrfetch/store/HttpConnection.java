package io.zarrfetch.store;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLEngine;

import io.zarrfetch.store.ResponseHead.ProtocolException;

/**
 * One TCP connection of {@link NioTransport} (with TLS over it for https): its channel, and a buffer for heads, chunk
 * lines and bytes read ahead. Used by one thread at a time; others may only close its channel (an abort, the read
 * timeout's watchdog), which makes a read blocked on it fail with a message saying why.
 */
final class HttpConnection {
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

    HttpConnection(SocketChannel channel) {
        this.channel = channel;
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    void startTls(TlsEngines engines, SSLEngine engine) {
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
                n = fill(ResponseHead.MAX_HEAD);
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
            if (fill(ResponseHead.MAX_HEAD) < 0) {
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

    /** An idle pooled connection that the server had closed: safe to retry on a new one. */
    static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(IOException cause) {
            super(cause);
        }
    }
}
