package io.zarrfetch.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One S3 bucket, on AWS or an S3-compatible endpoint. Lists with ListObjectsV2 ({@code encoding-type=url}, so any
 * key round-trips), reads with GET and ranged GET, asking for checksums ({@code x-amz-checksum-mode: ENABLED}).
 */
final class S3Store implements Store, Pages.Paged {
    private static final int MAX_LISTING_BYTES = 16 * 1024 * 1024;
    private static final XMLInputFactory XML = S3Listing.xml();
    /**
     * Asks for the checksum the object was uploaded with: S3 sends it with a whole object, and HttpBody checks a
     * CRC-32C one. Signed like any x-amz- header, which S3 requires.
     */
    private static final Map<String, String> CHECKSUMS = Map.of("x-amz-checksum-mode", "ENABLED");

    /** S3 Transfer Acceleration's hosts: AWS, whatever the bucket's region. */
    private static final Pattern ACCELERATE = Pattern.compile(
            "s3-accelerate(\\.dualstack)?\\.amazonaws\\.com");

    private final String bucket;
    private final URI endpoint;
    private final AddressingStyle style;
    /** Whether a bucket asked for in the wrong region is followed to its own: on AWS. */
    private final boolean followsRegion;
    private final HttpTransport transport;
    private final RequestSigner signer;
    private volatile String region;
    private volatile String regionHint;

    S3Store(String bucket, StoreOptions options, HttpTransport transport, RequestSigner signer) {
        this.bucket = bucket;
        this.endpoint = options.endpoint();
        this.style = options.addressingStyle();
        this.followsRegion = endpoint == null || ACCELERATE.matcher(endpoint.getHost()).matches();
        this.region = options.effectiveRegion();
        this.transport = transport;
        this.signer = signer;
    }

    String bucket() {
        return bucket;
    }

    String region() {
        return region;
    }

    @Override
    public String url() {
        return "s3://" + bucket + "/";
    }

