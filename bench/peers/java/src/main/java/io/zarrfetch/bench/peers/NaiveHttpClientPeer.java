package io.zarrfetch.bench.peers;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * What a Java user writes first: one {@link HttpClient} with its defaults, a sequential loop of
 * {@code client.send(GET, BodyHandlers.ofByteArray())} over the URLs, summing the bodies' lengths.
 *
 * <p>Usage: {@code java ... NaiveHttpClientPeer --from URLFILE} (or URLs as arguments). Prints one
 * JSON object as its last stdout line, like bench/peers/seed_aiohttp.py: objects, bytes, failed
 * (answers other than 200), wall_seconds (the loop, without JVM start-up). Exit status 1 if any
 * request failed.
 */
public final class NaiveHttpClientPeer {
    private static final String USAGE = "usage: NaiveHttpClientPeer --from URLFILE | URL...";

    private NaiveHttpClientPeer() {}

    public static void main(String[] args) throws Exception {
        PeerArgs a;
        try {
            a = PeerArgs.parse(args, USAGE);
        } catch (IllegalArgumentException e) {
            System.err.println("java-naive: " + e.getMessage());
            System.exit(2);
            return;
        }
        long t0 = System.nanoTime();
        long objects = 0;
        long bytes = 0;
        long failed = 0;
        HttpClient client = HttpClient.newHttpClient();
        for (String url : a.urls) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200) {
                objects++;
                bytes += response.body().length;
            } else {
                failed++;
                System.err.println("java-naive: " + url + ": HTTP " + response.statusCode());
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.println(PeerArgs.json(objects, bytes, failed, wall,
                "\"java\": \"" + Runtime.version() + "\""));
        System.exit(failed == 0 ? 0 : 1);
    }
}
