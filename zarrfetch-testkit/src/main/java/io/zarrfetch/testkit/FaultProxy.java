package io.zarrfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting HTTP/1.1 proxy on 127.0.0.1 and a free port, put in front of any HTTP server (an
 * {@link S3Server}, an {@link HttpFileServer}): it forwards each request to the server and passes the answer on,
 * unless a {@link Rule} matches the request, in which case it injects that rule's {@link Fault} instead.
 *
 * <p>One request per connection: every answer carries {@code Connection: close} and its connection is closed after
 * it, so a client never reuses one (each request opens a new connection). Upstream, the proxy asks the server for
 * {@code Connection: close} too, reads the whole answer into memory (chunked bodies are decoded) and sends it on
 * with a {@code Content-Length}; objects served through it should be small (megabytes, not gigabytes).
 *
 * <p>Rules are tried in the order added; the first that matches a request and still has injections left (or wins
 * its draw, for a probability) fires. Draws come from one {@link Random} seeded at start, so a run that sends the
 * same requests in the same order injects the same faults. The proxy counts what it injected, per kind
 * ({@link #injected(Fault)}), and keeps every request's head ({@link #requests()}), so tests can check that faults
 * really happened and what the client sent.
 *
 * <p>Checksums: {@link #addChecksums(boolean)} makes the proxy send S3's {@code x-amz-checksum-crc32c} for servers
 * that keep none, and three faults break it ({@link Fault#WRONG_CHECKSUM}, {@link Fault#COMPOSITE_CHECKSUM},
 * {@link Fault#CORRUPT_BODY}).
 *
 * <p>Over TLS ({@link #startTls}) the proxy is an HTTPS server in front of the same plain HTTP server: answers go
 * in TLS records, the connection ends with {@code close_notify} after a whole answer, and faults that break a
 * connection break it under TLS (a reset or a close without {@code close_notify}).
 *
 * <p>Stalls wait for {@link #stall(Duration)} (30 s unless set), until the client closes its connection, or until
 * the proxy closes, whichever is first: {@link #close()} ends every stall, closes every connection and waits for the
 * proxy's threads, so a test leaks nothing. A test can wait for a stall to begin ({@link #awaitStalls}) and for
 * clients to give stalled connections up ({@link #awaitStallsAbandoned}): what a client that cancels or times out
 * must do.
 */
public final class FaultProxy implements AutoCloseable {
    /** The byte an object that {@link Fault#OBJECT_GREW} grew by, at its end. */
    public static final byte GROWN_BYTE = 0x47;

    /** What a rule injects. */
    public enum Fault {
        /** 503 with S3's {@code SlowDown} error document. */
        SLOW_DOWN_503,
        /** 500 with S3's {@code InternalError} document. */
        INTERNAL_500,
        /** 429 Too Many Requests. */
        TOO_MANY_429,
        /** 403 with S3's {@code AccessDenied} document. */
        FORBIDDEN_403,
        /** 404 with S3's {@code NoSuchKey} document. */
        NOT_FOUND_404,
        /** The connection is reset (RST) before any byte of the answer. */
        RESET_BEFORE_HEADERS,
        /** The head and half the body are sent, then the connection is reset. */
        RESET_MID_BODY,
        /**
         * The head (with the correct Content-Length) and half the body are sent, then the connection is closed (over
         * TLS without {@code close_notify}, at a record's edge).
         */
        CUT_SHORT,
        /**
         * As {@link #CUT_SHORT}, but over TLS the connection ends inside a record: after half the body come the header
         * and a few bytes of a record that never completes. Over plain HTTP it is {@link #CUT_SHORT}.
         */
        CUT_MID_RECORD,
        /** No byte is sent for the stall time, then the answer. */
        STALL_BEFORE_HEADERS,
        /** The head and half the body are sent, then nothing for the stall time, then the rest. */
        STALL_MID_BODY,
        /** The answer is sent whole after the slow-first-byte delay (shorter than a client's timeout). */
        SLOW_FIRST_BYTE,
        /**
         * The Content-Length says one byte more than the body has; the connection closes after the body. Answers to
         * HEAD (whose Content-Length is the object's size) pass unchanged and are not counted.
         */
        LENGTH_TOO_LARGE,
        /**
         * The Content-Length says one byte less than the body has; the whole body is sent anyway. Answers without a
         * body (HEAD) pass unchanged and are not counted.
         */
        LENGTH_TOO_SMALL,
        /**
         * A 206's Content-Range is moved one byte on (same length, same body): not the range asked for. Answers
         * without a Content-Range pass unchanged and are not counted.
         */
        WRONG_CONTENT_RANGE,
        /**
         * The object changes after this ranged GET: this answer is the server's, but every later request for the
         * same path sees another version (another ETag, every byte inverted); a request whose {@code If-Match}
         * names another ETag than the new version's (the first version's, say) gets 412 Precondition Failed, as from
         * S3. Counted once per changed answer or 412.
         */
        OBJECT_CHANGED,
        /**
         * The object grows by a byte ({@link FaultProxy#GROWN_BYTE}) after this ranged GET, and its server sends no ETag (none
         * on this answer or any later one for the same path): later answers are the grown object's (a Content-Range
         * total one larger; the new byte in a 200, and in a 206 whose range reaches the end; the last bytes shifted
         * by one for a suffix range). Counted once for this answer and once per later answer.
         */
        OBJECT_GREW,
        /**
         * The answer (a 200 or a 206 to a GET, with a body) carries an {@code x-amz-checksum-crc32c} that is not its
         * body's CRC-32C (that one with every bit inverted), with {@code x-amz-checksum-type: FULL_OBJECT}, in place
         * of any checksum the server sent. A client that checks a 200 against it must fail it; on a 206 it stands for
         * what S3 may send with a range (the checksum of a part, or of a whole multipart object), which is not the
         * range's. Answers without a body pass unchanged and are not counted.
         */
        WRONG_CHECKSUM,
        /**
         * The answer (a 200 or a 206 to a GET, with a body) carries the composite checksum of a multipart upload of
         * two parts, {@code <base64>-2}, without {@code x-amz-checksum-type} (as S3 sent it before it had that header),
         * in place of any checksum the server sent. Its base64 is not the body's CRC-32C: a composite is a checksum of
         * the parts' checksums, which no client can check against the bytes. Answers without a body pass unchanged
         * and are not counted.
         */
        COMPOSITE_CHECKSUM,
        /**
         * An S3 listing page (an answer to a GET whose query has {@code list-type=2}) cut in the middle, with a
         * Content-Length that matches: a well-formed HTTP answer, but not a well-formed ListBucketResult. Other
         * answers pass unchanged and are not counted.
         */
        MALFORMED_LISTING,
        /**
         * One byte of a 200's body, the one in the middle ({@code length / 2}), is inverted, the length kept, under a
         * correct checksum: the answer's {@code x-amz-checksum-crc32c} stays the server's or, when it sent none, is the
         * CRC-32C of the body before the change, with {@code x-amz-checksum-type: FULL_OBJECT}. Bytes damaged on the
         * way, past TCP's checks. Other answers (206s, which S3 sends without a checksum) pass unchanged and are not
         * counted.
         */
        CORRUPT_BODY
    }

    /**
     * When to inject a fault.
     *
     * @param method the request method to match, or {@code null} for any
     * @param pathContains a substring of the request target (path and query) to match, or {@code null} for any
     * @param ranged {@code TRUE} to match only requests with a Range header, {@code FALSE} only those without,
     *     {@code null} both
     * @param fault what to inject
     * @param times inject into the first this many matching requests; {@code -1} for no limit (with a probability)
     * @param probability the chance that a matching request gets the fault, drawn from the proxy's seeded Random
     * @param oncePerRequest inject into the first of each distinct request (method, target and Range) and never
     *     into its repeats: a server that answers each request badly once, then properly
     */
    public record Rule(String method, String pathContains, Boolean ranged, Fault fault, int times,
            double probability, boolean oncePerRequest) {
        /** The fault for the first {@code n} requests, whatever they are; narrow it with the {@code on...} methods. */
        public static Rule first(int n, Fault fault) {
            return new Rule(null, null, null, fault, n, 1.0, false);
        }

        /** The fault for each request with this probability. */
        public static Rule sometimes(double probability, Fault fault) {
            return new Rule(null, null, null, fault, -1, probability, false);
        }

        /**
         * The fault for the first of each distinct request (the same method, target and Range), and never for the
         * same request again: what S3 under load can do to every kind of request, and a client that retries each
         * gets through. A resumed body asks for another range: a request of its own.
         */
        public static Rule oncePerRequest(Fault fault) {
            return new Rule(null, null, null, fault, -1, 1.0, true);
        }

        public Rule onMethod(String m) {
            return new Rule(m, pathContains, ranged, fault, times, probability, oncePerRequest);
        }

        public Rule onPath(String substring) {
            return new Rule(method, substring, ranged, fault, times, probability, oncePerRequest);
        }

        /** Only requests with ({@code true}) or without ({@code false}) a Range header. */
        public Rule onRanged(boolean withRange) {
            return new Rule(method, pathContains, withRange, fault, times, probability, oncePerRequest);
        }

        boolean matches(Request r) {
            return (method == null || method.equalsIgnoreCase(r.method()))
                    && (pathContains == null || r.target().contains(pathContains))
                    && (ranged == null || ranged == (r.header("Range") != null));
        }
    }

    /** The head of one request as the client sent it: method, target, headers (names in lower case). */
    public record Request(String method, String target, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final java.util.regex.Pattern CONTENT_RANGE =
            java.util.regex.Pattern.compile("(?i)Content-Range:\\s*bytes (\\d+)-(\\d+)/(.*)");

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final Random random;
    private final ExecutorService handlers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("fault-proxy-", 0).factory());
    private final Thread acceptor;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Rule> rules = new ArrayList<>(); // guarded by this, with the counters below
    private final List<AtomicInteger> left = new ArrayList<>();
    /** Per rule, the distinct requests it has hit (for {@link Rule#oncePerRequest}). */
    private final List<Set<String>> hit = new ArrayList<>();
    private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
    /**
     * Paths whose object has changed, with the ETag of the first version (known once the request that changed it
     * has its answer). Guarded by this: a request chosen after the change sees it.
     */
    private final Map<String, CompletableFuture<String>> changed = new HashMap<>();
    /** Paths whose object has grown (guarded by this). */
    private final Set<String> grown = new java.util.HashSet<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Duration stall = Duration.ofSeconds(30);
    private volatile Duration slowFirstByte = Duration.ofMillis(100);
    /** Stalls begun, and stalls ended by their client closing the connection. */
    private final Events stallsBegun = new Events();
    private final Events stallsAbandoned = new Events();
    private volatile boolean addChecksums;
    private final AtomicInteger checksumsAdded = new AtomicInteger();

    /** Wraps accepted connections in TLS, or null for plain HTTP. */
    private final javax.net.ssl.SSLSocketFactory tls;

    private FaultProxy(URI upstream, long seed, javax.net.ssl.SSLContext tls) throws IOException {
        this.tls = tls == null ? null : tls.getSocketFactory();
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = upstream.getPort() > 0 ? upstream.getPort() : 80;
        this.random = new Random(seed);
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("fault-proxy-accept").start(this::accept);
    }

    /**
     * Starts a proxy in front of {@code upstream} (an http:// URL; only its host and port count).
     *
     * @param seed seeds the draws of probability rules
     */
    public static FaultProxy start(URI upstream, long seed) throws IOException {
        return new FaultProxy(upstream, seed, null);
    }

    /**
     * Starts a proxy that serves HTTPS, with the certificate of {@code certificate} (issued for 127.0.0.1), in front
     * of {@code upstream} (an http:// URL).
     */
    public static FaultProxy startTls(URI upstream, long seed, TestPki.Issued certificate) throws IOException {
        return new FaultProxy(upstream, seed, certificate.serverContext());
    }

    /**
     * Starts a proxy that serves HTTPS with the certificate of {@link TestPki#local()} for 127.0.0.1, which clients
     * trust through {@code TestPki.local().caBundle()}.
     */
    public static FaultProxy startTls(URI upstream, long seed) throws IOException {
        return startTls(upstream, seed, TestPki.local().localServer());
    }

    /** The proxy's base URL, like {@code http://127.0.0.1:41234/} (https:// over TLS). */
    public URI url() {
        return URI.create(endpoint() + "/");
    }

    /** The proxy as an endpoint, like {@code http://127.0.0.1:41234} (for S3 clients; https:// over TLS). */
    public URI endpoint() {
        return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + server.getLocalPort());
    }

    /** Adds a rule, tried after those added before it. */
    public synchronized FaultProxy add(Rule rule) {
        rules.add(rule);
        left.add(new AtomicInteger(rule.times()));
        hit.add(new java.util.HashSet<>());
        return this;
    }

    /** Drops every rule; counts and the request log stay. */
    public synchronized void clearRules() {
        rules.clear();
        left.clear();
        hit.clear();
    }

    /** How long stalls last (they also end when the proxy closes). */
    public FaultProxy stall(Duration d) {
        stall = d;
        return this;
    }

    /** How long {@link Fault#SLOW_FIRST_BYTE} delays an answer (100 ms unless set). */
    public FaultProxy slowFirstByte(Duration d) {
        slowFirstByte = d;
        return this;
    }

    /**
     * Whether a 200 answer to a GET that asks for checksums ({@code x-amz-checksum-mode: ENABLED}) and has none gets
     * the CRC-32C of its body in {@code x-amz-checksum-crc32c}, with {@code x-amz-checksum-type: FULL_OBJECT}: what S3
     * sends for an object uploaded with a CRC-32C, for servers that keep none ({@link HttpFileServer}, objects stored
     * with {@link S3Server#put}). Off unless set; {@link #checksumsAdded()} counts them.
     */
    public FaultProxy addChecksums(boolean on) {
        addChecksums = on;
        return this;
    }

    /** How many answers got a checksum from {@link #addChecksums(boolean)}. */
    public int checksumsAdded() {
        return checksumsAdded.get();
    }

    /** How many times this fault was injected. */
    public int injected(Fault fault) {
        return injected.get(fault).get();
    }

    /** How many faults were injected in all. */
    public int injectedTotal() {
        return injected.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The counts of the faults injected, for a log line: {@code {RESET_MID_BODY=2, ...}}, zeros left out. */
    public Map<Fault, Integer> injectedCounts() {
        Map<Fault, Integer> m = new LinkedHashMap<>();
        injected.forEach((f, n) -> {
            if (n.get() > 0) {
                m.put(f, n.get());
            }
        });
        return m;
    }

    /**
     * Waits until at least {@code n} stalls have begun: the proxy is then holding the answer back (for
     * {@link Fault#STALL_MID_BODY}, after sending and flushing the head and half the body).
     *
     * @return whether they began within {@code timeout}
     */
    public boolean awaitStalls(int n, Duration timeout) throws InterruptedException {
        return stallsBegun.await(n, timeout);
    }

    /**
     * How many stalls ended because the client closed (or reset) its connection while the proxy held the answer
     * back, rather than by the stall's time running out or the proxy closing.
     */
    public int stallsAbandoned() {
        return stallsAbandoned.count();
    }

    /**
     * Waits until clients have given up at least {@code n} stalled connections ({@link #stallsAbandoned()}).
     *
     * @return whether they did within {@code timeout}
     */
    public boolean awaitStallsAbandoned(int n, Duration timeout) throws InterruptedException {
        return stallsAbandoned.await(n, timeout);
    }

    /** Every request received so far, in order of arrival. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * What happens to one request.
     *
     * @param fault the fault to inject, or {@code null}
     * @param changedFrom when the object changed before this request: the first version's ETag, to come
     * @param changes whether this request's answer is the last of the first version
     */
    private record Decision(Fault fault, CompletableFuture<String> changedFrom, CompletableFuture<String> changes,
            boolean grew, boolean grows) {
    }

    private synchronized Decision decide(Request r) {
        String path = pathOf(r.target());
        CompletableFuture<String> before = changed.get(path);
        Fault f = choose(r);
        CompletableFuture<String> changes = null;
        if (f == Fault.OBJECT_CHANGED && before == null) {
            changes = new CompletableFuture<>();
            changed.put(path, changes);
        }
        boolean grew = grown.contains(path);
        boolean grows = f == Fault.OBJECT_GREW && !grew;
        if (grows) {
            grown.add(path);
        }
        return new Decision(f, before, changes, grew, grows);
    }

    /** The fault for this request, or {@code null}; draws happen under the lock, in order of arrival. */
    private synchronized Fault choose(Request r) {
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (!rule.matches(r)) {
                continue;
            }
            AtomicInteger n = left.get(i);
            if (rule.times() >= 0 && n.get() <= 0) {
                continue;
            }
            if (rule.probability() < 1.0 && random.nextDouble() >= rule.probability()) {
                continue;
            }
            if (rule.oncePerRequest() && !hit.get(i).add(r.method() + " " + r.target() + " " + r.header("Range"))) {
                continue; // this very request had its fault
            }
            n.decrementAndGet();
            return rule.fault();
        }
        return null;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(s);
            try {
                handlers.execute(() -> {
                    try (s) {
                        if (tls == null) {
                            handle(s, s);
                        } else {
                            // Layered over the plain socket, so that faults can break the connection under TLS.
                            try (javax.net.ssl.SSLSocket t = (javax.net.ssl.SSLSocket) tls.createSocket(s, null,
                                    s.getPort(), false)) {
                                t.setUseClientMode(false);
                                handle(t, s);
                            }
                        }
                    } catch (IOException e) {
                        // the client went away, or the proxy closed
                    } finally {
                        open.remove(s);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                open.remove(s);
                closeQuietly(s);
                return;
            }
        }
    }

    /** Serves one request from {@code client}; {@code raw} is its TCP connection (the same, without TLS). */
    private void handle(Socket client, Socket raw) throws IOException {
        InputStream in = client.getInputStream();
        String head = HttpHead.read(in);
        if (head == null) {
            return;
        }
        String[] lines = head.split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length < 3) {
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(lines[i].substring(0, c).strip().toLowerCase(Locale.ROOT), lines[i].substring(c + 1)
                        .strip());
            }
        }
        Request request = new Request(first[0], first[1], Map.copyOf(headers));
        requests.add(request);
        byte[] requestBody = in.readNBytes((int) parseLong(headers.get("content-length"), 0));
        Decision decision = decide(request);
        Fault fault = decision.fault();
        OutputStream out = client.getOutputStream();

        String original = null;
        if (decision.changedFrom() != null) {
            original = awaitEtag(decision.changedFrom());
        }
        boolean newVersionAsked = false;
        if (original != null) {
            // This object changed after an earlier ranged GET: an If-Match holds only for the new version's ETag.
            count(Fault.OBJECT_CHANGED);
            String ifMatch = request.header("If-Match");
            newVersionAsked = ifMatch != null && ifMatch.equals(Upstream.changedTag(original.equals(NO_ETAG) ? null
                    : original));
            if (ifMatch != null && !newVersionAsked) {
                out.write(answer(412, "Precondition Failed", error("PreconditionFailed",
                        "At least one of the pre-conditions you specified did not hold")));
                return;
            }
        }
        switch (fault) {
            case SLOW_DOWN_503 -> {
                count(fault);
                out.write(answer(503, "Slow Down", error("SlowDown", "Please reduce your request rate.")));
                return;
            }
            case INTERNAL_500 -> {
                count(fault);
                out.write(answer(500, "Internal Server Error", error("InternalError",
                        "We encountered an internal error. Please try again.")));
                return;
            }
            case TOO_MANY_429 -> {
                count(fault);
                out.write(answer(429, "Too Many Requests", error("TooManyRequests", "Too many requests.")));
                return;
            }
            case FORBIDDEN_403 -> {
                count(fault);
                out.write(answer(403, "Forbidden", error("AccessDenied", "Access Denied")));
                return;
            }
            case NOT_FOUND_404 -> {
                count(fault);
                out.write(answer(404, "Not Found", error("NoSuchKey", "The specified key does not exist.")));
                return;
            }
            case RESET_BEFORE_HEADERS -> {
                count(fault);
                reset(raw);
                return;
            }
            case STALL_BEFORE_HEADERS -> {
                count(fault);
                stall(client);
            }
            case SLOW_FIRST_BYTE -> {
                count(fault);
                pause(slowFirstByte);
            }
            case null, default -> {
                // forwarded below
            }
        }

        Upstream up;
        try {
            up = forward(request, lines, requestBody, newVersionAsked); // the server has the first version only
            if (decision.changes() != null) {
                count(Fault.OBJECT_CHANGED);
                decision.changes().complete(up.etag());
            }
        } finally {
            if (decision.changes() != null) {
                decision.changes().complete(null); // unless completed with the ETag below
            }
        }
        if (original != null) {
            up = up.changed();
        }
        if (decision.grew() || decision.grows()) {
            count(Fault.OBJECT_GREW);
            up = up.grown(decision.grew(), request);
        }
        up = checksums(request, fault, up);
        if (fault == Fault.MALFORMED_LISTING && request.target().contains("list-type=2") && up.status() == 200
                && up.body().length > 1) {
            count(fault);
            up = up.cut(up.body().length / 2);
        }
        byte[] body = up.body();
        int half = Math.max(1, body.length / 2);
        switch (fault) {
            case RESET_MID_BODY, CUT_SHORT, CUT_MID_RECORD, STALL_MID_BODY -> {
                if (body.length < 2) {
                    break; // nothing to cut: sent whole, not counted
                }
                count(fault);
                out.write(up.head(body.length));
                out.write(body, 0, half);
                out.flush();
                if (fault == Fault.RESET_MID_BODY) {
                    reset(raw);
                } else if (fault == Fault.CUT_SHORT || fault == Fault.CUT_MID_RECORD) {
                    if (fault == Fault.CUT_MID_RECORD && client != raw) {
                        // The header of a 16 KiB application-data record, and 5 of its bytes.
                        raw.getOutputStream().write(new byte[] {23, 3, 3, 0x40, 0, 1, 2, 3, 4, 5});
                        raw.getOutputStream().flush();
                    }
                    raw.close(); // no close_notify
                } else if (fault == Fault.STALL_MID_BODY) {
                    stall(client);
                    out.write(body, half, body.length - half);
                }
                return;
            }
            case LENGTH_TOO_LARGE -> {
                if (request.method().equalsIgnoreCase("HEAD")) {
                    break; // a HEAD's Content-Length is the object's size, which no client can check: sent whole
                }
                count(fault);
                out.write(up.head(body.length + 1));
                out.write(body);
                return;
            }
            case WRONG_CONTENT_RANGE -> {
                Upstream moved = up.rangeMoved();
                if (moved != null) {
                    count(fault);
                    up = moved;
                }
            }
            case LENGTH_TOO_SMALL -> {
                if (body.length < 1) {
                    break;
                }
                count(fault);
                out.write(up.head(body.length - 1));
                out.write(body);
                return;
            }
            case null, default -> {
                // as the server sent it
            }
        }
        out.write(up.head(body.length));
        out.write(body);
        out.flush();
    }

    /** The answer with the checksum {@link #addChecksums(boolean)} and the checksum faults give it. */
    private Upstream checksums(Request request, Fault fault, Upstream up) {
        byte[] body = up.body();
        int status = up.status();
        if (!request.method().equalsIgnoreCase("GET") || body.length == 0 || (status != 200 && status != 206)) {
            return up;
        }
        if (addChecksums && status == 200 && up.header("x-amz-checksum-crc32c") == null
                && "ENABLED".equalsIgnoreCase(request.header("x-amz-checksum-mode"))) {
            checksumsAdded.incrementAndGet();
            up = up.withChecksum(S3Server.crc32c(body), "FULL_OBJECT");
        }
        switch (fault) {
            case WRONG_CHECKSUM -> {
                count(fault);
                up = up.withChecksum(inverted(S3Server.crc32c(body)), "FULL_OBJECT");
            }
            case COMPOSITE_CHECKSUM -> {
                count(fault);
                up = up.withChecksum(inverted(S3Server.crc32c(body)) + "-2", null);
            }
            case CORRUPT_BODY -> {
                if (status == 200) {
                    count(fault);
                    if (up.header("x-amz-checksum-crc32c") == null) {
                        up = up.withChecksum(S3Server.crc32c(body), "FULL_OBJECT");
                    }
                    up = up.corrupted();
                }
            }
            case null, default -> {
                // the checksum as it is
            }
        }
        return up;
    }

    /** A base64 checksum with every bit inverted. */
    private static String inverted(String base64) {
        byte[] b = java.util.Base64.getDecoder().decode(base64);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ~b[i];
        }
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    private void count(Fault f) {
        injected.get(f).incrementAndGet();
    }

    /**
     * Holds the answer back for the stall time, or until the proxy closes, or until the client closes its
     * connection: a client that gives up (a timeout, a cancelled fetch) closes it, and is counted; the answer is
     * then not sent.
     */
    private void stall(Socket client) throws IOException {
        CountDownLatch over = new CountDownLatch(1);
        InputStream in = client.getInputStream();
        try {
            handlers.execute(() -> {
                // The request was read whole and the answer says Connection: close, so the client sends nothing
                // more: this read ends when it closes its end (or when this handler closes the socket).
                try {
                    while (in.read() >= 0) {
                        // nothing is expected; discard it
                    }
                } catch (IOException e) {
                    // a reset, or the socket closed here
                }
                over.countDown();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // the proxy is closing
        }
        stallsBegun.add();
        boolean clientGone;
        try {
            clientGone = over.await(stall.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (clientGone && closing.getCount() > 0) {
            stallsAbandoned.add();
            throw new IOException("the client closed its connection during the stall");
        }
    }

    /** Counts events and lets a test wait for a number of them. */
    private static final class Events {
        private int count;

        synchronized void add() {
            count++;
            notifyAll();
        }

        synchronized int count() {
            return count;
        }

        synchronized boolean await(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /** Waits for {@code d}, or until the proxy closes. */
    private void pause(Duration d) {
        try {
            closing.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0); // close with RST
        s.close();
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** An answer from the server: its status line and headers (without framing ones), and its whole body. */
    private record Upstream(String statusLine, List<String> headers, String etag, byte[] body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        /** The first value of a header, or {@code null}. */
        String header(String name) {
            for (String line : headers) {
                if (line.length() > name.length() && line.charAt(name.length()) == ':'
                        && line.regionMatches(true, 0, name, 0, name.length())) {
                    return line.substring(name.length() + 1).strip();
                }
            }
            return null;
        }

        /** The same answer with this CRC-32C and checksum type ({@code null}: none) instead of the server's. */
        Upstream withChecksum(String crc32c, String type) {
            List<String> h = new ArrayList<>();
            for (String line : headers) {
                String name = line.substring(0, Math.max(0, line.indexOf(':'))).strip();
                if (!name.equalsIgnoreCase("x-amz-checksum-crc32c") && !name.equalsIgnoreCase("x-amz-checksum-type")) {
                    h.add(line);
                }
            }
            h.add("x-amz-checksum-crc32c: " + crc32c);
            if (type != null) {
                h.add("x-amz-checksum-type: " + type);
            }
            return new Upstream(statusLine, h, etag, body);
        }

        /** The same answer with only the first {@code n} bytes of its body. */
        Upstream cut(int n) {
            return new Upstream(statusLine, headers, etag, java.util.Arrays.copyOf(body, n));
        }

        /** The same answer with the byte in the middle of its body inverted. */
        Upstream corrupted() {
            byte[] b = body.clone();
            b[b.length / 2] = (byte) ~b[b.length / 2];
            return new Upstream(statusLine, headers, etag, b);
        }

        byte[] head(long contentLength) {
            StringBuilder b = new StringBuilder(statusLine).append("\r\n");
            headers.forEach(h -> b.append(h).append("\r\n"));
            if (header("Content-Length") == null) { // a HEAD's is kept from the server
                b.append("Content-Length: ").append(contentLength).append("\r\n");
            }
            b.append("Connection: close\r\n\r\n");
            return b.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The same answer with its Content-Range one byte further on, or {@code null} without one. */
        Upstream rangeMoved() {
            List<String> h = new ArrayList<>();
            boolean moved = false;
            for (String line : headers) {
                java.util.regex.Matcher m = CONTENT_RANGE.matcher(line);
                if (m.matches()) {
                    h.add("Content-Range: bytes " + (Long.parseLong(m.group(1)) + 1) + "-"
                            + (Long.parseLong(m.group(2)) + 1) + "/" + m.group(3));
                    moved = true;
                } else {
                    h.add(line);
                }
            }
            return moved ? new Upstream(statusLine, h, etag, body) : null;
        }

        /**
         * The same answer without an ETag and, if {@code bigger}, as the object one byte longer answers
         * {@code request}: a 200 with the new byte at its end; a 206 with a Content-Range total one larger, the new
         * byte added when its range reaches the end and the request asked for more, and the bytes shifted by one for
         * a suffix range ({@code bytes=-N}). Answers to HEAD keep their size.
         */
        Upstream grown(boolean bigger, Request request) {
            if (!bigger || request.method().equalsIgnoreCase("HEAD")) {
                return withoutEtag(headers, body);
            }
            if (status() == 200) {
                return withoutEtag(headers, grownBody(body, false));
            }
            List<String> h = new ArrayList<>();
            byte[] b = body;
            for (String line : headers) {
                java.util.regex.Matcher m = CONTENT_RANGE.matcher(line);
                if (m.matches() && !m.group(3).strip().equals("*")) {
                    long from = Long.parseLong(m.group(1));
                    long to = Long.parseLong(m.group(2));
                    long total = Long.parseLong(m.group(3).strip());
                    String range = request.header("Range");
                    java.util.regex.Matcher r = range == null ? null
                            : java.util.regex.Pattern.compile("bytes=(\\d*)-(\\d*)").matcher(range.strip());
                    if (r != null && r.matches() && to == total - 1) {
                        boolean suffix = r.group(1).isEmpty();
                        boolean further = !suffix && (r.group(2).isEmpty() || Long.parseLong(r.group(2)) >= total);
                        if (suffix && Long.parseLong(r.group(2)) <= total) {
                            b = grownBody(body, true); // the last N bytes: one further on
                            from++;
                            to++;
                        } else if (suffix || further) {
                            b = grownBody(body, false);
                            to++;
                        }
                    }
                    h.add("Content-Range: bytes " + from + "-" + to + "/" + (total + 1));
                } else {
                    h.add(line);
                }
            }
            return withoutEtag(h, b);
        }

        private Upstream withoutEtag(List<String> h, byte[] b) {
            return new Upstream(statusLine, h.stream().filter(line -> !line.regionMatches(true, 0, "ETag:", 0, 5))
                    .toList(), null, b);
        }

        /** {@code b} with {@link #GROWN_BYTE} at its end, its first byte dropped when {@code shift}. */
        private static byte[] grownBody(byte[] b, boolean shift) {
            byte[] g = java.util.Arrays.copyOfRange(b, shift ? 1 : 0, b.length + 1);
            g[g.length - 1] = GROWN_BYTE;
            return g;
        }

        /** The ETag of the version that {@link Fault#OBJECT_CHANGED} makes of a version with {@code etag}. */
        static String changedTag(String etag) {
            return etag == null ? "\"changed\"" : etag.endsWith("\"") ? etag.substring(0, etag.length() - 1)
                    + "-changed\"" : etag + "-changed";
        }

        /** The same answer from another version of the object: another ETag, every byte inverted. */
        Upstream changed() {
            String newTag = changedTag(etag);
            List<String> h = new ArrayList<>();
            for (String line : headers) {
                h.add(line.regionMatches(true, 0, "ETag:", 0, 5) ? "ETag: " + newTag : line);
            }
            if (etag == null) {
                h.add("ETag: " + newTag);
            }
            byte[] b = body.clone();
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) ~b[i];
            }
            return new Upstream(statusLine, h, newTag, b);
        }
    }

    /** What {@link #awaitEtag} gives for a first version without an ETag. */
    private static final String NO_ETAG = "\"none\"";

    /** The first version's ETag, once the request that changed the object has it ({@link #NO_ETAG} if none). */
    private String awaitEtag(CompletableFuture<String> etag) throws IOException {
        try {
            String e = etag.get(10, TimeUnit.SECONDS);
            return e != null ? e : NO_ETAG;
        } catch (InterruptedException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            throw new IOException("no first version to change from", e);
        }
    }

    /** Sends a request on to the server, without its If-Match when {@code dropIfMatch}. */
    private Upstream forward(Request request, String[] lines, byte[] requestBody, boolean dropIfMatch)
            throws IOException {
        try (Socket s = new Socket(upstreamHost, upstreamPort)) {
            open.add(s);
            try {
                StringBuilder b = new StringBuilder(lines[0]).append("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    String name = lines[i].contains(":") ? lines[i].substring(0, lines[i].indexOf(':')).strip()
                            .toLowerCase(Locale.ROOT) : "";
                    if (!name.equals("connection") && !name.equals("keep-alive")
                            && !(dropIfMatch && name.equals("if-match"))) {
                        b.append(lines[i]).append("\r\n");
                    }
                }
                b.append("Connection: close\r\n\r\n");
                OutputStream out = s.getOutputStream();
                out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(requestBody);
                out.flush();
                InputStream in = s.getInputStream();
                String head = HttpHead.read(in);
                if (head == null) {
                    throw new EOFException("the server closed without an answer");
                }
                String[] h = head.split("\r\n");
                List<String> kept = new ArrayList<>();
                long length = -1;
                boolean chunked = false;
                String etag = null;
                for (int i = 1; i < h.length; i++) {
                    int c = h[i].indexOf(':');
                    if (c <= 0) {
                        continue;
                    }
                    String name = h[i].substring(0, c).strip().toLowerCase(Locale.ROOT);
                    String value = h[i].substring(c + 1).strip();
                    switch (name) {
                        case "content-length" -> {
                            length = parseLong(value, -1);
                            if (request.method().equalsIgnoreCase("HEAD")) {
                                kept.add(h[i]); // a HEAD's says the object's size, not its (empty) body's
                            }
                        }
                        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                        case "connection", "keep-alive" -> { }
                        default -> {
                            if (name.equals("etag")) {
                                etag = value;
                            }
                            kept.add(h[i]);
                        }
                    }
                }
                int status = Integer.parseInt(h[0].split(" ")[1]);
                byte[] body;
                if (request.method().equalsIgnoreCase("HEAD") || status == 204 || status == 304) {
                    body = new byte[0];
                } else if (chunked) {
                    body = readChunked(in);
                } else if (length >= 0) {
                    body = in.readNBytes((int) length);
                } else {
                    body = in.readAllBytes();
                }
                return new Upstream(h[0], kept, etag, body);
            } finally {
                open.remove(s);
            }
        }
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            int semi = line.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).strip(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        if (c < 0 && b.isEmpty()) {
            throw new EOFException("the connection closed inside a chunked body");
        }
        return b.toString();
    }

    private static long parseLong(String s, long otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static byte[] error(String code, String message) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>fault-proxy</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] answer(int status, String reason, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Ends every stall, closes every connection and waits (a few seconds at most) for the proxy's threads. */
    @Override
    public void close() throws InterruptedException {
        closing.countDown();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        acceptor.join(TimeUnit.SECONDS.toMillis(5));
        open.forEach(FaultProxy::closeQuietly);
        handlers.shutdownNow();
        if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the fault proxy's threads did not end");
        }
    }
}
