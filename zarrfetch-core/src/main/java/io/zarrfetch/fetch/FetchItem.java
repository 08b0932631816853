package io.zarrfetch.fetch;

import java.util.Objects;
import java.util.stream.Stream;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Store;

/**
 * One object to fetch: where it is, what is known of it, and its name relative to the destination (the file it
 * becomes for {@link Sink#files}, a label otherwise).
 */
public record FetchItem(Store store, ObjectInfo object, String name) {
    public FetchItem {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(name, "name");
    }

    /** An item named by its key. */
    public static FetchItem of(Store store, ObjectInfo object) {
        return new FetchItem(store, object, object.key());
    }

    /** The objects a source names, each named relative to the source. */
    public static Stream<FetchItem> of(Source source) {
        return source.objects().map(o -> new FetchItem(source.store(), o, source.name(o)));
    }

    /** The object's URL, for messages. */
    public String url() {
        return store.url(object.key());
    }
}
