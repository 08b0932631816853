package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File errors in words, from the errors the JDK really throws. */
class FileErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void aFileInTheWayOfAFolderIsNotAFolder() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Throwable e = catchThrowable(() -> Files.createFile(file.resolve("child")));
        assertThat(FileErrors.cause(e)).isEqualTo("not a folder");
        assertThat(FileErrors.describe(e)).isEqualTo(file.resolve("child") + ": not a folder");
        assertThat(FileErrors.cannotWrite(file.resolve("child"), e)).isEqualTo("cannot write " + file.resolve("child")
                + ": not a folder");
        Throwable dirs = catchThrowable(() -> Files.createDirectories(file.resolve("a/b")));
        assertThat(FileErrors.cannotWrite(file.resolve("a/b/c"), dirs)).isEqualTo("cannot write "
                + file.resolve("a/b/c") + ": not a folder (at " + file.resolve("a") + ")");
    }

    @Test
    void aMissingFileAndADeniedOneAreSaidSo() {
        Throwable missing = catchThrowable(() -> Files.readAllBytes(tmp.resolve("none")));
        assertThat(FileErrors.describe(missing)).isEqualTo(tmp.resolve("none") + ": no such file or folder");
        assertThat(FileErrors.cause(new AccessDeniedException("/x"))).isEqualTo("permission denied");
    }

    @Test
    void aFullDeviceHasNoSpaceLeft() throws IOException {
        Path full = Path.of("/dev/full"); // Linux: every write fails with ENOSPC
        Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        try (FileChannel ch = FileChannel.open(full, StandardOpenOption.WRITE)) {
            Throwable e = catchThrowable(() -> ch.write(ByteBuffer.wrap(new byte[4096])));
            assertThat(FileErrors.cause(e)).isEqualTo("no space left on device");
        }
    }
}
