package io.zarrfetch.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.FieldReference;
import org.apache.spark.sql.connector.expressions.LiteralValue;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import io.zarrfetch.zarr.Selection;

/** The planning arithmetic without Spark running: pushdown into a region, and blocks of whole chunks. */
class PlanningTest {
    static final long[] SHAPE = {100, 30};
    static final List<String> DIMS = List.of("y", "x");

    static Predicate p(String op, Object... children) {
        Expression[] e = new Expression[children.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = children[i] instanceof String s ? FieldReference.apply(s)
                    : LiteralValue.apply(children[i], children[i] instanceof Integer ? DataTypes.IntegerType
                            : DataTypes.LongType);
        }
        return new Predicate(op, e);
    }

    /** The coordinates a region selects along an axis. */
    static List<Long> coords(Region r, int axis) {
        List<Long> out = new ArrayList<>();
        for (long k = 0; k < r.count()[axis]; k++) {
            out.add(r.start()[axis] + k * r.step()[axis]);
        }
        return out;
    }

    @Test
    void comparisonsAndInNarrowTheRegionExactly() {
        Pushdown.Result r = Pushdown.push(Region.all(SHAPE), DIMS, SHAPE, new Predicate[] {
            p(">=", "y", 10L), p("<", "y", 20L), p("IN", "x", 3L, 9L, 6L), p("<", 8, "y")});
        assertThat(coords(r.region(), 0)).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        assertThat(coords(r.region(), 1)).containsExactly(3L, 6L, 9L);
        assertThat(r.postScan()).isEmpty();
        assertThat(r.pushed()).hasSize(4);
    }

    @Test
    void whatARegionCannotHoldGoesBackToSpark() {
        Predicate notProgression = p("IN", "y", 1L, 2L, 50L);
        Predicate or = new Predicate("OR", new Expression[] {p("=", "y", 1L), p("=", "y", 2L)});
        Predicate onValue = p(">", "value", 3L);
        Pushdown.Result r = Pushdown.push(Region.all(SHAPE), DIMS, SHAPE, new Predicate[] {notProgression, or,
            onValue, p("=", "x", 7L)});
        assertThat(coords(r.region(), 0)).hasSize(50).startsWith(1L, 2L).endsWith(50L);
        assertThat(coords(r.region(), 1)).containsExactly(7L);
        assertThat(r.postScan()).containsExactly(notProgression, or, onValue);
        assertThat(r.pushed()).containsExactly(notProgression, p("=", "x", 7L));
    }

    @Test
    void aProgressionMeetsTheSelectionsStep() {
        Region every3 = Region.of(Selection.parse("0:100:3"), SHAPE);
        // 0, 6, 12, ... lies on 0, 3, 6, ...: exact
        Pushdown.Result aligned = Pushdown.push(every3, DIMS, SHAPE, new Predicate[] {p("IN", "y", 0L, 6L, 12L)});
        assertThat(coords(aligned.region(), 0)).containsExactly(0L, 6L, 12L);
        assertThat(aligned.postScan()).isEmpty();
        // 1, 2, 3, 4 meets 0, 3, 6, ... only at 3: exact too (the selection's lattice, bounded)
        Pushdown.Result dense = Pushdown.push(every3, DIMS, SHAPE, new Predicate[] {p("IN", "y", 1L, 2L, 3L, 4L)});
        assertThat(coords(dense.region(), 0)).containsExactly(3L);
        assertThat(dense.postScan()).isEmpty();
        // 1, 3, 5, ... and 0, 3, 6, ...: neither step divides the other: bounds only, Spark checks the rest
        Pushdown.Result odd = Pushdown.push(every3, DIMS, SHAPE, new Predicate[] {p("IN", "y", 1L, 3L, 5L, 7L, 9L)});
        assertThat(coords(odd.region(), 0)).containsExactly(3L, 6L, 9L);
        assertThat(odd.postScan()).hasSize(1);
        // out of range, and nothing at all
        assertThat(Pushdown.push(every3, DIMS, SHAPE, new Predicate[] {p(">", "y", 1000L)}).region().isEmpty())
                .isTrue();
        assertThat(Pushdown.push(every3, DIMS, SHAPE, new Predicate[] {p("=", "y", Long.MAX_VALUE)}).region()
                .isEmpty()).isTrue();
    }

