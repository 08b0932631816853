package io.zarrfetch.store;

class MemoryStoreTest extends StoreConformanceTest {
    private final MemoryStore store = new MemoryStore();

    @Override
    Store store() {
        return store;
    }

    @Override
    void put(String key, byte[] data) {
        store.put(key, data);
    }
}
