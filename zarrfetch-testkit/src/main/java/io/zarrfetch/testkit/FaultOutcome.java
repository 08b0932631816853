package io.zarrfetch.testkit;

import io.zarrfetch.testkit.FaultProxy.Fault;

/**
 * What a fetch must end in when the first GET of an object gets a {@link Fault}: the table of docs/reliability.md,
 * which the library's fault matrix and the command line's both check.
 */
public enum FaultOutcome {
    /** Delivered byte for byte after at least one retry. */
    RECOVERS,
    /** Delivered byte for byte without a retry. */
    DELIVERED,
    /** Fails cleanly, not retried. */
    FAILS;

    /**
     * The outcome for one fault.
     *
     * @param wholeObject the object (or range) is smaller than a part: one GET
     * @param plainGet that GET has no {@code Range}: a whole object whose size a listing gave (S3), where a GET of
     *     unknown size (plain HTTP) starts with a ranged probe
     */
    public static FaultOutcome of(Fault fault, boolean wholeObject, boolean plainGet) {
        return switch (fault) {
            case SLOW_DOWN_503, INTERNAL_500, TOO_MANY_429, RESET_BEFORE_HEADERS, RESET_MID_BODY, CUT_SHORT,
                    CUT_MID_RECORD, STALL_BEFORE_HEADERS, STALL_MID_BODY -> RECOVERS;
            case SLOW_FIRST_BYTE -> DELIVERED;
            case FORBIDDEN_403, NOT_FOUND_404 -> FAILS;
            // A 206 whose Content-Length disagrees with its Content-Range is retried; a 200 whose length disagrees
            // with the listing is taken for a changed object.
            case LENGTH_TOO_LARGE, LENGTH_TOO_SMALL -> plainGet ? FAILS : RECOVERS;
            // A plain GET's 200 has no Content-Range to get wrong.
            case WRONG_CONTENT_RANGE -> plainGet ? DELIVERED : RECOVERS;
            // One GET has nothing to stitch; parts of two versions must never be.
            case OBJECT_CHANGED, OBJECT_GREW -> wholeObject ? DELIVERED : FAILS;
            // Only a plain GET's 200 is checked against its checksum (ranges carry none of their own, and only a
            // 200 is corrupted); a composite checksum is never checked.
            case WRONG_CHECKSUM, CORRUPT_BODY -> plainGet ? RECOVERS : DELIVERED;
            case COMPOSITE_CHECKSUM -> DELIVERED;
        };
    }
}
