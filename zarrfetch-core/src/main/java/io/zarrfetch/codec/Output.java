package io.zarrfetch.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The destination of one decode call, seen three ways: a ByteBuffer indexed from 0 (for libraries that take
 * buffers), a MemorySegment (for bulk copies), and the backing array when it is a writable heap buffer (so that
 * Java loops write into it directly instead of through a staging array).
 */
final class Output {
    /** The destination's remaining bytes, indexed from 0. */
    final ByteBuffer buffer;
    final MemorySegment segment;
    /** The backing array, or null for direct buffers. */
    final byte[] array;
    /** Index in {@link #array} of byte 0. */
    final int arrayOffset;

    Output(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("the destination buffer is read-only");
        }
        this.buffer = dst.slice();
        this.segment = MemorySegment.ofBuffer(buffer);
        if (buffer.hasArray()) {
            this.array = buffer.array();
            this.arrayOffset = buffer.arrayOffset();
        } else {
            this.array = null;
            this.arrayOffset = 0;
        }
    }

    int size() {
        return buffer.remaining();
    }

    /** Copies {@code src[srcOff, srcOff + len)} to offset {@code at}. */
    void put(int at, byte[] src, int srcOff, int len) {
        if (array != null) {
            System.arraycopy(src, srcOff, array, arrayOffset + at, len);
        } else {
            MemorySegment.copy(src, srcOff, segment, ValueLayout.JAVA_BYTE, at, len);
        }
    }
}
