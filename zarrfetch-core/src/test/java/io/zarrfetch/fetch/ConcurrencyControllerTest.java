package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

class ConcurrencyControllerTest {
    /** Runs the controller against a link whose throughput depends only on the requests in flight. */
    static int settle(ConcurrencyController c, IntToDoubleFunction link, int windows) {
        int maxSeen = c.target();
        for (int i = 0; i < windows; i++) {
            maxSeen = Math.max(maxSeen, c.onWindow(link.applyAsDouble(c.target())));
        }
        return maxSeen;
    }

    @Test
    void addsRequestsWhileTheyAddThroughput() {
        // 50 MB/s a connection up to a 2 GB/s link: 40 connections fill it.
        ConcurrencyController c = new ConcurrencyController(8, 64);
        settle(c, n -> Math.min(n * 50e6, 2e9), 200);
        assertThat(c.target()).isBetween(40, 64);
    }

    @Test
    void staysPutWhenMoreRequestsDoNotHelp() {
        // The link is full at 8 connections (300 MB/s): extra ones are tried now and then, and dropped.
        ConcurrencyController c = new ConcurrencyController(8, 64);
        int maxSeen = settle(c, n -> Math.min(n * 50e6, 300e6), 200);
        assertThat(c.target()).isEqualTo(8);
        assertThat(maxSeen).as("tries go one step up, no further").isEqualTo(10);
    }

    @Test
    void neverExceedsTheCap() {
        ConcurrencyController c = new ConcurrencyController(4, 12);
        int maxSeen = settle(c, n -> n * 1e9, 100);
        assertThat(maxSeen).isEqualTo(12);
        assertThat(c.target()).isEqualTo(12);
    }

    @Test
    void aFixedCountNeverMoves() {
        ConcurrencyController c = new ConcurrencyController(16, 16);
        assertThat(settle(c, n -> n * 1e9, 50)).isEqualTo(16);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new ConcurrencyController(0, 4)).hasMessageContaining("start");
        assertThatThrownBy(() -> new ConcurrencyController(8, 4)).hasMessageContaining("8 and 4");
    }
}
