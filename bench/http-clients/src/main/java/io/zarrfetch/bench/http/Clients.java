package io.zarrfetch.bench.http;

import io.zarrfetch.bench.http.Bench.Fetcher;
import io.zarrfetch.bench.http.Bench.Slot;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient.Redirect;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/** The clients under test. Options are passed as {@code --opt key=value}; see each factory. */
final class Clients {
    private Clients() {}

    static final String RUN_HEADER = "X-Bench-Run";

    static Fetcher create(String name, int conc, boolean direct, String runId, Map<String, String> opts)
            throws Exception {
        return switch (name) {
            case "jetty-src" -> new JettySource(conc, runId, opts);
            case "jetty-isl" -> new JettyInputStream(conc, runId, opts);
            case "apache" -> new Apache(conc, runId, opts);
            case "jdk-is" -> new JdkInputStream(conc, runId, opts);
            case "jdk-sub" -> new JdkSubscriber(conc, runId, opts);
            case "raw-nio" -> new RawNio(runId, opts);
            default -> throw new IllegalArgumentException("unknown client " + name);
        };
    }

    static int intOpt(Map<String, String> opts, String key, int def) {
        String v = opts.get(key);
        return v == null ? def : Integer.parseInt(v);
    }

    /**
     * Reads a whole body from a blocking stream into the slot: straight into the heap array, or
     * through a reusable staging array into a direct buffer. Reads at most {@code chunk} bytes per
     * call. Reads to EOF (so the connection is released for reuse) and fails on any excess byte.
     */
    static long readStream(InputStream in, Slot slot, int chunk, int stageSize) throws IOException {
        ByteBuffer buf = slot.buf;
        long n = 0;
        if (slot.array != null) {
            byte[] a = slot.array;
            int off = buf.position();
            int cap = buf.limit();
            while (true) {
                if (off == cap) {
                    if (in.read() != -1) {
                        throw new IOException("body larger than destination buffer");
                    }
                    break;
                }
                int r = in.read(a, off, Math.min(chunk, cap - off));
                if (r < 0) {
                    break;
                }
                off += r;
                n += r;
            }
            buf.position(off);
        } else {
            byte[] stage = slot.stage;
            if (stage == null || stage.length != stageSize) {
                stage = slot.stage = new byte[stageSize];
            }
            while (true) {
                int r = in.read(stage, 0, stage.length);
                if (r < 0) {
                    break;
                }
                if (r > buf.remaining()) {
                    throw new IOException("body larger than destination buffer");
                }
                buf.put(stage, 0, r);
                n += r;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // Jetty 12

    static HttpClient newJetty(int conc, Map<String, String> opts) throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(intOpt(opts, "jetty.selectors", 1));
        int rcv = intOpt(opts, "rcvbuf", -1);
        if (rcv > 0) {
            connector.setReceiveBufferSize(rcv);
        }
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        int poolMax = intOpt(opts, "jetty.poolmax", -1);
        if (poolMax > 0) { // ArrayByteBufferPool(minCapacity, factor, maxCapacity): pool buffers up to poolMax
            client.setByteBufferPool(new ArrayByteBufferPool(0, 4096, poolMax));
        }
        client.setMaxConnectionsPerDestination(conc);
        client.setFollowRedirects(false);
        client.setResponseBufferSize(intOpt(opts, "jetty.rbs", client.getResponseBufferSize()));
        if (opts.containsKey("jetty.directin")) {
            client.setUseInputDirectByteBuffers(Boolean.parseBoolean(opts.get("jetty.directin")));
        }
        String exec = opts.getOrDefault("jetty.executor", "qtp");
        if (exec.equals("virtual")) {
            client.setExecutor(new VirtualThreadPool());
        } else {
            QueuedThreadPool qtp = new QueuedThreadPool();
            qtp.setName("jetty-client");
            client.setExecutor(qtp);
        }
        client.getContentDecoderFactories().clear(); // no Accept-Encoding: we want the bytes as stored
        client.start();
        return client;
    }

    static String describeJetty(HttpClient c, Map<String, String> opts) {
        return "responseBufferSize=" + c.getResponseBufferSize() + " inputDirect=" + c.isUseInputDirectByteBuffers()
                + " executor=" + opts.getOrDefault("jetty.executor", "qtp") + " selectors="
                + opts.getOrDefault("jetty.selectors", "1") + " pool=" + c.getByteBufferPool();
    }

    /**
     * Jetty async: Response.ContentSourceListener with a read/demand loop copying each chunk into the
     * destination ByteBuffer and releasing it at once. The worker (a virtual thread) only waits.
     */
    static final class JettySource implements Fetcher {
        final HttpClient client;
        final String runId;
        final Map<String, String> opts;

        JettySource(int conc, String runId, Map<String, String> opts) throws Exception {
            this.client = newJetty(conc, opts);
            this.runId = runId;
            this.opts = opts;
        }

        @Override
        public long fetch(URI uri, long expected, Slot slot) throws Exception {
            Sink sink = new Sink(slot.buf);
            client.newRequest(uri)
                    .headers(h -> h.put(RUN_HEADER, runId))
                    .timeout(60, TimeUnit.SECONDS)
                    .onResponseContentSource(sink)
                    .send(sink);
            return sink.done.get();
        }

        static final class Sink implements Response.ContentSourceListener, Response.CompleteListener, Runnable {
            final ByteBuffer dst;
            final CompletableFuture<Long> done = new CompletableFuture<>();
            Content.Source source;
            long bytes;
            volatile boolean last;

            Sink(ByteBuffer dst) {
                this.dst = dst;
            }

            @Override
            public void onContentSource(Response response, Content.Source source) {
                if (response.getStatus() != 200) {
                    source.fail(new IOException("HTTP " + response.getStatus()));
                    return;
                }
                this.source = source;
                run();
            }

            /** Read until no chunk is available, then demand a callback to this same method. */
            @Override
            public void run() {
                while (true) {
                    Content.Chunk chunk = source.read();
                    if (chunk == null) {
                        source.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        done.completeExceptionally(chunk.getFailure());
                        return;
                    }
                    ByteBuffer b = chunk.getByteBuffer();
                    int n = b.remaining();
                    if (n > dst.remaining()) {
                        chunk.release();
                        source.fail(new IOException("body larger than destination buffer"));
                        return;
                    }
                    dst.put(b);
                    bytes += n;
                    boolean isLast = chunk.isLast();
                    chunk.release();
                    if (isLast) {
                        last = true;
                        return;
                    }
                }
            }

            @Override
            public void onComplete(Result result) {
                if (result.isFailed()) {
                    done.completeExceptionally(result.getFailure());
                } else if (result.getResponse().getStatus() != 200) {
                    done.completeExceptionally(new IOException("HTTP " + result.getResponse().getStatus()));
                } else if (!last) {
                    done.completeExceptionally(new IOException("complete before last chunk"));
                } else {
                    done.complete(bytes);
                }
            }
        }

        @Override
        public String describe() {
            return "ContentSourceListener read/demand loop; " + describeJetty(client, opts);
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }

    /** Jetty with InputStreamResponseListener, read on the worker's virtual thread. */
    static final class JettyInputStream implements Fetcher {
        final HttpClient client;
        final String runId;
        final Map<String, String> opts;
        final int chunk;
        final int stage;

        JettyInputStream(int conc, String runId, Map<String, String> opts) throws Exception {
            this.client = newJetty(conc, opts);
            this.runId = runId;
            this.opts = opts;
            this.chunk = intOpt(opts, "chunk", Integer.MAX_VALUE);
            this.stage = intOpt(opts, "stage", 1 << 16);
        }

        @Override
        public long fetch(URI uri, long expected, Slot slot) throws Exception {
            InputStreamResponseListener l = new InputStreamResponseListener();
            client.newRequest(uri).headers(h -> h.put(RUN_HEADER, runId)).timeout(60, TimeUnit.SECONDS).send(l);
            Response r = l.get(60, TimeUnit.SECONDS);
            try (InputStream in = l.getInputStream()) {
                if (r.getStatus() != 200) {
                    throw new IOException("HTTP " + r.getStatus());
                }
                return readStream(in, slot, chunk, stage);
            }
        }

        @Override
        public String describe() {
            return "InputStreamResponseListener; read chunk=" + chunk + "; " + describeJetty(client, opts);
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Apache HttpClient 5 classic

    static final class Apache implements Fetcher {
        final CloseableHttpClient client;
        final PoolingHttpClientConnectionManager cm;
        final String runId;
        final int chunk;
        final int stage;
        final String desc;

        Apache(int conc, String runId, Map<String, String> opts) {
            this.runId = runId;
            this.chunk = intOpt(opts, "chunk", Integer.MAX_VALUE);
            this.stage = intOpt(opts, "stage", 1 << 16);
            int bufsize = intOpt(opts, "apache.bufsize", 8192);
            SocketConfig.Builder sc = SocketConfig.custom().setTcpNoDelay(true)
                    .setSoTimeout(Timeout.ofSeconds(60));
            int rcv = intOpt(opts, "rcvbuf", -1);
            if (rcv > 0) {
                sc.setRcvBufSize(rcv);
            }
            this.cm = PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(conc)
                    .setMaxConnTotal(conc)
                    .setDefaultSocketConfig(sc.build())
                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(10))
                            .setSocketTimeout(Timeout.ofSeconds(60))
                            .build())
                    .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                            .http1Config(Http1Config.custom().setBufferSize(bufsize).build())
                            .build())
                    .build();
            this.client = HttpClients.custom()
                    .setConnectionManager(cm)
                    .disableContentCompression()
                    .disableAutomaticRetries()
                    .disableRedirectHandling()
                    .disableCookieManagement()
                    .disableAuthCaching()
                    .build();
            this.desc = "classic execute(HttpGet, handler) entity InputStream; Http1Config.bufferSize=" + bufsize
                    + " read chunk=" + chunk + " rcvbuf=" + rcv + " maxPerRoute=" + conc;
        }

        @Override
        public long fetch(URI uri, long expected, Slot slot) throws Exception {
            HttpGet get = new HttpGet(uri);
            get.addHeader(RUN_HEADER, runId);
            return client.execute(get, response -> {
                if (response.getCode() != 200) {
                    throw new IOException("HTTP " + response.getCode());
                }
                HttpEntity e = response.getEntity();
                try (InputStream in = e.getContent()) {
                    return readStream(in, slot, chunk, stage);
                }
            });
        }

        @Override
        public String describe() {
            return desc;
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // java.net.http

    static java.net.http.HttpClient newJdk(Map<String, String> opts) {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder()
                .version(Version.HTTP_1_1)
                .followRedirects(Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
        if ("virtual".equals(opts.get("jdk.executor"))) {
            b.executor(Executors.newVirtualThreadPerTaskExecutor());
        }
        return b.build();
    }

    static String describeJdk(Map<String, String> opts) {
        return "HTTP_1_1 executor=" + opts.getOrDefault("jdk.executor", "default") + " jdk.httpclient.bufsize="
                + System.getProperty("jdk.httpclient.bufsize", "16384(default)");
    }

    static final class JdkInputStream implements Fetcher {
        final java.net.http.HttpClient client;
        final String runId;
        final Map<String, String> opts;
        final int chunk;
        final int stage;

        JdkInputStream(int conc, String runId, Map<String, String> opts) {
            this.client = newJdk(opts);
            this.runId = runId;
            this.opts = opts;
            this.chunk = intOpt(opts, "chunk", Integer.MAX_VALUE);
            this.stage = intOpt(opts, "stage", 1 << 16);
        }

        @Override
        public long fetch(URI uri, long expected, Slot slot) throws Exception {
            HttpRequest req = HttpRequest.newBuilder(uri).header(RUN_HEADER, runId)
                    .timeout(Duration.ofSeconds(60)).GET().build();
            HttpResponse<InputStream> r = client.send(req, BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                return readStream(in, slot, chunk, stage);
            }
        }

        @Override
        public String describe() {
            return "send(ofInputStream) read chunk=" + chunk + "; " + describeJdk(opts);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** java.net.http with a BodySubscriber that copies each ByteBuffer into the destination in onNext. */
    static final class JdkSubscriber implements Fetcher {
        final java.net.http.HttpClient client;
        final String runId;
        final Map<String, String> opts;

        JdkSubscriber(int conc, String runId, Map<String, String> opts) {
            this.client = newJdk(opts);
            this.runId = runId;
            this.opts = opts;
        }

        @Override
        public long fetch(URI uri, long expected, Slot slot) throws Exception {
            HttpRequest req = HttpRequest.newBuilder(uri).header(RUN_HEADER, runId)
                    .timeout(Duration.ofSeconds(60)).GET().build();
            BodyHandler<Long> handler = info -> info.statusCode() == 200
                    ? new CopySubscriber(slot.buf)
                    : BodySubscribers.replacing(-1L);
            HttpResponse<Long> r = client.send(req, handler);
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            return r.body();
        }

        static final class CopySubscriber implements BodySubscriber<Long> {
            final ByteBuffer dst;
            final CompletableFuture<Long> result = new CompletableFuture<>();
            Flow.Subscription subscription;
            long bytes;

            CopySubscriber(ByteBuffer dst) {
                this.dst = dst;
            }

            @Override
            public CompletionStage<Long> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE); // onNext copies synchronously, so no need to pace
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    int n = b.remaining();
                    if (n > dst.remaining()) {
                        subscription.cancel();
                        result.completeExceptionally(new IOException("body larger than destination buffer"));
                        return;
                    }
                    dst.put(b);
                    bytes += n;
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(bytes);
            }
        }

        @Override
        public String describe() {
            return "send(custom BodySubscriber copying in onNext); " + describeJdk(opts);
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
