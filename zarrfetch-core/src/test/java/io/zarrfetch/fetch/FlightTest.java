package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zarrfetch.store.Abort;
import io.zarrfetch.store.Body;

/**
 * The race between a request and its hedge, step by step on one thread (or two where one must wait for the
 * other), with bodies that only record what was done to them: who wins, who is aborted, who reports a failure.
 * HedgingTest runs the same through real servers.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FlightTest {
    /** A body that records being aborted and closed, and runs {@code onAbort} when aborted. */
    static final class Recorder implements Body {
        volatile boolean aborted;
        volatile boolean closed;
        Runnable onAbort = () -> { };

        @Override
        public void abort() {
            aborted = true;
            onAbort.run();
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public long length() {
            return 0;
        }

        @Override
        public long objectSize() {
            return 0;
        }

        @Override
        public String etag() {
            return null;
        }
    }

    @Test
    void anOriginalWithoutAHedgeCompletesItsPart() {
        Flight<String> f = new Flight<>("job", 0, 100);
        f.attempt(1, 0);
        assertThat(f.reading(f.original, new Recorder())).isTrue();
        assertThat(f.complete(f.original)).isTrue();
        assertThat(f.over).isTrue();
        assertThat(f.startHedge()).as("nothing to hedge once over").isNull();
    }

    @Test
    void theFirstToCompleteWinsAndWaitsUntilTheOtherStoppedWriting() throws Exception {
        Flight<String> f = new Flight<>("job", 0, 100);
        Abort originalWait = f.attempt(1, 0);
        Recorder originalBody = new Recorder();
        assertThat(f.reading(f.original, originalBody)).isTrue();
        assertThat(originalWait.aborted()).isFalse();
        Flight.Lane hedge = f.startHedge();
        assertThat(hedge).isNotNull();
        assertThat(f.startHedge()).as("one hedge a request").isNull();
        assertThat(f.reading(hedge, new Recorder())).isTrue();
        // The original's read fails when its body is aborted, and its thread then stops writing.
        Thread[] reader = new Thread[1];
        CompletableFuture<Boolean> sawOver = new CompletableFuture<>();
        originalBody.onAbort = () -> reader[0] = Thread.ofVirtual().start(() -> sawOver.complete(f.idle(f.original)));
        assertThat(f.complete(hedge)).as("the hedge won").isTrue();
        assertThat(originalBody.aborted).isTrue();
        reader[0].join();
        assertThat(sawOver.get()).as("the loser learns the part is over").isTrue();
        assertThat(f.complete(f.original)).as("the original lost").isFalse();
        assertThatThrownBy(() -> f.wrote(f.original, 50)).isSameAs(Flight.OVERTAKEN);
    }

    @Test
    void aWaitingLoserIsAbortedNotAwaited() {
        Flight<String> f = new Flight<>("job", 0, 100);
        f.attempt(1, 0);
        assertThat(f.reading(f.original, new Recorder())).isTrue();
        Flight.Lane hedge = f.startHedge(); // sent, its answer not in yet
        assertThat(f.complete(f.original)).isTrue();
        assertThat(hedge.waiting.aborted()).isTrue();
        assertThat(f.reading(hedge, new Recorder())).as("a head that comes after the win is refused").isFalse();
    }

    @Test
    void anOriginalThatFailsLeavesItsFailureToTheRunningHedge() {
        Flight<String> f = new Flight<>("job", 0, 100);
        f.attempt(1, 0);
        IOException cause = new IOException("404");
        assertThat(f.defer(cause)).as("no hedge: the original reports it").isFalse();

        Flight<String> g = new Flight<>("job", 0, 100);
        g.attempt(1, 0);
        g.startHedge();
        assertThat(g.defer(cause)).as("a hedge is running").isTrue();
        assertThat(g.hedgeEnded()).as("the hedge failed too: it reports the original's failure").isSameAs(cause);
        assertThat(g.over).isTrue();
    }

    @Test
    void aProbesHedgeHandsItsAnswerOverWhenItsHeadComesFirst() throws IOException {
        Flight<String> f = new Flight<>("job", 0, 100, true);
        Abort probeWait = f.attempt(1, 0);
        f.startHedge();
        Recorder hedgeBody = new Recorder();
        assertThat(f.offer(hedgeBody)).isTrue();
        assertThat(probeWait.aborted()).as("the probe's own wait is given up").isTrue();
        Recorder own = new Recorder();
        assertThat(f.headArrived(own)).as("the probe reads the hedge's body").isSameAs(hedgeBody);
        assertThat(own.closed).isTrue();
    }

    @Test
    void aProbesOwnHeadFirstAbortsTheHedgeAndAnUntakenAnswerIsClosed() throws IOException {
        Flight<String> f = new Flight<>("job", 0, 100, true);
        f.attempt(1, 0);
        Flight.Lane hedge = f.startHedge();
        Recorder own = new Recorder();
        assertThat(f.headArrived(own)).isSameAs(own);
        assertThat(hedge.waiting.aborted()).isTrue();
        assertThat(f.offer(new Recorder())).as("too late").isFalse();

        Flight<String> g = new Flight<>("job", 0, 100, true);
        g.attempt(1, 0);
        g.startHedge();
        Recorder handed = new Recorder();
        assertThat(g.offer(handed)).isTrue();
        g.closeOut(); // the probe ended another way (cancelled, say) without taking it
        assertThat(handed.closed).isTrue();
    }
}
