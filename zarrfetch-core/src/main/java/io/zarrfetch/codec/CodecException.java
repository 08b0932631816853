package io.zarrfetch.codec;

import java.io.IOException;

/** Encoded bytes that cannot be decoded: malformed, truncated, lying about their size, or failing a checksum. */
public class CodecException extends IOException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
