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
    /**
     * Where the item's bytes start in the object: 0 for a whole object, the range's offset, or, for the last bytes
     * of an object ({@link FetchItem#fromEnd()}), {@link ObjectInfo#UNKNOWN_SIZE} until the first answer tells.
     */
    volatile long base;
    /** The whole object's size as first answered, for ranged items (whose size is the range's). */
    final AtomicLong total = new AtomicLong(ObjectInfo.UNKNOWN_SIZE);
    volatile int partCount;
    /** The object's pooled buffer, when it goes to one ({@link Destination.Buffers}). */
    volatile ByteBuffer buffer;
    /** The object's file while it is written, when it goes to one ({@link Destination.Files}). */
    volatile FileTargets.Target file;
    volatile Throwable failure;
    /** Whether the object's bytes matched the checksum its server sent. */
    volatile boolean verified;

    Job(FetchItem item, RetryingStore retrying) {
        this.item = item;
        this.retrying = retrying;
        this.etag = item.object().etag();
        this.base = item.fromEnd() ? ObjectInfo.UNKNOWN_SIZE : item.ranged() ? item.offset() : 0;
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
