package io.zarrfetch.store;

import java.io.IOException;

/**
 * A failed store operation, naming the object's URL and the cause.
 *
 * <p>{@link #status()} is the HTTP status when a server answered (404 for a missing object, also for stores
 * that are not HTTP), or 0 when no usable answer came (refused connection, reset, timeout, truncated or corrupt
 * body). {@link #retryable()} says whether trying again may succeed, {@link #resumable()} whether a retry may keep
 * the bytes already received.
 */
public class StoreException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final int status;
    private final boolean retryable;

    public StoreException(String url, int status, boolean retryable, String message, Throwable cause) {
        super(url + ": " + message, cause);
        this.url = url;
        this.status = status;
        this.retryable = retryable;
    }

    public StoreException(String url, int status, boolean retryable, String message) {
        this(url, status, retryable, message, null);
    }

    /** The URL of the object or listing that failed. */
    public String url() {
        return url;
    }

    /** The HTTP status of the answer, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** Whether the same request may succeed when tried again. */
    public boolean retryable() {
        return retryable;
    }

    /**
     * Whether a retry may keep the bytes a body delivered before this failure and ask only for the rest. False when
     * those bytes were to be checked against a checksum, which failed or could not be checked (the body ended before
     * its last byte): a retry must then read the object again from its first byte.
     */
    public boolean resumable() {
        return true;
    }

    /** Whether the object does not exist. */
    public boolean notFound() {
        return status == 404;
    }
}
