package io.zarrfetch.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.Stores;

/**
 * The engines of this JVM: one {@link Stores} (its connection pool) and one {@link Fetcher} (its memory limit) per
 * distinct {@link EngineSettings}, shared by every task that reads with them, so an executor holds one pool of
 * connections and one memory limit however many tasks it runs. They close when the JVM exits (an executor stops)
 * or, through {@link ZarrPlugin}, when the executor stops inside a longer-lived JVM.
 */
final class Engines {
    /** One executor's engine for one set of settings. */
    record Engine(Stores stores, Fetcher fetcher) implements AutoCloseable {
        @Override
        public void close() {
            fetcher.close();
            stores.close();
        }
    }

    private static final Map<EngineSettings, Engine> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong STARTED = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("zarrfetch-engines-close").unstarted(
                Engines::closeAll));
    }

    private Engines() {
    }

    /**
     * The engine for these settings, started on first use.
     *
     * @param started set to true when this call started it
     */
    static Engine get(EngineSettings settings, boolean[] started) {
        return OPEN.computeIfAbsent(settings, s -> {
            Stores stores = new Stores(s.storeOptions());
            Engine e = new Engine(stores, new Fetcher(s.fetchOptions()));
            STARTED.incrementAndGet();
            if (started != null) {
                started[0] = true;
            }
            return e;
        });
    }

    static Engine get(EngineSettings settings) {
        return get(settings, null);
    }

    /** Engines started in this JVM so far. */
    static long started() {
        return STARTED.get();
    }

    /** Engines open now. */
    static int open() {
        return OPEN.size();
    }

    /** Closes every engine; later reads start new ones. */
    static void closeAll() {
        for (EngineSettings s : OPEN.keySet()) {
            Engine e = OPEN.remove(s);
            if (e != null) {
                e.close();
            }
        }
        Slabs.clear();
    }
}
