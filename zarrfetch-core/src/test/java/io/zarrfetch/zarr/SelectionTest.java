package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Selections follow NumPy's basic indexing. */
class SelectionTest {
    static Selection.Resolved resolve(String text, long... shape) {
        return Selection.parse(text).resolve(shape);
    }

    @Test
    void slicesClipLikeNumpy() {
        Selection.Resolved r = resolve("2:100,-3:,::4", 10, 10, 10);
        assertThat(r.start()).containsExactly(2, 7, 0);
        assertThat(r.count()).containsExactly(8, 3, 3);
        assertThat(r.step()).containsExactly(1, 1, 4);
        assertThat(r.resultShape()).containsExactly(8, 3, 3);
        assertThat(resolve("5:2", 10).count()).containsExactly(0);
        assertThat(resolve("-100:3", 10).start()).containsExactly(0);
        assertThat(resolve("1::3", 10).count()).as("1, 4, 7").containsExactly(3);
    }

    @Test
    void negativeStepsWalkBackwardsAsInNumpy() {
        // numpy.arange(10)[::-2] is [9, 7, 5, 3, 1]; [5:1:-1] is [5, 4, 3, 2]; [-3::-4] is [7, 3]
        Selection.Resolved r = resolve("::-2,5:1:-1,-3::-4", 10, 10, 10);
        assertThat(r.start()).containsExactly(9, 5, 7);
        assertThat(r.step()).containsExactly(-2, -1, -4);
        assertThat(r.count()).containsExactly(5, 4, 2);
        // Bounds past either end are clipped as Python's slice.indices does for a negative step.
        assertThat(resolve("100:-100:-3", 10).start()).containsExactly(9);
        assertThat(resolve("100:-100:-3", 10).count()).as("9, 6, 3, 0").containsExactly(4);
        assertThat(resolve("1:5:-1", 10).count()).as("nothing between").containsExactly(0);
        assertThat(resolve("::-1", 0).count()).containsExactly(0);
        assertThat(resolve("0::-1", 10).count()).as("just 0").containsExactly(1);
        assertThat(resolve(":0:-1", 10).count()).as("9 down to 1").containsExactly(9);
        assertThat(resolve("::-9223372036854775808", 10).count()).as("the last only").containsExactly(1);
        assertThat(Selection.parse("5:1:-1,::-2").toString()).isEqualTo("5:1:-1,::-2");
    }

    @Test
    void integersDropTheirAxis() {
        Selection.Resolved r = resolve("-1,3", 5, 6, 7);
        assertThat(r.start()).containsExactly(4, 3, 0);
        assertThat(r.resultShape()).containsExactly(7);
        assertThat(r.dropped()).containsExactly(true, true, false);
    }

    @Test
    void anEllipsisFillsTheMissingAxes() {
        assertThat(resolve("...,2", 4, 5, 6).start()).containsExactly(0, 0, 2);
        assertThat(resolve("1,...", 4, 5, 6).resultShape()).containsExactly(5, 6);
        assertThat(resolve("...", 4, 5).resultShape()).containsExactly(4, 5);
        assertThat(resolve("", 4, 5).resultShape()).containsExactly(4, 5);
        assertThat(resolve("...", new long[0]).resultShape()).isEmpty();
    }

    @Test
    void outOfBoundsIndicesAndBadTextAreClearErrors() {
        assertThatThrownBy(() -> resolve("5", 5)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("index 5 is out of bounds for axis 0 with size 5");
        assertThatThrownBy(() -> resolve("-6", 5)).hasMessageContaining("index -6 is out of bounds");
        assertThatThrownBy(() -> resolve("1,2,3", 4, 4)).hasMessageContaining("too many indices");
        assertThatThrownBy(() -> Selection.parse("::0")).hasMessageContaining("slice step cannot be zero");
        assertThatThrownBy(() -> Selection.parse("a:b")).hasMessageContaining("'a' is not an integer");
        assertThatThrownBy(() -> Selection.parse("1:2:3:4")).hasMessageContaining("too many ':'");
        assertThatThrownBy(() -> Selection.parse("...,...")).hasMessageContaining("only one '...'");
    }
}
