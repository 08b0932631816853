package io.zarrfetch.spark;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.store.Credentials;
import io.zarrfetch.store.StoreOptions;

/**
 * How an executor reaches the store and fetches: the key of its shared {@link Engines engine}. Shipped to executors
 * with the scan; {@link #toString()} never shows the secret or the token, so neither reaches a plan, a log or the UI.
 *
 * @param endpoint an S3-compatible endpoint, or null for AWS (or {@code AWS_ENDPOINT_URL} on the executor)
 * @param region the S3 region, or null for the executor's environment
 * @param caBundle a PEM file of trusted certificate authorities: a path on every executor, or the name of a file
 *     shipped with {@code --files}
 * @param accessKeyId with {@code secretAccessKey} (and {@code sessionToken}), the credentials; null to use the AWS
 *     credential chain of each executor
 */
record EngineSettings(String endpoint, String region, boolean anonymous, String caBundle, String accessKeyId,
        String secretAccessKey, String sessionToken, int concurrency, int maxConnections, long memoryLimit,
        long partSize, long connectTimeoutMillis, long readTimeoutMillis) implements Serializable {

    /** The store options these settings give; the AWS environment of this JVM fills what they leave open. */
    StoreOptions storeOptions() {
        StoreOptions o = StoreOptions.defaults().withAnonymous(anonymous)
                .withMaxConnectionsPerHost(maxConnections)
                .withConnectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .withReadTimeout(Duration.ofMillis(readTimeoutMillis));
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option endpoint: '" + endpoint + "' is not a URL", e);
            }
            try {
                o = o.withEndpoint(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option endpoint: " + e.getMessage(), e);
            }
        }
        if (region != null) {
            o = o.withRegion(region);
        }
        if (accessKeyId != null) {
            o = o.withCredentials(new Credentials(accessKeyId, secretAccessKey, sessionToken));
        }
        if (caBundle != null) {
            o = o.withCaBundle(caBundlePath());
        }
        return o;
    }

    /** The CA bundle here: the path as given, else a file of that name shipped with {@code --files}. */
    private Path caBundlePath() {
        Path p = Path.of(caBundle);
        if (Files.isReadable(p)) {
            return p;
        }
        try {
            Path shipped = Path.of(org.apache.spark.SparkFiles.get(p.getFileName().toString()));
            if (Files.isReadable(shipped)) {
                return shipped;
            }
        } catch (RuntimeException e) {
            // no SparkContext or SparkEnv in this JVM: only the path as given
        }
        throw new IllegalArgumentException("option caBundle: " + caBundle + " cannot be read here; give a path "
                + "that every executor can read, or ship the file with --files and name it");
    }

    FetchOptions fetchOptions() {
        return FetchOptions.defaults().withAdaptiveConcurrency(concurrency).withMemoryLimit(memoryLimit)
                .withPartSize(partSize);
    }

    @Override
    public String toString() {
        return "EngineSettings[endpoint=" + endpoint + ", region=" + region + ", anonymous=" + anonymous
                + ", caBundle=" + caBundle + ", credentials=" + (accessKeyId == null ? "AWS chain" : "given") + ", concurrency="
                + concurrency + ", maxConnections=" + maxConnections + ", memoryLimit=" + memoryLimit
                + ", partSize=" + partSize + "]";
    }
}
