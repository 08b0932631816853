package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.HttpFileServer;
import io.zarrfetch.testkit.S3Server;

/**
 * Cancelling a fetch whose requests are all stalled mid-body (the proxy sent the head and half of each answer, then
 * holds the rest back for an hour): the fetch ends, its connections are closed, no partial file is left and no
 * buffer is held. The read timeout is 10 minutes, so only the cancellation can end these fetches within the tests'
 * hang guards ({@link Timeout}).
 */
class CancelTest {
    static final String BUCKET = "cancel";
    static final int SIZE = 200_000;
    static final int PART = 64 * 1024;
    static final int CONCURRENCY = 3;
    /** Every request asks for one 64 KiB part (or probe), and the proxy sends half of it before stalling. */
    static final long RECEIVED_BEFORE_STALL = CONCURRENCY * (PART / 2L);

    static S3Server s3;
    static HttpFileServer http;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        for (int i = 0; i < 4; i++) {
            byte[] d = new byte[SIZE];
            new Random(i).nextBytes(d);
            s3.put(BUCKET, "big-" + i, d);
        }
        http = HttpFileServer.start(s3.root().resolve(BUCKET)); // the same files over plain HTTP
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        s3.close();
    }

    /** A proxy that stalls every object GET mid-body for an hour (the listing passes). */
    static FaultProxy stallingProxy(boolean viaS3) throws Exception {
        return FaultProxy.start(viaS3 ? s3.endpoint() : http.url(), 1).stall(Duration.ofHours(1))
                .add(Rule.sometimes(1.0, Fault.STALL_MID_BODY).onMethod("GET").onPath("/big-"));
    }

    static Stores stores(boolean viaS3, FaultProxy proxy) {
        StoreOptions o = StoreOptions.defaults().withEndpoint(viaS3 ? proxy.endpoint() : null).withAnonymous(true)
                .withReadTimeout(Duration.ofMinutes(10));
        return new Stores(o);
    }

    /** The four objects: listed over S3 (sizes known), or named by URL over HTTP (sizes unknown: probed). */
    static List<FetchItem> items(boolean viaS3, Stores stores, FaultProxy proxy) {
        if (viaS3) {
            Store store = stores.locate("s3://" + BUCKET + "/").store();
            return store.list("big-").map(o -> FetchItem.of(store, o)).toList();
        }
        Store store = stores.locate(proxy.url().toString()).store();
        return Stream.of("big-0", "big-1", "big-2", "big-3").map(k -> new FetchItem(store, ObjectInfo.of(k), k))
                .toList();
    }

    static Fetcher fetcher() {
        return new Fetcher(FetchOptions.defaults().withConcurrency(CONCURRENCY).withPartSize(PART));
    }

    /** Polls a condition until it holds; false if {@code limit} passed first (a guard, not a measurement). */
    static boolean eventually(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** The objects the proxy has seen requests for. */
    static List<String> started(FaultProxy proxy) {
        return proxy.requests().stream().map(q -> q.target().replaceAll(".*/(big-\\d).*", "$1"))
                .filter(t -> t.startsWith("big-")).distinct().sorted().toList();
    }

    static List<String> tree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @ParameterizedTest(name = "into {0} via {1}")
    @CsvSource({"files, S3", "files, HTTP", "view, S3", "view, HTTP", "stream, S3", "stream, HTTP"})
    @Timeout(60) // a hang guard: without the cancellation, the stalls last an hour and the read timeout 10 minutes
    void cancelEndsStalledRequestsClosesTheirConnectionsAndLeavesNothingPartial(String into, String via)
            throws Exception {
        boolean viaS3 = via.equals("S3");
        boolean toFiles = into.equals("files");
        Path dest = tmp.resolve("dest");
        List<String> delivered = new CopyOnWriteArrayList<>();
        Sink sink = switch (into) {
            case "files" -> Sink.files(dest);
            case "view" -> Sink.view((item, data) -> delivered.add(item.name()));
            default -> Sink.stream(item -> new Sink.ObjectStream() { // no part completes: none is opened
                @Override
                public void write(java.nio.ByteBuffer data) {
                    delivered.add(item.name());
                }

                @Override
                public void complete(FetchItem i) {
                    delivered.add(i.name());
                }
            });
        };
        try (FaultProxy proxy = stallingProxy(viaS3);
                Stores stores = stores(viaS3, proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(viaS3, stores, proxy);
            assertThat(items).hasSize(4);
            FetchRun run = fetcher.start(items.stream(), sink);

            // Every request is in flight and stalled (server side), and its first half has arrived (client side).
            assertThat(proxy.awaitStalls(CONCURRENCY, Duration.ofSeconds(30))).isTrue();
            assertThat(eventually(() -> run.progress().bytesReceived() >= RECEIVED_BEFORE_STALL,
                    Duration.ofSeconds(30))).as("bytes received: %s", run.progress()).isTrue();
            assertThat(run.progress().bytesReceived()).isEqualTo(RECEIVED_BEFORE_STALL);
            assertThat(run.progress().requestsActive()).isEqualTo(CONCURRENCY);
            if (toFiles) {
                assertThat(tree(dest)).as("partial files exist before the cancel").isNotEmpty()
                        .allSatisfy(name -> assertThat(name).startsWith(".zf-").endsWith(".part"));
            } else {
                assertThat(fetcher.bufferBytes()).isPositive();
            }

            run.cancel();
            FetchReport r = run.await();

            assertThat(r.cancelled()).isTrue();
            assertThat(r.ok()).isFalse();
            assertThat(r.objects()).isZero();
            assertThat(r.bytesReceived()).isEqualTo(RECEIVED_BEFORE_STALL);
            // The objects under way are reported, each naming its URL; those not started are left out.
            assertThat(r.failures()).map(FetchFailure::name).containsExactlyInAnyOrderElementsOf(started(proxy));
            assertThat(r.failures()).allSatisfy(f -> assertThat(f.describe()).contains(f.url()));
            assertThat(run.progress().requestsActive()).isZero();
            assertThat(tree(dest)).as("no partial file").isEmpty();
            assertThat(delivered).isEmpty();
            fetcher.close(); // drops the idle buffers: what is left would still be lent out
            assertThat(fetcher.bufferBytes()).as("every buffer given back").isZero();
            assertThat(proxy.awaitStallsAbandoned(CONCURRENCY, Duration.ofSeconds(30)))
                    .as("the proxy saw every stalled connection closed (%d)", proxy.stallsAbandoned()).isTrue();
            assertThat(proxy.requests()).as("no request after the cancel").hasSize(viaS3 ? CONCURRENCY + 1
                    : CONCURRENCY);
        }
    }

    /** A cancelled library call: interrupting the thread blocked in {@link Fetcher#fetch} cancels its fetch. */
    @Test
    @Timeout(60) // a hang guard, as above
    void interruptingTheFetchingThreadCancelsTheFetch() throws Exception {
        Path dest = tmp.resolve("dest");
        try (FaultProxy proxy = stallingProxy(false);
                Stores stores = stores(false, proxy);
                Fetcher fetcher = fetcher()) {
            List<FetchItem> items = items(false, stores, proxy);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().name("fetching").start(() -> {
                try {
                    fetcher.fetch(items.stream(), Sink.files(dest));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertThat(proxy.awaitStalls(CONCURRENCY, Duration.ofSeconds(30))).isTrue();
            // A partial file per object under way: usually one per worker, but a worker that starts late may take
            // the second part of an object already probed rather than a new object (parts come first).
            assertThat(eventually(() -> {
                try {
                    return tree(dest).size() == started(proxy).size();
                } catch (Exception e) {
                    return false; // a file renamed while listed
                }
            }, Duration.ofSeconds(30))).as("a partial file per object under way: %s for %s", tree(dest),
                    started(proxy)).isTrue();

            caller.interrupt();
            caller.join();

            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(tree(dest)).as("no partial file").isEmpty();
            fetcher.close();
            assertThat(fetcher.bufferBytes()).as("every buffer given back").isZero();
            assertThat(proxy.awaitStallsAbandoned(CONCURRENCY, Duration.ofSeconds(30))).isTrue();
        }
    }
}
