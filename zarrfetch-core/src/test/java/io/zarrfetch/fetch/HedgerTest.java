package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hedger's rations (the race itself is FlightTest's, the whole through servers HedgingTest's). */
class HedgerTest {
    static final HedgePolicy FIVE_PERCENT = HedgePolicy.defaults();

    @Test
    void atLeastOneHedgeMayBeInFlightAndAtMostTheShareOfTheTarget() {
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 0, 0, 8)).isTrue();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 1, 0, 1000, 8)).as("5% of 8 is less than one: one").isFalse();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 2, 0, 1000, 64)).as("5% of 64: 3").isTrue();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 3, 0, 1000, 64)).isFalse();
    }

    @Test
    void hedgesInAllAreAtMostTheShareOfTheRunsRequestsPlusOne() {
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 0, 0, 64)).as("the first, plus one").isTrue();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 1, 10, 64)).as("1 < 1.5").isTrue();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 2, 10, 64)).isFalse();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 5, 100, 64)).as("1 + 5% of 100 = 6").isTrue();
        assertThat(Hedger.mayHedge(FIVE_PERCENT, 0, 6, 100, 64)).isFalse();
        HedgePolicy all = new HedgePolicy(true, 3, java.time.Duration.ofSeconds(1), 8, 1.0);
        assertThat(Hedger.mayHedge(all, 63, 100, 100, 64)).isTrue();
    }
}
