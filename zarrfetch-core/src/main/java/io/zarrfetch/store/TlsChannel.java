package io.zarrfetch.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over a blocking {@link SocketChannel}, driven by an {@link SSLEngine} on the caller's thread. Records are
 * decrypted straight into the caller's buffer (the fetch engine's off-heap part buffer): only the plaintext that
 * does not fit there (at most one record, at the end of a buffer) goes through a small spill buffer of its own.
 * An engine may take one record per unwrap (the JDK's) or all the whole records it is given (BoringSSL's); the
 * second leaves what did not fit in the caller's buffer and the spill inside the engine, for the next read.
 *
 * <p>The end of the stream is the peer's {@code close_notify}. A connection that ends without one is cut short:
 * {@link #read} throws {@link TruncatedException}, so a body is never taken as complete because its connection
 * closed.
 *
 * <p>Not thread-safe: one reader and writer at a time. Other threads end a read in progress by closing the channel.
 */
final class TlsChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Ciphertext read per system call: several records, so that a fast stream takes few reads. */
    private static final int NET_BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final Runnable onBytes;
    /** Ciphertext read and not yet decrypted, between position and limit. */
    private ByteBuffer netIn;
    /** Ciphertext to send. */
    private ByteBuffer netOut;
    /** Plaintext decrypted beyond the caller's buffer, between position and limit. */
    private ByteBuffer spill;
    private final ByteBuffer[] dsts = new ByteBuffer[2];
    /**
     * Whether the engine holds plaintext it decrypted beyond the caller's buffer and the spill: an engine that takes
     * several records a call (BoringSSL's, out of the JDK's compatibility mode) stops mid-record when both are full.
     */
    private boolean plaintextInEngine;
    private boolean closeNotifyReceived;

    /**
     * @param onBytes run after each read from the socket that got bytes (the transport's read-timeout watchdog
     *     counts them as activity)
     */
    TlsChannel(SocketChannel channel, SSLEngine engine, Runnable onBytes) {
        this.channel = channel;
        this.engine = engine;
        this.onBytes = onBytes;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(Math.max(NET_BUFFER, packet)).flip();
        this.netOut = ByteBuffer.allocateDirect(packet);
        this.spill = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize()).flip();
    }

    SSLEngine engine() {
        return engine;
    }

    /** Whether plaintext was decrypted that no read has taken yet. */
    boolean hasBufferedPlaintext() {
        return spill.hasRemaining() || plaintextInEngine;
    }

    /** Runs the handshake to its end: certificate and host name checks included. */
    void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrapAndSend(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    spill.compact();
                    SSLEngineResult r;
                    try {
                        r = engine.unwrap(netIn, spill);
                    } finally {
                        spill.flip();
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        // BoringSSL's engine (Netty's) may say it needs input when its handshake is over: it only
                        // sees so in a wrap. A wrap when it really needs input does nothing, in any engine.
                        if (wrapAndSend(EMPTY).getHandshakeStatus() == HandshakeStatus.FINISHED
                                || engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                            continue;
                        }
                        if (fill() < 0) {
                            throw new EOFException("the connection closed during the TLS handshake");
                        }
                    } else if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        spill = grow(spill, 2 * spill.capacity());
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the server closed the connection during the TLS handshake");
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    /**
     * Reads plaintext into {@code dst} (which has room): at least one byte, or -1 once the peer sent
     * {@code close_notify}.
     *
     * @throws TruncatedException when the connection ends without {@code close_notify}
     */
    int read(ByteBuffer dst) throws IOException {
        if (spill.hasRemaining()) {
            return drainSpill(dst);
        }
        if (closeNotifyReceived) {
            return -1;
        }
        // Native engines decrypt into direct buffers in place; a heap buffer (a head) takes the spill's way.
        boolean inPlace = dst.isDirect();
        while (true) {
            if (netIn.hasRemaining() || plaintextInEngine) {
                plaintextInEngine = false;
                int before = dst.position();
                spill.clear();
                SSLEngineResult r;
                try {
                    if (inPlace) {
                        dsts[0] = dst;
                        dsts[1] = spill;
                        r = engine.unwrap(netIn, dsts);
                    } else {
                        r = engine.unwrap(netIn, spill);
                    }
                } finally {
                    spill.flip();
                    dsts[0] = null;
                }
                int n = dst.position() - before;
                switch (r.getStatus()) {
                    case OK -> {
                        afterHandshakeMessage(r.getHandshakeStatus());
                        if (n > 0) {
                            return n;
                        }
                        if (spill.hasRemaining()) {
                            return drainSpill(dst);
                        }
                        if (r.bytesConsumed() > 0) {
                            continue; // a record without data: a session ticket, a key update
                        }
                        // Nothing consumed, nothing made: the engine waits for the rest of a record.
                    }
                    case CLOSED -> {
                        closeNotifyReceived = true;
                        return n > 0 ? n : spill.hasRemaining() ? drainSpill(dst) : -1;
                    }
                    case BUFFER_OVERFLOW -> {
                        if (n > 0 || spill.hasRemaining()) {
                            plaintextInEngine = true; // the rest of a record, for the next read
                            return n > 0 ? n : drainSpill(dst);
                        }
                        spill = grow(spill, 2 * spill.capacity()); // a record larger than the spill
                        continue;
                    }
                    case BUFFER_UNDERFLOW -> {
                        // a partial record: read more below
                    }
                }
            }
            if (fill() < 0) {
                throw new TruncatedException();
            }
        }
    }

    private int drainSpill(ByteBuffer dst) {
        int n = Math.min(spill.remaining(), dst.remaining());
        dst.put(dst.position(), spill, spill.position(), n);
        dst.position(dst.position() + n);
        spill.position(spill.position() + n);
        return n;
    }

    /** Encrypts and sends all of {@code src}. */
    void write(ByteBuffer src) throws IOException {
        do {
            wrapAndSend(src);
        } while (src.hasRemaining());
    }

    /** Sends {@code close_notify} if the socket takes it at once; for connections closed in good order. */
    void closeOutbound() {
        try {
            engine.closeOutbound();
            if (channel.isOpen()) {
                wrapAndSend(EMPTY);
            }
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

    private SSLEngineResult wrapAndSend(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult r = engine.wrap(src, netOut);
        netOut.flip();
        while (netOut.hasRemaining()) {
            channel.write(netOut);
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            netOut = ByteBuffer.allocateDirect(netOut.capacity() * 2);
        } else if (r.getStatus() == SSLEngineResult.Status.CLOSED && src.hasRemaining()) {
            throw new SSLException("the TLS connection is closed");
        }
        if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        return r;
    }

    /** Answers what a record after the handshake may ask for (a key update needs one of ours). */
    private void afterHandshakeMessage(HandshakeStatus status) throws IOException {
        HandshakeStatus s = status;
        while (true) {
            if (s == HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (s == HandshakeStatus.NEED_WRAP) {
                wrapAndSend(EMPTY);
            } else {
                return;
            }
            s = engine.getHandshakeStatus();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** Reads more ciphertext after what is buffered; -1 at the connection's end. */
    private int fill() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            netIn = grow(netIn.flip(), netIn.capacity() * 2).compact();
        }
        int n;
        try {
            n = channel.read(netIn);
        } finally {
            netIn.flip();
        }
        if (n > 0) {
            onBytes.run();
        }
        return n;
    }

    /** A larger direct buffer holding {@code b}'s remaining bytes, in read mode. */
    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(capacity, b.remaining()));
        bigger.put(b).flip();
        return bigger;
    }

    /** The connection ended without TLS {@code close_notify}: what came before it may be cut short. */
    static final class TruncatedException extends EOFException {
        private static final long serialVersionUID = 1L;

        TruncatedException() {
            super("the connection closed without TLS close_notify");
        }
    }
}
