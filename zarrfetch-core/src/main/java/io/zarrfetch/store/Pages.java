package io.zarrfetch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A listing read page by page as it is consumed, each page asked for with the continuation token of the one
 * before: what {@link Store#list} streams for a store that lists in pages ({@link Paged}). The pages' order is
 * the store's; a chain of pages that cannot end (the same token twice, or over 100 truncated pages in a row
 * without a key) fails as a malformed listing rather than looping.
 */
final class Pages {
    private static final int MAX_EMPTY_TRUNCATED_PAGES = 100;

    /** A store that lists in pages: each page one request, which {@link RetryingStore} may send again. */
    interface Paged {
        /**
         * The page of keys under {@code prefix} after {@code token} ({@code null} for the first page).
         *
         * @throws StoreException naming the listing and the cause
         */
        S3Listing page(String prefix, String token) throws IOException;
    }

    /** How one page is asked for. */
    @FunctionalInterface
    interface Page {
        S3Listing after(String token) throws IOException;
    }

    private Pages() {
    }

    /**
     * The objects of a listing, asking for each page as the stream reaches it; a failed page is thrown from the
     * stream as an {@link UncheckedIOException}.
     *
     * @param url the listing's URL, for messages
     */
    static Stream<ObjectInfo> stream(String url, Page pages) {
        Iterator<ObjectInfo> objects = new Iterator<>() {
            private Iterator<ObjectInfo> page = Collections.emptyIterator();
            private String token;
            private boolean more = true;
            private int emptyPages;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && more) {
                    S3Listing listing;
                    try {
                        listing = pages.after(token);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (listing.truncated() && listing.nextContinuationToken().equals(token)) {
                        throw new UncheckedIOException(new StoreException(url, 200, false,
                                "malformed listing: the same continuation token came back twice"));
                    }
                    emptyPages = listing.objects().isEmpty() ? emptyPages + 1 : 0;
                    if (emptyPages > MAX_EMPTY_TRUNCATED_PAGES) {
                        throw new UncheckedIOException(new StoreException(url, 200, false,
                                "malformed listing: " + emptyPages + " truncated pages in a row without a key"));
                    }
                    page = listing.objects().iterator();
                    more = listing.truncated();
                    token = listing.nextContinuationToken();
                }
                return page.hasNext();
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
    }
}
