package io.zarrfetch.testkit.mur;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Just enough JSON for Zarr v2 metadata and the manifest, without a library dependency.
 *
 * <p>{@link #write} reproduces byte for byte what zarr-python 2.x writes ({@code json.dumps(o, indent=4,
 * sort_keys=True, ensure_ascii=True, separators=(',', ': '))}, no trailing newline), so a generated store is
 * indistinguishable from one zarr itself wrote. Values: {@link Map} with String keys, {@link List},
 * {@link String}, {@link Integer}, {@link Long}, {@link Double}, {@link Boolean} and {@code null}.
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, 0, out);
        return out.toString();
    }

    private static void write(Object value, int depth, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(s, out);
            case Boolean b -> out.append(b);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Double d -> out.append(number(d));
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                TreeMap<String, Object> sorted = new TreeMap<>();
                map.forEach((k, v) -> sorted.put((String) k, v));
                out.append('{');
                String separator = "";
                for (Map.Entry<String, Object> e : sorted.entrySet()) {
                    out.append(separator);
                    newline(depth + 1, out);
                    quote(e.getKey(), out);
                    out.append(": ");
                    write(e.getValue(), depth + 1, out);
                    separator = ",";
                }
                newline(depth, out);
                out.append('}');
            }
            case List<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                String separator = "";
                for (Object item : list) {
                    out.append(separator);
                    newline(depth + 1, out);
                    write(item, depth + 1, out);
                    separator = ",";
                }
                newline(depth, out);
                out.append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }

    /** Python's float repr for the plain decimals we use (0.001, 298.15); refuses what would differ. */
    private static String number(double d) {
        String s = Double.toString(d);
        if (!Double.isFinite(d) || s.indexOf('E') >= 0) {
            throw new IllegalArgumentException("no Python-compatible rendering for " + d);
        }
        return s;
    }

    private static void newline(int depth, StringBuilder out) {
        out.append('\n');
        out.repeat(' ', 4 * depth);
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) { // Python escapes everything outside ' '..'~'
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses one JSON document: objects become insertion-ordered maps, integers {@link Long}, other numbers
     * {@link Double}. Throws {@link IllegalArgumentException} on anything malformed.
     */
    static Object parse(String text) {
        Parser parser = new Parser(text);
        Object value = parser.value();
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("trailing characters");
        }
        return value;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a key");
                }
                String key = string();
                skipSpace();
                expect(':');
                if (map.put(key, value()) != null) {
                    throw error("duplicate key " + key);
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s, pos, pos + 4, 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c >= '0' && c <= '9' || c == '-') {
                    pos++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+') {
                    integral = false;
                    pos++;
                } else {
                    break;
                }
            }
            String token = s.substring(start, pos);
            try {
                return integral ? (Object) Long.parseLong(token) : (Object) Double.parseDouble(token);
            } catch (NumberFormatException e) {
                throw error("bad number '" + token + "'");
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("bad literal");
            }
            pos += word.length();
            return value;
        }

        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r'
                    || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException("JSON: " + message + " at offset " + pos);
        }
    }
}
