package io.zarrfetch.bench.http;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Writes the benchmark data set: {@code count} files named like MUR chunks ({@code {i}.1.0}) of
 * incompressible bytes from a seeded generator, about {@code size} bytes each (sizes vary slightly so
 * that exact-length checks mean something), plus {@code manifest.tsv} (name, size, CRC32C).
 * Does nothing when a manifest for the same parameters is already there and every file has its size.
 *
 * <p>Usage: DataGen DIR [count=100] [size=28000000] [seed=20240601]
 */
public final class DataGen {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 28_000_000;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 20240601L;
        String header = "# count=" + count + " size=" + size + " seed=" + seed;
        Path manifest = dir.resolve("manifest.tsv");
        if (Files.exists(manifest) && upToDate(dir, manifest, header)) {
            System.err.println("data set up to date: " + dir);
            return;
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(manifest);
        long total = 0;
        StringBuilder sb = new StringBuilder(header).append('\n');
        ByteBuffer block = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            String name = i + ".1.0";
            int len = sizeOf(i, size);
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i);
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                int left = len;
                while (left > 0) {
                    block.clear();
                    while (block.remaining() >= 8) {
                        block.putLong(rnd.nextLong());
                    }
                    block.flip();
                    block.limit(Math.min(left, block.limit()));
                    crc.update(block.duplicate());
                    while (block.hasRemaining()) {
                        ch.write(block);
                    }
                    left -= block.limit();
                }
            }
            sb.append(name).append('\t').append(len).append('\t')
                    .append(String.format("%08x", crc.getValue())).append('\n');
            total += len;
        }
        try (Writer w = Files.newBufferedWriter(manifest.resolveSibling("manifest.tsv.tmp"), StandardCharsets.UTF_8)) {
            w.write(sb.toString());
        }
        Files.move(manifest.resolveSibling("manifest.tsv.tmp"), manifest);
        System.err.printf("wrote %d files, %d bytes, to %s%n", count, total, dir);
    }

    /** Object i is {@code size} bytes less a deterministic 0..65535. */
    static int sizeOf(int i, int size) {
        return size - (int) ((i * 7919L) % 65536);
    }

    private static boolean upToDate(Path dir, Path manifest, String header) throws IOException {
        var lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().equals(header)) {
            return false;
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            Path p = dir.resolve(f[0]);
            if (!Files.exists(p) || Files.size(p) != Long.parseLong(f[1])) {
                return false;
            }
        }
        return true;
    }
}
