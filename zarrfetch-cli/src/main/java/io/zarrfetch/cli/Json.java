package io.zarrfetch.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One-line JSON objects for --json output: strings, numbers, booleans, null, nested objects and lists; paths and
 * other values as their strings.
 */
final class Json {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Json put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    Json putAll(Map<String, Object> more) {
        fields.putAll(more);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(64 + fields.size() * 24);
        write(b, fields);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String s -> quote(b, s);
            case Boolean x -> b.append(x);
            case Double d -> b.append(d.isNaN() || d.isInfinite() ? "null" : Double.toString(d));
            case Float f -> write(b, f.doubleValue());
            case Number n -> b.append(n);
            case Json j -> write(b, j.fields);
            // A Path is an Iterable of Paths, each one itself when it has one name: a string, not a list.
            case java.nio.file.Path p -> quote(b, p.toString());
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case Iterable<?> list -> {
                b.append('[');
                boolean first = true;
                for (Object o : list) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    write(b, o);
                }
                b.append(']');
            }
            default -> quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !validSurrogate(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
