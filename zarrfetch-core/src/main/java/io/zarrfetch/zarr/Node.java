package io.zarrfetch.zarr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/** Reading small metadata objects. */
final class Node {
    private Node() {
    }

    /**
     * The bytes of a small object, or null when there is none (404). Read whole in one attempt, and read again
     * whole when that fails in a way that may pass ({@link RetryingStore#read}).
     *
     * @throws StoreException when it is larger than {@link Metadata#MAX_DOCUMENT} or the store fails
     */
    static byte[] readSmall(Store store, String key) throws IOException {
        try {
            return RetryingStore.of(store).read(s -> readWhole(s, key));
        } catch (StoreException e) {
            if (e.notFound()) {
                return null;
            }
            throw e;
        }
    }

    private static byte[] readWhole(Store store, String key) throws IOException {
        try (Body body = store.get(key, 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            if (body.length() > Metadata.MAX_DOCUMENT) {
                throw new StoreException(store.url(key), 0, false, "metadata of " + body.length()
                        + " bytes is larger than the " + Metadata.MAX_DOCUMENT + " bytes allowed");
            }
            ByteBuffer buf = ByteBuffer.allocate(body.length() >= 0 ? (int) body.length() : 64 * 1024);
            while (true) {
                if (!buf.hasRemaining()) {
                    if (body.length() >= 0) {
                        break;
                    }
                    if (buf.capacity() >= Metadata.MAX_DOCUMENT) {
                        throw new StoreException(store.url(key), 0, false, "metadata larger than "
                                + Metadata.MAX_DOCUMENT + " bytes");
                    }
                    buf = ByteBuffer.allocate(Math.min(buf.capacity() * 2, Metadata.MAX_DOCUMENT)).put(buf.flip());
                }
                if (body.read(buf) < 0) {
                    break;
                }
            }
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }
}
