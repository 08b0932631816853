package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.Fetcher;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.store.Stores;

/**
 * Zarr v3 arrays written by an independent implementation (zarrita 0.7.5 and its codec packages; see the fixtures'
 * README), with what it reads back for a few selections, and the Zarr v3 spec's examples: zarrfetch must read the
 * same values.
 */
class ZarrV3ConformanceTest {
    static Path root;
    static Stores stores;
    static Fetcher fetcher;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(ZarrV3ConformanceTest.class.getResource("v3").toURI());
        stores = new Stores(StoreOptions.defaults());
        fetcher = new Fetcher(FetchOptions.defaults().withConcurrency(4));
    }

    @AfterAll
    static void stop() {
        fetcher.close();
        stores.close();
    }

    @TestFactory
    Stream<DynamicTest> readsWhatTheOtherImplementationReads() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> cases = Files.list(root)) {
            for (Path c : cases.filter(Files::isDirectory).sorted().toList()) {
                if (Files.isDirectory(c.resolve("expected"))) {
                    tests.add(DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(50);
        return tests.stream();
    }

    @Test
    void readsTheSpecsGroupExample() throws Exception {
        ZarrGroup g = ZarrGroup.open(stores.locate(root.resolve("spec_group_example").toString()).store(), "");
        assertThat(g.zarrFormat()).isEqualTo(3);
        assertThat(g.attributes()).containsEntry("spam", "ham").containsEntry("eggs", 42L);
    }

    static void check(Path dir) throws Exception {
        ZarrArray array = ZarrArray.open(stores, dir.toString(), fetcher);
        assertThat(array.metadata().zarrFormat()).isEqualTo(3);
        try (Stream<Path> files = Files.list(dir.resolve("expected"))) {
            for (Path f : files.sorted().toList()) {
                Map<String, Object> expected = Metadata.object(Json.parse(Files.readAllBytes(f)), f.toString());
                String sel = (String) expected.get("selection");
                ArrayData got = array.read(Selection.parse(sel));
                String what = dir.getFileName() + " [" + sel + "]";
                assertThat(got.shape()).as(what + " shape").containsExactly(
                        ((List<?>) expected.get("shape")).stream().mapToLong(x -> (Long) x).toArray());
                assertThat(got.dtype().numpyDescr()).as(what + " dtype").isEqualTo(expected.get("dtype"));
                List<?> values = (List<?>) expected.get("values");
                assertThat(got.elements()).as(what + " count").isEqualTo(values.size());
                ByteBuffer b = got.asByteBuffer();
                for (int i = 0; i < values.size(); i++) {
                    assertThat(element(b, i, got.dtype())).as("%s element %d", what, i).isEqualTo(
                            expectedElement(values.get(i), got.dtype()));
                }
            }
        }
    }

    /** An element as a comparable value: Boolean, BigInteger, or the float's bits (so NaN equals NaN). */
    static Object element(ByteBuffer b, int i, DataType t) {
        return switch (t.kind()) {
            case BOOL -> b.get(i) != 0;
            case FLOAT -> switch (t.size()) {
                case 2 -> (long) b.getShort(i * 2) & 0xffff;
                case 4 -> (long) b.getInt(i * 4) & 0xffffffffL;
                default -> b.getLong(i * 8);
            };
            case UINT -> t.size() == 8 ? new BigInteger(Long.toUnsignedString(b.getLong(i * 8)))
                    : BigInteger.valueOf(Elements.getLong(b, i, t));
            default -> BigInteger.valueOf(Elements.getLong(b, i, t));
        };
    }

    static Object expectedElement(Object v, DataType t) {
        return switch (t.kind()) {
            case BOOL -> v;
            case FLOAT -> {
                double d = switch (v) {
                    case Double x -> x;
                    case Long x -> x.doubleValue();
                    case String s when s.equals("NaN") -> Double.NaN;
                    case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
                    case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
                    default -> throw new IllegalArgumentException("not a float: " + v);
                };
                yield switch (t.size()) {
                    case 2 -> (long) Float.floatToFloat16((float) d) & 0xffff;
                    case 4 -> (long) Float.floatToIntBits((float) d) & 0xffffffffL;
                    default -> Double.doubleToLongBits(d);
                };
            }
            default -> switch (v) {
                case String s -> new BigInteger(s);
                case Long l -> BigInteger.valueOf(l);
                case BigInteger bi -> bi;
                default -> throw new IllegalArgumentException("not an integer: " + v);
            };
        };
    }
}
