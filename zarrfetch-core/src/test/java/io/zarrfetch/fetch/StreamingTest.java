package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;

/**
 * Objects many times larger than the memory limit, through the whole engine: streamed part by part in order
 * ({@link Sink#stream}), written to files ({@link Sink#files}), refused by a whole-object view, naming them. From
 * memory, from S3 with a listing (sizes known) and from a plain HTTP server (sizes learned from a first ranged GET).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard: a fetch that never ends fails instead
class StreamingTest {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long LIMIT = 2 * MIB;
    static final String BUCKET = "stream";

    @TempDir
    static Path root;
    @TempDir
    Path dest;
    static S3Server s3;
    static HttpFileServer http;
    static Stores stores;
    static final MemoryStore memory = new MemoryStore();
    /** Each object's SHA-256: eight of 9 MiB (4.5 times the limit, not a whole number of parts) and eight small. */
    static final Map<String, String> SHA = new ConcurrentHashMap<>();
    static final Map<String, Long> SIZE = new ConcurrentHashMap<>();

    enum Via { MEMORY, S3, HTTP }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (int i = 0; i < 16; i++) {
            byte[] d = new byte[i < 8 ? (int) (9 * MIB) + 123 * i : 1000 * i];
            new Random(i).nextBytes(d);
            String key = "obj-" + i;
            SHA.put(key, sha256(d));
            SIZE.put(key, (long) d.length);
            memory.put(key, d);
            s3.put(BUCKET, key, d);
        }
        http = HttpFileServer.start(s3.root().resolve(BUCKET)); // the same files over plain HTTP
        stores = new Stores(StoreOptions.defaults().withEndpoint(s3.endpoint()).withAnonymous(true));
    }

    @AfterAll
    static void stop() throws Exception {
        stores.close();
        http.close();
        s3.close();
    }

    static String sha256(byte[] d) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static List<FetchItem> items(Via via) {
        Store store = switch (via) {
            case MEMORY -> memory;
            case S3 -> stores.locate("s3://" + BUCKET + "/").store();
            case HTTP -> stores.locate(http.url().toString()).store();
        };
        if (via == Via.HTTP) {
            return SHA.keySet().stream().sorted().map(k -> new FetchItem(store, ObjectInfo.of(k), k)).toList();
        }
        return store.list("").map(o -> FetchItem.of(store, o)).toList();
    }

    static Fetcher fetcher() {
        return new Fetcher(FetchOptions.defaults().withMemoryLimit(LIMIT).withConcurrency(8));
    }

    /** A stream that hashes what it is written, checks it comes in order, and records how the object ended. */
    static final class Hashing implements Sink.StreamConsumer {
        final Map<String, String> completed = new ConcurrentHashMap<>();
        final List<String> abandoned = new CopyOnWriteArrayList<>();
        final AtomicLong opened = new AtomicLong();

        @Override
        public Sink.ObjectStream open(FetchItem item) throws Exception {
            opened.incrementAndGet();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return new Sink.ObjectStream() {
                long written;

                @Override
                public void write(ByteBuffer data) {
                    assertThat(data.isReadOnly()).isTrue();
                    written += data.remaining();
                    sha.update(data);
                }

                @Override
                public void complete(FetchItem i) {
                    assertThat(written).as("the item's size").isEqualTo(i.object().size());
                    completed.put(i.name(), HexFormat.of().formatHex(sha.digest()));
                }

                @Override
                public void abandon(Throwable cause) {
                    abandoned.add(item.name());
                }
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void objectsLargerThanTheMemoryLimitAreStreamedInOrderWithinIt(Via via) throws Exception {
        Hashing hashing = new Hashing();
        try (Fetcher fetcher = fetcher()) {
            FetchReport r = fetcher.fetch(items(via).stream(), Sink.stream(hashing));
            assertThat(r.failures()).isEmpty();
            assertThat(r.objects()).isEqualTo(16);
            assertThat(hashing.completed).isEqualTo(SHA);
            assertThat(hashing.abandoned).isEmpty();
            assertThat(hashing.opened).hasValue(16);
            assertThat(r.peakBufferBytes()).as("within the limit").isLessThanOrEqualTo(LIMIT);
            // Parts of a sixteenth of the limit, so 16 requests fit in it.
            assertThat(r.requests()).isGreaterThanOrEqualTo(8 * (9 * MIB / (LIMIT / 16)));
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void theSameObjectsAreWrittenToFilesWithinTheLimitAndAViewRefusesTheLargeOnesNamingThem(Via via)
            throws Exception {
        try (Fetcher fetcher = fetcher()) {
            FetchReport files = fetcher.fetch(items(via).stream(), Sink.files(dest));
            assertThat(files.failures()).isEmpty();
            assertThat(files.peakBufferBytes()).isLessThanOrEqualTo(LIMIT);
            for (Map.Entry<String, String> e : SHA.entrySet()) {
                assertThat(sha256(Files.readAllBytes(dest.resolve(e.getKey())))).as(e.getKey())
                        .isEqualTo(e.getValue());
            }
            List<String> viewed = new ArrayList<>();
            FetchReport views = fetcher.fetch(items(via).stream(), Sink.view((item, data) -> {
                synchronized (viewed) {
                    viewed.add(item.name());
                }
            }));
            assertThat(viewed).hasSize(8).allSatisfy(name -> assertThat(SHA).containsKey(name));
            assertThat(views.failures()).hasSize(8).allSatisfy(f -> assertThat(f.describe()).startsWith(f.url())
                    .contains("bytes, more than the 2097152-byte memory limit").contains("as a stream or a file"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Via.class, names = {"MEMORY", "HTTP"})
    void aStreamThatFailsFailsItsObjectOnlyAndIsAbandoned(Via via) throws Exception {
        Hashing hashing = new Hashing();
        Sink.StreamConsumer failing = item -> {
            Sink.ObjectStream inner = hashing.open(item);
            return new Sink.ObjectStream() {
                long written;

                @Override
                public void write(ByteBuffer data) throws Exception {
                    written += data.remaining();
                    if (item.name().equals("obj-3") && written > 5 * MIB) {
                        throw new java.io.IOException("no space left on the tape");
                    }
                    inner.write(data);
                }

                @Override
                public void complete(FetchItem i) throws Exception {
                    inner.complete(i);
                }

                @Override
                public void abandon(Throwable cause) {
                    inner.abandon(cause);
                }
            };
        };
        try (Fetcher fetcher = fetcher()) {
            FetchReport r = fetcher.fetch(items(via).stream(), Sink.stream(failing));
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("obj-3");
                assertThat(f.describe()).contains("obj-3").contains("no space left on the tape");
            });
            assertThat(hashing.abandoned).containsExactly("obj-3");
            assertThat(hashing.completed).hasSize(15).doesNotContainKey("obj-3");
            hashing.completed.forEach((k, v) -> assertThat(v).as(k).isEqualTo(SHA.get(k)));
            fetcher.close();
            assertThat(fetcher.bufferBytes()).as("every buffer given back").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Via.class, names = {"MEMORY", "S3"})
    void discardFetchesObjectsOfAnySize(Via via) throws Exception {
        try (Fetcher fetcher = fetcher()) {
            FetchReport r = fetcher.fetch(Stream.concat(items(via).stream(), items(via).stream()), Sink.discard());
            assertThat(r.ok()).isTrue();
            assertThat(r.objects()).isEqualTo(32);
            assertThat(r.bytes()).isEqualTo(2 * SIZE.values().stream().mapToLong(Long::longValue).sum());
            assertThat(r.peakBufferBytes()).isLessThanOrEqualTo(LIMIT);
        }
    }
}
