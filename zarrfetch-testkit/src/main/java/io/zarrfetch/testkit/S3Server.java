package io.zarrfetch.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3 API server in this process: S3Proxy over a folder (each bucket a subfolder, each object a file), on
 * 127.0.0.1 and a free port. Anonymous, or requiring SigV4/V2 signatures from one key pair.
 */
public final class S3Server implements AutoCloseable {
    private final Path root;
    private final boolean ownsRoot;
    private final BlobStore blobStore;
    private final S3Proxy proxy;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;

    private S3Server(Path root, boolean ownsRoot, String accessKey, String secretKey) throws Exception {
        this(root, ownsRoot, accessKey, secretKey, 0, null);
    }

    private S3Server(Path root, boolean ownsRoot, String accessKey, String secretKey, int port, String virtualHost)
            throws Exception {
        this.root = root;
        this.ownsRoot = ownsRoot;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.toAbsolutePath().toString());
        p.setProperty(Constants.PROPERTY_IDENTITY, accessKey == null ? "" : accessKey);
        p.setProperty(Constants.PROPERTY_CREDENTIAL, secretKey == null ? "" : secretKey);
        blobStore = BlobStores.create("filesystem", p);
        AuthenticationType auth = accessKey == null ? AuthenticationType.NONE : AuthenticationType.AWS_V2_OR_V4;
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(blobStore)
                .awsAuthentication(auth, accessKey, secretKey)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .stopTimeout(0);
        if (virtualHost != null) {
            builder.virtualHost(virtualHost);
        }
        proxy = builder.build();
        proxy.start(); // synchronous: the port is bound when it returns
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** An anonymous server over {@code root}: existing subfolders are buckets, their files objects. */
    public static S3Server start(Path root) throws Exception {
        return new S3Server(root, false, null, null);
    }

    /** An anonymous server over {@code root} on {@code port} of 127.0.0.1 (0 for a free one). */
    public static S3Server start(Path root, int port) throws Exception {
        return new S3Server(root, false, null, null, port, null);
    }

    /**
     * An anonymous server over {@code root} that also takes virtual-hosted requests: those whose Host is
     * {@code BUCKET.virtualHost} (with any port) name the bucket in their host, not in their path. Name resolution
     * is the client's concern (a hosts file, {@code -Djdk.net.hosts.file}).
     */
    public static S3Server startVirtualHosted(Path root, String virtualHost) throws Exception {
        return new S3Server(root, false, null, null, 0, virtualHost);
    }

    /** An anonymous server over a new temporary folder, deleted on close. */
    public static S3Server start() throws Exception {
        return new S3Server(Files.createTempDirectory("zarrfetch-s3"), true, null, null);
    }

    /** A server over a new temporary folder that accepts only requests signed with this key pair. */
    public static S3Server startWithCredentials(String accessKey, String secretKey) throws Exception {
        return new S3Server(Files.createTempDirectory("zarrfetch-s3"), true, accessKey, secretKey);
    }

    /** The endpoint, like {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The folder holding the buckets. */
    public Path root() {
        return root;
    }

    public void createBucket(String bucket) {
        blobStore.createContainer(bucket);
    }

    /** Stores an object through the server's own storage API, so it gets an ETag like an uploaded one. */
    public void put(String bucket, String key, byte[] data) {
        blobStore.putBlob(PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) data.length)
                .build(), new ByteArrayInputStream(data));
    }

    /** The base64 of the big-endian CRC-32C of {@code data}: how S3 writes {@code x-amz-checksum-crc32c}. */
    public static String crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * Uploads an object with a PUT that carries its CRC-32C in {@code x-amz-checksum-crc32c}, as the AWS SDKs do. The
     * server checks it, keeps it, and sends it back (with {@code x-amz-checksum-type: FULL_OBJECT}) to a GET or HEAD
     * of the whole object that says {@code x-amz-checksum-mode: ENABLED}; a ranged GET gets none. Signed with the
     * server's key pair when it has one.
     */
    public void putWithChecksum(String bucket, String key, byte[] data) throws IOException {
        send("PUT", objectUri(bucket, key, ""), Map.of("x-amz-checksum-crc32c", crc32c(data)), data);
    }

    /**
     * Uploads an object in parts (a multipart upload) with CRC-32C checksums. With {@code fullObject} the object's
     * checksum is the CRC-32C of all its bytes ({@code x-amz-checksum-type: FULL_OBJECT}); otherwise it is the
     * composite of a multipart upload, the CRC-32C of the parts' checksums, sent as {@code <base64>-<parts>} with
     * {@code x-amz-checksum-type: COMPOSITE}, which no client can check against the bytes. As on S3, every part but
     * the last must be at least 5 MiB.
     */
    public void putMultipart(String bucket, String key, List<byte[]> parts, boolean fullObject) throws IOException {
        String started = send("POST", objectUri(bucket, key, "?uploads"), Map.of("x-amz-checksum-algorithm",
                "CRC32C", "x-amz-checksum-type", fullObject ? "FULL_OBJECT" : "COMPOSITE"), new byte[0]);
        Matcher id = Pattern.compile("<UploadId>([^<]+)</UploadId>").matcher(started);
        if (!id.find()) {
            throw new IOException("no UploadId in " + started);
        }
        String upload = "uploadId=" + java.net.URLEncoder.encode(id.group(1), StandardCharsets.UTF_8);
        StringBuilder complete = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < parts.size(); i++) {
            byte[] part = parts.get(i);
            String crc = crc32c(part);
            HttpResponse<byte[]> r = exchange("PUT", objectUri(bucket, key, "?partNumber=" + (i + 1) + "&" + upload),
                    Map.of("x-amz-checksum-crc32c", crc), part);
            String etag = r.headers().firstValue("ETag").orElseThrow(() -> new IOException("no ETag for a part"));
            complete.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>").append(etag)
                    .append("</ETag><ChecksumCRC32C>").append(crc).append("</ChecksumCRC32C></Part>");
        }
        complete.append("</CompleteMultipartUpload>");
        send("POST", objectUri(bucket, key, "?" + upload), Map.of(),
                complete.toString().getBytes(StandardCharsets.UTF_8));
    }

    private URI objectUri(String bucket, String key, String query) {
        StringBuilder path = new StringBuilder(endpoint.toString()).append('/').append(bucket);
        for (String segment : key.split("/", -1)) {
            path.append('/').append(java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return URI.create(path + query);
    }

    /** Sends a request through the S3 API and returns its answer's body, failing unless it is a 200. */
    private String send(String method, URI uri, Map<String, String> headers, byte[] body) throws IOException {
        return new String(exchange(method, uri, headers, body).body(), StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> exchange(String method, URI uri, Map<String, String> headers, byte[] body)
            throws IOException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (accessKey != null) {
            h = sign(method, uri, h, body);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        h.forEach(request::header);
        HttpResponse<byte[]> r;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() != 200) {
            throw new IOException(method + " " + uri + ": HTTP " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r;
    }

    /** The headers with a SigV4 signature of the request (its payload's SHA-256 included, as the signer adds it). */
    private Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsBasicCredentials.create(accessKey, secretKey)).request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)).request();
        Map<String, String> out = new LinkedHashMap<>();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !values.isEmpty()) {
                out.put(name, values.getFirst());
            }
        });
        return out;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        blobStore.close();
        if (ownsRoot) {
            deleteTree(root);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
