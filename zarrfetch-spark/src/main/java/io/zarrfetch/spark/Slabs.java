package io.zarrfetch.spark;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Native memory for the partitions of aggregating readers, kept between the tasks of an executor JVM: new memory
 * comes zeroed and is faulted in page by page, which cost more than walking the values (a JFR profile of local[1]:
 * 116 samples allocating against 146 totalling), while a slab given back is ready at once. At most as many idle
 * slabs are kept as the running tasks hold (memory the executor needs for them anyway: docs/spark.md); the rest
 * are freed.
 *
 * <p>A slab's memory holds the last partition's values until it is read into again: only readers that let nothing
 * of it out after they close may use one (aggregating readers hand Spark values they computed, never views).
 */
final class Slabs {
    /** One slab: its memory, and the arena whose closing frees it. */
    record Slab(Arena arena, MemorySegment memory) {
    }

    /** What the running tasks hold at most: a part being totalled and the parts read ahead, per core. */
    private static final int MAX_IDLE = (AggregateReader.AHEAD + 1) * Math.max(1,
            Runtime.getRuntime().availableProcessors());
    private static final Deque<Slab> IDLE = new ArrayDeque<>();

    private Slabs() {
    }

    /**
     * A slab of at least {@code bytes}: the smallest idle one that holds them, else a new one.
     *
     * @throws OutOfMemoryError when native memory runs out
     */
    static Slab take(long bytes) {
        synchronized (IDLE) {
            Slab best = null;
            for (Slab s : IDLE) {
                if (s.memory().byteSize() >= bytes && (best == null || s.memory().byteSize() < best.memory()
                        .byteSize())) {
                    best = s;
                }
            }
            if (best != null) {
                IDLE.remove(best);
                return best;
            }
        }
        try {
            return fresh(bytes);
        } catch (OutOfMemoryError e) {
            clear(); // idle slabs may be what is in the way: free them for the tasks to come
            throw e;
        }
    }

    /** New memory of {@code bytes}, in an arena of its own. */
    static Slab fresh(long bytes) {
        Arena arena = Arena.ofShared();
        try {
            return new Slab(arena, arena.allocate(Math.max(1, bytes), 8));
        } catch (OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** Takes {@code slab} back, freeing the oldest idle slab when more than one per core would be kept. */
    static void give(Slab slab) {
        Slab evicted = null;
        synchronized (IDLE) {
            IDLE.addLast(slab);
            if (IDLE.size() > MAX_IDLE) {
                evicted = IDLE.removeFirst();
            }
        }
        if (evicted != null) {
            evicted.arena().close();
        }
    }

    /** Frees every idle slab (when the executor stops). */
    static void clear() {
        synchronized (IDLE) {
            IDLE.forEach(s -> s.arena().close());
            IDLE.clear();
        }
    }
}
