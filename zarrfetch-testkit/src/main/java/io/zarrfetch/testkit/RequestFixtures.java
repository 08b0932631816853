package io.zarrfetch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;

import io.zarrfetch.testkit.FaultOutcome.Request;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;

/**
 * What the tests of every kind of request read, put in a bucket of an {@link S3Server}: a prefix whose listing takes
 * three pages, a small sharded Zarr v3 array (its metadata, and shards whose indexes are at their ends) and an object
 * to HEAD; and the rule that gives a fault to the first request of each kind ({@link FaultOutcome.Request}).
 */
public final class RequestFixtures {
    /** 2,100 keys under {@code many/}: a listing of three pages, 1,000 keys a page. */
    public static final List<String> KEYS = IntStream.range(0, 2100).mapToObj(i -> String.format("many/k-%05d", i))
            .toList();
    /** The sharded array's files: {@code zarr.json} and the shards that exist. */
    private static final List<String> SHARDED = List.of("zarr.json", "c/0/0", "c/0/2", "c/1/1", "c/1/2", "c/2/0",
            "c/2/1");

    private RequestFixtures() {
    }

    /** The object of 10,000 bytes that the HEADs ask for. */
    public static final String ONE = "one";

    /** The servers a matrix sends its requests to: S3, and the same files over plain HTTP. */
    public record Servers(S3Server s3, HttpFileServer http) implements AutoCloseable {
        /** Where a fault proxy forwards to: the S3 endpoint, or the HTTP server. */
        public URI upstream(boolean viaS3) {
            return viaS3 ? s3.endpoint() : http.url();
        }

        @Override
        public void close() throws Exception {
            try (s3) {
                http.close();
            }
        }
    }

    /** Starts an S3 server holding all of it ({@link #put}) in {@code bucket}, and an HTTP server of that bucket. */
    public static Servers serve(String bucket) throws Exception {
        S3Server s3 = S3Server.start();
        try {
            s3.createBucket(bucket);
            put(s3, bucket);
            return new Servers(s3, HttpFileServer.start(s3.root().resolve(bucket)));
        } catch (Exception | Error e) {
            s3.close();
            throw e;
        }
    }

    /** Puts all of it: {@link #KEYS}, the sharded array under {@code arr/}, and {@link #ONE}. */
    public static void put(S3Server s3, String bucket) {
        putPages(s3, bucket);
        putShardedArray(s3, bucket, "arr/");
        s3.put(bucket, ONE, new byte[10_000]);
    }

    /**
     * The fault for the first request of a kind, of what {@link #put} put: the second page of the listing of
     * {@code many/}, the array's {@code zarr.json}, the index of its shard {@code c/0/0}, the HEAD of {@link #ONE}. A
     * change of the object follows a ranged GET, as in the object matrices: only an index's.
     */
    public static Rule rule(Request kind, Fault fault) {
        Rule r = switch (kind) {
            case LISTING -> Rule.first(1, fault).onMethod("GET").onPath("continuation-token");
            case METADATA -> Rule.first(1, fault).onMethod("GET").onPath("/arr/zarr.json");
            case SHARD_INDEX -> Rule.first(1, fault).onMethod("GET").onPath("/arr/c/0/0");
            case HEAD -> Rule.first(1, fault).onMethod("HEAD").onPath("/" + ONE);
        };
        return fault == Fault.OBJECT_CHANGED || fault == Fault.OBJECT_GREW ? r.onRanged(true) : r;
    }

    /** One case of a matrix: a kind of request, a fault, and whether the store is S3 (else plain HTTP). */
    public record Case(Request kind, Fault fault, boolean s3) {
    }

    /** Every kind of request with every fault, over S3 and plain HTTP where {@code over} says the kind goes. */
    public static List<Case> cases(BiPredicate<Request, Boolean> over) {
        List<Case> cases = new ArrayList<>();
        for (Request kind : Request.values()) {
            for (Fault f : Fault.values()) {
                for (boolean s3 : new boolean[] {true, false}) {
                    if (over.test(kind, s3)) {
                        cases.add(new Case(kind, f, s3));
                    }
                }
            }
        }
        return cases;
    }

    /** Puts {@link #KEYS}, one byte each. */
    public static void putPages(S3Server s3, String bucket) {
        for (String k : KEYS) {
            s3.put(bucket, k, new byte[] {(byte) k.hashCode()});
        }
    }

    /**
     * Puts the sharded array under {@code prefix} ("" or ending in '/'): int16, 20 x 27, shards of 8 x 12 (a grid of
     * 3 x 3, of which {@code c/0/1}, {@code c/1/0} and {@code c/2/2} are absent) holding inner chunks of 4 x 4,
     * gzip, the index at the end with a CRC-32C, fill value 0.
     */
    public static void putShardedArray(S3Server s3, String bucket, String prefix) {
        for (String f : SHARDED) {
            try (InputStream in = RequestFixtures.class.getResourceAsStream("sharded/" + f)) {
                s3.put(bucket, prefix + f, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
