package io.zarrfetch.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

import io.zarrfetch.store.ResponseHead.ProtocolException;

/**
 * An answer of {@link NioTransport} whose body is read from its connection on demand: framed by Content-Length,
 * chunked transfer coding, or the connection's end. Closing it gives a connection whose body was read to its end
 * back to the pool; any other is closed rather than drained.
 */
final class NioResponse implements HttpTransport.Response {
    private final NioTransport transport;
    private final NioTransport.Origin origin;
    private final HttpConnection c;
    private final ResponseHead head;
    private final boolean noBody;
    private long remaining; // of a Content-Length body, or of the current chunk; -1 = to the end
    private boolean lastChunkSeen;
    private boolean ended;
    private boolean released;

    NioResponse(NioTransport transport, NioTransport.Origin origin, HttpConnection c, ResponseHead head,
        boolean headRequest) {
        this.transport = transport;
        this.origin = origin;
        this.c = c;
        this.head = head;
        this.noBody = headRequest || head.status() == 204 || head.status() == 304 || head.status() < 200;
        this.remaining = noBody ? 0 : head.chunked() ? 0 : head.contentLength();
        this.ended = noBody || (!head.chunked() && head.contentLength() == 0);
    }

    @Override
    public int status() {
        return head.status();
    }

    @Override
    public String header(String name) {
        return head.headers().get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public long contentLength() {
        return noBody ? 0 : head.chunked() ? -1 : head.contentLength();
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
            if (head.chunked() && remaining == 0) {
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
                throw new EOFException(head.chunked() ? "the connection closed inside a chunk"
                        : "the connection closed with " + remaining + " bytes of the body still to come");
            }
            if (remaining > 0) {
                remaining -= n;
                if (remaining == 0 && !head.chunked()) {
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
            throw new ProtocolException("malformed chunk size: " + ResponseHead.printable(line));
        }
        long size = Long.parseLong(hex, 16);
        if (size == 0) {
            lastChunkSeen = true;
            for (int i = 0; i <= ResponseHead.MAX_HEADER_LINES; i++) {
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
        transport.done(c);
        boolean reusable = ended && head.keepAlive() && !transport.isClosed() && !c.aborted && !c.hasUnreadBytes();
        if (reusable) {
            c.chunksRead = 0;
            origin.putIdle(c);
        } else {
            c.close();
        }
        origin.permits.release();
    }
}
