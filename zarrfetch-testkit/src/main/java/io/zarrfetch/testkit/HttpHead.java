package io.zarrfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads the head of an HTTP message from a raw socket stream: for test servers that speak HTTP by hand. */
public final class HttpHead {
    private static final int MAX = 64 * 1024;

    private HttpHead() {
    }

    /**
     * Reads a head up to and including the blank line that ends it, and returns all of it (ISO-8859-1), so every
     * line, the last one too, ends in CRLF.
     *
     * @return {@code null} when the stream ends before the blank line
     * @throws IOException when the head is longer than 64 KiB, or the stream fails
     */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        int state = 0; // how much of \r\n\r\n was just seen
        while ((c = in.read()) >= 0) {
            b.write(c);
            state = switch (state) {
                case 0, 2 -> c == '\r' ? state + 1 : 0;
                case 1, 3 -> c == '\n' ? state + 1 : (c == '\r' ? 1 : 0);
                default -> 0;
            };
            if (state == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            if (b.size() > MAX) {
                throw new IOException("head too long");
            }
        }
        return null;
    }
}
