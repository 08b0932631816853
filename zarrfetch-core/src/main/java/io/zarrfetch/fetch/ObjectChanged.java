package io.zarrfetch.fetch;

import io.zarrfetch.store.StoreException;

/**
 * An answer showed that the object is not the version the fetch started with: another ETag, another size, or a
 * 412 to {@code If-Match}. Not retried as the request it came from (a retry would only meet the new version again):
 * the object as a whole is fetched again from its first byte, as it now is, once its parts under way have ended
 * ({@link Scheduler#restart}), unless its item asks for one version only ({@link Job#pinned()}).
 */
final class ObjectChanged extends StoreException {
    private static final long serialVersionUID = 1L;

    ObjectChanged(String url, int status, String message) {
        super(url, status, false, message);
    }

    ObjectChanged(String url, int status, String message, Throwable cause) {
        super(url, status, false, message, cause);
    }
}
