package io.zarrfetch.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A {@link Body} over one HTTP answer, which ends exactly where the server said it would, or fails loudly. Given the
 * CRC-32C the server sent for exactly these bytes, it checks them as they are read, on the read that delivers the
 * last one.
 */
final class HttpBody extends BaseBody {
    private final String url;
    private final HttpTransport.Response response;
    private final long length;
    private long remaining;
    private boolean open = true;
    /** The checksum to match, or {@code null} to check nothing. */
    private final Integer expected;
    private final CRC32C crc;
    private long checked;
    private boolean verified;

    HttpBody(String url, HttpTransport.Response response, long offset, long length, long objectSize, String etag) {
        this(url, response, offset, length, objectSize, etag, null);
    }

    HttpBody(String url, HttpTransport.Response response, long offset, long length, long objectSize, String etag,
            Integer crc32c) {
        super(offset, length, objectSize, etag);
        this.url = url;
        this.response = response;
        this.length = length;
        this.remaining = length;
        this.expected = crc32c;
        this.crc = crc32c != null ? new CRC32C() : null;
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
        int start = dst.position();
        if (remaining > 0 && dst.remaining() > remaining) {
            dst.limit(start + (int) remaining);
        }
        int n;
        try {
            n = response.read(dst);
        } catch (StoreException e) {
            if (crc == null) {
                throw e;
            }
            String m = e.getMessage();
            throw new UnverifiedBytesException(url, m.startsWith(url + ": ") ? m.substring(url.length() + 2) : m, e);
        } catch (IOException e) {
            throw failure("reading the body failed after " + received() + " of " + (length < 0 ? "?" : length)
                    + " bytes: " + HttpReads.describe(e), e);
        } finally {
            dst.limit(limit);
        }
        if (n < 0) {
            if (remaining > 0) {
                throw failure("body ended after " + received() + " of " + length + " bytes (truncated)", null);
            }
            if (remaining < 0) {
                check(); // a body of unknown length ends here
            }
            remaining = 0;
            return -1;
        }
        if (crc != null) {
            crc.update(dst.duplicate().limit(start + n).position(start));
            checked += n;
        }
        if (remaining > 0) {
            remaining -= n;
            if (remaining == 0) {
                check(); // before the caller sees the last byte, so a mismatch never passes for a whole body
            }
        }
        return n;
    }

    /** Compares the checksum of every byte read with the server's, once the last has been read. */
    private void check() throws StoreException {
        if (crc == null) {
            return;
        }
        int computed = (int) crc.getValue();
        if (computed != expected) {
            throw new UnverifiedBytesException(url, "the body does not match its checksum: x-amz-checksum-crc32c is "
                    + HttpReads.base64(expected) + " but the " + checked + " bytes received have CRC-32C "
                    + HttpReads.base64(computed), null);
        }
        verified = true;
    }

    /** A failure of the transfer, not to be resumed when the bytes so far were still to be checked. */
    private StoreException failure(String message, Throwable cause) {
        return crc == null ? new StoreException(url, 0, true, message, cause)
                : new UnverifiedBytesException(url, message, cause);
    }

    @Override
    public boolean verified() {
        return verified;
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
