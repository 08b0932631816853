package io.zarrfetch.store;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

class FileStoreTest extends StoreConformanceTest {
    @TempDir
    Path root;

    @Override
    Store store() {
        return new FileStore(root);
    }

    @Override
    void put(String key, byte[] data) throws Exception {
        Path p = root.resolve(key);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
    }
}
