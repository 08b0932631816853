package io.zarrfetch.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How stores reach their objects. Immutable; start from {@link #defaults()} and change what you need with the
 * {@code with...} methods.
 *
 * <p>Defaults (they may change between releases): AWS endpoints chosen by region, region from
 * {@code AWS_REGION}/{@code AWS_DEFAULT_REGION} or else {@code us-east-1}, endpoint from {@code AWS_ENDPOINT_URL}
 * when set, signed requests when credentials are found (anonymous otherwise), at most 64 connections per host, 10 s
 * to connect, 30 s without a byte before a read fails, {@link RetryPolicy#defaults()} for every request.
 *
 * @param endpoint an S3-compatible endpoint such as {@code http://127.0.0.1:9000}, or {@code null} for AWS; with
 *     an endpoint, buckets are addressed path-style ({@code endpoint/bucket/key})
 * @param region the S3 region, or {@code null} to use the environment's or {@code us-east-1}
 * @param anonymous whether S3 requests go unsigned even when credentials are available (public buckets)
 * @param credentials the credentials to sign with, or {@code null} to look them up in the AWS SDK's default chain
 *     (environment, AWS_PROFILE and ~/.aws files, web identity, container and instance metadata)
 * @param maxConnectionsPerHost the most connections open to one host at a time; requests beyond it wait
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long to wait for the first byte of an answer, and for each next byte of a body
 * @param caBundle a PEM file of the certificate authorities that HTTPS servers are trusted through (as the AWS CLI's
 *     {@code AWS_CA_BUNDLE}), or {@code null} for the JDK's (its {@code cacerts}, or
 *     {@code javax.net.ssl.trustStore} when set)
 * @param retry how every request of the stores is tried again when it fails in a way that may pass: listing pages,
 *     HEADs, metadata, and the fetcher's GETs of these stores' objects; the one place to set the attempts
 *     ({@code withRetry(RetryPolicy.defaults().withMaxAttempts(n))})
 */
public record StoreOptions(URI endpoint, String region, boolean anonymous, Credentials credentials,
        int maxConnectionsPerHost, Duration connectTimeout, Duration readTimeout, Path caBundle, RetryPolicy retry) {

    public StoreOptions {
        if (maxConnectionsPerHost < 1) {
            throw new IllegalArgumentException("maxConnectionsPerHost must be >= 1, was " + maxConnectionsPerHost);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(retry, "retry");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
                || readTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "timeouts must be positive, were connect " + connectTimeout + " and read " + readTimeout);
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")))) {
            throw new IllegalArgumentException("endpoint must be an http:// or https:// URL, was " + endpoint);
        }
    }

    /** The defaults, with {@code AWS_REGION} and {@code AWS_ENDPOINT_URL} read from the environment. */
    public static StoreOptions defaults() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            region = System.getenv("AWS_DEFAULT_REGION");
        }
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        return new StoreOptions(endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint.strip()),
                region == null || region.isBlank() ? null : region.strip(), false, null, 64, Duration.ofSeconds(10),
                Duration.ofSeconds(30), null, RetryPolicy.defaults());
    }

    public StoreOptions withEndpoint(URI endpoint) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    public StoreOptions withRegion(String region) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    public StoreOptions withCredentials(Credentials credentials) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    public StoreOptions withAnonymous(boolean anonymous) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    public StoreOptions withMaxConnectionsPerHost(int max) {
        return new StoreOptions(endpoint, region, anonymous, credentials, max, connectTimeout, readTimeout, caBundle,
                retry);
    }

    public StoreOptions withConnectTimeout(Duration timeout) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, timeout, readTimeout,
                caBundle, retry);
    }

    public StoreOptions withReadTimeout(Duration timeout) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                timeout, caBundle, retry);
    }

    public StoreOptions withCaBundle(Path caBundle) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    public StoreOptions withRetry(RetryPolicy retry) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, retry);
    }

    /** The region to sign for and to address AWS in. */
    String effectiveRegion() {
        return region != null ? region : "us-east-1";
    }
}
