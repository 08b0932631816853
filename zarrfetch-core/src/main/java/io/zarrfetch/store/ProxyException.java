package io.zarrfetch.store;

import java.io.IOException;

/** A proxy that cannot be reached or would not pass a request on; the message names it, never its credentials. */
final class ProxyException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    ProxyException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether trying again may pass: not for refused credentials or a tunnel the proxy forbids. */
    boolean retryable() {
        return retryable;
    }
}
