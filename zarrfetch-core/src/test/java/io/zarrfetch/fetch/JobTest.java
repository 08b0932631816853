package io.zarrfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.zarrfetch.store.MemoryStore;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.StoreException;

/** One object being fetched: its parts, the version it asks for, its first failure, what its consumer is given. */
class JobTest {
    final MemoryStore store = new MemoryStore();

    Job job(FetchItem item) {
        return new Job(item, RetryingStore.of(store));
    }

    @Test
    void anObjectIsFetchedInPartsOfAtMostThePartSize() {
        assertThat(Job.partCount(0, 100)).isEqualTo(1);
        assertThat(Job.partCount(100, 100)).isEqualTo(1);
        assertThat(Job.partCount(101, 100)).isEqualTo(2);
        assertThat(Job.partCount(3L << 40, 8L << 20)).isEqualTo(393_216);
    }

    @Test
    void laterRequestsAskForTheFirstVersionSeenUnlessItsTagIsWeak() {
        Job listed = job(FetchItem.of(store, new ObjectInfo("k", 10, "\"v1\"")));
        assertThat(listed.ifMatch()).isEqualTo("\"v1\"");
        listed.etag = "W/\"v1\"";
        assertThat(listed.ifMatch()).as("a weak tag never matches If-Match: compared after the answer").isNull();
        assertThat(job(FetchItem.of(store, ObjectInfo.of("k"))).ifMatch()).isNull();
    }

    @Test
    void anObjectFetchedAgainForgetsWhatItsListingSaidButNotItsRequests() {
        Job listed = job(FetchItem.of(store, new ObjectInfo("k", 10, "\"v1\"")));
        listed.attempts.set(3);
        Job again = listed.restarted();
        assertThat(again.item.object()).as("size and ETag learned again").isEqualTo(ObjectInfo.of("k"));
        assertThat(again.item.name()).isEqualTo("k");
        assertThat(again.attempts).hasValue(3);
        assertThat(again.restarts).isEqualTo(1);
        assertThat(again.refund).as("its restart's retry, given back at its first answer").hasValue(1);
        assertThat(again.origin).as("the same object, for its file").isSameAs(listed.origin).isSameAs(listed);
        assertThat(again.restarted().restarts).isEqualTo(2);

        Job range = job(FetchItem.range(store, "r", 5, 10, "r"));
        range.etag = "\"v1\"";
        Job rangeAgain = range.restarted();
        assertThat(rangeAgain.item.object()).as("the same bytes, of any version").isEqualTo(new ObjectInfo("r", 10,
                null));
        assertThat(rangeAgain.item.offset()).isEqualTo(5);
        assertThat(rangeAgain.ifMatch()).isNull();
        assertThat(job(FetchItem.last(store, "s", 16, "index")).restarted().item.fromEnd()).isTrue();
    }

    @Test
    void onlyARangeGivenWithAnETagAsksForThatVersionOnly() {
        assertThat(job(new FetchItem(store, new ObjectInfo("r", 10, "\"v1\""), "r", 5)).pinned()).isTrue();
        assertThat(job(FetchItem.range(store, "r", 5, 10, "r")).pinned()).isFalse();
        assertThat(job(FetchItem.of(store, new ObjectInfo("k", 10, "\"v1\""))).pinned())
                .as("a listing's ETag: the object is fetched as it now is").isFalse();
    }

    @Test
    void aProbedObjectRequeuedKeepsWhatItLearnedAndWhatItCost() {
        Job probed = job(FetchItem.of(store, ObjectInfo.of("u"))).restarted();
        probed.size = 500;
        probed.etag = "\"e\"";
        probed.attempts.set(2);
        Job sized = probed.sized();
        assertThat(sized.item.object()).isEqualTo(new ObjectInfo("u", 500, "\"e\""));
        assertThat(sized.attempts).hasValue(2);
        assertThat(sized.restarts).as("still a fetch again").isEqualTo(1);
        assertThat(sized.refund).hasValue(1);
        assertThat(sized.origin).isSameAs(probed.origin);
    }

    @Test
    void theFirstFailureIsTheOneThatCounts() {
        Job j = job(FetchItem.of(store, ObjectInfo.of("k")));
        StoreException first = new StoreException("memory:/k", 500, true, "first");
        j.fail(first);
        j.fail(new StoreException("memory:/k", 0, false, "then"));
        assertThat(j.failure).isSameAs(first);
    }

    @Test
    void theConsumerIsGivenTheItemAsFetched() {
        FetchItem listed = FetchItem.of(store, new ObjectInfo("k", 10, "\"v1\""));
        Job same = job(listed);
        same.size = 10;
        assertThat(same.delivered()).as("nothing learned").isSameAs(listed);

        Job unknown = job(FetchItem.of(store, ObjectInfo.of("u")));
        unknown.size = 42;
        unknown.etag = "\"v2\"";
        assertThat(unknown.delivered().object()).isEqualTo(new ObjectInfo("u", 42, "\"v2\""));

        Job last = job(FetchItem.last(store, "s", 16, "index"));
        assertThat(last.base).as("not known before the first answer").isEqualTo(ObjectInfo.UNKNOWN_SIZE);
        last.size = 16;
        last.base = 984;
        FetchItem got = last.delivered();
        assertThat(got.offset()).isEqualTo(984);
        assertThat(got.fromEnd()).isFalse();
        assertThat(got.name()).isEqualTo("index");
        assertThat(job(FetchItem.range(store, "r", 5, 10, "r")).base).isEqualTo(5);
        assertThat(job(listed).base).isZero();
    }
}
