package io.zarrfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

import io.zarrfetch.fetch.FetchProgress;
import io.zarrfetch.store.FileErrors;

/**
 * A throughput-over-time record of one fetch, like watching bmon: every 100 ms a CSV line with the time, the bytes
 * received so far, the throughput over that interval, requests in flight, the concurrency target and buffer memory.
 */
final class Trace implements AutoCloseable {
    static final long INTERVAL_MILLIS = 100;

    private final PrintWriter out;
    private final Supplier<FetchProgress> source;
    private final Thread sampler;
    private final long start = System.nanoTime();
    private volatile boolean running = true;
    private long lastBytes;
    private long lastNanos = start;

    private Trace(Path file, Supplier<FetchProgress> source) throws IOException {
        this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        this.source = source;
        out.println("seconds,bytes_received,mb_per_s,requests_in_flight,concurrency,buffer_bytes,objects_done");
        this.sampler = Thread.ofPlatform().daemon().name("zarrfetch-trace").start(this::sample);
    }

    /** Records to {@code file}, or does nothing when it is null. */
    static AutoCloseable to(Path file, Supplier<FetchProgress> source) {
        if (file == null) {
            return () -> { };
        }
        try {
            return new Trace(file, source);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(FileErrors.cannotWrite(file, e), e));
        }
    }

    private void sample() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MILLIS); // the sampling period
            } catch (InterruptedException e) {
                break;
            }
            line(source.get());
        }
    }

    private synchronized void line(FetchProgress p) {
        long now = System.nanoTime();
        double rate = (p.bytesReceived() - lastBytes) * 1e3 / Math.max(1, now - lastNanos);
        out.printf(Locale.ROOT, "%.3f,%d,%.1f,%d,%d,%d,%d%n", (now - start) / 1e9, p.bytesReceived(), rate,
                p.requestsActive(), p.concurrency(), p.bufferBytes(), p.objectsDone());
        lastBytes = p.bytesReceived();
        lastNanos = now;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join(); // without the lock, which the sampler's last line may be waiting for
        synchronized (this) {
            line(source.get());
            out.close();
        }
    }
}
