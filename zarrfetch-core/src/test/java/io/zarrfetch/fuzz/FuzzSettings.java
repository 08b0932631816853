package io.zarrfetch.fuzz;

/**
 * Settings shared by the fuzz tests. In {@code mvn verify} each fuzzes for {@link #MAX_DURATION}; a longer run sets
 * JAZZER_MAX_DURATION (docs/reliability.md).
 */
final class FuzzSettings {
    /** How long each fuzz test fuzzes in the normal build (with JAZZER_FUZZ set, as the build's fuzz run does). */
    static final String MAX_DURATION = "2s";
    /** One input taking longer than this is a finding (a hang); generous, the machine may be busy. */
    static final long TIMEOUT_SECONDS = 10;

    private FuzzSettings() {
    }
}
