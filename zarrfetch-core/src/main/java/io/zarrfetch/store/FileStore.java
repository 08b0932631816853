package io.zarrfetch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A local folder: keys are '/'-separated paths below it. Links to folders are not followed when listing. */
final class FileStore implements Store {
    private final Path root;

    FileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String url() {
        return root.toUri().toString();
    }

    @Override
    public String url(String key) {
        return url() + (url().endsWith("/") ? "" : "/") + key;
    }

    @Override
    public boolean canList() {
        return true;
    }

    private Path path(String key) throws StoreException {
        try {
            return KeyPaths.resolve(root, key);
        } catch (IllegalArgumentException e) {
            throw new StoreException(url(key), 0, false, e.getMessage());
        }
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        int slash = prefix.lastIndexOf('/');
        String dirKey = slash < 0 ? "" : prefix.substring(0, slash + 1);
        Path start = dirKey.isEmpty() ? root : root.resolve(dirKey).normalize();
        if (!start.startsWith(root) || !Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return Stream.empty();
        }
        Iterator<ObjectInfo> it = new Iterator<>() {
            // Depth-first over sorted folder entries, so keys come out in order without holding the whole tree.
            private final Deque<Iterator<Path>> stack = new ArrayDeque<>(List.of(sorted(start)));
            private ObjectInfo next;

            @Override
            public boolean hasNext() {
                while (next == null && !stack.isEmpty()) {
                    Iterator<Path> top = stack.peek();
                    if (!top.hasNext()) {
                        stack.pop();
                        continue;
                    }
                    Path p = top.next();
                    String key = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        if ((key + "/").startsWith(prefix) || prefix.startsWith(key + "/")) {
                            stack.push(sorted(p));
                        }
                    } else if (key.startsWith(prefix) && Files.isRegularFile(p)) {
                        try {
                            next = new ObjectInfo(key, Files.size(p), null);
                        } catch (NoSuchFileException e) {
                            // Deleted while listing: it is simply not there.
                        } catch (IOException e) {
                            throw new UncheckedIOException(new StoreException(url(key), 0, false,
                                    "cannot read its size: " + e.getMessage(), e));
                        }
                    }
                }
                return next != null;
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ObjectInfo o = next;
                next = null;
                return o;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED
                | Spliterator.NONNULL | Spliterator.DISTINCT), false);
    }

    private Iterator<Path> sorted(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        } catch (IOException e) {
            throw new UncheckedIOException(new StoreException(dir.toUri().toString(), 0, false,
                    "cannot list this folder: " + e.getMessage(), e));
        }
        entries.sort(null);
        return entries.iterator();
    }

    @Override
    public ObjectInfo head(String key) throws IOException {
        Path p = path(key);
        if (!Files.isRegularFile(p)) {
            throw new StoreException(url(key), 404, false, "no such file");
        }
        return new ObjectInfo(key, Files.size(p), null);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws IOException {
        Path p = path(key);
        FileChannel ch;
        try {
            if (Files.isDirectory(p)) {
                throw new NoSuchFileException(p.toString());
            }
            ch = FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new StoreException(url(key), 404, false, "no such file");
        } catch (IOException e) {
            throw new StoreException(url(key), 0, false, "cannot open: " + e.getMessage(), e);
        }
        long size = ch.size();
        if (offset > size) {
            ch.close();
            throw new StoreException(url(key), 416, false,
                    "offset " + offset + " is past the end of the " + size + "-byte file");
        }
        long n = length < 0 ? size - offset : Math.min(length, size - offset);
        return new FileBody(ch, offset, n, size);
    }

    @Override
    public void close() {
        // Nothing held between calls.
    }

    private static final class FileBody extends BaseBody {
        private final FileChannel channel;
        private long position;

        FileBody(FileChannel channel, long offset, long length, long size) {
            super(offset, length, size, null);
            this.channel = channel;
            this.position = offset;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            long left = offset() + length() - position;
            if (left <= 0) {
                return -1;
            }
            int limit = dst.limit();
            if (dst.remaining() > left) {
                dst.limit(dst.position() + (int) left);
            }
            try {
                int n = channel.read(dst, position);
                if (n < 0) {
                    throw new IOException("file shrank while being read: ended at byte " + position + " of "
                            + objectSize());
                }
                position += n;
                return n;
            } finally {
                dst.limit(limit);
            }
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
