package io.zarrfetch.fetch;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reusable buffers whose total capacity never exceeds a limit, whatever the number or size of objects.
 *
 * <p>Capacities are rounded up to size classes (eight per doubling, so at most 12.5% is wasted) so that objects of
 * similar sizes reuse each other's buffers: in steady state nothing is allocated per object. When a new class is
 * needed and the limit is reached, idle buffers of other classes are dropped to make room. Thread-safe.
 */
final class BufferPool {
    private static final long MIN_CLASS = 4096;

    private final long limit;
    private final boolean direct;
    private final TreeMap<Long, ArrayDeque<ByteBuffer>> idle = new TreeMap<>();
    private long allocated; // capacity of every buffer this pool holds, idle or lent
    private long lent;
    private long peakAllocated;
    private long idleBytes;
    private final IdentityHashMap<ByteBuffer, Arena> arenas = new IdentityHashMap<>();
    private final java.util.List<Runnable> releaseListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    BufferPool(long limit, boolean direct) {
        if (limit < MIN_CLASS) {
            throw new IllegalArgumentException("memory limit must be at least " + MIN_CLASS + " bytes, was " + limit);
        }
        this.limit = limit;
        this.direct = direct;
    }

    long limit() {
        return limit;
    }

    /** The capacity a buffer for {@code size} bytes gets. */
    static long sizeClass(long size) {
        if (size <= MIN_CLASS) {
            return MIN_CLASS;
        }
        long top = Long.highestOneBit(size - 1);
        long step = Math.max(top / 8, MIN_CLASS);
        return (size + step - 1) / step * step;
    }

    /** Whether a buffer for {@code size} bytes could ever be had. */
    boolean fits(long size) {
        return sizeClass(size) <= limit && sizeClass(size) <= Integer.MAX_VALUE - 64;
    }

    /**
     * A buffer with at least {@code size} bytes of capacity, its position 0 and limit {@code size}, or
     * {@code null} when the limit leaves no room now. Never blocks.
     */
    synchronized ByteBuffer tryAcquire(long size) {
        long cls = sizeClass(size);
        // Reuse an idle buffer of this class, or of a slightly larger one.
        Map.Entry<Long, ArrayDeque<ByteBuffer>> e = idle.ceilingEntry(cls);
        if (e != null && e.getKey() <= cls + cls / 4) {
            ByteBuffer b = e.getValue().pop();
            if (e.getValue().isEmpty()) {
                idle.remove(e.getKey());
            }
            idleBytes -= b.capacity();
            lent += b.capacity();
            return b.clear().limit((int) size);
        }
        if (cls > limit) {
            return null;
        }
        // Drop idle buffers, largest first, until the new one fits.
        while (allocated + cls > limit && !idle.isEmpty()) {
            Map.Entry<Long, ArrayDeque<ByteBuffer>> largest = idle.lastEntry();
            ByteBuffer dropped = largest.getValue().pop();
            if (largest.getValue().isEmpty()) {
                idle.remove(largest.getKey());
            }
            allocated -= dropped.capacity();
            idleBytes -= dropped.capacity();
            free(dropped);
        }
        if (allocated + cls > limit) {
            return null;
        }
        ByteBuffer b = direct ? allocateOffHeap(cls) : ByteBuffer.allocate((int) cls);
        allocated += cls;
        lent += cls;
        peakAllocated = Math.max(peakAllocated, allocated);
        return b.limit((int) size);
    }

    /** Takes a buffer back for reuse, and tells whoever waits for room. */
    void release(ByteBuffer b) {
        synchronized (this) {
            long cls = b.capacity();
            lent -= cls;
            idleBytes += cls;
            idle.computeIfAbsent(cls, k -> new ArrayDeque<>()).push(b);
        }
        for (Runnable r : releaseListeners) {
            r.run();
        }
    }

    void addReleaseListener(Runnable r) {
        releaseListeners.add(r);
    }

    void removeReleaseListener(Runnable r) {
        releaseListeners.remove(r);
    }

    /** Bytes in buffers, idle or lent. */
    synchronized long allocated() {
        return allocated;
    }

    /** Bytes in buffers lent out now. */
    synchronized long lent() {
        return lent;
    }

    synchronized long peakAllocated() {
        return peakAllocated;
    }

    /** Drops every idle buffer. */
    synchronized void trim() {
        allocated -= idleBytes;
        idleBytes = 0;
        idle.values().forEach(q -> q.forEach(this::free));
        idle.clear();
    }

    /** Off-heap memory, given back to the system as soon as the pool drops it rather than at some GC. */
    private ByteBuffer allocateOffHeap(long size) {
        Arena arena = Arena.ofShared();
        ByteBuffer b = arena.allocate(size, 4096).asByteBuffer();
        arenas.put(b, arena);
        return b;
    }

    private void free(ByteBuffer b) {
        Arena arena = arenas.remove(b);
        if (arena != null) {
            arena.close();
        }
    }
}
