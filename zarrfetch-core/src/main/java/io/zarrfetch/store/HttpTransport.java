package io.zarrfetch.store;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The seam between the HTTP-speaking stores and the HTTP client: one blocking exchange at a time per calling thread
 * (the fetch engine's workers). One implementation, {@link NioTransport}, chosen by measurement
 * (docs/decisions/0001-http-client.md, and 0005-tls.md for https); tests drive it through this seam.
 */
interface HttpTransport extends Closeable {

    /**
     * Sends a request and returns once the status line and headers have arrived. The body is not read yet.
     *
     * @throws IOException when no answer came: refused, reset, timed out
     */
    default Response execute(String method, URI uri, Map<String, String> headers) throws IOException {
        return execute(method, uri, headers, null);
    }

    /**
     * {@link #execute(String, URI, Map)}, which {@code abort} (when not null) ends from another thread while it
     * waits: the connection is closed and this throws.
     */
    Response execute(String method, URI uri, Map<String, String> headers, Abort abort) throws IOException;

    /**
     * Starts setting up TLS in the background, for https requests to come; their first waits for it. For a caller
     * that knows early that it will speak https, so that the set-up overlaps its other work.
     */
    default void prepareTls() {
    }

    /** An answer whose body is read with {@link #read(ByteBuffer)}; must be closed. */
    interface Response extends Closeable {
        int status();

        /** The first value of a header, or {@code null}. */
        String header(String name);

        /** The Content-Length, or -1 when the body is delimited otherwise (chunked, close). */
        long contentLength();

        /**
         * Reads body bytes into {@code dst}: at least one unless the body has ended (-1). Throws when the
         * connection breaks or stalls past the read timeout, including a body shorter than its Content-Length.
         */
        int read(ByteBuffer dst) throws IOException;

        /**
         * Closes the connection from any thread, so that a read blocked on it, or the next, fails; {@link #close()}
         * is still called by the reading thread. For giving up on an answer that another one made unnecessary.
         */
        void abort();

        /**
         * Ends the exchange. A body read to its end leaves the connection for reuse; otherwise the connection is
         * closed rather than drained.
         */
        @Override
        void close();
    }
}
