package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * SigV4 signing, with fixed credentials or with those a chain of the AWS SDK's providers finds: a profile of the
 * shared config files (static keys, {@code credential_process}), then container and instance metadata. When the
 * chain finds none, requests go out unsigned, and one short line says so.
 */
final class SigV4Signer implements RequestSigner {
    private static final Logger LOG = LoggerFactory.getLogger(SigV4Signer.class);
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    /** The SHA-256 of an empty payload: every request zarrfetch signs is a GET or a HEAD. */
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** Profile settings that name credentials, or where to get them. */
    private static final Set<String> CREDENTIAL_SETTINGS = Set.of("aws_access_key_id", "aws_secret_access_key",
            "credential_process", "role_arn", "source_profile", "credential_source", "web_identity_token_file",
            "sso_session", "sso_start_url", "login_session");

    private final AwsCredentialsProvider credentials;
    /**
     * The profile's own provider when the profile names credentials: when the chain finds none, asked again for why
     * the profile's cannot be used, which says more than "none found".
     */
    private final AwsCredentialsProvider profileCredentials;
    private volatile boolean unsigned;

    SigV4Signer(AwsCredentialsProvider credentials) {
        this(credentials, null);
    }

    private SigV4Signer(AwsCredentialsProvider credentials, AwsCredentialsProvider profileCredentials) {
        this.credentials = credentials;
        this.profileCredentials = profileCredentials;
    }

    /** A signer with fixed credentials. */
    static SigV4Signer of(Credentials c) {
        AwsCredentials aws = c.sessionToken() == null
                ? AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())
                : AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        return new SigV4Signer(StaticCredentialsProvider.create(aws));
    }

    /**
     * A signer over the credentials of a shared-config profile (none when {@code profile} is null), then those of
     * container and instance metadata, as the AWS CLI looks for them once the environment had none.
     */
    static SigV4Signer lookingUp(AwsProfile profile) {
        List<AwsCredentialsProvider> chain = new ArrayList<>();
        AwsCredentialsProvider namedInProfile = null;
        InstanceProfileCredentialsProvider.Builder instance = InstanceProfileCredentialsProvider.builder();
        if (profile != null) {
            ProfileFile files = profile.read();
            AwsCredentialsProvider fromProfile = ProfileCredentialsProvider.builder().profileFile(files)
                    .profileName(profile.name()).build();
            chain.add(fromProfile);
            instance.profileFile(files).profileName(profile.name());
            if (files.profile(profile.name()).map(p -> p.properties().keySet().stream()
                    .anyMatch(CREDENTIAL_SETTINGS::contains)).orElse(false)) {
                namedInProfile = fromProfile;
            }
        }
        chain.add(ContainerCredentialsProvider.builder().build());
        chain.add(instance.build());
        return new SigV4Signer(AwsCredentialsProviderChain.builder().credentialsProviders(chain)
                .reuseLastProviderEnabled(true).build(), namedInProfile);
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
            noCredentials();
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

    private synchronized void noCredentials() {
        if (unsigned) {
            return;
        }
        unsigned = true;
        String why = null;
        if (profileCredentials != null) {
            try {
                profileCredentials.resolveCredentials();
            } catch (RuntimeException e) {
                why = firstSentence(e.getMessage());
            }
        }
        if (why != null) {
            LOG.warn("the AWS profile's credentials cannot be used ({}); sending unsigned requests", why);
        } else {
            LOG.warn("no AWS credentials found; sending unsigned requests");
        }
    }

    private static String firstSentence(String s) {
        if (s == null) {
            return "no details";
        }
        int dot = s.indexOf(". ");
        return dot > 0 ? s.substring(0, dot) : s;
    }
}
