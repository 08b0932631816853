package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * What every store guarantees, run against each backend by a subclass that says how to put objects in place.
 */
abstract class StoreConformanceTest {
    static final List<String> ODD_KEYS = List.of("dir/a b+c%.txt", "unicodé/日本語.bin", "plus+sign", "pct%2Fx",
            "q?uestion&and=eq", "tilde~/semi;colon", "emoji😀.dat", "quote'and\"dq");

    /** Keys with characters that need care in URLs, XML and file names. */
    List<String> oddKeys() {
        return ODD_KEYS;
    }

    /** The store under test. */
    abstract Store store();

    /** Puts an object in place before it is read. */
    abstract void put(String key, byte[] data) throws Exception;

    /** The key the store uses for an object put under {@code key} (plain HTTP keys are URL paths). */
    String keyOf(String key) {
        return key;
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] read(Body body) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(body.length(), 0) + 16);
        while (body.read(buf) >= 0) {
            if (!buf.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2);
                bigger.put(buf.flip());
                buf = bigger;
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    @Test
    void readsWholeObjectsExactly() throws Exception {
        byte[] data = bytes(300_000, 1);
        put("whole/object.bin", data);
        try (Body body = store().get(keyOf("whole/object.bin"), 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            assertThat(body.offset()).isZero();
            assertThat(body.length()).isEqualTo(data.length);
            assertThat(read(body)).isEqualTo(data);
        }
    }

    @Test
    void readsRanges() throws Exception {
        byte[] data = bytes(100_000, 2);
        put("ranged.bin", data);
        String key = keyOf("ranged.bin");
        try (Body body = store().get(key, 1234, 5000, null)) {
            assertThat(body.offset()).isEqualTo(1234);
            assertThat(body.length()).isEqualTo(5000);
            assertThat(body.objectSize()).isEqualTo(data.length);
            assertThat(read(body)).isEqualTo(Arrays.copyOfRange(data, 1234, 6234));
        }
        try (Body body = store().get(key, 99_000, 5000, null)) {
            assertThat(body.length()).as("a range past the end is cut at the end").isEqualTo(1000);
            assertThat(read(body)).isEqualTo(Arrays.copyOfRange(data, 99_000, 100_000));
        }
        try (Body body = store().get(key, 50_000, ObjectInfo.UNKNOWN_SIZE, null)) {
            assertThat(read(body)).isEqualTo(Arrays.copyOfRange(data, 50_000, 100_000));
        }
    }

    @Test
    void readsTheLastBytes() throws Exception {
        byte[] data = bytes(50_000, 6);
        put("tail.bin", data);
        try (Body body = store().getLast(keyOf("tail.bin"), 1234)) {
            assertThat(body.offset()).isEqualTo(50_000 - 1234);
            assertThat(body.objectSize()).isEqualTo(50_000);
            assertThat(read(body)).isEqualTo(Arrays.copyOfRange(data, 50_000 - 1234, 50_000));
        }
        try (Body body = store().getLast(keyOf("tail.bin"), 1_000_000)) {
            assertThat(body.offset()).as("longer than the object: all of it").isZero();
            assertThat(read(body)).isEqualTo(data);
        }
    }

    @Test
    void readsEmptyObjects() throws Exception {
        put("empty", new byte[0]);
        try (Body body = store().get(keyOf("empty"), 0, ObjectInfo.UNKNOWN_SIZE, null)) {
            assertThat(read(body)).isEmpty();
        }
        try (Body body = store().get(keyOf("empty"), 0, 1000, null)) {
            assertThat(read(body)).isEmpty();
        }
    }

    @Test
    void headGivesTheSize() throws Exception {
        put("sized", bytes(4321, 3));
        assertThat(store().head(keyOf("sized")).size()).isEqualTo(4321);
    }

    @Test
    void missingObjectsAreNotFoundAndNamed() throws Exception {
        put("present", bytes(10, 4));
        String key = keyOf("absent/object");
        assertThatThrownBy(() -> store().get(key, 0, ObjectInfo.UNKNOWN_SIZE, null).close())
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.notFound()).isTrue();
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains(store().url(key));
                });
        assertThatThrownBy(() -> store().head(key)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.notFound()).isTrue());
    }

    @Test
    void oddKeysRoundTrip() throws Exception {
        List<String> keys = oddKeys();
        for (int i = 0; i < keys.size(); i++) {
            put(keys.get(i), bytes(100 + i, 10 + i));
        }
        for (int i = 0; i < keys.size(); i++) {
            try (Body body = store().get(keyOf(keys.get(i)), 0, ObjectInfo.UNKNOWN_SIZE, null)) {
                assertThat(read(body)).as(keys.get(i)).isEqualTo(bytes(100 + i, 10 + i));
            }
        }
        if (store().canList()) {
            List<String> listed = store().list("").map(ObjectInfo::key).toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);
            for (String k : keys) {
                assertThat(store().list(k).map(ObjectInfo::key).toList()).as("list(%s)", k).contains(k);
            }
        }
    }

    @Test
    void listsPrefixesWithSizes() throws Exception {
        if (!store().canList()) {
            assertThatThrownBy(() -> store().list("")).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("cannot list");
            return;
        }
        put("data/x/1", bytes(11, 1));
        put("data/x/2", bytes(22, 1));
        put("data/y", bytes(33, 1));
        put("datum", bytes(44, 1));
        List<ObjectInfo> all = store().list("data/").toList();
        assertThat(all).extracting(ObjectInfo::key).containsExactly("data/x/1", "data/x/2", "data/y");
        assertThat(all).extracting(ObjectInfo::size).containsExactly(11L, 22L, 33L);
        assertThat(store().list("data/x").map(ObjectInfo::key).toList()).containsExactly("data/x/1", "data/x/2");
        assertThat(store().list("dat").count()).isEqualTo(4);
        assertThat(store().list("nothing/").count()).isZero();
    }
}
