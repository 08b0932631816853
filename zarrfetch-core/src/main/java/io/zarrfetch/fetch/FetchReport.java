package io.zarrfetch.fetch;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a fetch: what was delivered and, one by one, what failed and why.
 *
 * @param objects objects delivered
 * @param bytes bytes delivered (the objects' sizes)
 * @param verified objects delivered whose bytes matched the checksum their server sent (S3's
 *     {@code x-amz-checksum-crc32c} for a whole object; see docs/reliability.md for what is not checked)
 * @param changedSinceListing objects delivered as they are now after they changed since they were listed (or while
 *     they were fetched): a 412 to the listing's ETag, or another ETag or size in a later answer, had them fetched
 *     again from their first byte
 * @param bytesReceived bytes received, including those of failed and retried requests
 * @param wall from start to the last delivery
 * @param requests requests made
 * @param retries requests that were retries, and objects fetched again from their first byte after a change
 * @param hedges requests that were hedges: a straggler's bytes asked for again ({@link HedgePolicy})
 * @param hedgesWon hedges that completed before the request they hedged
 * @param maxConcurrency the most requests the fetch kept in flight at once (adaptive concurrency's highest step)
 * @param partSize the size of the parts objects were fetched in: {@link FetchOptions#partSize()}, or less for a
 *     stream under a memory limit that holds fewer than 16 such parts ({@link Sink#stream})
 * @param peakBufferBytes the most bytes of buffers held at once
 * @param failures every failed object, and a failed listing
 * @param cancelled whether the fetch was cancelled before it finished
 */
public record FetchReport(long objects, long bytes, long verified, long changedSinceListing, long bytesReceived,
        Duration wall, long requests, long retries, long hedges, long hedgesWon, int maxConcurrency, long partSize,
        long peakBufferBytes, List<FetchFailure> failures, boolean cancelled) {
    /** Whether everything was delivered. */
    public boolean ok() {
        return failures.isEmpty() && !cancelled;
    }
}
