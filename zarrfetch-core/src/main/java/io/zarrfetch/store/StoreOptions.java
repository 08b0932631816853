package io.zarrfetch.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How stores reach their objects. Immutable; start from {@link #defaults()} and change what you need with the
 * {@code with...} methods.
 *
 * <p>Defaults (they may change between releases): the AWS CLI's environment variables and shared config files,
 * as {@link AwsConfig#load()} resolves them (region, endpoint, addressing style, CA bundle, profile, credentials
 * from the environment, the proxies of {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY}); otherwise
 * AWS endpoints chosen by region, {@code us-east-1}, direct connections, signed requests when credentials are found
 * (unsigned otherwise), at most 64 connections per host, 10 s to connect, 30 s without a byte before a read fails,
 * {@link RetryPolicy#defaults()} for every request (with the attempts of {@code AWS_MAX_ATTEMPTS} or the profile's
 * {@code max_attempts}).
 *
 * @param endpoint an S3-compatible endpoint such as {@code http://127.0.0.1:9000}, or {@code null} for AWS
 * @param region the S3 region, or {@code null} for {@code us-east-1}
 * @param anonymous whether S3 requests go unsigned even when credentials are available (public buckets)
 * @param credentials the credentials to sign with, or {@code null} to look them up: in {@code profile} (static
 *     keys, {@code credential_process}), then container and instance metadata
 * @param maxConnectionsPerHost the most connections open to one host at a time; requests beyond it wait
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long to wait for the first byte of an answer, and for each next byte of a body
 * @param caBundle a PEM file of the certificate authorities that HTTPS servers are trusted through (as the AWS CLI's
 *     {@code AWS_CA_BUNDLE}), or {@code null} for the JDK's (its {@code cacerts}, or
 *     {@code javax.net.ssl.trustStore} when set)
 * @param addressingStyle how buckets are put in request URLs: {@link AddressingStyle#AUTO} is virtual-hosted on AWS
 *     and path-style ({@code endpoint/bucket/key}) on an endpoint
 * @param profile the AWS shared-config profile credentials are looked up in, or {@code null} for none
 * @param retry how every request of the stores is tried again when it fails in a way that may pass: listing pages,
 *     HEADs, metadata, and the fetcher's GETs of these stores' objects; the one place to set the attempts
 *     ({@code withRetry(RetryPolicy.defaults().withMaxAttempts(n))})
 * @param proxies the HTTP proxies requests go through ({@link Proxies#none()}: none)
 */
public record StoreOptions(URI endpoint, String region, boolean anonymous, Credentials credentials,
        int maxConnectionsPerHost, Duration connectTimeout, Duration readTimeout, Path caBundle,
        AddressingStyle addressingStyle, AwsProfile profile, RetryPolicy retry, Proxies proxies) {

    public StoreOptions {
        if (maxConnectionsPerHost < 1) {
            throw new IllegalArgumentException("maxConnectionsPerHost must be >= 1, was " + maxConnectionsPerHost);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(addressingStyle, "addressingStyle");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(proxies, "proxies");
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

    /**
     * The defaults, with the settings of the AWS CLI's environment variables and shared config files.
     *
     * @throws IllegalArgumentException when {@code AWS_PROFILE} names a profile that does not exist, or a setting is
     *     malformed (see {@link AwsConfig#load()})
     */
    public static StoreOptions defaults() {
        return AwsConfig.load().storeOptions();
    }

    /**
     * The built-in defaults alone, reading no environment variable and no file: AWS, {@code us-east-1}, credentials
     * from container or instance metadata only.
     */
    public static StoreOptions builtIn() {
        return new StoreOptions(null, null, false, null, 64, Duration.ofSeconds(10), Duration.ofSeconds(30), null,
                AddressingStyle.AUTO, null, RetryPolicy.defaults(), Proxies.none());
    }

    public StoreOptions withEndpoint(URI endpoint) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withRegion(String region) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withCredentials(Credentials credentials) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withAnonymous(boolean anonymous) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withMaxConnectionsPerHost(int max) {
        return new StoreOptions(endpoint, region, anonymous, credentials, max, connectTimeout, readTimeout, caBundle,
                addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withConnectTimeout(Duration timeout) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, timeout, readTimeout,
                caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withReadTimeout(Duration timeout) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                timeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withCaBundle(Path caBundle) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withAddressingStyle(AddressingStyle addressingStyle) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withProfile(AwsProfile profile) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withProxies(Proxies proxies) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    public StoreOptions withRetry(RetryPolicy retry) {
        return new StoreOptions(endpoint, region, anonymous, credentials, maxConnectionsPerHost, connectTimeout,
                readTimeout, caBundle, addressingStyle, profile, retry, proxies);
    }

    /** The region to sign for and to address AWS in. */
    String effectiveRegion() {
        return region != null ? region : "us-east-1";
    }
}
