package io.zarrfetch.fetch;

/**
 * A snapshot of a running fetch.
 *
 * @param objectsSeen objects taken from the input so far (a listing may still be streaming)
 * @param inputDone whether the input has ended, so {@code objectsSeen} is the total
 * @param objectsDone objects delivered
 * @param objectsFailed objects that failed
 * @param bytesSeen bytes of the objects seen whose size is known
 * @param bytesReceived bytes received so far, retried ones included
 * @param requestsActive requests in flight now
 * @param concurrency how many requests the fetch keeps in flight now (it moves when concurrency is adaptive)
 * @param bufferBytes bytes of buffers held now
 */
public record FetchProgress(long objectsSeen, boolean inputDone, long objectsDone, long objectsFailed,
        long bytesSeen, long bytesReceived, int requestsActive, int concurrency, long bufferBytes) {
}
