package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The rules every retried request goes by, with requests that fail as told and retries that do not wait. */
class RetriesTest {
    static final RetryPolicy FOUR = new RetryPolicy(4, Duration.ZERO, Duration.ZERO);

    static StoreException busy() {
        return new StoreException("s3://b/k", 503, Retries.retryableStatus(503), "service unavailable");
    }

    static StoreException denied() {
        return new StoreException("s3://b/k", 403, Retries.retryableStatus(403), "access denied");
    }

    /** A request that fails with the given failures, in order, then answers "ok". */
    static final class Scripted implements Retries.Request<String> {
        final Deque<StoreException> failures = new ArrayDeque<>();
        final AtomicInteger sent = new AtomicInteger();

        Scripted(StoreException... failures) {
            this.failures.addAll(java.util.List.of(failures));
        }

        @Override
        public String send() throws StoreException {
            sent.incrementAndGet();
            StoreException e = failures.poll();
            if (e != null) {
                throw e;
            }
            return "ok";
        }
    }

    @Test
    void aRetryTakenWithoutWaitingCountsAgainstTheAttemptsAndTheBudgetWhateverTheFailure() throws Exception {
        Retries retries = new Retries(FOUR.withBudget(2, 0));
        StoreException changed = new StoreException("s3://b/k", 412, false, "changed");
        retries.take(changed, 1); // not retryable as a request, but taken: the fetcher fetches such an object again
        assertThatThrownBy(() -> retries.take(changed, 4)).as("its attempts are had").isSameAs(changed);
        retries.take(changed, 2);
        assertThatThrownBy(() -> retries.take(changed, 3)).hasMessageContaining("s3://b/k: changed; not retried: "
                + "the retry budget is spent (2 retries that got no answer, for 0 good answers)");
        retries.answered(2); // both got their answers: given back
        retries.take(changed, 3);
        assertThat(retries.retries()).isEqualTo(3);
    }

    @Test
    void statusesAndCausesThatMayPassAreRetriedAndNoOthers() {
        assertThat(java.util.stream.IntStream.of(500, 502, 503, 504, 429, 408)).allMatch(Retries::retryableStatus);
        assertThat(java.util.stream.IntStream.of(200, 301, 400, 401, 403, 404, 412, 416))
                .noneMatch(Retries::retryableStatus);
        assertThat(Retries.retryableCause(new ConnectException("refused"))).isTrue();
        assertThat(Retries.retryableCause(new java.net.SocketTimeoutException("timed out"))).isTrue();
        assertThat(Retries.retryableCause(new UnknownHostException("nowhere.invalid"))).isFalse();
    }

    @Test
    void aFailureThatMayPassIsSentAgainUntilItIsAnswered() throws Exception {
        Retries retries = new Retries(FOUR);
        Scripted request = new Scripted(busy(), busy(), busy());
        assertThat(retries.send(request)).isEqualTo("ok");
        assertThat(request.sent).hasValue(4);
        assertThat(retries.retries()).isEqualTo(3);
        assertThat(retries.answers()).isEqualTo(1);
    }

    @Test
    void aFailureThatDoesNotPassIsThrownAtOnce() {
        Retries retries = new Retries(FOUR);
        StoreException denied = denied();
        Scripted request = new Scripted(denied, busy());
        assertThatThrownBy(() -> retries.send(request)).isSameAs(denied);
        assertThat(request.sent).hasValue(1);
        assertThat(retries.retries()).isZero();
    }

    @Test
    void aRequestHasItsAttemptsAndThenFailsWithTheLastCause() {
        Retries retries = new Retries(FOUR);
        StoreException last = new StoreException("s3://b/k", 500, true, "the fourth");
        Scripted request = new Scripted(busy(), busy(), busy(), last, busy());
        assertThatThrownBy(() -> retries.send(request)).isSameAs(last);
        assertThat(request.sent).hasValue(4);
    }

