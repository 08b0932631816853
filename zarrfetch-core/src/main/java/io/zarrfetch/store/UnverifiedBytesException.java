package io.zarrfetch.store;

/**
 * A failed read whose bytes must not be kept: they did not match the checksum the server sent for them, or the body
 * ended before its checksum could be checked. Retryable, but not {@link #resumable()}.
 */
final class UnverifiedBytesException extends StoreException {
    private static final long serialVersionUID = 1L;

    UnverifiedBytesException(String url, String message, Throwable cause) {
        super(url, 0, true, message, cause);
    }

    @Override
    public boolean resumable() {
        return false;
    }
}
