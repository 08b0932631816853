package io.zarrfetch.testkit;

import io.zarrfetch.testkit.FaultProxy.Fault;

/**
 * What a request that gets a {@link Fault} must end in: the table of docs/reliability.md, which the library's fault
 * matrices and the command line's check, for every kind of request zarrfetch sends.
 */
public enum FaultOutcome {
    /** Delivered byte for byte after at least one retry. */
    RECOVERS,
    /** Delivered byte for byte without a retry, the fault injected. */
    DELIVERED,
    /**
     * Delivered as the object now is: the fault changed it (another version, or one byte longer) after a part was
     * fetched, and it was fetched again from its first byte (a retry), all its bytes of the new version, counted as
     * changed since listing. Never parts of two versions.
     */
    REFETCHED,
    /** Fails cleanly, naming the object or listing and the cause; not retried. */
    FAILS,
    /** Taken for absent, as a 404 says: a shard (or chunk) that is not there reads as the fill value. */
    ABSENT,
    /** The fault does not apply to this request, which passes unchanged: nothing is injected. */
    PASSES;

    /** The kinds of request besides object GETs ({@link #of(Fault, boolean, boolean)}). */
    public enum Request {
        /** A ListObjectsV2 page: a GET with {@code list-type=2}, answered 200 with XML. */
        LISTING,
        /** A metadata document ({@code zarr.json}, {@code .zarray}): a plain GET, read whole. */
        METADATA,
        /** A shard's index at its end: a GET of {@code Range: bytes=-N}, answered 206. */
        SHARD_INDEX,
        /** A HEAD (an object's size when nothing listed it). */
        HEAD
    }

    /**
     * The outcome for an object GET.
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
            // with the listing is taken for a changed object, fetched again from its first byte: the same bytes.
            case LENGTH_TOO_LARGE, LENGTH_TOO_SMALL -> RECOVERS;
            // A plain GET's 200 has no Content-Range to get wrong.
            case WRONG_CONTENT_RANGE -> plainGet ? PASSES : RECOVERS;
            // A change follows a ranged GET, which a plain GET is not. One GET has nothing to stitch; parts of two
            // versions must never be: the object is fetched again as it now is.
            case OBJECT_CHANGED, OBJECT_GREW -> plainGet ? PASSES : wholeObject ? DELIVERED : REFETCHED;
            // Only a plain GET's 200 is checked against its checksum (ranges carry none of their own); a composite
            // checksum is never checked.
            case WRONG_CHECKSUM -> plainGet ? RECOVERS : DELIVERED;
            case COMPOSITE_CHECKSUM -> DELIVERED;
            // Only a 200 is damaged.
            case CORRUPT_BODY -> plainGet ? RECOVERS : PASSES;
            case MALFORMED_LISTING -> PASSES;
        };
    }

    /** The outcome for a request of another kind. */
    public static FaultOutcome of(Fault fault, Request request) {
        return switch (fault) {
            case SLOW_DOWN_503, INTERNAL_500, TOO_MANY_429, RESET_BEFORE_HEADERS, STALL_BEFORE_HEADERS -> RECOVERS;
            case SLOW_FIRST_BYTE -> DELIVERED;
            case FORBIDDEN_403 -> FAILS;
            case NOT_FOUND_404 -> request == Request.SHARD_INDEX ? ABSENT : FAILS;
            // A HEAD has no body to cut.
            case RESET_MID_BODY, CUT_SHORT, CUT_MID_RECORD, STALL_MID_BODY ->
                    request == Request.HEAD ? PASSES : RECOVERS;
            // Too large: the body ends first, a cut answer. Too small: a 206 is checked against its Content-Range;
            // a listing loses its last '>' and is malformed; a document its last byte, the newline zarr-python and
            // zarrita end it with (a document ending otherwise would fail, malformed, naming it). A HEAD's
            // Content-Length is the object's size, which no fault changes.
            case LENGTH_TOO_LARGE -> request == Request.HEAD ? PASSES : RECOVERS;
            case LENGTH_TOO_SMALL -> switch (request) {
                case LISTING, SHARD_INDEX -> RECOVERS;
                case METADATA -> DELIVERED;
                case HEAD -> PASSES;
            };
            case WRONG_CONTENT_RANGE -> request == Request.SHARD_INDEX ? RECOVERS : PASSES;
            // A change follows a ranged GET: only an index's. The inner chunks then read after it ask for its
            // version only (If-Match: their offsets mean nothing in another), which is gone; a shard that grew
            // without an ETag still has the same bytes there.
            case OBJECT_CHANGED -> request == Request.SHARD_INDEX ? FAILS : PASSES;
            case OBJECT_GREW -> request == Request.SHARD_INDEX ? DELIVERED : PASSES;
            // A document is a whole object's plain GET, so its checksum is checked; a listing's is not read, and a
            // 206 carries none of its own. A damaged listing is malformed (a byte over 0x7F where XML has ASCII).
            case WRONG_CHECKSUM -> switch (request) {
                case METADATA -> RECOVERS;
                case LISTING, SHARD_INDEX -> DELIVERED;
                case HEAD -> PASSES;
            };
            case COMPOSITE_CHECKSUM -> request == Request.HEAD ? PASSES : DELIVERED;
            case CORRUPT_BODY -> request == Request.LISTING || request == Request.METADATA ? RECOVERS : PASSES;
            case MALFORMED_LISTING -> request == Request.LISTING ? RECOVERS : PASSES;
        };
    }
}
