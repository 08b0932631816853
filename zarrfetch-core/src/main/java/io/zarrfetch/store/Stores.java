package io.zarrfetch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens stores from URLs, sharing one pool of HTTP connections among them, and resolves source URLs to objects.
 *
 * <p>URLs understood:
 * <ul>
 *   <li>{@code s3://bucket/key-or-prefix}: S3 on AWS, or on {@link StoreOptions#endpoint()} when set;
 *   <li>{@code https://bucket.s3.region.amazonaws.com/key} and the other AWS S3 URL forms (path-style, dual-stack,
 *       {@code .amazonaws.com.cn}): S3 in that region; {@code https://bucket.s3-accelerate.amazonaws.com/key}:
 *       S3 Transfer Acceleration;
 *   <li>{@code http(s)://host/path} on the configured endpoint's origin: S3, path-style ({@code /bucket/key});
 *       {@code http(s)://bucket.host/key} too when the addressing style is {@link AddressingStyle#VIRTUAL};
 *   <li>other {@code http(s)://} URLs: a plain HTTP server;
 *   <li>{@code file:///path}, absolute and relative paths: a local folder or file.
 * </ul>
 * Every store it opens sends its requests through one {@link Retries}, as {@link StoreOptions#retry()} says, and
 * so shares one retry budget ({@link RetryingStore}). Close it to release its connections; stores it opened stop
 * working then.
 */
public final class Stores implements AutoCloseable {
    private static final Pattern AWS_VIRTUAL = Pattern.compile("(?<bucket>.+)\\.(?<host>s3(?:[.-](?:dualstack\\.)?"
            + "(?<region>[a-z0-9-]+))?\\.amazonaws\\.com(?:\\.cn)?)");
    private static final Pattern AWS_PATH = Pattern.compile("s3(?:[.-](?:dualstack\\.)?(?<region>[a-z0-9-]+))?"
            + "\\.amazonaws\\.com(?:\\.cn)?");
    /** S3 Transfer Acceleration: virtual-hosted only; signed for the configured region. */
    private static final Pattern AWS_ACCELERATE = Pattern.compile(
            "(?<bucket>.+)\\.(?<host>s3-accelerate(?:\\.dualstack)?\\.amazonaws\\.com)");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-_]{1,254}", Pattern.CASE_INSENSITIVE);

    private final StoreOptions options;
    private final HttpTransport transport;
    private final Retries retries;
    private volatile RequestSigner signer; // made with the first S3 store: the credential chain loads a lot
    private final Map<String, Store> open = new ConcurrentHashMap<>();

    public Stores(StoreOptions options) {
        this.options = options;
        this.transport = new NioTransport(options);
        this.retries = new Retries(options.retry());
    }

    public StoreOptions options() {
        return options;
    }

    /** A store and a key (or prefix) inside it. */
    public record Location(Store store, String key) {
    }

    /**
     * The store a URL points into and the key or prefix inside it. Stores are opened once and shared.
     *
     * @throws IllegalArgumentException for a URL that names no store, saying why
     */
    public Location locate(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("s3://")) {
            String rest = url.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String key = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("no bucket in " + KeyPaths.printable(url)
                        + ": write s3://BUCKET/KEY or s3://BUCKET/PREFIX/");
            }
            return new Location(s3(bucket, options.region()), key);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return locateHttp(url);
        }
        if (lower.startsWith("file:")) {
            try {
                return locateFile(Path.of(new URI(url)));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not a valid file URL: " + url + " (" + e.getMessage() + ")");
            }
        }
        if (lower.matches("[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported URL scheme in " + url
                    + ": use s3://, http://, https://, file:// or a local path");
        }
        return locateFile(Path.of(url));
    }

    private Location locateHttp(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + url + " (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        URI endpoint = options.endpoint();
        if (endpoint != null && sameOrigin(uri, endpoint)) {
            return pathStyle(url, path, s3Bucket -> s3(s3Bucket, options.region()));
        }
        if (endpoint != null && options.addressingStyle() == AddressingStyle.VIRTUAL
                && host.endsWith("." + endpoint.getHost().toLowerCase(Locale.ROOT))
                && sameSchemeAndPort(uri, endpoint)) {
            String bucket = host.substring(0, host.length() - endpoint.getHost().length() - 1);
            return new Location(s3(bucket, options.region()), Keys.decode(path, false));
        }
        Matcher accelerate = AWS_ACCELERATE.matcher(host);
        if (accelerate.matches()) {
            StoreOptions o = options.withEndpoint(origin(uri, accelerate.group("host")))
                    .withAddressingStyle(AddressingStyle.VIRTUAL);
            return new Location(s3(accelerate.group("bucket"), o), Keys.decode(path, false));
        }
        Matcher pathStyle = AWS_PATH.matcher(host);
        if (pathStyle.matches()) {
            String region = regionOf(pathStyle.group("region"));
            return pathStyle(url, path, bucket -> awsS3(bucket, region, uri, host, AddressingStyle.PATH));
        }
        Matcher virtual = AWS_VIRTUAL.matcher(host);
        if (virtual.matches()) {
            String region = regionOf(virtual.group("region"));
            return new Location(awsS3(virtual.group("bucket"), region, uri, virtual.group("host"),
                    AddressingStyle.VIRTUAL), Keys.decode(path, false));
        }
        String origin = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
        String key = path + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        if (origin.startsWith("https:")) {
            transport.prepareTls();
        }
        Store store = open.computeIfAbsent(origin, o -> retrying(new HttpStore(o, transport)));
        return new Location(store, key);
    }

    /** A path-style S3 URL's bucket (its first path segment) and key (the rest). */
    private static Location pathStyle(String url, String path, Function<String, Store> bucket) {
        int slash = path.indexOf('/');
        String name = slash < 0 ? path : path.substring(0, slash);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("S3 URL names no bucket: " + KeyPaths.printable(url));
        }
        return new Location(bucket.apply(name), slash < 0 ? "" : Keys.decode(path.substring(slash + 1), false));
    }

    /** {@code scheme://host[:port]} of a URL, with another host. */
    private static URI origin(URI uri, String host) {
        return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + host
                + (uri.getPort() >= 0 ? ":" + uri.getPort() : ""));
    }

    private static String regionOf(String group) {
        // s3.amazonaws.com and s3-external-1 are us-east-1.
        return group == null || group.equals("external-1") ? "us-east-1" : group;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getHost().equalsIgnoreCase(b.getHost()) && sameSchemeAndPort(a, b);
    }

    private static boolean sameSchemeAndPort(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private Location locateFile(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p) || p.getParent() == null) {
            return new Location(retrying(new FileStore(p)), "");
        }
        return new Location(retrying(new FileStore(p.getParent())), p.getFileName().toString());
    }

    /** A store of this set: its requests go through the set's retries. */
    private Store retrying(Store store) {
        return new RetryingStore(store, retries);
    }

    private RequestSigner signer() {
        RequestSigner s = signer;
        if (s == null) {
            synchronized (this) {
                s = signer;
                if (s == null) {
                    s = options.anonymous() ? RequestSigner.ANONYMOUS
                            : options.credentials() != null ? SigV4Signer.of(options.credentials())
                                    : SigV4Signer.lookingUp(options.profile());
                    signer = s;
                }
            }
        }
        return s;
    }

    private Store s3(String bucket, String region) {
        return s3(bucket, region == null ? options : options.withRegion(region));
    }

    private Store s3(String bucket, StoreOptions o) {
        checkBucket(bucket);
        String id = "s3://" + bucket + "@" + o.effectiveRegion() + "@" + o.endpoint() + "@" + o.addressingStyle();
        if (o.endpoint() == null || o.endpoint().getScheme().equalsIgnoreCase("https")) {
            transport.prepareTls(); // AWS is https: set TLS up while the credentials are looked up
        }
        return open.computeIfAbsent(id, k -> retrying(new S3Store(bucket, o, transport, signer())));
    }

    /**
     * A bucket named by an AWS URL, in {@code region}. A URL of the usual form (https, no port) addresses AWS as any
     * {@code s3://} URL does, following the bucket to its region; one that says http or a port is sent to its host
     * as written.
     */
    private Store awsS3(String bucket, String region, URI uri, String s3Host, AddressingStyle style) {
        if (uri.getScheme().equalsIgnoreCase("https") && uri.getPort() < 0) {
            return s3(bucket, options.withEndpoint(null).withRegion(region));
        }
        return s3(bucket, options.withEndpoint(origin(uri, s3Host)).withRegion(region).withAddressingStyle(style));
    }

    private static void checkBucket(String bucket) {
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("not a valid S3 bucket name: " + KeyPaths.printable(bucket)
                    + " (bucket names are 3 to 63 letters, digits, dots and hyphens)");
        }
    }

    /**
     * Resolves a source URL to the objects it names. A URL ending in '/' (or a bucket, or a folder) names every
     * object under it. Otherwise it names the object with exactly that key when there is one, and else every object
     * under {@code key + "/"}. Plain HTTP URLs always name one object.
     *
     * @throws StoreException when the URL names nothing that exists (status 404), or the store fails
     */
    public Source resolve(String url) throws IOException {
        Location loc = locate(url);
        Store store = loc.store();
        String key = loc.key();
        Store backend = RetryingStore.unwrap(store);
        if (backend instanceof HttpStore) {
            if (key.isEmpty()) {
                throw new IllegalArgumentException("plain HTTP servers cannot list objects; name an object: " + url);
            }
            return new Source(url, store, key, ObjectInfo.of(key));
        }
        if (backend instanceof FileStore) {
            if (key.isEmpty()) {
                if (!Files.isDirectory(Path.of(URI.create(store.url())))) {
                    throw new StoreException(store.url(), 404, false, "no such file or folder");
                }
                return new Source(url, store, "", null);
            }
            return new Source(url, store, key, store.head(key));
        }
        if (key.isEmpty() || key.endsWith("/")) {
            return new Source(url, store, key, null);
        }
        Optional<ObjectInfo> first;
        try (var objects = store.list(key)) {
            first = objects.findFirst();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (first.isPresent() && first.get().key().equals(key)) {
            return new Source(url, store, key, first.get());
        }
        return new Source(url, store, key + "/", null);
    }

    /**
     * Resolves many source URLs at once (each may take a listing request), in the order given.
     *
     * @throws IOException the first failure, naming its URL
     */
    public List<Source> resolveAll(List<String> urls) throws IOException {
        List<Future<Source>> futures = new ArrayList<>();
        Semaphore slots = new Semaphore(Math.min(options.maxConnectionsPerHost(), 32));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String url : urls) {
                futures.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        return resolve(url);
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<Source> sources = new ArrayList<>();
            for (Future<Source> f : futures) {
                try {
                    sources.add(f.get());
                } catch (ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    futures.forEach(x -> x.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while resolving sources");
                }
            }
            return sources;
        }
    }

    @Override
    public void close() {
        open.clear();
        try {
            transport.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
