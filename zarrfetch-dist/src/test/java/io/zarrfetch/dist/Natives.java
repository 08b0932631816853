package io.zarrfetch.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts BoringSSL's native libraries of an installation in {@code lib/native}, unpacked, in place of the jars that
 * carry them (netty-tcnative-boringssl-static's, one per platform). The launcher names that folder in
 * {@code java.library.path}, where Netty looks first: from a jar it would unpack the library into a temporary file
 * at every start (~20 ms), and where the temporary folder does not allow running code (mounted {@code noexec}, as
 * hardened machines have it) it could not load it at all, and TLS would fall back to the JDK's engine, several times
 * slower (docs/decisions/0005-tls.md). The libraries of the platforms have names of their own, so all share the
 * folder; a runtime image keeps only its own ({@link RuntimeImage}). The jars' license and notice files (BoringSSL's,
 * netty-tcnative's) go along, into {@code lib/native/license}.
 *
 * <p>Usage: {@code Natives INSTALLATION}; it prints what it unpacked. No such jar is an error: the dependency changed.
 */
public final class Natives {
    /** The jars whose libraries move: netty-tcnative-boringssl-static's with a platform classifier. */
    static final String JAR_PREFIX = "netty-tcnative-boringssl-static-";
    private static final String NATIVE = "META-INF/native/";
    private static final String LICENSE = "META-INF/license/";

    private Natives() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Natives INSTALLATION");
        }
        Path lib = Path.of(args[0]).toAbsolutePath().resolve("lib");
        List<String> moved = unpack(lib);
        System.out.printf("%s: %s unpacked into lib/native/ in place of their jars%n", lib.getParent(), moved);
    }

    /** Moves the libraries of {@code lib}'s native jars into {@code lib/native}; their names. */
    static List<String> unpack(Path lib) throws IOException {
        Path folder = Files.createDirectories(lib.resolve("native"));
        Path licenses = Files.createDirectories(folder.resolve("license"));
        List<String> moved = new ArrayList<>();
        for (Path jar : RuntimeImage.jars(lib)) {
            if (!jar.getFileName().toString().startsWith(JAR_PREFIX)) {
                continue;
            }
            List<String> libraries = new ArrayList<>();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    String file = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                    if (e.getName().startsWith(NATIVE) && !e.isDirectory() && !file.isEmpty()) {
                        try (InputStream in = zip.getInputStream(e)) {
                            Files.copy(in, folder.resolve(file));
                        }
                        libraries.add(file);
                    } else if (!e.isDirectory() && (e.getName().startsWith(LICENSE)
                            || e.getName().equals("META-INF/LICENSE.txt")
                            || e.getName().equals("META-INF/NOTICE.txt"))) {
                        // the same files in every platform's jar
                        String name = e.getName().startsWith(LICENSE) ? file
                                : file.replace(".txt", ".netty-tcnative.txt");
                        try (InputStream in = zip.getInputStream(e)) {
                            Files.copy(in, licenses.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            // the jar without a classifier carries no library: it only names the others in its pom
            if (!libraries.isEmpty()) {
                Files.delete(jar);
                moved.addAll(libraries);
            }
        }
        if (moved.isEmpty()) {
            throw new IllegalStateException("no jar " + JAR_PREFIX + "* with a native library in " + lib);
        }
        return moved;
    }
}
