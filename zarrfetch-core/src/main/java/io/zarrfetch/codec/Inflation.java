package io.zarrfetch.codec;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Running a java.util.zip Inflater into a bounded window, with errors that say what went wrong. */
final class Inflation {
    private Inflation() {
    }

    /**
     * Inflates the input already set on {@code inf} into {@code window} (from its position, which advances) until
     * the deflate stream ends. Input after the stream's end is left ({@link Inflater#getRemaining()}).
     *
     * @param what     names the stream in error messages
     * @param expected the total decoded size the caller expects, for error messages
     * @throws CodecException when the stream is malformed or truncated, needs a dictionary, or does not fit the
     *                        window (nothing is written past the window's limit)
     */
    static void inflate(Inflater inf, ByteBuffer window, String what, long expected) throws CodecException {
        byte[] probe = null;
        try {
            while (!inf.finished()) {
                int before = inf.getRemaining();
                int n;
                if (window.hasRemaining()) {
                    n = inf.inflate(window);
                } else {
                    // the window is full: only the stream's end may be left, which inflates to nothing
                    if (probe == null) {
                        probe = new byte[1];
                    }
                    n = inf.inflate(probe);
                    if (n > 0) {
                        throw new CodecException(what + " decodes to more than " + expected + " bytes");
                    }
                }
                if (n == 0 && !inf.finished()) {
                    if (inf.needsDictionary()) {
                        throw new CodecException(what + " needs a preset dictionary, which no Zarr codec has");
                    }
                    if (inf.needsInput()) {
                        throw new CodecException(what + " is truncated (it ends before its end-of-stream marker)");
                    }
                    if (inf.getRemaining() == before) {
                        throw new CodecException(what + " makes no progress");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new CodecException(what + " is not valid deflate data (" + e.getMessage() + ")", e);
        }
    }
}
