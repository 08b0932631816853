package io.zarrfetch.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link Body} over one HTTP answer, which ends exactly where the server said it would, or fails loudly. */
final class HttpBody extends BaseBody {
    private final String url;
    private final HttpTransport.Response response;
    private final long length;
    private long remaining;
    private boolean open = true;

    HttpBody(String url, HttpTransport.Response response, long offset, long length, long objectSize, String etag) {
        super(offset, length, objectSize, etag);
        this.url = url;
        this.response = response;
        this.length = length;
        this.remaining = length;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (remaining == 0) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int limit = dst.limit();
        if (remaining > 0 && dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining);
        }
        int n;
        try {
            n = response.read(dst);
        } catch (StoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreException(url, 0, true, "reading the body failed after " + received() + " of "
                    + (length < 0 ? "?" : length) + " bytes: " + HttpReads.describe(e), e);
        } finally {
            dst.limit(limit);
        }
        if (n < 0) {
            if (remaining > 0) {
                throw new StoreException(url, 0, true,
                        "body ended after " + received() + " of " + length + " bytes (truncated)");
            }
            remaining = 0;
            return -1;
        }
        if (remaining > 0) {
            remaining -= n;
        }
        return n;
    }

    private long received() {
        return length < 0 ? -1 : length - remaining;
    }

    /** Skips bytes the server sent but the caller did not ask for (servers that ignore Range). */
    void skip(long count) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(count, 1)));
        long left = count;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            int n = response.read(scratch);
            if (n < 0) {
                throw new StoreException(url, 0, true, "body ended before byte " + count);
            }
            left -= n;
        }
    }

    @Override
    public void abort() {
        response.abort();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            response.close();
        }
    }
}
