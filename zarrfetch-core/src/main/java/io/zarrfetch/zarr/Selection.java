package io.zarrfetch.zarr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A selection of an array's elements with NumPy's basic indexing: per axis a slice {@code start:stop:step} (each
 * part optional, negative start and stop count from the end, out-of-range bounds are clipped; a negative step walks
 * the axis backwards, from {@code start}, by default its last element, down to just after {@code stop}, by default
 * its first) or an integer (negative counts from the end; out of range is an error; the axis is dropped from the
 * result). Axes not mentioned are selected whole; {@code ...} stands for as many whole axes as needed.
 */
public final class Selection {
    /** One axis of a selection: a slice, or a single index. */
    public sealed interface Item permits Slice, Index {
    }

    /**
     * {@code start:stop:step}; null means the default: a step of 1; for a positive step, 0 and the axis's length; for
     * a negative one, the axis's last element and "past its first".
     */
    public record Slice(Long start, Long stop, Long step) implements Item {
        public Slice {
            if (step != null && step == 0) {
                throw new IllegalArgumentException("slice step cannot be zero");
            }
        }

        static final Slice ALL = new Slice(null, null, null);
    }

    /** A single index, which drops its axis from the result. */
    public record Index(long index) implements Item {
    }

    /** Stands for '...' among the items. */
    private static final Object ELLIPSIS = new Object();

    private final List<Object> items;

    private Selection(List<Object> items) {
        this.items = List.copyOf(items);
    }

    /** Everything. */
    public static Selection all() {
        return new Selection(List.of());
    }

    /** A selection of the given items, one per leading axis. */
    public static Selection of(Item... items) {
        return new Selection(Arrays.asList((Object[]) items));
    }

    /**
     * Parses NumPy-style text: comma-separated items, each {@code start:stop:step} (parts optional), an integer, or
     * {@code ...}; for example {@code 0:5,1799:3598,:} or {@code -1,...,::2}.
     *
     * @throws IllegalArgumentException saying which item is malformed
     */
    public static Selection parse(String text) {
        List<Object> items = new ArrayList<>();
        String t = text.strip();
        if (t.isEmpty()) {
            return all();
        }
        boolean ellipsis = false;
        for (String part : t.split(",", -1)) {
            String p = part.strip();
            if (p.equals("...")) {
                if (ellipsis) {
                    throw new IllegalArgumentException("a selection can have only one '...': " + text);
                }
                ellipsis = true;
                items.add(ELLIPSIS);
                continue;
            }
            try {
                if (p.contains(":")) {
                    String[] s = p.split(":", -1);
                    if (s.length > 3) {
                        throw new IllegalArgumentException("too many ':'");
                    }
                    items.add(new Slice(number(s[0]), s.length > 1 ? number(s[1]) : null,
                            s.length > 2 ? number(s[2]) : null));
                } else {
                    Long n = number(p);
                    if (n == null) {
                        throw new IllegalArgumentException("empty item");
                    }
                    items.add(new Index(n));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed selection item '" + p + "' in '" + text + "': "
                        + e.getMessage(), e);
            }
        }
        return new Selection(items);
    }

    private static Long number(String s) {
        String t = s.strip();
        if (t.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not an integer");
        }
    }

    /**
     * What this selection picks from an array of {@code shape}: per axis the first index, the step and the count.
     *
     * @throws IndexOutOfBoundsException for an index outside its axis, as NumPy's IndexError
     * @throws IllegalArgumentException for more items than the array has axes
     */
    public Resolved resolve(long[] shape) {
        List<Object> expanded = new ArrayList<>();
        int explicit = (int) items.stream().filter(i -> i != ELLIPSIS).count();
        if (explicit > shape.length) {
            throw new IllegalArgumentException("too many indices: " + explicit + " for an array of "
                    + shape.length + " dimensions");
        }
        for (Object item : items) {
            if (item == ELLIPSIS) {
                for (int k = 0; k < shape.length - explicit; k++) {
                    expanded.add(Slice.ALL);
                }
            } else {
                expanded.add(item);
            }
        }
        while (expanded.size() < shape.length) {
            expanded.add(Slice.ALL);
        }
        long[] start = new long[shape.length];
        long[] step = new long[shape.length];
        long[] count = new long[shape.length];
        boolean[] dropped = new boolean[shape.length];
        for (int axis = 0; axis < shape.length; axis++) {
            long n = shape[axis];
            switch ((Item) expanded.get(axis)) {
                case Index(long index) -> {
                    long i = index < 0 ? index + n : index;
                    if (i < 0 || i >= n) {
                        throw new IndexOutOfBoundsException("index " + index + " is out of bounds for axis " + axis
                                + " with size " + n);
                    }
                    start[axis] = i;
                    step[axis] = 1;
                    count[axis] = 1;
                    dropped[axis] = true;
                }
                case Slice s -> {
                    long st = s.step() == null ? 1 : s.step();
                    if (st > 0) {
                        long a = clip(s.start(), n, 0, 0, n);
                        long b = clip(s.stop(), n, n, 0, n);
                        count[axis] = b > a ? (b - a - 1) / st + 1 : 0;
                        start[axis] = a;
                    } else {
                        // As Python's slice.indices: bounds clipped to [-1, n - 1], -1 meaning "past the first".
                        long a = clip(s.start(), n, n - 1, -1, n - 1);
                        long b = clip(s.stop(), n, -1, -1, n - 1);
                        long by = st == Long.MIN_VALUE ? Long.MAX_VALUE : -st;
                        count[axis] = a > b ? (a - b - 1) / by + 1 : 0;
                        start[axis] = count[axis] > 0 ? a : 0;
                    }
                    step[axis] = st;
                }
            }
        }
        return new Resolved(start, step, count, dropped);
    }

    /** A slice bound: {@code dflt} when absent, else counted from the end when negative, and clipped to [lo, hi]. */
    private static long clip(Long v, long n, long dflt, long lo, long hi) {
        if (v == null) {
            return dflt;
        }
        long x = v < 0 ? v + n : v;
        return Math.max(lo, Math.min(hi, x));
    }

    /**
     * A selection applied to a shape: for each axis, elements {@code start + k * step} for {@code k < count}, in that
     * order (a negative step lists them backwards, {@code start} the last of them in the array).
     *
     * @param dropped axes selected by a single index, left out of the result's shape
     */
    public record Resolved(long[] start, long[] step, long[] count, boolean[] dropped) {
        /** The shape of the result: the counts of the axes not dropped. */
        public long[] resultShape() {
            List<Long> s = new ArrayList<>();
            for (int i = 0; i < count.length; i++) {
                if (!dropped[i]) {
                    s.add(count[i]);
                }
            }
            return s.stream().mapToLong(Long::longValue).toArray();
        }

        /** Elements selected. */
        public long elements() {
            long n = 1;
            for (long c : count) {
                n = Math.multiplyExact(n, c);
            }
            return n;
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Object item : items) {
            if (b.length() > 0) {
                b.append(',');
            }
            switch (item) {
                case Index(long index) -> b.append(index);
                case Slice(Long start, Long stop, Long step) -> b.append(start == null ? "" : start).append(':')
                        .append(stop == null ? "" : stop).append(step == null ? "" : ":" + step);
                default -> b.append("...");
            }
        }
        return b.toString();
    }
}
