package io.zarrfetch.testkit.mur;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Writes a {@link MurDataset} to a directory: locking, the "already complete?" check, stale-file cleanup,
 * parallel chunk generation and atomic file replacement. See {@link MurDataset#write} for the contract.
 */
final class StoreWriter {

    static final String LOCK_NAME = ".zarrfetch-mur.lock";
    private static final String PARTIAL_SUFFIX = ".zarrfetch-partial";
    private static final Pattern CHUNK_NAME = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    /** Big writes go through a temporary direct buffer of this size, not one the size of the chunk. */
    private static final int WRITE_SLICE = 4 << 20;

    /** FileChannel locks are per process; threads of one JVM must also exclude each other. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private StoreWriter() {
    }

    static MurDataset.Manifest write(MurDataset dataset, Path dir, MurDataset.ProgressListener progress, int threads)
            throws IOException {
        Files.createDirectories(dir);
        Path root = dir.toRealPath();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(root, k -> new ReentrantLock());
        try {
            jvmLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for another writer of " + root);
        }
        try (FileChannel lockFile = FileChannel.open(root.resolve(LOCK_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            int total = dataset.options().chunkCount();
            Optional<MurDataset.Manifest> existing = completeManifest(dataset, root);
            if (existing.isPresent()) {
                progress.onProgress(total, total);
                return existing.get();
            }
            // From here on the directory is not a complete data set until the manifest is back.
            Files.deleteIfExists(root.resolve(MurDataset.MANIFEST_NAME));
            Path arrayDir = Files.createDirectories(root.resolve(MurDataset.ARRAY_NAME));
            removeStale(root, arrayDir, dataset.chunkKeys());
            for (Map.Entry<String, String> e : dataset.metadataObjects().entrySet()) {
                writeAtomically(root.resolve(e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            long[] sizes = writeChunks(dataset, root, progress, threads);
            List<MurDataset.ChunkObject> chunks = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                chunks.add(new MurDataset.ChunkObject(MurDataset.chunkKey(i), sizes[i]));
            }
            MurDataset.Manifest manifest = new MurDataset.Manifest(dataset.options(), chunks);
            writeAtomically(root.resolve(MurDataset.MANIFEST_NAME),
                    manifestJson(manifest).getBytes(StandardCharsets.UTF_8));
            return manifest;
        } finally {
            jvmLock.unlock();
        }
    }

    /** The manifest, if {@code root} holds exactly this data set: same options, every object present and intact. */
    static Optional<MurDataset.Manifest> completeManifest(MurDataset dataset, Path root) throws IOException {
        Optional<MurDataset.Manifest> read = readManifest(root);
        if (read.isEmpty() || !read.get().options().equals(dataset.options())) {
            return Optional.empty();
        }
        MurDataset.Manifest manifest = read.get();
        List<String> keys = manifest.chunks().stream().map(MurDataset.ChunkObject::key).toList();
        if (!keys.equals(dataset.chunkKeys())) {
            return Optional.empty();
        }
        for (MurDataset.ChunkObject chunk : manifest.chunks()) {
            Path file = root.resolve(chunk.key());
            if (!Files.isRegularFile(file) || Files.size(file) != chunk.size()) {
                return Optional.empty();
            }
        }
        for (Map.Entry<String, String> e : dataset.metadataObjects().entrySet()) {
            Path file = root.resolve(e.getKey());
            if (!Files.isRegularFile(file)
                    || !Arrays.equals(Files.readAllBytes(file), e.getValue().getBytes(StandardCharsets.UTF_8))) {
                return Optional.empty();
            }
        }
        return Optional.of(manifest);
    }

    static Optional<MurDataset.Manifest> readManifest(Path root) throws IOException {
        String text;
        try {
            text = Files.readString(root.resolve(MurDataset.MANIFEST_NAME), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(parseManifest(text));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException | ArithmeticException e) {
            return Optional.empty(); // not ours, damaged or from an incompatible generator: regenerate
        }
    }

    static String manifestJson(MurDataset.Manifest manifest) {
        Map<String, Object> json = new LinkedHashMap<>();
        MurDataset.Options options = manifest.options();
        json.put("generator", MurDataset.class.getName());
        json.put("generator_version", MurDataset.GENERATOR_VERSION);
        json.put("scale", options.scale().name());
        json.put("seed", options.seed());
        json.put("chunk_count", options.chunkCount());
        json.put("total_bytes", manifest.totalBytes());
        List<Object> chunks = new ArrayList<>();
        for (MurDataset.ChunkObject chunk : manifest.chunks()) {
            chunks.add(Map.of("key", chunk.key(), "size", chunk.size()));
        }
        json.put("chunks", chunks);
        return Json.write(json) + "\n";
    }

    /** Null if the text is a manifest of another generator or version. */
    private static MurDataset.Manifest parseManifest(String text) {
        Map<?, ?> json = (Map<?, ?>) Json.parse(text);
        if (!MurDataset.class.getName().equals(json.get("generator"))
                || !Long.valueOf(MurDataset.GENERATOR_VERSION).equals(json.get("generator_version"))) {
            return null;
        }
        MurDataset.Options options = new MurDataset.Options(
                Math.toIntExact((Long) json.get("chunk_count")),
                MurDataset.Scale.valueOf((String) json.get("scale")),
                (Long) json.get("seed"));
        List<MurDataset.ChunkObject> chunks = new ArrayList<>();
        for (Object item : (List<?>) json.get("chunks")) {
            Map<?, ?> chunk = (Map<?, ?>) item;
            chunks.add(new MurDataset.ChunkObject((String) chunk.get("key"), (Long) chunk.get("size")));
        }
        return new MurDataset.Manifest(options, chunks);
    }

    /**
     * Deletes chunk objects that are not part of this data set (a previous run with more chunks) and
     * temporary files of killed runs. Touches nothing else: the directory may hold other files.
     */
    private static void removeStale(Path root, Path arrayDir, List<String> keys) throws IOException {
        Set<String> wanted = new HashSet<>();
        for (String key : keys) {
            wanted.add(key.substring(key.indexOf('/') + 1));
        }
        deleteMatching(root, name -> name.endsWith(PARTIAL_SUFFIX));
        deleteMatching(arrayDir, name -> name.endsWith(PARTIAL_SUFFIX)
                || CHUNK_NAME.matcher(name).matches() && !wanted.contains(name));
    }

    private static void deleteMatching(Path dir, Predicate<String> doomed) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (doomed.test(entry.getFileName().toString())
                        && Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                                .isRegularFile()) {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    /**
     * Generates, compresses and writes all chunks on {@code threads} workers, each with one reusable raw
     * buffer, so at most {@code threads} chunks are in memory. Progress is reported on the calling thread.
     */
    private static long[] writeChunks(MurDataset dataset, Path root, MurDataset.ProgressListener progress,
            int threads) throws IOException {
        int total = dataset.options().chunkCount();
        long[] sizes = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        // Each element is the index of a finished chunk (Integer) or the failure that stopped a worker.
        BlockingQueue<Object> finished = new LinkedBlockingQueue<>();
        int workerCount = Math.min(threads, total);
        List<Thread> workers = new ArrayList<>(workerCount);
        for (int w = 0; w < workerCount; w++) {
            Thread worker = new Thread(() -> {
                try {
                    byte[] raw = new byte[dataset.options().scale().chunkBytes()];
                    for (int i = next.getAndIncrement(); i < total && !stop.get(); i = next.getAndIncrement()) {
                        byte[] compressed = dataset.compress(i, raw);
                        writeAtomically(root.resolve(MurDataset.chunkKey(i)), compressed);
                        sizes[i] = compressed.length;
                        finished.add(i);
                    }
                } catch (Throwable t) {
                    finished.add(t);
                }
            }, "mur-writer-" + w);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        try {
            for (int done = 1; done <= total; done++) {
                Object result = finished.take();
                switch (result) {
                    case IOException failure -> throw failure;
                    case UncheckedIOException failure -> throw failure.getCause();
                    case RuntimeException failure -> throw failure;
                    case Error failure -> throw failure;
                    case Throwable failure -> throw new IOException("generating a chunk failed", failure);
                    default -> progress.onProgress(done, total);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing " + root);
        } finally {
            stop.set(true);
            joinAll(workers);
        }
        return sizes; // written by workers before their queue hand-off, which orders them before this read
    }

    /**
     * Waits for the workers, even if interrupted (each finishes its current chunk in well under a second),
     * so that none is still writing when {@code write} returns or throws.
     */
    private static void joinAll(List<Thread> workers) {
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (true) {
                try {
                    worker.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes to a temporary file next to {@code target}, then renames it over {@code target}: readers and a
     * later run see either the old object or the whole new one, never a prefix, even if this process is
     * killed. (Not fsync'ed: survives a killed process, not a power cut.) The temporary file is created
     * with default permissions, unlike {@link Files#createTempFile}'s owner-only ones, so a web server
     * running as another user can serve the result.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + TEMP_COUNTER.incrementAndGet() + PARTIAL_SUFFIX);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int offset = 0; offset < bytes.length; ) {
                    offset += out.write(ByteBuffer.wrap(bytes, offset, Math.min(WRITE_SLICE, bytes.length - offset)));
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
