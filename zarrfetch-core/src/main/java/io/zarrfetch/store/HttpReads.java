package io.zarrfetch.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GET and HEAD over an {@link HttpTransport}, with the checks every HTTP store needs. */
final class HttpReads {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");
    private static final int MAX_ERROR_BODY = 16 * 1024;

    /** Turns an unsuccessful answer into a message: S3 reads its XML error, plain HTTP its status. */
    interface ErrorDescriber {
        String describe(int status, HttpTransport.Response response, String body);
    }

    private HttpReads() {
    }

    static Body get(HttpTransport transport, URI uri, Map<String, String> headers, String url, long offset,
            long length, String ifMatch, Abort abort, ErrorDescriber errors) throws IOException {
        if (offset < 0 || length < ObjectInfo.UNKNOWN_SIZE) {
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        }
        Map<String, String> h = new LinkedHashMap<>(headers);
        boolean ranged = offset > 0 || length != ObjectInfo.UNKNOWN_SIZE;
        if (length == 0) {
            // "bytes=0--1" is no range at all; an empty read needs no request.
            return new EmptyBody(offset);
        }
        if (ranged) {
            h.put("Range", "bytes=" + offset + "-" + (length < 0 ? "" : Long.toString(offset + length - 1)));
        }
        if (ifMatch != null) {
            h.put("If-Match", ifMatch);
        }
        HttpTransport.Response r = execute(transport, "GET", uri, h, url, abort);
        boolean handedOver = false;
        try {
            int status = r.status();
            String etag = r.header("ETag");
            long contentLength = r.contentLength();
            Body body;
            switch (status) {
                case 206 -> {
                    String cr = r.header("Content-Range");
                    Matcher m = cr == null ? null : CONTENT_RANGE.matcher(cr.strip());
                    if (m == null || !m.matches()) {
                        throw new StoreException(url, status, true, "206 answer with a malformed Content-Range: " + cr);
                    }
                    long first = Long.parseLong(m.group(1));
                    long last = Long.parseLong(m.group(2));
                    long total = m.group(3).equals("*") ? ObjectInfo.UNKNOWN_SIZE : Long.parseLong(m.group(3));
                    long n = last - first + 1;
                    if (first != offset || last < first || (length >= 0 && n > length)
                            || (total >= 0 && last >= total) || (contentLength >= 0 && contentLength != n)) {
                        throw new StoreException(url, status, true, "asked for bytes " + offset + "-"
                                + (length < 0 ? "" : offset + length - 1) + " but the answer says Content-Range "
                                + cr + " and Content-Length " + contentLength);
                    }
                    body = new HttpBody(url, r, offset, n, total, etag);
                }
                case 200 -> {
                    // A full answer: a plain GET, or a server that ignores Range. Its checksum, if any, covers it.
                    long size = contentLength;
                    HttpBody whole = new HttpBody(url, r, 0, size, size, etag, offset == 0 ? crc32c(r) : null);
                    if (offset == 0) {
                        body = whole;
                    } else {
                        if (size >= 0 && offset >= size) {
                            throw new StoreException(url, 416, false,
                                    "offset " + offset + " is past the end of the " + size + "-byte object");
                        }
                        whole.skip(offset);
                        long n = size < 0 ? length : (length < 0 ? size - offset : Math.min(length, size - offset));
                        body = new HttpBody(url, r, offset, n, size, etag);
                    }
                }
                case 416 -> {
                    String cr = r.header("Content-Range");
                    Matcher m = cr == null ? null : UNSATISFIED_RANGE.matcher(cr.strip());
                    long size = m != null && m.matches() ? Long.parseLong(m.group(1)) : ObjectInfo.UNKNOWN_SIZE;
                    if (offset == 0 && size <= 0) {
                        // Only an empty object cannot satisfy a range from byte 0 (S3 answers any range on one
                        // with 416): it reads as nothing.
                        r.close();
                        handedOver = true;
                        return new EmptyBody(0, 0, etag);
                    }
                    throw new StoreException(url, 416, false, "offset " + offset + " is past the end of the "
                            + (size >= 0 ? size + "-byte " : "") + "object");
                }
                default -> throw failure(url, r, status, errors);
            }
            handedOver = true;
            return body;
        } finally {
            if (!handedOver) {
                r.close();
            }
        }
    }

