package io.zarrfetch.bench.peers;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.crt.CrtResource;
import software.amazon.awssdk.crt.io.ClientBootstrap;
import software.amazon.awssdk.crt.io.EventLoopGroup;
import software.amazon.awssdk.crt.io.HostResolver;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.DownloadFileRequest;
import software.amazon.awssdk.transfer.s3.model.FileDownload;

/**
 * The AWS SDK for Java v2 S3 Transfer Manager on the CRT-based S3 client, downloading each object
 * to a file: every download is started at once and then joined, the Transfer Manager and the CRT
 * schedule them.
 *
 * <p>The harness's nginx serves {@code DIR/analysed_sst/i.1.0} at {@code http://HOST:PORT/analysed_sst/i.1.0}:
 * with path-style addressing that is bucket {@code analysed_sst}, key {@code i.1.0}, at endpoint
 * {@code http://HOST:PORT}. Requests are anonymous (no signature), region us-east-1, and checksums are
 * neither sent nor validated (nginx sends none).
 *
 * <p>Connections: the CRT opens {@code targetThroughputInGbps / 0.4} connections (at least 10; aws-c-s3
 * assumes 0.4 Gbit/s, i.e. 50 MB/s, per connection), capped by {@code maxConcurrency}. To give it the
 * same number of connections as the other tools, {@code --concurrency N} sets maxConcurrency = N and
 * targetThroughputInGbps = 0.4 * N (25 -> 10 Gbit/s, the SDK's default; 16 -> 6.4). Part size stays at
 * the CRT's default (8 MiB ranged GETs).
 *
 * <p>Before it exits it closes the CRT's process-wide client bootstrap, event loop group and host resolver
 * and waits for the CRT's native resources: otherwise the CRT's JVM shutdown hook waits up to 1 s for its
 * native threads after the last byte ({@code --crt-cleanup false} shows it).
 *
 * <p>Usage: {@code java ... AwsTransferManagerPeer --out DIR --concurrency N [--target-gbps G] [--region R]
 * [--crt-cleanup true|false] --from URLFILE}. Prints one JSON object as its last stdout line: objects,
 * bytes (sizes of the files written), failed, wall_seconds (from building the client to the end of the
 * cleanup, without JVM start-up). Exit status 1 if any download failed, 2 for bad arguments.
 */
public final class AwsTransferManagerPeer {
    private static final String USAGE = "usage: AwsTransferManagerPeer --out DIR --concurrency N "
            + "[--target-gbps G] [--region R] [--crt-cleanup true|false] --from URLFILE | URL...";

    private AwsTransferManagerPeer() {}

    private record Target(String bucket, String key, Path file) {}

    public static void main(String[] args) throws Exception {
        PeerArgs a;
        Path out;
        int concurrency;
        double gbps;
        try {
            a = PeerArgs.parse(args, USAGE, "out", "concurrency", "target-gbps", "region", "crt-cleanup");
            out = Path.of(a.require("out"));
            concurrency = Integer.parseInt(a.require("concurrency"));
            gbps = Double.parseDouble(a.get("target-gbps", String.valueOf(0.4 * concurrency)));
        } catch (IllegalArgumentException e) {
            System.err.println("awssdk-tm: " + e.getMessage());
            System.exit(2);
            return;
        }
        URI endpoint = null;
        List<Target> targets = new ArrayList<>();
        for (String url : a.urls) {
            URI u = URI.create(url);
            URI ep = URI.create(u.getScheme() + "://" + u.getRawAuthority());
            if (endpoint == null) {
                endpoint = ep;
            } else if (!endpoint.equals(ep)) {
                System.err.println("awssdk-tm: all URLs must share one endpoint: " + endpoint + " vs " + ep);
                System.exit(2);
            }
            String path = u.getPath().substring(1); // "bucket/key..."
            int slash = path.indexOf('/');
            if (slash <= 0 || slash == path.length() - 1) {
                System.err.println("awssdk-tm: " + url + " is not http://HOST:PORT/BUCKET/KEY");
                System.exit(2);
            }
            String key = path.substring(slash + 1);
            targets.add(new Target(path.substring(0, slash), key, out.resolve(key)));
        }

        long t0 = System.nanoTime();
        long objects = 0;
        long bytes = 0;
        long failed = 0;
        try (S3AsyncClient s3 = S3AsyncClient.crtBuilder()
                        .endpointOverride(endpoint)
                        .forcePathStyle(true)
                        .region(Region.of(a.get("region", "us-east-1")))
                        .credentialsProvider(AnonymousCredentialsProvider.create())
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                        .targetThroughputInGbps(gbps)
                        .maxConcurrency(concurrency)
                        .build();
                S3TransferManager tm = S3TransferManager.builder().s3Client(s3).build()) {
            List<FileDownload> downloads = new ArrayList<>(targets.size());
            for (Target t : targets) {
                Files.createDirectories(t.file().getParent());
                downloads.add(tm.downloadFile(DownloadFileRequest.builder()
                        .getObjectRequest(r -> r.bucket(t.bucket()).key(t.key()))
                        .destination(t.file())
                        .build()));
            }
            for (int i = 0; i < downloads.size(); i++) {
                Target t = targets.get(i);
                try {
                    downloads.get(i).completionFuture().join();
                    objects++;
                    bytes += Files.size(t.file());
                } catch (CompletionException e) {
                    failed++;
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    System.err.println("awssdk-tm: " + t.bucket() + "/" + t.key() + ": " + cause);
                }
            }
        }
        if (Boolean.parseBoolean(a.get("crt-cleanup", "true"))) {
            // Release the CRT's process-wide event loops, resolver and bootstrap and wait for their
            // native threads: otherwise the CRT's JVM shutdown hook waits up to 1 s for them
            // (aws-crt-java's "gentle shutdown"), which every run would pay after its last byte.
            ClientBootstrap.closeStaticDefault();
            EventLoopGroup.closeStaticDefault();
            HostResolver.closeStaticDefault();
            CrtResource.waitForNoResources();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.println(PeerArgs.json(objects, bytes, failed, wall, String.format(Locale.ROOT,
                "\"max_concurrency\": %d, \"target_throughput_gbps\": %.1f", concurrency, gbps)));
        System.exit(failed == 0 ? 0 : 1);
    }
}
