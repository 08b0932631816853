package io.zarrfetch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The status line and headers of an HTTP/1.1 answer, parsed and checked: status line syntax, header syntax and
 * count, Content-Length syntax and conflicts, transfer coding; whether the connection may serve another request.
 *
 * @param contentLength the Content-Length, or -1 when there is none (or the body is chunked)
 * @param keepAlive whether the connection may be reused once the body is read (its end is known and the server keeps
 *     it open)
 */
record ResponseHead(int status, Map<String, String> headers, long contentLength, boolean chunked, boolean keepAlive) {
    static final int MAX_HEAD = 64 * 1024;
    static final int MAX_HEADER_LINES = 200;

    /** Reads and parses the head of the next final (non-1xx) answer. */
    static ResponseHead read(HttpConnection c) throws IOException {
        while (true) {
            int end = c.readUntilHeadEnd();
            String text = new String(c.buf.array(), c.buf.position(), end - c.buf.position() - 4,
                    StandardCharsets.ISO_8859_1);
            c.buf.position(end);
            ResponseHead head = parse(text);
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
            // 1xx: an interim answer; the real one follows.
        }
    }

    static ResponseHead parse(String text) throws IOException {
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
        return new ResponseHead(code, headers, length, chunked, keepAlive && (chunked || length >= 0));
    }

    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return KeyPaths.printable(t);
    }

    /** An answer that does not follow HTTP/1.1. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
