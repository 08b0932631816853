package io.zarrfetch.bench.http;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * One benchmark run in this JVM: fetch every object of the data set once with one client, one
 * destination kind and one concurrency, then print one JSON line of figures.
 *
 * <p>Model (like the engine): {@code conc} virtual-thread workers, each owning one reusable
 * destination buffer sized to the largest object; a worker takes the next object, fetches it into its
 * buffer, checks the length, and goes on. Sizes are known up front (from the manifest, as the engine
 * knows them from an S3 listing).
 *
 * <pre>
 * Bench --base http://127.0.0.1:PORT/ --data DIR --client jetty-src|jetty-isl|apache|jdk-is|jdk-sub|raw-nio
 *       --dest heap|direct --conc N [--run-id ID] [--verify] [--files N] [--opt key=value]...
 * </pre>
 */
public final class Bench {

    /** One destination buffer; {@code array} is non-null for heap buffers. */
    public static final class Slot {
        final byte[] array;
        final ByteBuffer buf;
        byte[] stage; // staging array for stream clients writing into a direct buffer
        Object conn; // per-slot connection state for clients that keep one (raw-nio)

        Slot(int capacity, boolean direct) {
            if (direct) {
                array = null;
                buf = ByteBuffer.allocateDirect(capacity);
            } else {
                array = new byte[capacity];
                buf = ByteBuffer.wrap(array);
            }
        }
    }

    /** A client under test. */
    public interface Fetcher extends AutoCloseable {
        /**
         * Fetches {@code uri} into {@code slot.buf} (cleared by the caller), returns the number of
         * body bytes received (the buffer's position afterwards must equal it).
         */
        long fetch(URI uri, long expected, Slot slot) throws Exception;

        /** Free-form description of the settings actually used. */
        String describe();
    }

