package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;
import io.zarrfetch.testkit.HttpHead;

/** What a worker does with the parts it is given: a first part, a probe, an object without a size. */
class WorkerTest {
    static final int PART = 64 * 1024;
    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();
    final RunCounters counters = new RunCounters();
    final BufferPool pool = new BufferPool(1 << 20, false);
    final Map<String, byte[]> delivered = new ConcurrentHashMap<>();

    /** The rooms of a run around one worker, run on the test's thread. */
    final class Run {
        final Destination destination;
        final Scheduler scheduler;
        final Transfer transfer;
        final Worker worker;

        Run(Sink sink) {
            destination = Destination.of(sink, pool, counters, PART);
            scheduler = new Scheduler(PART, 1, destination, counters);
            transfer = new Transfer(destination, scheduler, counters);
            worker = new Worker(FetchOptions.defaults().withConcurrency(1).withPartSize(PART), scheduler, transfer,
                    destination);
        }

        void fetch(FetchItem... items) throws InterruptedException {
            scheduler.feed(java.util.stream.Stream.of(items), transfer::job);
            scheduler.workersToStart();
            worker.work();
            destination.awaitHandedOver();
        }
    }

    Sink collect() {
        return Sink.bytes((item, bytes) -> delivered.put(item.name(), bytes));
    }

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aProbeLearnsTheSizeFromItsAnswerAndQueuesTheOtherParts() throws Exception {
        byte[] big = data(3 * PART + 100, 1);
        byte[] small = data(100, 2);
        store.put("big", big);
        store.put("small", small);
        Run run = new Run(collect());
        run.fetch(FetchItem.of(store, ObjectInfo.of("big")), FetchItem.of(store, ObjectInfo.of("small")));
        assertThat(delivered.get("big")).isEqualTo(big);
        assertThat(delivered.get("small")).isEqualTo(small);
        assertThat(counters.requests).as("a probe and 3 more parts; one GET for the small one").hasValue(4 + 1);
    }

    @Test
    void aProbedObjectWithoutRoomNowGoesBackToTheInputWithItsSize() throws Exception {
        byte[] big = data(700 * 1024, 3);
        store.put("big", big);
        store.put("other", data(10, 4));
        Run run = new Run(collect());
        // Another fetch holds most of the memory until the probe has learned the size.
        java.nio.ByteBuffer held = pool.tryAcquire(600 * 1024);
        Job probe = run.transfer.job(FetchItem.of(store, ObjectInfo.of("big")));
        probe.partsOpen.set(1);
        run.scheduler.feed(java.util.stream.Stream.empty(), i -> null);
        run.worker.run(new Job.Part(probe, 0, 0, PART, true), null);
        assertThat(probe.buffer).as("no room: not started").isNull();
        pool.release(held);
        run.scheduler.workersToStart();
        run.worker.work(); // the requeued object, its size known: no probe this time
        run.destination.awaitHandedOver();
        assertThat(delivered.get("big")).isEqualTo(big);
        assertThat(counters.requests.get()).as("the probe, then 11 parts").isEqualTo(1 + 11);
    }

    @Test
    void theFirstPartOpensTheFileAndQueuesTheOthers() throws Exception {
        byte[] big = data(2 * PART + 7, 5);
        store.put("dir/big", big);
        Run run = new Run(Sink.files(tmp));
        run.fetch(new FetchItem(store, new ObjectInfo("dir/big", big.length, null), "dir/big"));
        assertThat(Files.readAllBytes(tmp.resolve("dir/big"))).isEqualTo(big);
        assertThat(counters.requests).hasValue(3);
        assertThat(FileSinkTest.tree(tmp)).containsExactly("dir", "dir/big");
    }

    @Test
    void anObjectWhoseServerTellsNoSizeIsReadToItsEnd() throws Exception {
        byte[] body = data(200_000, 6);
        List<String> requests = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Stores stores = new Stores(StoreOptions.defaults())) {
            Thread serving = Thread.ofVirtual().start(() -> serveChunked(server, body, requests));
            Store http = stores.locate("http://127.0.0.1:" + server.getLocalPort() + "/").store();
            Run run = new Run(collect());
            run.fetch(new FetchItem(http, ObjectInfo.of("stream"), "stream"));
            assertThat(delivered.get("stream")).isEqualTo(body);
            assertThat(requests).hasSize(2);
            assertThat(requests.get(0)).contains("Range: bytes=0-" + (PART - 1));
            assertThat(requests.get(1)).as("then a plain GET, read to its end").doesNotContain("Range:");
            server.close();
            serving.join();
        }
    }

    /** Answers every GET with a 200 in chunked encoding, without a size, ignoring any Range. */
    static void serveChunked(ServerSocket server, byte[] body, List<String> requests) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                requests.add(HttpHead.read(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                for (int at = 0; at < body.length; at += 50_000) {
                    int n = Math.min(50_000, body.length - at);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, at, n);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // closed: the test is over
            }
        }
    }
}
