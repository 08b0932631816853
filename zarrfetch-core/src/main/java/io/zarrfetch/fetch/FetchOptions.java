package io.zarrfetch.fetch;

import java.util.Objects;

/**
 * How a {@link Fetcher} fetches. Immutable; start from {@link #defaults()} and change what you need.
 *
 * <p>Current defaults, which may change between releases as measurements do (docs/decisions/0002-defaults.md):
 * adaptive concurrency from {@value #START_CONCURRENCY} up to {@value #DEFAULT_CONCURRENCY} requests in flight, a
 * 512 MiB memory limit, 8 MiB parts, {@link HedgePolicy#defaults()}. Retries are the stores' business: each request
 * goes through the {@link io.zarrfetch.store.RetryingStore} of its object's store, as
 * {@link io.zarrfetch.store.StoreOptions#retry()} says for the stores {@link io.zarrfetch.store.Stores} opens (other
 * stores with {@link io.zarrfetch.store.RetryPolicy#defaults()}).
 *
 * @param concurrency the most requests in flight at once, and so the most connections open per host
 * @param adaptive whether to start at {@value #START_CONCURRENCY} (or {@code concurrency} if lower) and add
 *     requests while they add throughput, up to {@code concurrency}; otherwise {@code concurrency} requests are
 *     kept in flight from the start
 * @param memoryLimit the most bytes of buffers held at once, across all objects in flight and being delivered
 * @param partSize objects larger than this are fetched as parallel ranged GETs of this size into one buffer
 * @param hedging when requests that get nothing for much longer than their peers waited are sent again
 */
public record FetchOptions(int concurrency, boolean adaptive, long memoryLimit, long partSize, HedgePolicy hedging) {
    /** The most requests in flight by default: the cap of adaptive concurrency. */
    public static final int DEFAULT_CONCURRENCY = 64;
    /** Where adaptive concurrency starts. */
    public static final int START_CONCURRENCY = 8;
    public static final long DEFAULT_MEMORY_LIMIT = 512L << 20;
    public static final long DEFAULT_PART_SIZE = 8L << 20;

    public FetchOptions {
        if (concurrency < 1 || concurrency > 4096) {
            throw new IllegalArgumentException("concurrency must be between 1 and 4096, was " + concurrency);
        }
        if (memoryLimit < (1L << 20)) {
            throw new IllegalArgumentException("memory limit must be at least 1 MiB, was " + memoryLimit + " bytes");
        }
        if (partSize < (64L << 10) || partSize > (1L << 30)) {
            throw new IllegalArgumentException("part size must be between 64 KiB and 1 GiB, was " + partSize
                    + " bytes");
        }
        Objects.requireNonNull(hedging, "hedging");
    }

    public static FetchOptions defaults() {
        return new FetchOptions(DEFAULT_CONCURRENCY, true, DEFAULT_MEMORY_LIMIT, DEFAULT_PART_SIZE,
                HedgePolicy.defaults());
    }

    /** Exactly {@code concurrency} requests in flight, not adapted. */
    public FetchOptions withConcurrency(int concurrency) {
        return new FetchOptions(concurrency, false, memoryLimit, partSize, hedging);
    }

    /** Adaptive concurrency, up to {@code max} requests in flight. */
    public FetchOptions withAdaptiveConcurrency(int max) {
        return new FetchOptions(max, true, memoryLimit, partSize, hedging);
    }

    public FetchOptions withMemoryLimit(long memoryLimit) {
        return new FetchOptions(concurrency, adaptive, memoryLimit, partSize, hedging);
    }

    public FetchOptions withPartSize(long partSize) {
        return new FetchOptions(concurrency, adaptive, memoryLimit, partSize, hedging);
    }

    public FetchOptions withHedging(HedgePolicy hedging) {
        return new FetchOptions(concurrency, adaptive, memoryLimit, partSize, hedging);
    }
}
