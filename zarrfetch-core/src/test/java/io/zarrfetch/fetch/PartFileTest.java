package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file under a temporary name beside its final one, moved into place only when complete. */
class PartFileTest {
    @TempDir
    Path tmp;

    @Test
    void aCommittedFileReplacesItsTargetAtOnce() throws Exception {
        Path target = tmp.resolve("out.npy");
        Files.writeString(target, "old");
        try (PartFile f = PartFile.create(target, ".npy")) {
            assertThat(f.temp().getParent()).isEqualTo(tmp);
            assertThat(f.temp().getFileName().toString()).startsWith(".zf-").endsWith(".npy.part");
            f.channel().write(ByteBuffer.wrap("new".getBytes()), 0);
            assertThat(Files.readString(target)).as("not before the commit").isEqualTo("old");
            f.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(FileSinkTest.tree(tmp)).containsExactly("out.npy");
    }

    @Test
    void aFileNotCommittedIsDeletedAndItsTargetLeftAsItWas() throws Exception {
        Path target = tmp.resolve("out");
        Files.writeString(target, "old");
        Path temp;
        try (PartFile f = PartFile.create(target, "")) {
            temp = f.temp();
            f.channel().write(ByteBuffer.wrap("partial".getBytes()), 0);
            assertThat(temp).exists();
        }
        assertThat(temp).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("old");
        PartFile again = PartFile.create(tmp.resolve("other"), "");
        again.abandon();
        again.abandon(); // twice is harmless
        assertThat(FileSinkTest.tree(tmp)).containsExactly("out");
    }
}
