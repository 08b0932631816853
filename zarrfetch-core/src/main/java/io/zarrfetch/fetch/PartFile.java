package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written under a temporary name beside its final one ({@code .zf-<random>.part}, with the same permissions
 * as any new file), moved over the final name once complete and deleted otherwise: no reader ever sees it partial
 * under its final name. What {@link Sink#files} writes each object as, and {@code Npy.write} an array's selection.
 * Not synced to disk.
 */
public final class PartFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean done;

    private PartFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /**
     * Creates the temporary file for {@code target} in its folder (which must exist), open for reading and writing.
     *
     * @param suffix what the temporary name ends in before {@code .part}, saying what it is (like {@code ".npy"})
     */
    public static PartFile create(Path target, String suffix) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(".zf-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + suffix
                + ".part");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new PartFile(target, temp, channel);
    }

    /** The final name. */
    public Path target() {
        return target;
    }

    /** The temporary name, while the file is written. */
    public Path temp() {
        return temp;
    }

    /** The file's channel: parts may be written at their offsets from many threads at once. */
    public FileChannel channel() {
        return channel;
    }

    /** Closes the file and moves it over its final name, replacing what was there. */
    public void commit() throws IOException {
        channel.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        done = true;
    }

    /** Closes and deletes the temporary file, unless it was committed. Best effort: never throws. */
    public void abandon() {
        if (done) {
            return;
        }
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // A leftover .zf-*.part file is recognisable and harmless.
        }
    }

    /** {@link #abandon()}: a file closed without a commit is not kept. */
    @Override
    public void close() {
        abandon();
    }
}
