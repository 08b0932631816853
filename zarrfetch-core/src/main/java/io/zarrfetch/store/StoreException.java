package io.zarrfetch.store;

import java.io.IOException;

/**
 * A failed store operation, naming the object's URL and the cause.
 *
 * <p>{@link #status()} is the HTTP status when a server answered (404 for a missing object, also for stores
 * that are not HTTP), or 0 when no answer came (refused connection, reset, timeout, truncated body).
 * {@link #retryable()} says whether trying again may succeed.
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

    /** Whether the object does not exist. */
    public boolean notFound() {
        return status == 404;
    }
}
