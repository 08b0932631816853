package io.zarrfetch.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

import io.zarrfetch.store.Abort;
import io.zarrfetch.store.Body;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/**
 * A store that answers reads of an array's metadata documents from memory and passes every other request to the
 * real store: on the driver it records what opening the array read ({@link #recording}), on executors it replays
 * it ({@link #replaying}), so tasks open the array without a request.
 */
final class MetadataStore implements Store {
    /** The largest metadata document recorded (zarrfetch refuses larger ones too). */
    private static final int MAX_DOCUMENT = 16 << 20;

    /**
     * What opening an array read: each key with its bytes, or null for a key that did not exist.
     *
     * @param docs in the order they were read
     */
    record Docs(LinkedHashMap<String, byte[]> docs) implements Serializable {
        /** The bytes read for {@code key}, or null. */
        byte[] get(String key) {
            return docs.get(key);
        }

        @Override
        public String toString() {
            return "Docs" + docs.keySet();
        }
    }

    private final Store store;
    private final boolean recording;
    private final LinkedHashMap<String, byte[]> docs;
    private final MemoryStore memory = new MemoryStore();

    private MetadataStore(Store store, boolean recording, LinkedHashMap<String, byte[]> docs) {
        this.store = store;
        this.recording = recording;
        this.docs = docs;
        docs.forEach((k, v) -> {
            if (v != null) {
                memory.put(k, v);
            }
        });
    }

    /** Records the whole-object reads made through it until {@link #docs()} is called. */
    static MetadataStore recording(Store store) {
        return new MetadataStore(store, true, new LinkedHashMap<>());
    }

    /** Answers the recorded keys from memory (404 for those that did not exist), and the rest from the store. */
    static MetadataStore replaying(Store store, Docs docs) {
        return new MetadataStore(store, false, new LinkedHashMap<>(docs.docs()));
    }

    /** What was read so far. */
    synchronized Docs docs() {
        return new Docs(new LinkedHashMap<>(docs));
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
        return store.list(prefix);
    }

    @Override
    public ObjectInfo head(String key) throws IOException {
        return store.head(key);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws IOException {
        return get(key, offset, length, ifMatch, null);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch, Abort abort) throws IOException {
        boolean whole = offset == 0 && length == ObjectInfo.UNKNOWN_SIZE && ifMatch == null;
        synchronized (this) {
            if (docs.containsKey(key)) {
                if (docs.get(key) == null) {
                    throw new StoreException(store.url(key), 404, false, "no such object");
                }
                return memory.get(key, offset, length, ifMatch);
            }
        }
        if (!recording || !whole) {
            return abort == null ? store.get(key, offset, length, ifMatch) : store.get(key, offset, length, ifMatch,
                    abort);
        }
        byte[] bytes;
        try {
            bytes = readAll(key);
        } catch (StoreException e) {
            if (e.notFound()) {
                synchronized (this) {
                    docs.put(key, null);
                }
            }
            throw e;
        }
        synchronized (this) {
            docs.put(key, bytes);
            memory.put(key, bytes);
        }
        return memory.get(key, 0, ObjectInfo.UNKNOWN_SIZE, null);
    }

    private byte[] readAll(String key) throws IOException {
        try (Body body = store.get(key, 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            if (body.length() > MAX_DOCUMENT) {
                throw new StoreException(store.url(key), 0, false, "metadata of " + body.length()
                        + " bytes is larger than the " + MAX_DOCUMENT + " bytes allowed");
            }
            ByteBuffer buf = ByteBuffer.allocate(body.length() >= 0 ? (int) body.length() : 64 << 10);
            while (true) {
                if (!buf.hasRemaining()) {
                    if (body.length() >= 0) {
                        break;
                    }
                    if (buf.capacity() >= MAX_DOCUMENT) {
                        throw new StoreException(store.url(key), 0, false, "metadata larger than " + MAX_DOCUMENT
                                + " bytes");
                    }
                    buf = ByteBuffer.allocate(Math.min(buf.capacity() * 2, MAX_DOCUMENT)).put(buf.flip());
                }
                if (body.read(buf) < 0) {
                    break;
                }
            }
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    @Override
    public void close() {
        // the real store belongs to the engine
    }
}
