package io.zarrfetch.fetch;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where fetched objects go. {@link #view}, {@link #bytes} and {@link #files} deliver each object complete and exact,
 * or not at all: nothing partial reaches a consumer or a final file name. {@link #stream} hands an object over as
 * its bytes come, in order, for objects of any size, and then says whether it ended complete or was abandoned.
 */
public sealed interface Sink {

    /** Receives one fetched object. */
    @FunctionalInterface
    interface ObjectConsumer {
        /**
         * Called once per fetched object, possibly from many threads at once. {@code data} is a read-only view of
         * exactly the object's bytes, valid only until this method returns; its buffer is then reused. A thrown
         * exception marks the object as failed. {@code item} is the item as fetched: its size and ETag as the
         * answers told them, and, for {@link FetchItem#last}, the offset its bytes start at.
         */
        void accept(FetchItem item, ByteBuffer data) throws Exception;
    }

    /** Receives one fetched object as its own array. */
    @FunctionalInterface
    interface BytesConsumer {
        void accept(FetchItem item, byte[] data) throws Exception;
    }

    /**
     * Receives objects as the streams of their bytes: for each object, {@link #open} once its first bytes are there,
     * then its bytes in order through the {@link ObjectStream} it returns.
     */
    @FunctionalInterface
    interface StreamConsumer {
        /**
         * An object's bytes begin. Called once per fetch of an object, possibly from many threads at once for
         * different objects; called again, after {@link ObjectStream#abandon} of the first stream, when the object
         * is fetched again from its first byte (it changed since it was listed or while it was fetched). {@code item}
         * is the item as fetched so far: its size is {@link io.zarrfetch.store.ObjectInfo#UNKNOWN_SIZE} when the
         * server did not tell it. A thrown exception fails the object.
         */
        ObjectStream open(FetchItem item) throws Exception;
    }

    /**
     * The bytes of one object, in order. Its methods are called one at a time, on one thread at a time (a thread of
     * the fetcher's own, so a slow stream holds buffers but no connection): {@link #write} for each run of bytes,
     * from the first on, then either {@link #complete} or {@link #abandon}, once.
     */
    interface ObjectStream {
        /**
         * The object's next bytes: a read-only view of a pooled buffer, valid only until this method returns. A
         * thrown exception fails the object ({@link #abandon} then follows).
         */
        void write(ByteBuffer data) throws Exception;

        /**
         * Every byte was written: the object is complete and exact, as long as {@code item}'s size says. A thrown
         * exception fails the object.
         */
        default void complete(FetchItem item) throws Exception {
        }

        /**
         * The bytes written are not the object: it failed, the fetch was cancelled, or it changed and is fetched
         * again from its first byte (through a new {@link StreamConsumer#open}). Drop what was written.
         */
        default void abandon(Throwable cause) {
        }
    }

    /** Delivers each object as a read-only view of a pooled buffer: no copy. */
    record View(ObjectConsumer consumer) implements Sink {
        public View {
            Objects.requireNonNull(consumer, "consumer");
        }
    }

    /**
     * Writes each object to {@code folder/name}, creating folders as needed: first to a temporary name in the same
     * folder, renamed over any existing file once complete. Names that could land outside the folder are refused
     * (see {@link io.zarrfetch.store.KeyPaths}).
     */
    record Files(Path folder) implements Sink {
        public Files {
            Objects.requireNonNull(folder, "folder");
        }
    }

    /**
     * Hands each object over as a stream of its bytes, in order, holding at most the memory limit whatever the
     * object's size: parts are fetched in parallel into pooled buffers and each is written to the object's stream,
     * then given back, once the parts before it were.
     */
    record Streaming(StreamConsumer consumer) implements Sink {
        public Streaming {
            Objects.requireNonNull(consumer, "consumer");
        }
    }

    /**
     * Delivers each object as a read-only view of a pooled buffer holding all of it: no copy. An object larger than
     * the memory limit fails, saying so: {@link #stream} or {@link #files} take objects of any size.
     */
    static Sink view(ObjectConsumer consumer) {
        return new View(consumer);
    }

    /** Copies each object out to a new array: simple, but allocates as much as it fetches. */
    static Sink bytes(BytesConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return new View((item, data) -> {
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            consumer.accept(item, copy);
        });
    }

    /** {@link Streaming}: each object's bytes, in order, to the stream {@code consumer} opens for it. */
    static Sink stream(StreamConsumer consumer) {
        return new Streaming(consumer);
    }

    /** Fetches and drops the bytes, as a stream, so objects of any size: for measuring. */
    static Sink discard() {
        return new Streaming(item -> data -> { });
    }

    static Sink files(Path folder) {
        return new Files(folder);
    }
}
