package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/** Adds authentication to an S3 request: SigV4 with credentials, or nothing for anonymous access. */
interface RequestSigner {
    RequestSigner ANONYMOUS = (method, uri, headers, region) -> headers;

    /** The headers to send: {@code headers} plus whatever authenticates the request for {@code region}. */
    Map<String, String> sign(String method, URI uri, Map<String, String> headers, String region) throws IOException;

    /** Whether requests go out unsigned. */
    default boolean anonymous() {
        return this == ANONYMOUS;
    }
}
