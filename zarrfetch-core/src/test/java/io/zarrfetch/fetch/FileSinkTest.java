package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;

class FileSinkTest {
    @TempDir
    Path tmp;

    static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Every path under {@code root}, relative, sorted. */
    static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void writesObjectsInPartsAndRenamesThemWhenComplete() throws Exception {
        MemoryStore store = new MemoryStore();
        byte[] big = data(5_000_000, 1);
        byte[] small = data(10, 2);
        store.put("p/a/big.bin", big);
        store.put("p/small", small);
        store.put("p/empty", new byte[0]);
        Path dest = tmp.resolve("dest");
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withPartSize(256 * 1024).withConcurrency(5))) {
            FetchReport r = fetcher.fetch(store.list("p/").map(o -> new FetchItem(store, o,
                    o.key().substring(2))), Sink.files(dest));
            assertThat(r.failures()).isEmpty();
            assertThat(r.objects()).isEqualTo(3);
        }
        assertThat(tree(dest)).containsExactly("a", "a/big.bin", "empty", "small");
        assertThat(Files.readAllBytes(dest.resolve("a/big.bin"))).isEqualTo(big);
        assertThat(Files.readAllBytes(dest.resolve("small"))).isEqualTo(small);
        assertThat(Files.size(dest.resolve("empty"))).isZero();
    }

    @Test
    void neverWritesOutsideTheDestinationWhateverTheKey() throws Exception {
        MemoryStore store = new MemoryStore();
        List<String> hostile = List.of("../escape", "a/../../escape2", "/etc/abs", "a\\b", "nul\0byte", "a//b",
                "./dot", "trailing/", "bad\uFFFDutf8", "line\nbreak");
        for (String k : hostile) {
            store.put(k, data(100, k.hashCode()));
        }
        store.put("fine/ok", data(100, 7));
        Path dest = tmp.resolve("inner/dest");
        Files.createDirectories(dest);
        // A link inside the destination that leads outside it.
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(dest.resolve("link"), tmp.resolve("outside"));
        store.put("link/through", data(100, 8));
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            FetchReport r = fetcher.fetch(store, store.list(""), Sink.files(dest));
            assertThat(r.objects()).isEqualTo(1);
            assertThat(r.failures()).hasSize(hostile.size() + 1);
            assertThat(r.failures()).allSatisfy(f -> assertThat(f.describe()).containsAnyOf("refusing"));
        }
        assertThat(tree(tmp)).containsExactly("inner", "inner/dest", "inner/dest/fine", "inner/dest/fine/ok",
                "inner/dest/link", "outside");
    }

    @Test
    void aFailedObjectLeavesNoFileAndTheOthersLand() throws Exception {
        MemoryStore store = new MemoryStore();
        store.put("good", data(1000, 1));
        Path dest = tmp.resolve("d");
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults())) {
            FetchReport r = fetcher.fetch(Stream.of(
                    new FetchItem(store, ObjectInfo.of("good"), "good"),
                    new FetchItem(store, new ObjectInfo("gone", 5000, null), "gone")), Sink.files(dest));
            assertThat(r.objects()).isEqualTo(1);
            assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.describe()).contains("gone"));
        }
        assertThat(tree(dest)).containsExactly("good");
    }

    @Test
    void refusesTwoObjectsWithOneName() throws Exception {
        MemoryStore a = new MemoryStore();
        a.put("x/data", data(10, 1));
        a.put("y/data", data(20, 2));
        Path dest = tmp.resolve("d");
        try (Fetcher fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(1))) {
            FetchReport r = fetcher.fetch(a.list("").map(o -> new FetchItem(a, o, "data")), Sink.files(dest));
            assertThat(r.objects()).isEqualTo(1);
            assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.describe())
                    .contains("also copied to"));
        }
        assertThat(Files.readAllBytes(dest.resolve("data"))).isEqualTo(data(10, 1));
    }
}
