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
 * @param offset {@link #WHOLE} for the whole object; {@link #LAST} for the last {@code object.size()} bytes (an index
 *     at the end of an object of unknown size: one request); otherwise the first byte of a range of
 *     {@code object.size()} bytes. A ranged item delivers just those bytes.
 */
public record FetchItem(Store store, ObjectInfo object, String name, long offset) {
    /** The offset of an item that is a whole object. */
    public static final long WHOLE = -1;
    /** The offset of an item that is the last {@code object.size()} bytes of an object, wherever they start. */
    public static final long LAST = -2;

    public FetchItem {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(name, "name");
        if (offset < LAST) {
            throw new IllegalArgumentException("offset must be >= 0, WHOLE or LAST, was " + offset);
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

    /**
     * The last {@code length} bytes of an object, found with one request ({@code Range: bytes=-length} on HTTP).
     * Delivered as the range they turned out to be (its {@link #offset()} then known); an object shorter than
     * {@code length} fails, saying so.
     */
    public static FetchItem last(Store store, String key, long length, String name) {
        return new FetchItem(store, new ObjectInfo(key, length, null), name, LAST);
    }

    /** Whether this item is a byte range rather than a whole object. */
    public boolean ranged() {
        return offset != WHOLE;
    }

    /** Whether this item is the last bytes of an object, where they start not known yet. */
    public boolean fromEnd() {
        return offset == LAST;
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
        return store.url(object.key()) + (fromEnd() ? " (last " + object.size() + " bytes)"
                : ranged() ? " (bytes " + offset + "-" + (offset + object.size() - 1) + ")" : "");
    }
}
