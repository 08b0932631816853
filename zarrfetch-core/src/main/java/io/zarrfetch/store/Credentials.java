package io.zarrfetch.store;

import java.util.Objects;

/**
 * An AWS access key pair, with a session token for temporary credentials. Its {@link #toString()} shows the key id
 * only, never the secret or the token.
 *
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token, or {@code null}
 */
public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    public Credentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    public static Credentials of(String accessKeyId, String secretAccessKey) {
        return new Credentials(accessKeyId, secretAccessKey, null);
    }

    @Override
    public String toString() {
        return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****"
                + (sessionToken != null ? ", sessionToken=****" : "") + "]";
    }
}
