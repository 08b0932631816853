package io.zarrfetch.fetch;

import java.util.Objects;
import java.util.stream.Stream;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Store;

/**
 * One object, or one byte range of an object, to fetch: where it is, what is known of it, and its name relative to
 * the destination (the file it becomes for {@link Sink#files}, a label otherwise).
 *
 * @param offset {@link #WHOLE} for the whole object; otherwise the first byte of a range of {@code object.size()}
 *     bytes, and the item delivers just those bytes
 */
public record FetchItem(Store store, ObjectInfo object, String name, long offset) {
    /** The offset of an item that is a whole object. */
    public static final long WHOLE = -1;

    public FetchItem {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(name, "name");
        if (offset < WHOLE) {
            throw new IllegalArgumentException("offset must be >= 0 or WHOLE, was " + offset);
        }
        if (offset != WHOLE && !object.sizeKnown()) {
            throw new IllegalArgumentException("a range of " + object.key() + " needs its length as the size");
        }
    }

    /** A whole object. */
    public FetchItem(Store store, ObjectInfo object, String name) {
        this(store, object, name, WHOLE);
    }

    /** Bytes {@code [offset, offset + length)} of an object. */
    public static FetchItem range(Store store, String key, long offset, long length, String name) {
        return new FetchItem(store, new ObjectInfo(key, length, null), name, offset);
    }

    /** Whether this item is a byte range rather than a whole object. */
    public boolean ranged() {
        return offset != WHOLE;
    }

    /** An item named by its key. */
    public static FetchItem of(Store store, ObjectInfo object) {
        return new FetchItem(store, object, object.key());
    }

    /** The objects a source names, each named relative to the source. */
    public static Stream<FetchItem> of(Source source) {
        return source.objects().map(o -> new FetchItem(source.store(), o, source.name(o)));
    }

    /** The object's URL, for messages, with the range when it is one. */
    public String url() {
        return store.url(object.key()) + (ranged() ? " (bytes " + offset + "-" + (offset + object.size() - 1) + ")"
                : "");
    }
}
