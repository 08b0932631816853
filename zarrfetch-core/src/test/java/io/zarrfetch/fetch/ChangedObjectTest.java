package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zarrfetch.store.Body;
import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryPolicy;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;

/**
 * Objects replaced between their listing and their fetch, or in the middle of it, are fetched as they now are, from
 * their first byte, as {@code aws s3 cp} does: never parts of two versions, and within the retry policy. Against a
 * {@link MemoryStore} (which has ETags and answers 412 to an If-Match it does not hold) that a test replaces objects
 * in while they are fetched, into each kind of sink.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard
class ChangedObjectTest {
    static final int PART = 64 * 1024;
    static final int SMALL = 10_000;
    static final int BIG = 200_000; // 4 parts

    @TempDir
    Path dest;

    enum Into { VIEW, FILES, STREAM }

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** One GET a store was sent: what it asked for. */
    record Get(String key, long offset, long length, String ifMatch) {
    }

    /**
     * A memory store that logs every GET and may replace an object just after answering one: {@code change} is asked,
     * with how many GETs of the object came before, whether to put its next version in place then.
     */
    static final class Changing implements Store {
        final MemoryStore memory = new MemoryStore();
        final List<Get> gets = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> count = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> version = new ConcurrentHashMap<>();
        final IntPredicate change;

        Changing(IntPredicate change) {
            this.change = change;
        }

        /** Version {@code v} of an object: its size and bytes differ from every other's. */
        static byte[] version(String key, int v) {
            int size = (key.startsWith("big") ? BIG : SMALL) + 7 * v;
            return data(size, key.hashCode() * 31L + v);
        }

        void put(String key) {
            version.put(key, new AtomicInteger());
            memory.put(key, version(key, 0));
        }

        void replace(String key) {
            memory.put(key, version(key, version.get(key).incrementAndGet()));
        }

        byte[] current(String key) {
            return version(key, version.get(key).get());
        }

        @Override
        public Body get(String key, long offset, long length, String ifMatch) throws IOException {
            gets.add(new Get(key, offset, length, ifMatch));
            try {
                return memory.get(key, offset, length, ifMatch);
            } finally {
                if (change.test(count.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement())) {
                    replace(key); // the body already answered keeps its bytes, as a server's would
                }
            }
        }

        @Override
        public String url() {
            return memory.url();
        }

        @Override
        public String url(String key) {
            return memory.url(key);
        }

        @Override
        public boolean canList() {
            return true;
        }

        @Override
        public Stream<ObjectInfo> list(String prefix) {
            return memory.list(prefix);
        }

        @Override
        public ObjectInfo head(String key) throws IOException {
            return memory.head(key);
        }

        @Override
        public void close() {
        }
    }

    /** What a run delivered, by name, whatever the sink; a stream's abandoned writes are dropped. */
    final Map<String, byte[]> got = new ConcurrentHashMap<>();
    /** What the streams were told, by name: "open", "abandon", "complete". */
    final Map<String, List<String>> told = new ConcurrentHashMap<>();

    Sink sink(Into into) {
        return switch (into) {
            case VIEW -> Sink.bytes((item, bytes) -> got.put(item.name(), bytes));
            case FILES -> Sink.files(dest);
            case STREAM -> Sink.stream(item -> {
                told.computeIfAbsent(item.name(), k -> new CopyOnWriteArrayList<>()).add("open");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                return new Sink.ObjectStream() {
                    @Override
                    public void write(ByteBuffer data) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        out.write(b, 0, b.length);
                    }

                    @Override
                    public void complete(FetchItem i) {
                        told.get(i.name()).add("complete");
                        got.put(i.name(), out.toByteArray());
                    }

                    @Override
                    public void abandon(Throwable cause) {
                        told.get(item.name()).add("abandon");
                    }
                };
            });
        };
    }

    byte[] delivered(Into into, String name) throws IOException {
        return into == Into.FILES ? Files.readAllBytes(dest.resolve(name)) : got.get(name);
    }

    static FetchReport fetch(Store store, Stream<FetchItem> items, Sink sink) throws InterruptedException {
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(1).withPartSize(PART)
                .withHedging(HedgePolicy.off()))) {
            return fetcher.fetch(items, sink);
        }
    }

    @ParameterizedTest
    @EnumSource(Into.class)
    void objectsReplacedAfterTheListingAreFetchedAsTheyNowAre(Into into) throws Exception {
        Changing store = new Changing(n -> false);
        store.put("big");
        store.put("small");
        List<FetchItem> listed = store.list("").map(o -> FetchItem.of(store, o)).toList();
        store.replace("big");
        store.replace("small");
        FetchReport r = fetch(store, listed.stream(), sink(into));
        assertThat(r.failures()).isEmpty();
        assertThat(r.changedSinceListing()).isEqualTo(2);
        assertThat(r.retries()).as("a fetch again is a retry").isEqualTo(2);
        for (String key : List.of("big", "small")) {
            assertThat(delivered(into, key)).as(key).isEqualTo(store.current(key));
            String listedEtag = listed.stream().filter(i -> i.name().equals(key)).findFirst().orElseThrow().object()
                    .etag();
            List<Get> gets = store.gets.stream().filter(g -> g.key().equals(key)).toList();
            assertThat(gets.getFirst().ifMatch()).as("the listing's version asked for").isEqualTo(listedEtag);
            assertThat(gets.get(1)).as("then from the first byte, any version")
                    .isEqualTo(new Get(key, 0, PART, null));
            assertThat(gets.subList(2, gets.size())).as("the other parts ask for the version now there")
                    .allSatisfy(g -> assertThat(g.ifMatch()).isEqualTo(store.memory.head(key).etag()));
        }
        if (into == Into.STREAM) {
            assertThat(told).allSatisfy((k, v) -> assertThat(v).as("nothing to abandon: the first GET failed")
                    .containsExactly("open", "complete"));
        }
        if (into == Into.FILES) {
            try (Stream<Path> files = Files.list(dest)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("big", "small");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Into.class)
    void anObjectReplacedInTheMiddleOfItsFetchIsFetchedAgainFromItsFirstByte(Into into) throws Exception {
        Changing store = new Changing(n -> n == 1); // replaced just after its second part is answered
        store.put("big");
        FetchReport r = fetch(store, store.list("").map(o -> FetchItem.of(store, o)), sink(into));
        assertThat(r.failures()).isEmpty();
        assertThat(r.changedSinceListing()).isEqualTo(1);
        assertThat(delivered(into, "big")).isEqualTo(store.current("big"));
        assertThat(store.gets).extracting(Get::offset).as("parts 0 and 1, 2 (412), then all four again")
                .containsExactly(0L, (long) PART, 2L * PART, 0L, (long) PART, 2L * PART, 3L * PART);
        if (into == Into.STREAM) {
            // A stream opened for the first version's parts (if its writer got to them before the change was seen)
            // is abandoned; the one that completes has only the new version.
            assertThat(String.join(",", told.get("big"))).matches("(open,abandon,)?open,complete");
        }
    }

    @Test
    void anObjectThatChangesEveryTimeItIsFetchedFailsAfterItsAttempts() throws Exception {
        Changing changing = new Changing(n -> true);
        changing.put("big");
        Store store = RetryingStore.wrap(changing, new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
        FetchReport r = fetch(store, store.list("").map(o -> FetchItem.of(store, o)), sink(Into.STREAM));
        assertThat(r.objects()).isZero();
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.describe()).startsWith("memory:/big: the object changed")
                    .contains("fetched again from its first byte 2 times and changed each time")
                    .contains("(after " + changing.gets.size() + " attempts)");
        });
        assertThat(r.retries()).as("two fetches again").isEqualTo(2);
        assertThat(told.get("big")).as("nothing complete was ever given").doesNotContain("complete");
    }

    @Test
    void aFetchAgainTakesARetryFromTheBudget() throws Exception {
        Changing changing = new Changing(n -> false);
        changing.put("small");
        Store store = RetryingStore.wrap(changing, RetryPolicy.defaults().withBudget(0, 0));
        List<FetchItem> listed = store.list("").map(o -> FetchItem.of(store, o)).toList();
        changing.replace("small");
        FetchReport r = fetch(store, listed.stream(), sink(Into.VIEW));
        assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.describe())
                .contains("the object changed since it was listed").contains("the retry budget is spent"));
        assertThat(changing.gets).hasSize(1);
    }

    @Test
    void aRangeGivenWithAnETagAsksForThatVersionOnlyAndFailsWhenItIsGone() throws Exception {
        Changing store = new Changing(n -> false);
        store.put("big");
        String etag = store.head("big").etag();
        store.replace("big");
        FetchItem range = new FetchItem(store, new ObjectInfo("big", 150_000, etag), "inner", 1000);
        FetchReport r = fetch(store, Stream.of(range), sink(Into.VIEW));
        assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.describe())
                .contains("the object changed while it was fetched").contains(etag).contains("412")
                .contains("after 1 attempt"));
        assertThat(r.retries()).isZero();
        assertThat(r.changedSinceListing()).isZero();
    }

    @Test
    void aRangeWithoutAnETagIsFetchedAgainAsTheObjectNowIs() throws Exception {
        Changing store = new Changing(n -> n == 0); // replaced after its first part
        store.put("big");
        FetchReport r = fetch(store, Stream.of(FetchItem.range(store, "big", 1000, 150_000, "range")),
                sink(Into.VIEW));
        assertThat(r.failures()).isEmpty();
        assertThat(got.get("range")).isEqualTo(java.util.Arrays.copyOfRange(store.current("big"), 1000, 151_000));
        assertThat(r.changedSinceListing()).isEqualTo(1);
    }
}