    @Override
    public String url(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public boolean canList() {
        return true;
    }

    /**
     * The base of this bucket's URLs, ending in '/'. On an endpoint: path-style unless the style is virtual. On AWS:
     * virtual-hosted unless the style is path, or the name has dots (which break TLS there) and the style is auto.
     */
    private String base() {
        if (endpoint != null) {
            String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
            path = path.endsWith("/") ? path : path + "/";
            if (style == AddressingStyle.VIRTUAL) {
                return endpoint.getScheme() + "://" + bucket + "." + endpoint.getRawAuthority() + path;
            }
            return endpoint.getScheme() + "://" + endpoint.getRawAuthority() + path + Keys.encodePath(bucket) + "/";
        }
        String host = "s3." + region + (region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
        if (style == AddressingStyle.PATH || style == AddressingStyle.AUTO && bucket.contains(".")) {
            return "https://" + host + "/" + bucket + "/";
        }
        return "https://" + bucket + "." + host + "/";
    }

    URI objectUri(String key) {
        return URI.create(base() + Keys.encodePath(key));
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return Pages.stream(url(prefix), token -> page(prefix, token));
    }

    /**
     * One ListObjectsV2 page. A page that is not a well-formed listing is retryable: like a cut body, it may have
     * been damaged on the way; a server that always sends one fails after its attempts.
     */
    @Override
    public S3Listing page(String prefix, String token) throws IOException {
        String where = url(prefix) + (token == null ? "" : " (continued)");
        return withRegionRetry(() -> {
            StringBuilder q = new StringBuilder(base()).append("?list-type=2&encoding-type=url&max-keys=1000");
            if (!prefix.isEmpty()) {
                q.append("&prefix=").append(Keys.encodeQuery(prefix));
            }
            if (token != null) {
                q.append("&continuation-token=").append(Keys.encodeQuery(token));
            }
            URI uri = URI.create(q.toString());
            try (HttpTransport.Response r = HttpReads.execute(transport, "GET", uri,
                    signer.sign("GET", uri, Map.of(), region), where)) {
                if (r.status() != 200) {
                    throw HttpReads.failure(where, r, r.status(), this::describe);
                }
                byte[] xml = HttpReads.readAll(r, where, MAX_LISTING_BYTES);
                try {
                    return S3Listing.parse(xml);
                } catch (IllegalArgumentException e) {
                    throw new StoreException(where, 200, true, "malformed listing: " + e.getMessage(), e);
                }
            }
        });
    }

    @Override
    public ObjectInfo head(String key) throws IOException {
        return withRegionRetry(() -> {
            URI uri = objectUri(key);
            return HttpReads.head(transport, uri, signer.sign("HEAD", uri, Map.of(), region), url(key), key,
                    this::describe);
        });
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch) throws IOException {
        return get(key, offset, length, ifMatch, null);
    }

    @Override
    public Body get(String key, long offset, long length, String ifMatch, Abort abort) throws IOException {
        return withRegionRetry(() -> {
            URI uri = objectUri(key);
            return HttpReads.get(transport, uri, signer.sign("GET", uri, CHECKSUMS, region), url(key), offset, length,
                    ifMatch, abort, this::describe);
        });
    }

    @Override
    public Body getLast(String key, long length) throws IOException {
        return getLast(key, length, null);
    }

    @Override
    public Body getLast(String key, long length, Abort abort) throws IOException {
        return withRegionRetry(() -> {
            URI uri = objectUri(key);
            return HttpReads.getLast(transport, uri, signer.sign("GET", uri, CHECKSUMS, region), url(key), length,
                    abort, this::describe);
        });
    }

    /** On AWS, a bucket asked for in the wrong region answers 301 with its region: switch once and retry. */
    private <T> T withRegionRetry(Retries.Request<T> request) throws IOException {
        try {
            return request.send();
        } catch (StoreException e) {
            String hint = regionHint;
            if (followsRegion && (e.status() == 301 || e.status() == 400) && hint != null
                    && !hint.equals(region)) {
                region = hint;
                return request.send();
            }
            throw e;
        }
    }

    private String describe(int status, HttpTransport.Response r, String body) {
        String code = null;
        String message = null;
        String bodyRegion = null;
        if (body.startsWith("<?xml") || body.startsWith("<Error")) {
            try {
                XMLStreamReader x = XML.createXMLStreamReader(new ByteArrayInputStream(
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                String element = null;
                while (x.hasNext()) {
                    int ev = x.next();
                    if (ev == XMLStreamConstants.START_ELEMENT) {
                        element = x.getLocalName();
                    } else if (ev == XMLStreamConstants.CHARACTERS && element != null) {
                        switch (element) {
                            case "Code" -> code = x.getText().strip();
                            case "Message" -> message = x.getText().strip();
                            case "Region" -> bodyRegion = x.getText().strip();
                            default -> { }
                        }
                    } else if (ev == XMLStreamConstants.END_ELEMENT) {
                        element = null;
                    }
                }
            } catch (XMLStreamException | RuntimeException e) {
                // Not an S3 error document (the JDK's parser fails on some with unchecked exceptions, as S3Listing
                // says); the status speaks for itself.
            }
        }
        String hint = r.header("x-amz-bucket-region");
        if (hint == null) {
            hint = bodyRegion;
        }
        if (hint != null && hint.matches("[a-z0-9-]{1,40}")) {
            regionHint = hint;
        }
        String what = "HTTP " + status + (code != null ? " " + code + (message != null ? ": " + message : "") : "");
        return switch (status) {
            case 404 -> "NoSuchBucket".equals(code) ? "no such bucket " + bucket + " (" + what + ")"
                    : "no such object (" + what + ")";
            case 403 -> "access denied to bucket " + bucket + " (" + what + "); "
                    + (signer == RequestSigner.ANONYMOUS ? "the request was unsigned: this bucket may need credentials"
                            : signer.anonymous() ? "the request was unsigned, as no AWS credentials were found: this "
                                    + "bucket may need them (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws/credentials)"
                            : "SignatureDoesNotMatch".equals(code) || "InvalidAccessKeyId".equals(code)
                                    ? "the credentials are wrong: check the access key id and the secret key"
                                    : "check that the credentials may read this bucket, or use --no-sign-request "
                                            + "for a public bucket");
            case 301, 307 -> "the bucket " + bucket + " is in region " + (hint != null ? hint : "(not given)")
                    + ", not " + region + " (" + what + "); pass --region " + (hint != null ? hint : "REGION");
            case 503 -> "service unavailable or throttled (" + what + ")";
            case 407 -> HttpReads.PROXY_AUTHENTICATION;
            default -> what;
        };
    }

    @Override
    public void close() {
        // The transport is shared and closed by its owner.
    }
}
