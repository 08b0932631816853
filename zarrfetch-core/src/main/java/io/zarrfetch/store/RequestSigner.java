package io.zarrfetch.store;

import java.net.URI;
import java.util.Map;

/** Adds authentication to an S3 request: SigV4 with credentials, or nothing for anonymous access. */
interface RequestSigner {
    RequestSigner ANONYMOUS = (method, uri, headers) -> headers;

    /** The headers to send: {@code headers} plus whatever authenticates the request. */
    Map<String, String> sign(String method, URI uri, Map<String, String> headers) throws java.io.IOException;
}
