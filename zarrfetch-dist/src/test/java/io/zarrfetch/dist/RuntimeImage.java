package io.zarrfetch.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Makes the runtime-image variant of an installation (docs/decisions/0006-start-up.md): a copy of it with
 * {@code runtime/}, a {@code jlink} image of the JDK modules its jars use (as {@code jdeps} finds them), which
 * {@code bin/zarrfetch} runs on in place of a JDK of the machine's. Its AOT cache is made afterwards, by a training
 * run on that runtime ({@link TrainingRun}): a cache serves only the JVM that made it. As the image is for one
 * platform, of the installation's BoringSSL libraries in {@code lib/native} ({@link Natives}) it keeps that
 * platform's.
 *
 * <p>Usage: {@code RuntimeImage INSTALLATION IMAGE NETTY-PLATFORM}, the last as netty-tcnative names platforms
 * ({@code linux_x86_64}, {@code osx_aarch_64}, ...).
 */
public final class RuntimeImage {
    private RuntimeImage() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: RuntimeImage INSTALLATION IMAGE NETTY-PLATFORM");
        }
        Path installation = Path.of(args[0]).toAbsolutePath();
        Path image = Path.of(args[1]).toAbsolutePath();
        long start = System.nanoTime();
        delete(image);
        copy(installation, image);
        List<Path> jars = jars(image.resolve("lib"));
        String modules = modules(jars);
        tool("jlink", "--add-modules", modules, "--output", image.resolve("runtime").toString(), "--strip-debug",
                "--no-man-pages", "--no-header-files");
        List<String> natives = keepNativeLibrary(image.resolve("lib/native"), "netty_tcnative_" + args[2] + ".");
        System.out.printf("%s: runtime/ of the modules %s, lib/native/ with %s, in %.1f s%n", image, modules,
                natives, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Removes the native libraries of {@code folder} but those whose names hold {@code name}; the names kept. None is
     * an error: the platform's library has another name than expected.
     */
    static List<String> keepNativeLibrary(Path folder, String name) throws IOException {
        List<String> kept = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().contains(name)) {
                    kept.add(p.getFileName().toString());
                } else {
                    Files.delete(p);
                }
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalStateException("no native library named *" + name + "* in " + folder);
        }
        return kept;
    }

    /** The JDK modules {@code jars} need, comma-separated, as {@code jdeps --print-module-deps} finds them. */
    static String modules(List<Path> jars) {
        List<String> args = new ArrayList<>(List.of("--print-module-deps", "--ignore-missing-deps", "--multi-release",
                Integer.toString(Runtime.version().feature())));
        jars.forEach(j -> args.add(j.toString()));
        String out = tool("jdeps", args.toArray(String[]::new)).strip();
        if (!out.matches("[a-z][a-z0-9.]*(,[a-z][a-z0-9.]*)*")) {
            throw new IllegalStateException("jdeps did not print a list of modules but: " + out);
        }
        return out;
    }

    /** The jars of a lib folder, in name order. */
    static List<Path> jars(Path lib) throws IOException {
        try (Stream<Path> s = Files.list(lib)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** Runs a JDK tool in this JVM; its output, or an exception with it. */
    private static String tool(String name, String... args) {
        ToolProvider tool = ToolProvider.findFirst(name)
                .orElseThrow(() -> new IllegalStateException("this JDK has no " + name + " (a JDK, not a JRE, "
                        + "builds the runtime image)"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = tool.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        if (status != 0) {
            throw new IllegalStateException(name + " failed (exit status " + status + "): " + err + out);
        }
        return out.toString();
    }

    /**
     * Copies the installation, keeping modification times (the AOT cache checks the jars' times) and permissions,
     * but not its AOT cache, which is for another JVM, nor what says so.
     */
    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path relative = from.relativize(file);
                if (!relative.toString().equals(TrainingRun.CACHE) && !relative.toString().equals(TrainingRun.MADE_FOR)) {
                    Files.copy(file, to.resolve(relative), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
