package io.zarrfetch.codec;

/**
 * The BloscLZ decompressor: Blosc's own LZ77 format (c-blosc 1.x {@code blosclz.c}, format version 1), for which no
 * Java library exists. Written from the format; it accepts exactly what c-blosc's {@code blosclz_decompress}
 * accepts and rejects the rest with an exception instead of c-blosc's 0.
 *
 * <p>The format: the first byte's low 5 bits start a literal run. Every following instruction byte {@code ctrl}:
 * <ul>
 *   <li>{@code ctrl < 32}: a literal run of {@code ctrl + 1} bytes follows;
 *   <li>otherwise a match: length {@code (ctrl >> 5) + 2}, extended by the following bytes while they are 255 when
 *       {@code ctrl >> 5 == 7}; then a byte {@code code}; the distance back is {@code ((ctrl & 31) << 8) + code + 1},
 *       or, when {@code code == 255} and {@code ctrl & 31 == 31}, {@code 8191 + 1} plus a big-endian 16-bit value
 *       that follows. A match is copied only if another instruction byte follows it (c-blosc stops there
 *       otherwise; its compressor always ends with a literal run).
 * </ul>
 * Copies overlap as in any LZ77 decoder: byte by byte, forwards.
 */
final class BloscLz {
    private static final int MAX_DISTANCE = 8191;

    private BloscLz() {
    }

    /**
     * Decompresses {@code in[inOff, inOff + inLen)} into {@code out} from {@code outOff}, writing at most
     * {@code maxOut} bytes.
     *
     * @return the number of bytes written
     * @throws CodecException when the stream is malformed, refers before the start of the output, or would write
     *                        more than {@code maxOut} bytes (nothing beyond {@code outOff + maxOut} is written)
     */
    static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int maxOut) throws CodecException {
        if (inLen == 0) {
            return 0;
        }
        int ip = inOff;
        final int ipLimit = inOff + inLen;
        int op = outOff;
        final int opLimit = outOff + maxOut;
        int ctrl = in[ip++] & 31;
        while (true) {
            if (ctrl >= 32) {
                int len = (ctrl >>> 5) - 1;
                int ofs = (ctrl & 31) << 8;
                if (len == 7 - 1) {
                    int code;
                    do {
                        if (ip + 1 >= ipLimit) {
                            throw truncated(ip - inOff);
                        }
                        code = in[ip++] & 0xFF;
                        len += code;
                        if (len > maxOut) { // c-blosc would fail below; stopping here also keeps len from overflowing
                            throw overrun(op - outOff, len, maxOut);
                        }
                    } while (code == 255);
                } else if (ip + 1 >= ipLimit) {
                    throw truncated(ip - inOff);
                }
                int code = in[ip++] & 0xFF;
                len += 3;
                int back = ofs + code; // c-blosc: ref = op - back, then ref-- before copying
                if (code == 255 && ofs == (31 << 8)) {
                    if (ip + 1 >= ipLimit) {
                        throw truncated(ip - inOff);
                    }
                    back = ((in[ip] & 0xFF) << 8) + (in[ip + 1] & 0xFF) + MAX_DISTANCE;
                    ip += 2;
                }
                if (len > opLimit - op) {
                    throw overrun(op - outOff, len, maxOut);
                }
                int ref = op - back - 1;
                if (ref < outOff) {
                    throw new CodecException("blosclz stream refers " + (back + 1) + " bytes back at output offset "
                            + (op - outOff));
                }
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = in[ip++] & 0xFF;
                copyMatch(out, ref, op, len);
                op += len;
            } else {
                int run = ctrl + 1;
                if (run > opLimit - op) {
                    throw overrun(op - outOff, run, maxOut);
                }
                if (run > ipLimit - ip) {
                    throw truncated(ip - inOff);
                }
                System.arraycopy(in, ip, out, op, run);
                op += run;
                ip += run;
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = in[ip++] & 0xFF;
            }
        }
        return op - outOff;
    }

    /** Copies {@code len} bytes from {@code ref} to {@code op > ref}, with LZ77 semantics when they overlap. */
    private static void copyMatch(byte[] out, int ref, int op, int len) {
        int dist = op - ref;
        if (dist == 1) {
            java.util.Arrays.fill(out, op, op + len, out[ref]);
        } else if (dist >= len) {
            System.arraycopy(out, ref, out, op, len);
        } else {
            // The pattern of dist bytes repeats: copy it in growing non-overlapping pieces.
            int done = 0;
            while (done < len) {
                int n = Math.min(dist, len - done);
                System.arraycopy(out, ref, out, op + done, n);
                done += n;
                dist += n; // the source can now reach further back
            }
        }
    }

    private static CodecException truncated(int at) {
        return new CodecException("blosclz stream is truncated (at byte " + at + ")");
    }

    private static CodecException overrun(int at, int len, int maxOut) {
        return new CodecException("blosclz stream decodes to more than " + maxOut + " bytes (a run of " + len
                + " bytes at output offset " + at + ")");
    }
}