    /** The last {@code length} bytes of an object, with a suffix range. */
    static Body getLast(HttpTransport transport, URI uri, Map<String, String> headers, String url, long length,
            Abort abort, ErrorDescriber errors) throws IOException {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive, was " + length);
        }
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Range", "bytes=-" + length);
        HttpTransport.Response r = execute(transport, "GET", uri, h, url, abort);
        boolean handedOver = false;
        try {
            int status = r.status();
            String etag = r.header("ETag");
            switch (status) {
                case 206 -> {
                    String cr = r.header("Content-Range");
                    Matcher m = cr == null ? null : CONTENT_RANGE.matcher(cr.strip());
                    if (m == null || !m.matches() || m.group(3).equals("*")) {
                        throw new StoreException(url, status, true, "206 answer with a malformed Content-Range: "
                                + cr);
                    }
                    long first = Long.parseLong(m.group(1));
                    long last = Long.parseLong(m.group(2));
                    long total = Long.parseLong(m.group(3));
                    long n = last - first + 1;
                    if (last != total - 1 || n > length || n < 1 || (r.contentLength() >= 0
                            && r.contentLength() != n)) {
                        throw new StoreException(url, status, true, "asked for the last " + length
                                + " bytes but the answer says Content-Range " + cr);
                    }
                    handedOver = true;
                    return new HttpBody(url, r, first, n, total, etag);
                }
                case 200 -> {
                    long size = r.contentLength();
                    if (size < 0) {
                        throw new StoreException(url, status, false, "the server ignored the range and did not say "
                                + "the object's size");
                    }
                    HttpBody whole = new HttpBody(url, r, 0, size, size, etag);
                    long n = Math.min(length, size);
                    whole.skip(size - n);
                    handedOver = true;
                    return new HttpBody(url, r, size - n, n, size, etag);
                }
                case 416 -> {
                    r.close();
                    handedOver = true;
                    return new EmptyBody(0, 0, etag);
                }
                default -> throw failure(url, r, status, errors);
            }
        } finally {
            if (!handedOver) {
                r.close();
            }
        }
    }

    static ObjectInfo head(HttpTransport transport, URI uri, Map<String, String> headers, String url, String key,
            ErrorDescriber errors) throws IOException {
        try (HttpTransport.Response r = execute(transport, "HEAD", uri, headers, url)) {
            if (r.status() != 200) {
                throw failure(url, r, r.status(), errors);
            }
            String length = r.header("Content-Length");
            long size = ObjectInfo.UNKNOWN_SIZE;
            if (length != null) {
                try {
                    size = Long.parseLong(length.strip());
                } catch (NumberFormatException e) {
                    throw new StoreException(url, 200, true, "malformed Content-Length: " + length);
                }
            }
            return new ObjectInfo(key, size < 0 ? ObjectInfo.UNKNOWN_SIZE : size, r.header("ETag"));
        }
    }

    /**
     * The CRC-32C of the whole object an answer carries, or {@code null}: S3's {@code x-amz-checksum-crc32c}, sent
     * to a GET that asks with {@code x-amz-checksum-mode: ENABLED} for an object uploaded with one. Not the composite
     * checksum of a multipart upload ({@code x-amz-checksum-type: COMPOSITE}, or a value ending in {@code -N}): that
     * is a checksum of the parts' checksums, which no client can compare with the bytes. Nor a value that is not the
     * base64 of 4 bytes. Callers take it for a 200 from byte 0 only: S3 sends ranges without a checksum, or with one
     * that is not the range's (a part's, or a multipart object's composite without its -N).
     */
    static Integer crc32c(HttpTransport.Response r) {
        String value = r.header("x-amz-checksum-crc32c");
        if (value == null || "COMPOSITE".equalsIgnoreCase(stripped(r.header("x-amz-checksum-type")))
                || value.strip().matches(".*-\\d+")) {
            return null;
        }
        byte[] b;
        try {
            b = java.util.Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
        return b.length == 4 ? ByteBuffer.wrap(b).getInt() : null;
    }

    private static String stripped(String s) {
        return s == null ? null : s.strip();
    }

    /** A CRC-32C as S3 writes it: the base64 of its 4 bytes, big-endian. */
    static String base64(int crc32c) {
        return java.util.Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc32c).array());
    }

    /** Reads a small body whole (listings, metadata), refusing one larger than {@code max} bytes. */
    static byte[] readAll(HttpTransport.Response r, String url, int max) throws IOException {
        long declared = r.contentLength();
        if (declared > max) {
            throw new StoreException(url, r.status(), false,
                    "answer of " + declared + " bytes is larger than the " + max + " bytes allowed");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (declared >= 0 ? declared : Math.min(max, 64 * 1024)));
        while (true) {
            if (!buf.hasRemaining()) {
                if (declared >= 0) {
                    break;
                }
                if (buf.capacity() >= max) {
                    throw new StoreException(url, r.status(), false,
                            "answer is larger than the " + max + " bytes allowed");
                }
                ByteBuffer bigger = ByteBuffer.allocate((int) Math.min((long) buf.capacity() * 2, max));
                bigger.put(buf.flip());
                buf = bigger;
            }
            int n;
            try {
                n = r.read(buf);
            } catch (IOException e) {
                throw new StoreException(url, 0, true, "reading the answer failed: " + describe(e), e);
            }
            if (n < 0) {
                if (declared >= 0 && buf.position() < declared) {
                    throw new StoreException(url, 0, true,
                            "answer ended after " + buf.position() + " of " + declared + " bytes (truncated)");
                }
                break;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }

    /** An http request's proxy (HTTP_PROXY) wants credentials, or other ones. */
    static final String PROXY_AUTHENTICATION = "the proxy asks for credentials (HTTP 407): give them in its URL, "
            + "HTTP_PROXY=http://user:password@host:port";

    static HttpTransport.Response execute(HttpTransport transport, String method, URI uri,
            Map<String, String> headers, String url) throws IOException {
        return execute(transport, method, uri, headers, url, null);
    }

    static HttpTransport.Response execute(HttpTransport transport, String method, URI uri,
            Map<String, String> headers, String url, Abort abort) throws IOException {
        try {
            return transport.execute(method, uri, headers, abort);
        } catch (InterruptedIOException e) {
            if (e instanceof SocketTimeoutException) {
                throw new StoreException(url, 0, true, "no answer: " + describe(e), e);
            }
            throw e;
        } catch (UntrustedServerException e) {
            throw new StoreException(url, 0, false, e.getMessage(), e);
        } catch (ProxyException e) {
            throw new StoreException(url, 0, e.retryable(), e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException(url, 0, Retries.retryableCause(e), describe(e), e);
        }
    }

    static StoreException failure(String url, HttpTransport.Response r, int status, ErrorDescriber errors) {
        String body = "";
        try {
            body = new String(readAll(r, url, MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The status says enough.
        }
        String message = errors.describe(status, r, body);
        return new StoreException(url, status, Retries.retryableStatus(status), message);
    }

    /** A cause in words, without a stack trace: "connection refused", "timed out", ... */
    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof ConnectException) {
            return "connection refused" + (m != null && !m.toLowerCase(java.util.Locale.ROOT).contains("refused")
                    ? " (" + m + ")" : "");
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + m;
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out" + (m != null ? " (" + m + ")" : "");
        }
        if (e instanceof javax.net.ssl.SSLHandshakeException) {
            return "TLS handshake failed: the server's certificate is not trusted, or not for this host name ("
                    + m + ")";
        }
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    /** The body of an empty read. */
    private static final class EmptyBody extends BaseBody {
        private boolean open = true;

        EmptyBody(long offset) {
            this(offset, ObjectInfo.UNKNOWN_SIZE, null);
        }

        EmptyBody(long offset, long objectSize, String etag) {
            super(offset, 0, objectSize, etag);
        }

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
