package io.zarrfetch.codec;

/**
 * A decoder of raw Snappy data (the block format of google/snappy's {@code format_description.txt}, not the framed
 * stream format), as c-blosc builds with Snappy write it inside Blosc frames. Small enough to own instead of adding
 * a library for a compressor that c-blosc itself has deprecated.
 *
 * <p>The format: a varint with the decoded length, then elements whose tag byte's low two bits say what follows:
 * 0 a literal (length - 1 in the tag's upper six bits, or in 1..4 following little-endian bytes when those bits are
 * 60..63); 1 a copy of 4..11 bytes with an 11-bit distance; 2 a copy of 1..64 bytes with a 16-bit distance; 3 the
 * same with a 32-bit distance.
 */
final class SnappyRaw {
    private SnappyRaw() {
    }

    /**
     * Decodes {@code in[inOff, inOff + inLen)} into {@code out} from {@code outOff}, writing at most {@code maxOut}
     * bytes.
     *
     * @return the decoded length (what the stream announces, all of it written)
     * @throws CodecException when the stream is malformed, truncated, refers before the start of its output, or
     *                        announces more than {@code maxOut} bytes (nothing beyond {@code outOff + maxOut} is
     *                        written)
     */
    static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int maxOut) throws CodecException {
        int ip = inOff;
        final int ipLimit = inOff + inLen;
        long announced = 0;
        for (int shift = 0; ; shift += 7) {
            if (ip >= ipLimit || shift > 28) {
                throw new CodecException("snappy stream has a malformed length preamble");
            }
            int b = in[ip++] & 0xFF;
            announced |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                break;
            }
        }
        if (announced > maxOut) {
            throw new CodecException("snappy stream says it decodes to " + announced + " bytes, more than the "
                    + maxOut + " expected");
        }
        final int opLimit = outOff + (int) announced;
        int op = outOff;
        while (ip < ipLimit) {
            int tag = in[ip++] & 0xFF;
            int len;
            int dist;
            switch (tag & 3) {
                case 0 -> {
                    len = (tag >>> 2) + 1;
                    if (len > 60) {
                        int bytes = len - 60;
                        if (bytes > ipLimit - ip) {
                            throw truncated(ip - inOff);
                        }
                        long l = 0;
                        for (int k = 0; k < bytes; k++) {
                            l |= (long) (in[ip++] & 0xFF) << (8 * k);
                        }
                        if (l + 1 > opLimit - op) {
                            throw overrun(announced);
                        }
                        len = (int) l + 1;
                    }
                    if (len > opLimit - op) {
                        throw overrun(announced);
                    }
                    if (len > ipLimit - ip) {
                        throw truncated(ip - inOff);
                    }
                    System.arraycopy(in, ip, out, op, len);
                    ip += len;
                    op += len;
                    continue;
                }
                case 1 -> {
                    if (ip >= ipLimit) {
                        throw truncated(ip - inOff);
                    }
                    len = ((tag >>> 2) & 7) + 4;
                    dist = ((tag >>> 5) << 8) | (in[ip++] & 0xFF);
                }
                case 2 -> {
                    if (2 > ipLimit - ip) {
                        throw truncated(ip - inOff);
                    }
                    len = (tag >>> 2) + 1;
                    dist = (in[ip] & 0xFF) | (in[ip + 1] & 0xFF) << 8;
                    ip += 2;
                }
                default -> {
                    if (4 > ipLimit - ip) {
                        throw truncated(ip - inOff);
                    }
                    len = (tag >>> 2) + 1;
                    dist = (in[ip] & 0xFF) | (in[ip + 1] & 0xFF) << 8 | (in[ip + 2] & 0xFF) << 16
                            | (in[ip + 3] & 0xFF) << 24;
                    ip += 4;
                }
            }
            if (dist <= 0 || dist > op - outOff) {
                throw new CodecException("snappy stream copies from " + Integer.toUnsignedString(dist)
                        + " bytes back at output offset " + (op - outOff));
            }
            if (len > opLimit - op) {
                throw overrun(announced);
            }
            int ref = op - dist;
            if (dist >= len) {
                System.arraycopy(out, ref, out, op, len);
            } else {
                for (int k = 0; k < len; k++) {
                    out[op + k] = out[ref + k];
                }
            }
            op += len;
        }
        if (op != opLimit) {
            throw new CodecException("snappy stream decodes to " + (op - outOff) + " bytes but says " + announced);
        }
        return op - outOff;
    }

    private static CodecException truncated(int at) {
        return new CodecException("snappy stream is truncated (at byte " + at + ")");
    }

    private static CodecException overrun(long announced) {
        return new CodecException("snappy stream writes more than the " + announced + " bytes it announces");
    }
}
