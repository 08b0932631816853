package io.zarrfetch.store;

/** What every {@link Body} knows before its first byte: which bytes of which object it carries. */
abstract class BaseBody implements Body {
    private final long offset;
    private final long length;
    private final long objectSize;
    private final String etag;

    BaseBody(long offset, long length, long objectSize, String etag) {
        this.offset = offset;
        this.length = length;
        this.objectSize = objectSize;
        this.etag = etag;
    }

    @Override
    public final long offset() {
        return offset;
    }

    @Override
    public final long length() {
        return length;
    }

    @Override
    public final long objectSize() {
        return objectSize;
    }

    @Override
    public final String etag() {
        return etag;
    }
}
