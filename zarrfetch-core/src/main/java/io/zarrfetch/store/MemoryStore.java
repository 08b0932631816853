package io.zarrfetch.store;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** Objects held in memory: for tests, and for callers that already have their bytes. Thread-safe. */
public final class MemoryStore implements Store {
    private record Entry(byte[] bytes, String etag) {
    }

    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();

    /** Stores a copy of {@code bytes} under {@code key}, replacing what was there. */
    public void put(String key, byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        String etag = "\"" + HexFormat.of().toHexDigits((int) crc.getValue()) + "-" + bytes.length + "\"";
        objects.put(key, new Entry(bytes.clone(), etag));
    }

    /** Removes the object under {@code key}, if any. */
    public void remove(String key) {
        objects.remove(key);
    }

    @Override
    public String url() {
        return "memory:/";
    }

    @Override
    public String url(String key) {
        return "memory:/" + key;
    }

    @Override
    public boolean canList() {
        return true;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return objects.tailMap(prefix, true).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(prefix))
                .map(e -> new ObjectInfo(e.getKey(), e.getValue().bytes().length, e.getValue().etag()));
    }

    @Override
    public ObjectInfo head(String key) throws StoreException {
        Entry e = entry(key);
        return new ObjectInfo(key, e.bytes().length, e.etag());
    }

    private Entry entry(String key) throws StoreException {
        Entry e = objects.get(key);
        if (e == null) {
            throw new StoreException(url(key), 404, false, "no such object");
        }
        return e;
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws StoreException {
        Entry e = entry(key);
        if (ifMatch != null && !ifMatch.equals(e.etag())) {
            throw new StoreException(url(key), 412, false, "the object changed (ETag is no longer " + ifMatch + ")");
        }
        int size = e.bytes().length;
        if (offset > size) {
            throw new StoreException(url(key), 416, false,
                    "offset " + offset + " is past the end of the " + size + "-byte object");
        }
        int n = (int) (length < 0 ? size - offset : Math.min(length, size - offset));
        ByteBuffer data = ByteBuffer.wrap(e.bytes(), (int) offset, n).asReadOnlyBuffer();
        String etag = e.etag();
        return new BaseBody(offset, n, size, etag) {
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (!data.hasRemaining()) {
                    return -1;
                }
                int k = Math.min(dst.remaining(), data.remaining());
                dst.put(dst.position(), data, data.position(), k);
                dst.position(dst.position() + k);
                data.position(data.position() + k);
                return k;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
