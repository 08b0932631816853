package io.zarrfetch.store;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A plain HTTP(S) server: objects are URLs under one origin, read with GET and ranged GET. Keys are the URL's
 * path and query exactly as given (already percent-encoded), so what is fetched is what the user wrote.
 */
final class HttpStore implements Store {
    private final String origin;
    private final HttpTransport transport;

    /** @param origin scheme://host[:port], without a trailing slash */
    HttpStore(String origin, HttpTransport transport) {
        this.origin = origin;
        this.transport = transport;
    }

    @Override
    public String url() {
        return origin + "/";
    }

    @Override
    public String url(String key) {
        return origin + "/" + key;
    }

    @Override
    public boolean canList() {
        return false;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        throw new UnsupportedOperationException(
                "plain HTTP servers cannot list objects; name the objects (" + url(prefix) + "...) one by one");
    }

    private URI uri(String key) throws StoreException {
        try {
            return new URI(origin + "/" + key);
        } catch (java.net.URISyntaxException e) {
            throw new StoreException(url(key), 0, false, "not a valid URL: " + e.getMessage());
        }
    }

    @Override
    public ObjectInfo head(String key) throws IOException {
        return HttpReads.head(transport, uri(key), Map.of(), url(key), key, HttpStore::describe);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws IOException {
        return get(key, offset, length, ifMatch, null);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch, Abort abort) throws IOException {
        return HttpReads.get(transport, uri(key), Map.of(), url(key), offset, length, ifMatch, abort,
                HttpStore::describe);
    }

    @Override
    public Body getLast(String key, long length) throws IOException {
        return getLast(key, length, null);
    }

    @Override
    public Body getLast(String key, long length, Abort abort) throws IOException {
        return HttpReads.getLast(transport, uri(key), Map.of(), url(key), length, abort, HttpStore::describe);
    }

    private static String describe(int status, HttpTransport.Response r, String body) {
        return switch (status) {
            case 404 -> "not found (HTTP 404)";
            case 401, 403 -> "access denied (HTTP " + status + ")";
            case 407 -> HttpReads.PROXY_AUTHENTICATION;
            case 301, 302, 303, 307, 308 -> "redirected (HTTP " + status + ") to " + r.header("Location")
                    + "; use that URL instead";
            default -> "HTTP " + status;
        };
    }

    @Override
    public void close() {
        // The transport is shared and closed by its owner.
    }
}
