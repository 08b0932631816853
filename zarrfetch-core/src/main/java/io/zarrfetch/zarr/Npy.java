package io.zarrfetch.zarr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zarrfetch.fetch.PartFile;
import io.zarrfetch.store.FileErrors;

/**
 * NumPy's {@code .npy} format (version 1.0, or 2.0 for headers over 64 KiB): a magic string, a header naming the
 * dtype (with its byte order), {@code fortran_order: False} and the shape, padded so that the data starts at a
 * multiple of 64 bytes, then the elements in C order. {@code numpy.load} reads it.
 */
public final class Npy {
    private Npy() {
    }

    /** The header for elements of {@code dtype} in {@code shape}; the data follows it directly. */
    public static byte[] header(DataType dtype, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.numpyDescr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        dict.append("), }");
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        boolean v2 = text.length + 1 + 10 > 65535;
        int prefix = v2 ? 12 : 10;
        int total = (prefix + text.length + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        int headerLen = total - prefix;
        if (v2) {
            b.putInt(headerLen);
        } else {
            b.putShort((short) headerLen);
        }
        b.put(text);
        while (b.remaining() > 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /**
     * Reads a selection of an array straight into a new .npy file: the header, then the elements read through a
     * memory map of the file (so a selection larger than memory can be written), under a temporary name beside
     * {@code file} that replaces it when complete ({@link PartFile}). On failure, cancellation (an interrupt), or the
     * JVM's exit, the temporary file is deleted and {@code file} is left as it was. Creates missing folders.
     *
     * @return the result's shape
     * @throws IOException naming what could not be read or written, file system errors in words ("no space left on
     *     device", "not a folder"); a file system without room for the file fails before anything is fetched
     */
    public static long[] write(ZarrArray array, Selection selection, Path file) throws IOException,
            InterruptedException {
        Selection.Resolved r = selection.resolve(array.metadata().shape());
        byte[] header = header(array.metadata().dtype(), r.resultShape());
        long bytes = Math.multiplyExact(r.elements(), array.metadata().dtype().size());
        checkRoom(file, header.length + bytes);
        try {
            writeFile(array, selection, file, header, bytes);
        } catch (FileSystemException e) {
            throw new IOException(FileErrors.cannotWrite(file, e), e);
        } catch (RuntimeException | Error e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof InternalError && String.valueOf(c.getMessage()).contains("unsafe memory access")) {
                    // the JDK's word for a write to a file mapping that found no disk space behind it (SIGBUS)
                    throw new IOException(FileErrors.cannotWrite(file, c), e);
                }
            }
            throw e;
        }
        return r.resultShape();
    }

    /**
     * Fails before anything is fetched when {@code file} cannot hold {@code bytes}: its folder is a file, or its file
     * system has less room. (A write to a memory-mapped file that finds no room stops with an obscure error, which
     * {@link #write} translates; this says it early, in the usual case.)
     */
    private static void checkRoom(Path file, long bytes) throws IOException {
        Path existing = file.toAbsolutePath().getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new IOException("cannot write " + file + ": not a folder (at " + existing + ")");
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        if (bytes > free) {
            throw new IOException("cannot write " + file + ": no space left on device (the file takes " + bytes
                    + " bytes, " + free + " are free there)");
        }
    }

    private static void writeFile(ZarrArray array, Selection selection, Path file, byte[] header, long bytes)
            throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (PartFile part = PartFile.create(file, ".npy")) {
            part.temp().toFile().deleteOnExit(); // also when Ctrl-C ends the JVM without running the close
            FileChannel ch = part.channel();
            ByteBuffer h = ByteBuffer.wrap(header);
            while (h.hasRemaining()) {
                ch.write(h, h.position());
            }
            if (bytes > 0) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment region = ch.map(FileChannel.MapMode.READ_WRITE, header.length, bytes, arena);
                    try (Prefault ahead = Prefault.start(region)) {
                        array.read(selection, region);
                    }
                }
            }
            part.commit();
        }
    }

    /** Writes {@code data} as a complete .npy file to {@code out}. */
    public static void write(ArrayData data, WritableByteChannel out) throws IOException {
        writeFully(out, ByteBuffer.wrap(header(data.dtype(), data.shape())));
        long size = data.data().byteSize();
        for (long at = 0; at < size; at += 1 << 30) {
            writeFully(out, data.data().asSlice(at, Math.min(1L << 30, size - at)).asByteBuffer());
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
