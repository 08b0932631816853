package io.zarrfetch.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

import io.zarrfetch.fetch.FetchProgress;

/** A one-line progress display on a terminal's stderr, redrawn a few times a second. */
final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final Supplier<FetchProgress> source;
    private final long start = System.nanoTime();
    private final Thread painter;
    private volatile boolean running = true;
    private int width;

    private Progress(PrintStream out, Supplier<FetchProgress> source) {
        this.out = out;
        this.source = source;
        this.painter = Thread.ofPlatform().daemon().name("zarrfetch-progress").start(this::paintLoop);
    }

    /** Whether stderr is a terminal (and so can take a redrawn line). */
    static boolean terminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Shows progress when stderr is a terminal and output is not quieted; otherwise does nothing. */
    static AutoCloseable show(Supplier<FetchProgress> source, boolean quiet) {
        if (quiet || !terminal()) {
            return () -> { };
        }
        return new Progress(System.err, source);
    }

    private void paintLoop() {
        while (running) {
            paint(source.get());
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void paint(FetchProgress p) {
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        long done = p.objectsDone() + p.objectsFailed();
        String total = p.inputDone() ? Long.toString(p.objectsSeen()) : p.objectsSeen() + "+";
        String bar = "";
        if (p.inputDone() && p.bytesSeen() > 0) {
            int filled = (int) Math.min(24, 24 * p.bytesReceived() / p.bytesSeen());
            bar = "[" + "#".repeat(filled) + " ".repeat(24 - filled) + "] ";
        }
        String line = String.format(Locale.ROOT, "%s%s/%s objects  %s  %.0f MB/s  %d/%d requests  %s buffered%s",
                bar, done, total, Sizes.format(p.bytesReceived()), p.bytesReceived() / seconds / 1e6,
                p.requestsActive(), p.concurrency(), Sizes.format(p.bufferBytes()),
                p.objectsFailed() > 0 ? "  " + p.objectsFailed() + " failed" : "");
        width = Math.max(width, line.length());
        out.print("\r" + line + " ".repeat(width - line.length()));
        out.flush();
    }

    @Override
    public synchronized void close() {
        running = false;
        painter.interrupt();
        out.print("\r" + " ".repeat(width) + "\r");
        out.flush();
    }
}
