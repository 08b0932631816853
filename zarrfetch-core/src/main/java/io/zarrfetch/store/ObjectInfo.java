package io.zarrfetch.store;

import java.util.Objects;

/**
 * One object in a {@link Store}: its key, its size in bytes and its entity tag.
 *
 * @param key the object's key inside its store, exactly as the store names it (never percent-encoded)
 * @param size the size in bytes, or {@link #UNKNOWN_SIZE} when not known yet (an HTTP URL not fetched yet)
 * @param etag the entity tag as the server sent it (quotes included), or {@code null} when the store has none
 */
public record ObjectInfo(String key, long size, String etag) {
    /** The size of an object whose size is not known before it is fetched. */
    public static final long UNKNOWN_SIZE = -1;

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        if (size < UNKNOWN_SIZE) {
            throw new IllegalArgumentException("size must be >= 0 or UNKNOWN_SIZE, was " + size + " for " + key);
        }
    }

    /** An object known only by its key. */
    public static ObjectInfo of(String key) {
        return new ObjectInfo(key, UNKNOWN_SIZE, null);
    }

    /** Whether the size is known. */
    public boolean sizeKnown() {
        return size != UNKNOWN_SIZE;
    }
}
