package io.zarrfetch.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the class files older than version 50 (Java 6) in an installation's jars as version 52 (Java 8), with
 * the stack maps that version requires, their code otherwise unchanged (docs/decisions/0006-start-up.md). The JVM
 * keeps such old class files out of its AOT cache, and checks each of them at every start with the slower verifier
 * that infers types: picocli 4.7 is compiled for Java 5, and loading it that way was a third of {@code --version}'s
 * time. A rewritten jar says so in {@code META-INF/zarrfetch-class-files.txt}.
 *
 * <p>Usage: {@code ClassFileVersions LIB}; it prints what it rewrote. A signed jar with old class files fails it.
 */
public final class ClassFileVersions {
    static final int OLDEST_KEPT = 50;
    static final int REWRITTEN_AS = ClassFile.JAVA_8_VERSION;
    static final String NOTICE = "META-INF/zarrfetch-class-files.txt";

    private ClassFileVersions() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ClassFileVersions LIB");
        }
        for (Path jar : RuntimeImage.jars(Path.of(args[0]))) {
            int n = rewrite(jar);
            if (n > 0) {
                System.out.printf("%s: %d class files rewritten from before version %d as version %d%n", jar, n,
                        OLDEST_KEPT, REWRITTEN_AS);
            }
        }
    }

    /** Rewrites the old class files of {@code jar} in place; how many there were (0: the jar is left alone). */
    static int rewrite(Path jar) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int rewritten = 0;
        boolean signed = false;
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             InputStream in = Files.newInputStream(jar);
             ZipInputStream zin = new ZipInputStream(in);
             OutputStream out = Files.newOutputStream(tmp);
             ZipOutputStream zout = new ZipOutputStream(out)) {
            // stack maps need the class hierarchy: the JDK's, and the jar's own classes
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            ClassTransform version = (builder, element) -> {
                if (element instanceof ClassFileVersion) {
                    builder.withVersion(REWRITTEN_AS, 0);
                } else {
                    builder.with(element);
                }
            };
            // rebuilding each method's code is what makes the stack maps
            ClassTransform rewrite = version.andThen(ClassTransform.transformingMethodBodies(
                    (code, element) -> code.with(element)));
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                byte[] bytes = zin.readAllBytes();
                String name = e.getName();
                if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < OLDEST_KEPT) {
                        bytes = classFile.transformClass(model, rewrite);
                        rewritten++;
                    }
                }
                signed |= name.startsWith("META-INF/") && name.endsWith(".SF");
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
            if (rewritten > 0 && signed) {
                throw new IllegalStateException(jar + " is signed: rewriting its old class files would break its "
                        + "signature");
            }
            if (rewritten > 0) {
                ZipEntry notice = new ZipEntry(NOTICE);
                zout.putNextEntry(notice);
                zout.write(String.join("\n", List.of(
                        "zarrfetch's build rewrote the " + rewritten + " class files of this jar that were older than "
                                + "version " + OLDEST_KEPT + " as version " + REWRITTEN_AS + ",",
                        "with the stack maps that version requires; their code is unchanged. The JVM's AOT cache "
                                + "holds no older class files.",
                        "")).getBytes(StandardCharsets.UTF_8));
                zout.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (rewritten == 0) {
            Files.delete(tmp);
        } else {
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        return rewritten;
    }
}
