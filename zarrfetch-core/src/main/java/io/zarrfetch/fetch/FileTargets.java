package io.zarrfetch.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import io.zarrfetch.store.FileErrors;
import io.zarrfetch.store.KeyPaths;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.StoreException;

/**
 * Files written under one folder: each to a temporary name beside its final one, renamed once complete. Refuses
 * names that would land outside the folder, also through links to folders elsewhere, and two objects with one
 * name.
 */
final class FileTargets {
    private final Path folder;
    private final ConcurrentHashMap<Path, Claim> claimed = new ConcurrentHashMap<>();
    private volatile Path realFolder;

    FileTargets(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    private Path realFolder() throws IOException {
        Path r = realFolder;
        if (r == null) {
            Files.createDirectories(folder);
            r = folder.toRealPath();
            realFolder = r;
        }
        return r;
    }

    /** Who writes a file: an object's URL, and the fetch of it (the same when it is fetched again). */
    private record Claim(String url, Object owner) {
    }

    /**
     * Creates the temporary file for an object named {@code item.name()} of {@code size} bytes (or unknown), for
     * {@code owner}: the same owner may open it again (an object fetched again from its first byte), another may not.
     */
    Target open(FetchItem item, long size, Object owner) throws IOException {
        String url = item.url();
        Path target;
        try {
            target = KeyPaths.resolve(folder, item.name());
        } catch (IllegalArgumentException e) {
            throw new StoreException(url, 0, false, e.getMessage());
        }
        Claim other = claimed.putIfAbsent(target, new Claim(url, owner));
        if (other != null && other.owner() != owner) {
            throw new StoreException(url, 0, false, "another object (" + other.url() + ") is also copied to "
                    + target);
        }
        try {
            Path real = realFolder();
            Path parent = target.getParent();
            Files.createDirectories(parent);
            if (!parent.toRealPath().startsWith(real)) {
                throw new StoreException(url, 0, false, "refusing to write " + target + ": its folder leads outside "
                        + real + " through a link");
            }
            if (Files.isDirectory(target)) {
                throw new StoreException(url, 0, false, "cannot write " + target + ": a folder is in the way");
            }
            return new Target(url, PartFile.create(target, ""), size);
        } catch (StoreException e) {
            throw e;
        } catch (IOException e) {
            throw cannotWrite(url, target, e);
        }
    }

    /** A failure to write {@code target}, saying why in words ("permission denied", "no space left on device"). */
    static StoreException cannotWrite(String url, Path target, IOException e) {
        return new StoreException(url, 0, false, FileErrors.cannotWrite(target, e), e);
    }

    /** One object's file while it is being written. */
    static final class Target {
        private final String url;
        private final PartFile file;
        private final long size;

        Target(String url, PartFile file, long size) {
            this.url = url;
            this.file = file;
            this.size = size;
        }

        /** Writes all of {@code src} at {@code position}; parts of one file may be written from many threads. */
        void write(ByteBuffer src, long position) throws IOException {
            long p = position;
            try {
                while (src.hasRemaining()) {
                    p += file.channel().write(src, p);
                }
            } catch (ClosedChannelException e) {
                throw e; // abandoned (cancelled, or another part failed): not a write error
            } catch (IOException e) {
                throw cannotWrite(url, file.target(), e);
            }
        }

        /** Checks the length and moves the file to its final name, replacing what was there. */
        void commit(long actualSize) throws IOException {
            long written = file.channel().size();
            long expected = size == ObjectInfo.UNKNOWN_SIZE ? actualSize : size;
            if (written != expected) {
                abandon();
                throw new StoreException(url, 0, false, "wrote " + written + " bytes but the object has "
                        + expected + "; nothing was kept");
            }
            try {
                file.commit();
            } catch (IOException e) {
                abandon();
                throw cannotWrite(url, file.target(), e);
            }
        }

        /** Deletes the temporary file. */
        void abandon() {
            file.abandon();
        }
    }
}
