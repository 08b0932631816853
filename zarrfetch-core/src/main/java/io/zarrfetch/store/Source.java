package io.zarrfetch.store;

import java.util.stream.Stream;

/**
 * What a source URL names: every object under a prefix, or one object. {@link #name(ObjectInfo)} gives each
 * object's name relative to the source, as copies are named: the key below the prefix, or the object's last path
 * segment.
 *
 * @param url the URL as given
 * @param store the store the objects are in
 * @param prefix for a prefix source, the key prefix ("" or ending in '/'); for an object source, its key
 * @param object for an object source, the object (its size may be unknown); {@code null} for a prefix source
 */
public record Source(String url, Store store, String prefix, ObjectInfo object) {

    /** Whether this source names all objects under a prefix rather than one object. */
    public boolean isPrefix() {
        return object == null;
    }

    /** The objects, streamed as a listing arrives for a prefix source. */
    public Stream<ObjectInfo> objects() {
        return isPrefix() ? store.list(prefix) : Stream.of(object);
    }

    /** The object's name relative to this source: the key below the prefix, or the last path segment. */
    public String name(ObjectInfo o) {
        if (isPrefix()) {
            return o.key().startsWith(prefix) ? o.key().substring(prefix.length()) : o.key();
        }
        String key = o.key();
        if (RetryingStore.unwrap(store) instanceof HttpStore) {
            // HTTP keys are the URL's encoded path and query: the file is named after the decoded path.
            int q = key.indexOf('?');
            key = Keys.decode(q < 0 ? key : key.substring(0, q), false);
        }
        String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        return k.substring(k.lastIndexOf('/') + 1);
    }
}
