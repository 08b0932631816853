package io.zarrfetch.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;

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

    private S3Server(Path root, boolean ownsRoot, String accessKey, String secretKey) throws Exception {
        this(root, ownsRoot, accessKey, secretKey, 0);
    }

    private S3Server(Path root, boolean ownsRoot, String accessKey, String secretKey, int port) throws Exception {
        this.root = root;
        this.ownsRoot = ownsRoot;
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.toAbsolutePath().toString());
        p.setProperty(Constants.PROPERTY_IDENTITY, accessKey == null ? "" : accessKey);
        p.setProperty(Constants.PROPERTY_CREDENTIAL, secretKey == null ? "" : secretKey);
        blobStore = BlobStores.create("filesystem", p);
        AuthenticationType auth = accessKey == null ? AuthenticationType.NONE : AuthenticationType.AWS_V2_OR_V4;
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .awsAuthentication(auth, accessKey, secretKey)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .stopTimeout(0)
                .build();
        proxy.start(); // synchronous: the port is bound when it returns
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** An anonymous server over {@code root}: existing subfolders are buckets, their files objects. */
    public static S3Server start(Path root) throws Exception {
        return new S3Server(root, false, null, null);
    }

    /** An anonymous server over {@code root} on {@code port} of 127.0.0.1 (0 for a free one). */
    public static S3Server start(Path root, int port) throws Exception {
        return new S3Server(root, false, null, null, port);
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