    @Test
    void theBudgetHoldsRetriesThatGotNoAnswerAndAnswersEarnMore() throws Exception {
        Retries retries = new Retries(FOUR.withBudget(4, 0.5));
        Scripted dead = new Scripted(busy(), busy(), busy(), busy());
        assertThatThrownBy(() -> retries.send(dead)).isInstanceOf(StoreException.class);
        assertThat(dead.sent).as("its attempts: 3 retries that got nothing").hasValue(4);
        // A retry that passes is given back: this one leaves the budget as it was, and earns half a retry.
        assertThat(retries.send(new Scripted(busy()))).isEqualTo("ok");
        assertThat(retries.retries()).isEqualTo(4);
        Scripted refused = new Scripted(busy(), busy(), busy());
        assertThatThrownBy(() -> retries.send(refused)).isInstanceOf(StoreException.class)
                .hasMessage("s3://b/k: service unavailable; not retried: the retry budget is spent (5 retries that "
                        + "got no answer, for 1 good answers)")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse())
                .satisfies(e -> assertThat(((StoreException) e).status()).isEqualTo(503));
        assertThat(refused.sent).as("3, then 4 retries without an answer were under 4 + 0.5; 5 is not").hasValue(3);
    }

    @Test
    void aServerThatFailsEveryRequestOnceHasEveryOneRetried() throws Exception {
        Retries retries = new Retries(FOUR.withBudget(1, 0));
        for (int i = 0; i < 1000; i++) {
            assertThat(retries.send(new Scripted(busy()))).isEqualTo("ok");
        }
        assertThat(retries.retries()).isEqualTo(1000);
    }

    @Test
    void anAbortedRequestIsNotSentAgain() {
        Retries retries = new Retries(FOUR);
        Abort abort = new Abort();
        Scripted request = new Scripted(busy(), busy());
        abort.abort();
        assertThatThrownBy(() -> retries.send(abort, request)).isInstanceOf(StoreException.class);
        assertThat(request.sent).hasValue(1);
        assertThat(Retries.retryable(busy(), abort)).isFalse();
        assertThat(Retries.retryable(busy(), new Abort())).isTrue();
        assertThat(Retries.retryable(busy(), null)).isTrue();
    }

    @Test
    void anInterruptWhileWaitingToRetryStopsTheRequest() {
        Retries retries = new Retries(new RetryPolicy(3, Duration.ofHours(1), Duration.ofHours(1)));
        Thread.currentThread().interrupt(); // set before the wait: the sleep throws at once
        try {
            assertThatThrownBy(() -> retries.backoff(busy(), 1)).isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("s3://b/k").hasCauseInstanceOf(StoreException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aBodyCutShortKeepsItsBytesUnlessTheyWereToBeChecked() {
        StoreException cut = new StoreException("s3://b/k", 0, true, "body ended after 10 of 20 bytes");
        StoreException unchecked = new UnverifiedBytesException("s3://b/k", "body ended before its checksum", null);
        assertThat(Retries.kept(cut, 10)).isEqualTo(10);
        assertThat(Retries.kept(unchecked, 10)).isZero();
    }

    @Test
    void waitsAreFullJitterUnderTheDoublingCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(p.delayAfter(1)).isBetween(Duration.ZERO, Duration.ofMillis(100));
            assertThat(p.delayAfter(3)).isBetween(Duration.ZERO, Duration.ofMillis(400));
            assertThat(p.delayAfter(9)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        }
        assertThat(new RetryPolicy(3, Duration.ZERO, Duration.ZERO).delayAfter(2)).isZero();
    }

    @Test
    void attemptsAreSetInOnePlace() {
        RetryPolicy three = RetryPolicy.defaults().withMaxAttempts(3);
        assertThat(three.maxAttempts()).isEqualTo(3);
        assertThat(three.baseDelay()).isEqualTo(RetryPolicy.defaults().baseDelay());
        assertThat(StoreOptions.defaults().withRetry(three).retry().maxAttempts()).isEqualTo(3);
        assertThatThrownBy(() -> RetryPolicy.defaults().withMaxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    }

    @Test
    void aFailureWithoutItsUrlIsItsCause() {
        assertThat(Retries.cause(busy())).isEqualTo("service unavailable");
    }
}
