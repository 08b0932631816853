package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * SigV4 signing with credentials from the AWS SDK's default chain (environment, AWS_PROFILE and ~/.aws files, web
 * identity, container and instance metadata). When the chain finds no credentials, requests go out unsigned, and
 * that is said once.
 */
final class SigV4Signer implements RequestSigner {
    private static final Logger LOG = LoggerFactory.getLogger(SigV4Signer.class);
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    /** The SHA-256 of an empty payload: every request zarrfetch signs is a GET or a HEAD. */
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final AwsCredentialsProvider credentials;
    private volatile boolean unsigned;

    SigV4Signer(AwsCredentialsProvider credentials) {
        this.credentials = credentials;
    }

    /** A signer with fixed credentials. */
    static SigV4Signer of(Credentials c) {
        AwsCredentials aws = c.sessionToken() == null
                ? AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())
                : AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        return new SigV4Signer(StaticCredentialsProvider.create(aws));
    }

    /** A signer over the default credential chain. */
    static SigV4Signer defaultChain() {
        return new SigV4Signer(DefaultCredentialsProvider.builder().build());
    }

    @Override
    public boolean anonymous() {
        return unsigned;
    }

    @Override
    public Map<String, String> sign(String method, URI uri, Map<String, String> headers, String region)
            throws IOException {
        if (unsigned) {
            return headers;
        }
        AwsCredentials c;
        try {
            c = credentials.resolveCredentials();
        } catch (SdkClientException e) {
            if (!unsigned) {
                unsigned = true;
                LOG.warn("no AWS credentials found ({}); sending unsigned requests, as with --no-sign-request",
                        firstSentence(e.getMessage()));
            }
            return headers;
        }
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        request.putHeader("x-amz-content-sha256", EMPTY_SHA256);
        SignedRequest signed;
        try {
            signed = SIGNER.sign(r -> r.identity(c).request(request.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false));
        } catch (RuntimeException e) {
            // Never let a message that may quote credentials through.
            throw new IOException("signing the request failed: " + e.getClass().getSimpleName());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
            // The HTTP client writes Host itself, from the same URI.
            if (!h.getKey().equalsIgnoreCase("Host") && !h.getValue().isEmpty()) {
                out.put(h.getKey(), h.getValue().getFirst());
            }
        }
        return out;
    }

    private static String firstSentence(String s) {
        if (s == null) {
            return "no details";
        }
        int dot = s.indexOf(". ");
        return dot > 0 ? s.substring(0, dot) : s;
    }
}
