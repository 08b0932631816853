package io.zarrfetch.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import io.zarrfetch.codec.BytesCodec;
import io.zarrfetch.codec.CodecException;

/**
 * The properties every decoder is fuzzed for, on one input laid out as: a flags byte, the destination's size as a
 * little-endian u24 (kept under 128 KiB), then the encoded bytes.
 *
 * <p>Flags: bit 0 a direct destination (else heap), bit 1 direct encoded bytes, bit 2 read-only encoded bytes, bit
 * 3 append a correct CRC-32C to the encoded bytes' first {@code length - 4} (so that crc32c mutations get past the
 * checksum).
 *
 * <p>Properties: {@code decodedSize} returns -1 or more, or throws {@link CodecException}; {@code decode} fills the
 * destination exactly (position at limit, every byte written: two decodes into destinations pre-filled
 * differently agree), or throws {@link CodecException}; never another exception, an error, or a write outside the
 * destination (guard bytes around it, inside the same buffer, stay); the encoded buffer's position and limit do
 * not move; a successful decode agrees with {@code decodedSize} when that is known.
 */
final class CodecHarness {
    /** Guard bytes on each side of the destination, inside the buffer the decoder gets. */
    static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte) 0xA5;

    private CodecHarness() {
    }

    static void check(BytesCodec codec, byte[] input) {
        if (input.length < 4) {
            return;
        }
        int flags = input[0] & 0xFF;
        int size = ((input[1] & 0xFF) | (input[2] & 0xFF) << 8 | (input[3] & 0xFF) << 16) & 0x1FFFF;
        byte[] enc = java.util.Arrays.copyOfRange(input, 4, input.length);
        if ((flags & 0x08) != 0 && enc.length >= 4) {
            CRC32C crc = new CRC32C();
            crc.update(enc, 0, enc.length - 4);
            ByteBuffer.wrap(enc, enc.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) crc.getValue());
        }
        ByteBuffer encoded = encoded(enc, flags);
        int encPos = encoded.position();
        int encLimit = encoded.limit();

        long announced;
        try {
            announced = codec.decodedSize(encoded);
            assertThat(announced).as("decodedSize").isGreaterThanOrEqualTo(-1);
        } catch (CodecException e) {
            announced = -2;
        }
        assertThat(encoded.position()).as("encoded position after decodedSize").isEqualTo(encPos);

        boolean direct = (flags & 0x01) != 0;
        ByteBuffer a = destination(size, direct, (byte) 0x00);
        boolean okA = decode(codec, encoded, a, size);
        assertThat(encoded.position()).as("encoded position after decode").isEqualTo(encPos);
        assertThat(encoded.limit()).as("encoded limit after decode").isEqualTo(encLimit);
        if (!okA) {
            return;
        }
        if (announced >= 0) {
            assertThat(announced).as("decodedSize of data that decoded to " + size + " bytes").isEqualTo(size);
        }
        ByteBuffer b = destination(size, direct, (byte) 0xFF);
        assertThat(decode(codec, encoded, b, size)).as("a second decode of data that decoded once").isTrue();
        assertThat(b.clear().slice(GUARD, size)).as("bytes decoded into 0xFF-filled memory vs zeroed memory")
                .isEqualTo(a.clear().slice(GUARD, size));
    }

    private static ByteBuffer encoded(byte[] enc, int flags) {
        // some slack before and after, so that decoders must honour position and limit
        ByteBuffer b = (flags & 0x02) != 0 ? ByteBuffer.allocateDirect(enc.length + 7)
                : ByteBuffer.allocate(enc.length + 7);
        b.position(3);
        b.put(enc);
        b.position(3).limit(3 + enc.length);
        return (flags & 0x04) != 0 ? b.asReadOnlyBuffer() : b;
    }

    private static ByteBuffer destination(int size, boolean direct, byte fill) {
        byte[] content = new byte[size + 2 * GUARD];
        java.util.Arrays.fill(content, GUARD_BYTE);
        java.util.Arrays.fill(content, GUARD, GUARD + size, fill);
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(content.length).put(content) : ByteBuffer.wrap(content);
        return b.position(GUARD).limit(GUARD + size);
    }

    /** Decodes; true when it succeeded, false for a CodecException. Checks the guards either way. */
    private static boolean decode(BytesCodec codec, ByteBuffer encoded, ByteBuffer dst, int size) {
        boolean ok;
        try {
            codec.decode(encoded, dst);
            ok = true;
        } catch (CodecException e) {
            assertThat(e.getMessage()).as("CodecException message").isNotBlank();
            ok = false;
        }
        ByteBuffer all = dst.duplicate().clear();
        for (int k = 0; k < 2 * GUARD; k++) {
            int i = k < GUARD ? k : size + k;
            if (all.get(i) != GUARD_BYTE) {
                throw new AssertionError(codec.name() + " wrote outside its destination, at byte "
                        + (i < GUARD ? i - GUARD : i - GUARD - size) + " relative to "
                        + (i < GUARD ? "its start" : "its end"));
            }
        }
        if (ok) {
            assertThat(dst.position()).as("destination position after a successful decode")
                    .isEqualTo(GUARD + size);
            assertThat(dst.limit()).as("destination limit").isEqualTo(GUARD + size);
        }
        return ok;
    }
}
