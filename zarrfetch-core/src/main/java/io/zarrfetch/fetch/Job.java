package io.zarrfetch.fetch;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;

/**
 * One object (or byte range) being fetched: what is known of it so far, where its bytes go, and how it ends. Its
 * parts run on many threads at once; the fields they share are volatile or atomic, and the part that ends last
 * ({@link #partsOpen} down to 0) hands the object over.
 */
final class Job {
    final FetchItem item;
    /** Where the object's requests go: its store, through the retries they all share. */
    final RetryingStore retrying;
    /** Parts not finished yet (one for a probe until the object's size is known). */
    final AtomicInteger partsOpen = new AtomicInteger();
    /** Requests made for the object, each part's and each retry's. */
    final AtomicInteger attempts = new AtomicInteger();
    /** The bytes to deliver: the listed size, or what the first answer told. */
    volatile long size = ObjectInfo.UNKNOWN_SIZE;
    /** The ETag first seen (the listing's or the first answer's): later requests ask for that version. */
    volatile String etag;
    /** Whether an answer carried {@link #etag}: until then, it is only the listing's. */
    volatile boolean etagAnswered;
    /**
     * Where the item's bytes start in the object: 0 for a whole object, the range's offset, or, for the last bytes
     * of an object ({@link FetchItem#fromEnd()}), {@link ObjectInfo#UNKNOWN_SIZE} until the first answer tells.
     */
    volatile long base;
    /** The whole object's size as first answered, for ranged items (whose size is the range's). */
    final AtomicLong total = new AtomicLong(ObjectInfo.UNKNOWN_SIZE);
    volatile int partCount;
    /** The next part to hand to a worker, for an object whose first part has started (the scheduler's). */
    int nextPart;
    /** The object's pooled buffer, when it goes to one ({@link BufferDestination}). */
    volatile ByteBuffer buffer;
    /** The object's file while it is written, when it goes to one ({@link FileDestination}). */
    volatile FileTargets.Target file;
    /** The object's parts on their way to its stream, when it goes to one ({@link StreamDestination}). */
    volatile StreamedObject streamed;
    /** The first job of this object: the same for every job that fetches it again. */
    final Object origin;
    /** How many times the object was fetched again from its first byte, having changed ({@link ObjectChanged}). */
    final int restarts;
    /** Retries to give back to the budget when the object's next request gets its answer (a restart's). */
    final AtomicInteger refund = new AtomicInteger();
    volatile Throwable failure;
    /** Whether the object's bytes matched the checksum its server sent. */
    volatile boolean verified;

    Job(FetchItem item, RetryingStore retrying) {
        this(item, retrying, null, 0);
    }

    private Job(FetchItem item, RetryingStore retrying, Object origin, int restarts) {
        this.item = item;
        this.retrying = retrying;
        this.origin = origin != null ? origin : this;
        this.restarts = restarts;
        this.etag = item.object().etag();
        this.base = item.fromEnd() ? ObjectInfo.UNKNOWN_SIZE : item.ranged() ? item.offset() : 0;
    }

    /**
     * The same object to fetch again from its first byte, as it is now: a whole object's size and ETag forgotten (its
     * first request learns them again), a range's ETag too; its requests so far stay counted, and the retry its
     * restart took is given back when it gets an answer.
     */
    Job restarted() {
        ObjectInfo o = item.object();
        FetchItem again = new FetchItem(item.store(), new ObjectInfo(o.key(), item.ranged() ? o.size()
                : ObjectInfo.UNKNOWN_SIZE, null), item.name(), item.offset());
        Job j = new Job(again, retrying, origin, restarts + 1);
        j.attempts.set(attempts.get());
        j.refund.set(1);
        return j;
    }

    /**
     * The same object with the size and ETag a probe learned, to admit again when there is room for it; its
     * requests so far stay counted.
     */
    Job sized() {
        ObjectInfo o = item.object();
        Job j = new Job(new FetchItem(item.store(), new ObjectInfo(o.key(), size, etag), item.name()), retrying,
                origin, restarts);
        j.attempts.set(attempts.get());
        j.refund.set(refund.get());
        return j;
    }

    /**
     * Whether the item asks for one version of its object only: a byte range given with an ETag (a shard's inner
     * chunks, whose offsets its index gave), which means nothing in another version. Other items are fetched as
     * the object now is when it changed.
     */
    boolean pinned() {
        return item.ranged() && item.object().etag() != null;
    }

    /**
     * The item as fetched, for its consumer: its size and ETag as the answers told them, and where the last bytes of
     * an object turned out to start. The item itself when nothing was learned.
     */
    FetchItem delivered() {
        ObjectInfo o = item.object();
        long offset = item.fromEnd() ? base : item.offset();
        if (o.size() == size && java.util.Objects.equals(o.etag(), etag) && offset == item.offset()) {
            return item;
        }
        return new FetchItem(item.store(), new ObjectInfo(o.key(), size, etag), item.name(), offset);
    }

    /** Records why the object failed: the first cause given wins. */
    synchronized void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** The number of parts of {@code partSize} bytes an object of {@code size} bytes is fetched in. */
    static int partCount(long size, long partSize) {
        return (int) Math.max(1, (size + partSize - 1) / partSize);
    }

    /**
     * The ETag to send as If-Match when reading more of the object: the one first seen, unless weak (a weak ETag
     * never matches If-Match's strong comparison; those are compared after the answer instead).
     */
    String ifMatch() {
        String e = etag;
        return e != null && !e.startsWith("W/") ? e : null;
    }

    /** A range of one object to fetch; {@code probe} when the object's size is not known yet. */
    record Part(Job job, int index, long offset, long length, boolean probe) {
    }
}
