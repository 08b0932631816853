package io.zarrfetch.zarr;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Maps the pages of a fresh file mapping in ahead of the decoders, on a background thread, with Linux's
 * {@code madvise(MADV_POPULATE_WRITE)}.
 *
 * <p>Why: each first write to a page of a new file mapping is a page fault, and in a virtual machine those are
 * dear: on the project machine a 6.5 GB read into a tmpfs file cost 6.8-7.8 s of system time, against 0.75 s for
 * fetching the same chunks alone, and populating the mapping on a thread of its own, while the network is the
 * bottleneck, took the read from 10.96 to 10.59 s (docs/results/2026-11-25-read.md). Populating never changes
 * the file's contents, so it may race the decoders freely. Anywhere it is not available (not Linux, kernels
 * before 5.14, native access not enabled for this code: {@code --enable-native-access=ALL-UNNAMED}, which the
 * CLI's launcher passes) it does nothing, and says nothing: the decoders' writes fault the pages in as before.
 */
final class Prefault implements AutoCloseable {
    private static final int MADV_POPULATE_WRITE = 23;
    private static final long SLICE = 32L << 20;
    private static final long PAGE = 4096;
    private static final Optional<MethodHandle> MADVISE = madvise();

    private final Thread thread;
    private volatile boolean stop;

    private Prefault(MemorySegment region) {
        thread = Thread.ofPlatform().daemon().name("zarrfetch-prefault").unstarted(() -> populate(region));
    }

    /** Whether pages are populated here (Linux, native access enabled), or this does nothing. */
    static boolean available() {
        return MADVISE.isPresent();
    }

    /** Starts populating {@code region} (a file mapping) from its start; {@link #close()} stops and waits. */
    static Prefault start(MemorySegment region) {
        Prefault p = new Prefault(region);
        if (MADVISE.isPresent()) {
            p.thread.start();
        }
        return p;
    }

    private void populate(MemorySegment region) {
        long base = region.address();
        long start = (base + PAGE - 1) & -PAGE; // madvise wants a page-aligned start; the decoders fault the rest
        long end = base + region.byteSize();
        for (long at = start; at < end && !stop; at += SLICE) {
            try {
                int rc = (int) MADVISE.get().invokeExact(MemorySegment.ofAddress(at), Math.min(SLICE, end - at),
                        MADV_POPULATE_WRITE);
                if (rc != 0) {
                    return; // EINVAL before Linux 5.14; ENOMEM or EFAULT when the file system is full
                }
            } catch (Throwable t) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        if (thread.isAlive()) {
            thread.join();
        }
    }

    private static Optional<MethodHandle> madvise() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                || !Prefault.class.getModule().isNativeAccessEnabled()) {
            return Optional.empty(); // without native access, asking for it would print a warning to stderr
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise").map(addr -> linker.downcallHandle(addr,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT)));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty(); // e.g. native access not enabled for this module
        }
    }
}
