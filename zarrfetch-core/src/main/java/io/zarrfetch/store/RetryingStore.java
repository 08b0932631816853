package io.zarrfetch.store;

import java.io.IOException;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Any store with every request sent through {@link Retries}: listing pages (a failed page asked for again with
 * the same continuation token, so the listing goes on where it was), HEADs, and the request of each GET (until its
 * answer's head). The stores {@link Stores} opens are wrapped in one, with {@link StoreOptions#retry()}.
 *
 * <p>What a retrying store does not retry by itself is the reading of a body: a GET's body that fails mid-way fails
 * its read, since the bytes read before are the caller's. The {@link io.zarrfetch.fetch.Fetcher} resumes the bodies
 * it reads, asking for the rest, under the same rules ({@link Retries#backoff}); a small object read whole goes
 * through {@link #read} as one attempt, sent again whole when its body fails.
 */
public final class RetryingStore implements Store {
    private final Store store;
    private final Retries retries;

    /**
     * Wraps {@code store} with the retries of {@code retries}, whose budget it shares with every store wrapped with
     * the same. A retrying store given is unwrapped first.
     */
    public RetryingStore(Store store, Retries retries) {
        this.store = unwrap(Objects.requireNonNull(store, "store"));
        this.retries = Objects.requireNonNull(retries, "retries");
    }

    /** {@code store}, its requests retried as {@code policy} says (with a budget of its own). */
    public static RetryingStore wrap(Store store, RetryPolicy policy) {
        return new RetryingStore(store, new Retries(policy));
    }

    /** The store itself when it retries, else the store retried with {@link RetryPolicy#defaults()}. */
    public static RetryingStore of(Store store) {
        return store instanceof RetryingStore r ? r : wrap(store, RetryPolicy.defaults());
    }

    /** The store under the retries, if {@code store} has any. */
    static Store unwrap(Store store) {
        return store instanceof RetryingStore r ? r.store : store;
    }

    /** The wrapped store: each of its calls is one attempt. */
    public Store store() {
        return store;
    }

    /** The retries this store's requests go through. */
    public Retries retries() {
        return retries;
    }

    /** How a small object is read whole: one attempt, from its request to its body's last byte. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Store store) throws IOException;
    }

    /**
     * Reads with {@code reader} against the wrapped store, and reads again from the start when that fails in a way
     * that may pass (a body cut short included): for small objects read whole (metadata, indexes).
     */
    public <T> T read(Reader<T> reader) throws IOException {
        return retries.send(() -> reader.read(store));
    }

    @Override
    public String url() {
        return store.url();
    }

    @Override
    public String url(String key) {
        return store.url(key);
    }

    @Override
    public boolean canList() {
        return store.canList();
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        if (store instanceof Pages.Paged paged) {
            return Pages.stream(store.url(prefix), token -> retries.send(() -> paged.page(prefix, token)));
        }
        return store.list(prefix); // a folder or memory: nothing that a retry would change
    }

    @Override
    public ObjectInfo head(String key) throws IOException {
        return retries.send(() -> store.head(key));
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws IOException {
        return get(key, offset, length, ifMatch, null);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch, Abort abort) throws IOException {
        return retries.send(abort, () -> store.get(key, offset, length, ifMatch, abort));
    }

    @Override
    public Body getLast(String key, long length) throws IOException {
        return getLast(key, length, null);
    }

    @Override
    public Body getLast(String key, long length, Abort abort) throws IOException {
        return retries.send(abort, () -> store.getLast(key, length, abort));
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "RetryingStore[" + store.url() + ", " + retries.policy() + "]";
    }
}
