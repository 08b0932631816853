package io.zarrfetch.bench.http;

import io.zarrfetch.bench.http.Bench.Fetcher;
import io.zarrfetch.bench.http.Bench.Slot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Baseline, not a candidate: the least a Java HTTP/1.1 GET can cost. One blocking SocketChannel per
 * worker (virtual thread), kept alive; the response head is read into a small direct buffer and the body
 * is read by SocketChannel.read straight into the destination. Handles only what nginx sends here
 * (200 with Content-Length, no chunked encoding): it is a yardstick for the clients' overhead.
 */
final class RawNio implements Fetcher {
    private final String runId;
    private final int chunk;

    RawNio(String runId, Map<String, String> opts) {
        this.runId = runId;
        this.chunk = Clients.intOpt(opts, "chunk", 1 << 20);
    }

    private static final class Conn {
        SocketChannel ch;
        final ByteBuffer head = ByteBuffer.allocateDirect(16384);
    }

    @Override
    public long fetch(URI uri, long expected, Slot slot) throws Exception {
        Conn c = (Conn) slot.conn;
        if (c == null) {
            c = new Conn();
            slot.conn = c;
        }
        if (c.ch == null) {
            c.ch = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
            c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        SocketChannel ch = c.ch;
        byte[] req = ("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\n" + Clients.RUN_HEADER + ": " + runId + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.wrap(req);
        while (out.hasRemaining()) {
            ch.write(out);
        }
        // read the response head
        ByteBuffer h = c.head;
        h.clear();
        int end;
        while ((end = headEnd(h)) < 0) {
            if (!h.hasRemaining() || ch.read(h) < 0) {
                throw new IOException("bad or truncated response head");
            }
        }
        byte[] headBytes = new byte[end];
        h.get(0, headBytes);
        String head = new String(headBytes, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + head.lines().findFirst().orElse(""));
        }
        long len = -1;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                len = Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        ByteBuffer dst = slot.buf;
        if (len < 0 || len > dst.remaining()) {
            throw new IOException("bad Content-Length " + len);
        }
        // body bytes that came with the head
        h.flip().position(end);
        int extra = (int) Math.min(h.remaining(), len);
        dst.put(dst.position(), h, h.position(), extra);
        dst.position(dst.position() + extra);
        long got = extra;
        int stop = dst.position() + (int) (len - extra);
        while (dst.position() < stop) {
            dst.limit(Math.min(stop, dst.position() + chunk));
            int n = ch.read(dst);
            if (n < 0) {
                throw new IOException("truncated body");
            }
            got += n;
        }
        dst.limit(dst.capacity());
        return got;
    }

    /** Index just past the blank line ending the head in h[0, position), or -1. */
    private static int headEnd(ByteBuffer h) {
        for (int i = 3; i < h.position(); i++) {
            if (h.get(i) == '\n' && h.get(i - 1) == '\r' && h.get(i - 2) == '\n' && h.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    @Override
    public String describe() {
        return "baseline: blocking SocketChannel per worker, body read straight into the destination, read chunk="
                + chunk;
    }

    @Override
    public void close() {}
}
