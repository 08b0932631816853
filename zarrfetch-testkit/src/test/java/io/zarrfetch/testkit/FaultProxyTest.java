package io.zarrfetch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;

/** The proxy forwards, injects what its rules say and counts it, and closing it ends its stalls. */
class FaultProxyTest {
    @TempDir
    Path dir;

    @Test
    void forwardsAndInjectsByRule() throws Exception {
        Files.writeString(dir.resolve("a"), "hello, world");
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1)
                        .add(Rule.first(1, Fault.SLOW_DOWN_503).onPath("/a").onRanged(false))) {
            String first = get(proxy, "/a", null);
            assertThat(first).startsWith("HTTP/1.1 503").contains("<Code>SlowDown</Code>");
            String second = get(proxy, "/a", null);
            assertThat(second).startsWith("HTTP/1.1 200").contains("Connection: close").endsWith("hello, world");
            String ranged = get(proxy, "/a", "bytes=7-11");
            assertThat(ranged).startsWith("HTTP/1.1 206").endsWith("world");
            assertThat(proxy.injected(Fault.SLOW_DOWN_503)).isEqualTo(1);
            assertThat(proxy.injectedTotal()).isEqualTo(1);
            assertThat(proxy.requests()).hasSize(3);
            assertThat(proxy.requests().get(2).header("Range")).isEqualTo("bytes=7-11");
        }
    }

    @Test
    void addsBreaksAndCorruptsChecksums() throws Exception {
        String text = "hello, checksums";
        Files.writeString(dir.resolve("a"), text);
        String right = S3Server.crc32c(text.getBytes(StandardCharsets.ISO_8859_1));
        String asked = "x-amz-checksum-mode: ENABLED\r\n";
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1).addChecksums(true)
                        .add(Rule.first(1, Fault.WRONG_CHECKSUM))
                        .add(Rule.first(1, Fault.COMPOSITE_CHECKSUM))
                        .add(Rule.first(2, Fault.CORRUPT_BODY))) {
            String wrong = get(proxy, "/a", null, asked);
            assertThat(wrong).startsWith("HTTP/1.1 200").contains("x-amz-checksum-type: FULL_OBJECT")
                    .doesNotContain(right).endsWith(text);
            assertThat(checksum(wrong)).hasSize(8).isNotEqualTo(right);
            String composite = get(proxy, "/a", null, asked);
            assertThat(composite).doesNotContain("x-amz-checksum-type").endsWith(text);
            assertThat(checksum(composite)).endsWith("-2").doesNotContain(right);
            String ranged = get(proxy, "/a", "bytes=0-4", asked);
            assertThat(ranged).as("a 206 is not corrupted").startsWith("HTTP/1.1 206").endsWith("hello")
                    .doesNotContain("x-amz-checksum");
            String corrupt = get(proxy, "/a", null, "");
            assertThat(checksum(corrupt)).as("the right checksum, over the body before the damage").isEqualTo(right);
            assertThat(corrupt).endsWith("hello, c" + (char) ('h' ^ 0xff) + "ecksums");
            String good = get(proxy, "/a", null, asked);
            assertThat(checksum(good)).isEqualTo(right);
            assertThat(good).contains("x-amz-checksum-type: FULL_OBJECT").endsWith(text);
            assertThat(get(proxy, "/a", null, "")).as("not asked for").doesNotContain("x-amz-checksum");
            assertThat(proxy.injected(Fault.WRONG_CHECKSUM)).isEqualTo(1);
            assertThat(proxy.injected(Fault.COMPOSITE_CHECKSUM)).isEqualTo(1);
            assertThat(proxy.injected(Fault.CORRUPT_BODY)).as("the 206 was let through uncounted").isEqualTo(1);
            assertThat(proxy.checksumsAdded()).isEqualTo(3); // under the wrong and the composite one, and the good one
        }
    }

    @Test
    void aServerThatFailsEachRequestOnceAnswersItsRepeat() throws Exception {
        Files.writeString(dir.resolve("a"), "hello, world");
        Files.writeString(dir.resolve("b"), "other");
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1).add(Rule.oncePerRequest(Fault.SLOW_DOWN_503))) {
            assertThat(get(proxy, "/a", null)).startsWith("HTTP/1.1 503");
            assertThat(get(proxy, "/a", null)).startsWith("HTTP/1.1 200").endsWith("hello, world");
            assertThat(get(proxy, "/a", "bytes=0-4")).as("another range: another request").startsWith("HTTP/1.1 503");
            assertThat(get(proxy, "/a", "bytes=0-4")).startsWith("HTTP/1.1 206").endsWith("hello");
            assertThat(get(proxy, "/b", null)).startsWith("HTTP/1.1 503");
            assertThat(get(proxy, "/a", null)).startsWith("HTTP/1.1 200");
            assertThat(proxy.injected(Fault.SLOW_DOWN_503)).isEqualTo(3);
        }
    }

    @Test
    void aListingPageIsCutAndOtherAnswersPass() throws Exception {
        String page = "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        Files.writeString(dir.resolve("bkt"), page); // a file stands for the bucket: GET /bkt?list-type=2 reads it
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1).add(Rule.sometimes(1.0, Fault.MALFORMED_LISTING))) {
            String cut = get(proxy, "/bkt?list-type=2&prefix=", null);
            assertThat(cut).startsWith("HTTP/1.1 200").contains("Content-Length: " + page.length() / 2)
                    .endsWith(page.substring(0, page.length() / 2));
            assertThat(get(proxy, "/bkt", null)).as("not a listing").endsWith(page);
            assertThat(proxy.injected(Fault.MALFORMED_LISTING)).isEqualTo(1);
        }
    }

    @Test
    void aHeadKeepsItsContentLengthAndNoLengthFaultChangesIt() throws Exception {
        Files.writeString(dir.resolve("a"), "hello, world");
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1).add(Rule.first(1, Fault.LENGTH_TOO_LARGE))) {
            try (Socket s = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
                s.getOutputStream().write("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 200").contains("Content-Length: 12\r\n");
            }
            assertThat(proxy.injected(Fault.LENGTH_TOO_LARGE)).isZero();
        }
    }

    /** The x-amz-checksum-crc32c of an answer, or {@code null}. */
    private static String checksum(String answer) {
        return answer.lines().filter(l -> l.startsWith("x-amz-checksum-crc32c: ")).map(l -> l.substring(23))
                .findFirst().orElse(null);
    }

    @Test
    @Timeout(60) // a guard against a hang, not a measurement
    void closingEndsAStallAndTheConnection() throws Exception {
        Files.writeString(dir.resolve("a"), "hello");
        try (HttpFileServer http = HttpFileServer.start(dir)) {
            FaultProxy proxy = FaultProxy.start(http.url(), 1).stall(Duration.ofHours(1))
                    .add(Rule.first(1, Fault.STALL_BEFORE_HEADERS));
            try (Socket s = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
                s.getOutputStream().write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                // Once the proxy counted the stall, its handler is in it (or about to be).
                while (proxy.injected(Fault.STALL_BEFORE_HEADERS) == 0) {
                    Thread.onSpinWait();
                }
                proxy.close(); // throws if its threads do not end
                String answer = readAll(s.getInputStream());
                assertThat(answer).as("the stalled answer may be sent or cut, but the connection ends")
                        .doesNotContain("hello, world");
                assertThat(proxy.stallsAbandoned()).as("the proxy ended it, not the client").isZero();
            }
        }
    }

    @Test
    @Timeout(60) // a guard against a hang, not a measurement
    void aClientClosingAStalledConnectionEndsTheStallAndIsCounted() throws Exception {
        Files.writeString(dir.resolve("a"), "0123456789");
        try (HttpFileServer http = HttpFileServer.start(dir);
                FaultProxy proxy = FaultProxy.start(http.url(), 1).stall(Duration.ofHours(1))
                        .add(Rule.first(1, Fault.STALL_MID_BODY))) {
            try (Socket s = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
                s.getOutputStream().write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(proxy.awaitStalls(1, Duration.ofSeconds(30))).isTrue();
                String head = new String(s.getInputStream().readNBytes(5), StandardCharsets.ISO_8859_1);
                assertThat(head).isEqualTo("HTTP/");
                assertThat(proxy.stallsAbandoned()).isZero();
            }
            assertThat(proxy.awaitStallsAbandoned(1, Duration.ofSeconds(30))).as("the proxy saw the client go")
                    .isTrue();
            assertThat(get(proxy, "/a", null)).as("later requests are served").endsWith("0123456789");
            assertThat(proxy.stallsAbandoned()).isEqualTo(1);
        }
    }

    private static String get(FaultProxy proxy, String path, String range) throws IOException {
        return get(proxy, path, range, "");
    }

    /** A GET through the proxy, with these header lines (each ending in CRLF) added. */
    private static String get(FaultProxy proxy, String path, String range, String headers) throws IOException {
        try (Socket s = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + headers
                    + (range != null ? "Range: " + range + "\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return readAll(s.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            in.transferTo(b);
        } catch (IOException e) {
            // reset: what came before counts
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