    @Test
    void aSelectionWalkingAxesBackwardsPicksTheSameCoordinatesAsForwards() {
        // numpy.arange(100)[90:3:-7] is 90, 83, ..., 6; numpy.arange(30)[::-1] is 29, ..., 0
        Region backwards = Region.of(Selection.parse("90:3:-7,::-1"), SHAPE);
        assertThat(backwards).isEqualTo(Region.of(Selection.parse("6:91:7,:"), SHAPE));
        assertThat(coords(backwards, 0)).hasSize(13).startsWith(6L, 13L).endsWith(90L);
        assertThat(Region.of(Selection.parse("5::-100"), SHAPE)).as("one coordinate")
                .isEqualTo(Region.of(Selection.parse("5:6"), SHAPE));
        assertThat(Region.of(Selection.parse("3:50:-1"), SHAPE).isEmpty()).isTrue();
    }

    @Test
    void blocksAreWholeChunksStackedAlongTheFirstAxisFirst() {
        int[] chunks = {10, 7}; // 10 x 5 chunks, the last column 2 wide
        List<Planner.Block> blocks = Planner.blocks(Region.all(SHAPE), SHAPE, chunks, 12, false);
        // 12 chunks a block: the 10 along y (a whole column), then 1 along x: 5 blocks of 10 x 1 chunks
        assertThat(blocks).hasSize(5);
        Set<String> seen = new HashSet<>();
        long elements = 0;
        for (Planner.Block b : blocks) {
            assertThat(b.chunksPerAxis()).containsExactly(10, 1);
            assertThat(b.chunks()).isEqualTo(10);
            Region r = b.region();
            assertThat(r.start()[1] % chunks[1]).as("starts on a chunk edge").isZero();
            assertThat(r.count()[0]).isEqualTo(100);
            for (long y : coords(r, 0)) {
                for (long x : coords(r, 1)) {
                    assertThat(seen.add(y + "," + x)).isTrue();
                }
            }
            elements += r.elements();
        }
        assertThat(elements).isEqualTo(100 * 30);
        // fewer chunks than a column: blocks split it (runs of 3, 3, 3 and 1), one chunk wide each
        assertThat(Planner.blocks(Region.all(SHAPE), SHAPE, chunks, 3, false)).hasSize(4 * 5)
                .allSatisfy(b -> assertThat(b.chunksPerAxis()[1]).isEqualTo(1));
    }

    @Test
    void stepsThatSkipChunksKeepWholeChunkBlocksApart() {
        int[] chunks = {10, 30};
        Region skip = Region.of(Selection.parse("5:100:25"), SHAPE); // y = 5, 30, 55, 80: chunks 0, 3, 5, 8
        assertThat(Planner.touched(skip, SHAPE, chunks)[0]).containsExactly(0, 3, 5, 8);
        List<Planner.Block> elements = Planner.blocks(skip, SHAPE, chunks, 100, false);
        assertThat(elements).hasSize(1);
        assertThat(elements.getFirst().chunks()).isEqualTo(4);
        assertThat(coords(elements.getFirst().region(), 0)).containsExactly(5L, 30L, 55L, 80L);
        List<Planner.Block> whole = Planner.blocks(skip, SHAPE, chunks, 100, true);
        assertThat(whole).extracting(b -> Arrays.toString(b.firstChunk()) + Arrays.toString(b.chunksPerAxis()))
                .containsExactly("[0, 0][1, 1]", "[3, 0][1, 1]", "[5, 0][1, 1]", "[8, 0][1, 1]");
        assertThat(whole.get(1).region().start()).containsExactly(30, 0);
        assertThat(whole.get(1).region().count()).containsExactly(10, 30);
    }

    @Test
    void optionsAreCheckedAndSecretsStayOutOfText() {
        ZarrOptions o = ZarrOptions.parse(java.util.Map.of("path", "s3://b/a", "PARTITIONBYTES", "64m",
                "accessKeyId", "AKID", "secretAccessKey", "very-secret", "sessionToken", "token-x"));
        assertThat(o.partitionBytes()).isEqualTo(64L << 20);
        assertThat(o.engine().toString()).doesNotContain("very-secret").doesNotContain("token-x")
                .doesNotContain("AKID");
        assertThat(o.engine().storeOptions().credentials().secretAccessKey()).isEqualTo("very-secret");
        assertThat(Redact.url("https://user:pw@host:8443/a/b?X-Amz-Signature=abc")).isEqualTo(
                "https://host:8443/a/b?...");
    }
}