    record Obj(String name, int size, long crc) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--verify" -> o.put("verify", "true");
                case "--opt" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    opts.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> {
                    if (!a.startsWith("--")) {
                        throw new IllegalArgumentException("bad arg " + a);
                    }
                    o.put(a.substring(2), args[++i]);
                }
            }
        }
        String base = o.get("base");
        Path data = Path.of(o.get("data"));
        String clientName = o.get("client");
        boolean direct = switch (o.getOrDefault("dest", "heap")) {
            case "heap" -> false;
            case "direct" -> true;
            default -> throw new IllegalArgumentException("dest");
        };
        int conc = Integer.parseInt(o.getOrDefault("conc", "1"));
        String runId = o.getOrDefault("run-id", "x");
        boolean verify = Boolean.parseBoolean(o.getOrDefault("verify", "false"));

        List<Obj> objs = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            objs.add(new Obj(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2], 16)));
        }
        if (o.containsKey("files")) {
            objs = objs.subList(0, Math.min(objs.size(), Integer.parseInt(o.get("files"))));
        }
        int maxSize = objs.stream().mapToInt(Obj::size).max().orElseThrow();
        long totalBytes = objs.stream().mapToLong(Obj::size).sum();
        URI[] uris = new URI[objs.size()];
        for (int i = 0; i < uris.length; i++) {
            uris[i] = URI.create(base + objs.get(i).name());
        }

        // Destination pool: one buffer per in-flight request, allocated and touched before timing.
        Slot[] slots = new Slot[conc];
        for (int i = 0; i < conc; i++) {
            slots[i] = new Slot(maxSize, direct);
            for (int p = 0; p < maxSize; p += 4096) {
                slots[i].buf.put(p, (byte) 1);
            }
        }

        Fetcher fetcher = Clients.create(clientName, conc, direct, runId, opts);

        // Optional warm-up (not measured): fetch the first K objects with the same workers, so that the
        // measured phase shows steady-state costs rather than class loading and JIT compilation.
        int warmup = Math.min(uris.length, Integer.parseInt(o.getOrDefault("warmup", "0")));
        long warmupBytes = 0;
        if (warmup > 0) {
            Throwable f = phase(fetcher, objs, uris, warmup, slots, false, new long[conc], new int[conc]);
            if (f != null) {
                f.printStackTrace();
                System.exit(2);
            }
            for (int i = 0; i < warmup; i++) {
                warmupBytes += objs.get(i).size();
            }
        }

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!tmx.isThreadAllocatedMemoryEnabled()) {
            tmx.setThreadAllocatedMemoryEnabled(true);
        }
        long[] gc0 = gcTotals();
        long alloc0 = tmx.getTotalThreadAllocatedBytes();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();

        long[] crcNanos = new long[conc];
        int[] crcBad = new int[conc];
        Throwable failure = phase(fetcher, objs, uris, uris.length, slots, verify, crcNanos, crcBad);

        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        long alloc1 = tmx.getTotalThreadAllocatedBytes();
        long[] gc1 = gcTotals();
        String describe = fetcher.describe();
        fetcher.close();

        if (failure != null) {
            failure.printStackTrace();
            System.exit(2);
        }
        double wall = (t1 - t0) / 1e9;
        double cpuFetch = (cpu1 - cpu0) / 1e9;
        double gb = totalBytes / 1e9;
        long alloc = alloc1 - alloc0;
        int bad = 0;
        long crcNs = 0;
        for (int i = 0; i < conc; i++) {
            bad += crcBad[i];
            crcNs += crcNanos[i];
        }
        Map<String, String> status = procStatus();
        double procCpu = procSelfCpuSeconds(Long.parseLong(System.getProperty("clk.tck", "100")));

        StringBuilder j = new StringBuilder("{");
        field(j, "client", clientName);
        field(j, "dest", direct ? "direct" : "heap");
        field(j, "conc", conc);
        field(j, "opts", opts.toString());
        field(j, "settings", describe);
        field(j, "run_id", runId);
        field(j, "files", objs.size());
        field(j, "bytes", totalBytes);
        field(j, "warmup_files", warmup);
        field(j, "warmup_bytes", warmupBytes);
        field(j, "wall_s", wall);
        field(j, "gbps", gb / wall);
        field(j, "cpu_fetch_s", cpuFetch);
        field(j, "cpu_fetch_s_per_gb", cpuFetch / gb);
        field(j, "alloc_fetch_bytes", alloc);
        field(j, "alloc_bytes_per_gb", alloc / gb);
        field(j, "gc_count", gc1[0] - gc0[0]);
        field(j, "gc_ms", gc1[1] - gc0[1]);
        field(j, "proc_cpu_s", procCpu);
        field(j, "vmhwm_kb", kb(status.get("VmHWM")));
        field(j, "vmrss_kb", kb(status.get("VmRSS")));
        field(j, "verify", verify);
        if (verify) {
            field(j, "crc_bad", bad);
            field(j, "crc_cpu_s", crcNs / 1e9);
        }
        j.setLength(j.length() - 1);
        j.append('}');
        System.out.println(j);
        if (bad != 0) {
            System.exit(3);
        }
    }

    /** Fetches objects [0, count) with one virtual-thread worker per slot; returns the first failure. */
    private static Throwable phase(Fetcher fetcher, List<Obj> objs, URI[] uris, int count, Slot[] slots,
            boolean verify, long[] crcNanos, int[] crcBad) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[slots.length];
        for (int w = 0; w < slots.length; w++) {
            final int wi = w;
            workers[w] = Thread.ofVirtual().name("worker-" + w).start(() -> {
                Slot slot = slots[wi];
                CRC32C crc = verify ? new CRC32C() : null;
                try {
                    for (int i; (i = next.getAndIncrement()) < count && failure.get() == null; ) {
                        Obj obj = objs.get(i);
                        slot.buf.clear();
                        long got = fetcher.fetch(uris[i], obj.size(), slot);
                        if (got != obj.size() || slot.buf.position() != obj.size()) {
                            throw new IOException(obj.name() + ": got " + got + " bytes (buffer position "
                                    + slot.buf.position() + "), expected " + obj.size());
                        }
                        if (crc != null) {
                            long c0 = System.nanoTime();
                            crc.reset();
                            crc.update(slot.buf.duplicate().flip());
                            if (crc.getValue() != obj.crc()) {
                                crcBad[wi]++;
                            }
                            crcNanos[wi] += System.nanoTime() - c0;
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
        }
        for (Thread t : workers) {
            t.join();
        }
        return failure.get();
    }

    private static long[] gcTotals() {
        long n = 0;
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {n, ms};
    }

    /** user + system CPU of this process so far, from /proc/self/stat (fields 14 and 15). */
    static double procSelfCpuSeconds(long clkTck) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime is field 14 -> f[11], stime field 15 -> f[12]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clkTck;
    }

    static Map<String, String> procStatus() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            int c = line.indexOf(':');
            if (c > 0) {
                m.put(line.substring(0, c), line.substring(c + 1).trim());
            }
        }
        return m;
    }

    private static long kb(String v) {
        return v == null ? -1 : Long.parseLong(v.replace("kB", "").trim());
    }

    private static void field(StringBuilder j, String k, Object v) {
        j.append('"').append(k).append("\":");
        if (v instanceof String s) {
            j.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else if (v instanceof Double d) {
            j.append(String.format(java.util.Locale.ROOT, "%.6g", d));
        } else {
            j.append(v);
        }
        j.append(',');
    }
}
