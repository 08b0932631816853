package io.zarrfetch.store;

import java.util.List;

/** The package-private S3 listing parser, for the fuzz tests in io.zarrfetch.fuzz. */
public final class S3ListingAccess {
    private S3ListingAccess() {
    }

    /** What {@link S3Listing} gives. */
    public record Page(List<ObjectInfo> objects, boolean truncated, String nextContinuationToken) {
    }

    /** {@link S3Listing#parse(byte[])}: throws IllegalArgumentException for a malformed listing. */
    public static Page parse(byte[] xml) {
        S3Listing l = S3Listing.parse(xml);
        return new Page(l.objects(), l.truncated(), l.nextContinuationToken());
    }
}
