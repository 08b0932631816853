package io.zarrfetch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * What S3Proxy does with CRC-32C checksums, which the checksum tests of zarrfetch-core rely on: it keeps the checksum
 * an upload carries, and sends it back only to a GET of the whole object that asks for it, as S3 does.
 */
class S3ServerTest {
    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static HttpHeaders get(S3Server s3, String path, String range, boolean ask) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(s3.endpoint() + path));
        if (range != null) {
            r.header("Range", range);
        }
        if (ask) {
            r.header("x-amz-checksum-mode", "ENABLED");
        }
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).isEqualTo(range == null ? 200 : 206);
            return answer.headers();
        }
    }

    @Test
    void keepsAnUploadsChecksumAndSendsItOnlyForTheWholeObjectWhenAsked() throws Exception {
        byte[] d = data(100_000, 1);
        try (S3Server s3 = S3Server.start()) {
            s3.createBucket("sums");
            s3.putWithChecksum("sums", "dir/a b", d);
            s3.put("sums", "plain", d);
            HttpHeaders whole = get(s3, "/sums/dir/a%20b", null, true);
            assertThat(whole.firstValue("x-amz-checksum-crc32c")).hasValue(S3Server.crc32c(d));
            assertThat(whole.firstValue("x-amz-checksum-type")).hasValue("FULL_OBJECT");
            assertThat(get(s3, "/sums/dir/a%20b", null, false).firstValue("x-amz-checksum-crc32c")).isEmpty();
            for (String range : List.of("bytes=0-99", "bytes=0-", "bytes=0-99999", "bytes=-10")) {
                assertThat(get(s3, "/sums/dir/a%20b", range, true).firstValue("x-amz-checksum-crc32c")).as(range)
                        .isEmpty();
            }
            assertThat(get(s3, "/sums/plain", null, true).firstValue("x-amz-checksum-crc32c"))
                    .as("stored without one").isEmpty();
        }
    }

    @Test
    void signsItsUploadsForAServerWithCredentials() throws Exception {
        byte[] d = data(1000, 2);
        try (S3Server s3 = S3Server.startWithCredentials("AKIATESTKIT", "testkit-secret")) {
            s3.createBucket("sums");
            s3.putWithChecksum("sums", "signed", d); // an unsigned or badly signed PUT gets 403
            assertThat(s3.root().resolve("sums/signed")).hasBinaryContent(d);
        }
    }

    @Test
    void multipartUploadsGetACompositeOrAFullObjectChecksum() throws Exception {
        byte[] first = data(5 * 1024 * 1024, 3);
        byte[] last = data(1000, 4);
        byte[] all = new byte[first.length + last.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(last, 0, all, first.length, last.length);
        try (S3Server s3 = S3Server.start()) {
            s3.createBucket("sums");
            assertThatThrownBy(() -> s3.putMultipart("sums", "small", List.of(last, last), true))
                    .as("parts under 5 MiB, as on S3").isInstanceOf(IOException.class)
                    .hasMessageContaining("EntityTooSmall");
            s3.putMultipart("sums", "composite", List.of(first, last), false);
            s3.putMultipart("sums", "full", List.of(first, last), true);
            HttpHeaders composite = get(s3, "/sums/composite", null, true);
            assertThat(composite.firstValue("x-amz-checksum-crc32c")).get().asString().endsWith("-2")
                    .doesNotStartWith(S3Server.crc32c(all));
            assertThat(composite.firstValue("x-amz-checksum-type")).hasValue("COMPOSITE");
            HttpHeaders full = get(s3, "/sums/full", null, true);
            assertThat(full.firstValue("x-amz-checksum-crc32c")).hasValue(S3Server.crc32c(all));
            assertThat(full.firstValue("x-amz-checksum-type")).hasValue("FULL_OBJECT");
            assertThat(s3.root().resolve("sums/full")).hasBinaryContent(all);
        }
    }
}
