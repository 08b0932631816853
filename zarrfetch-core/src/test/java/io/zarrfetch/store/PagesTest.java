package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** A listing page by page: asked for as the stream reaches each page, and a chain that cannot end refused. */
class PagesTest {
    static S3Listing page(boolean more, String token, String... keys) {
        return new S3Listing(java.util.Arrays.stream(keys).map(k -> new ObjectInfo(k, 1, null)).toList(), more,
                token);
    }

    @Test
    void eachPageIsAskedForWithTheTokenBeforeItAndOnlyWhenTheStreamGetsThere() {
        List<String> asked = new ArrayList<>();
        Iterator<ObjectInfo> it = Pages.stream("s3://b/p/", token -> {
            asked.add(String.valueOf(token));
            return switch (String.valueOf(token)) {
                case "null" -> page(true, "t1", "a", "b");
                case "t1" -> page(true, "t2");
                default -> page(false, null, "c");
            };
        }).iterator();
        assertThat(it.next().key()).isEqualTo("a");
        assertThat(asked).as("lazily").containsExactly("null");
        assertThat(it.next().key()).isEqualTo("b");
        assertThat(it.next().key()).as("an empty page in between").isEqualTo("c");
        assertThat(it.hasNext()).isFalse();
        assertThat(asked).containsExactly("null", "t1", "t2");
    }

    @Test
    void theSameTokenTwiceIsAMalformedListingNotALoop() {
        assertThatThrownBy(() -> Pages.stream("s3://b/p/", token -> page(true, "again", "k")).toList())
                .isInstanceOf(UncheckedIOException.class).cause()
                .hasMessage("s3://b/p/: malformed listing: the same continuation token came back twice")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());
    }

    @Test
    void truncatedPagesWithoutAKeyEndAfterAHundred() {
        int[] pages = new int[1];
        assertThatThrownBy(() -> Pages.stream("s3://b/p/", token -> page(true, "t" + pages[0]++)).toList())
                .isInstanceOf(UncheckedIOException.class).cause()
                .hasMessageContaining("101 truncated pages in a row without a key");
        assertThat(pages[0]).isEqualTo(101);
        List<String> keys = Pages.stream("s3://b/p/", token -> {
            int n = token == null ? 0 : Integer.parseInt(token);
            return n < 150 ? page(true, String.valueOf(n + 1), n % 50 == 0 ? new String[] {"k" + n} : new String[0])
                    : page(false, null);
        }).map(ObjectInfo::key).toList();
        assertThat(keys).as("empty pages between keys are fine").containsExactlyElementsOf(
                IntStream.of(0, 50, 100).mapToObj(i -> "k" + i).toList());
    }
}
