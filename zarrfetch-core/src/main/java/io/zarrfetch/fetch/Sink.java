package io.zarrfetch.fetch;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where fetched objects go. Each object is delivered complete and exact, or not at all: nothing partial reaches
 * a consumer or a final file name.
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

    /** Fetches and drops the bytes: for measuring. */
    static Sink discard() {
        return new View((item, data) -> { });
    }

    static Sink files(Path folder) {
        return new Files(folder);
    }
}
