package io.zarrfetch.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Maps object keys to files under a folder, refusing every key that could land anywhere else or name no file.
 *
 * <p>Refused: empty keys, keys starting with '/', segments that are empty, "." or "..", backslashes, NUL and other
 * control characters, U+FFFD (the mark of bytes that were not UTF-8), a trailing '/', segments longer than 255
 * bytes. What passes resolves to a path strictly inside the folder.
 */
public final class KeyPaths {
    private KeyPaths() {
    }

    /**
     * The file for {@code key} under {@code root}.
     *
     * @throws IllegalArgumentException saying why the key is refused
     */
    public static Path resolve(Path root, String key) {
        String problem = problem(key);
        if (problem != null) {
            throw new IllegalArgumentException("refusing key " + printable(key) + ": " + problem);
        }
        Path base = root.toAbsolutePath().normalize();
        Path p = base.resolve(key).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IllegalArgumentException("refusing key " + printable(key) + ": it resolves outside " + base);
        }
        return p;
    }

    /** Why a key cannot name a file under a folder, or {@code null} when it can. */
    public static String problem(String key) {
        if (key.isEmpty()) {
            return "it is empty";
        }
        if (key.startsWith("/")) {
            return "it is an absolute path";
        }
        if (key.endsWith("/")) {
            return "it ends with '/' (a folder marker, not a file)";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains control character U+" + String.format("%04X", (int) c);
            }
            if (c == '\\') {
                return "it contains a backslash";
            }
            if (c == '\uFFFD') {
                return "it is not valid UTF-8";
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < key.length()
                    && Character.isLowSurrogate(key.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(key.charAt(i - 1)))) {
                return "it is not valid UTF-8";
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                return "it has an empty path segment ('//')";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' path segment";
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > 255) {
                return "a path segment is longer than 255 bytes";
            }
        }
        return null;
    }

    /**
     * The key in double quotes, safe to print: control characters escaped as {@link #escaped(String)} does, at most
     * 300 characters of it.
     */
    public static String printable(String key) {
        String k = key.length() > 300 ? key.substring(0, 300) : key;
        return '"' + escaped(k) + (key.length() > 300 ? "..." : "") + '"';
    }

    /**
     * The text with control characters (which could move a terminal's cursor or hide what follows) written as
     * {@code \t}, {@code \n}, {@code \r} or {@code \xNN}, and halves of broken surrogate pairs as a backslash, 'u'
     * and four hex digits; everything else, backslashes and quotes included, as it is.
     */
    public static String escaped(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = switch (c) {
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> Character.isISOControl(c) ? String.format("\\x%02x", (int) c)
                        : Character.isSurrogate(c) && !pairedSurrogate(text, i) ? String.format("\\u%04x", (int) c)
                                : null;
            };
            if (escape != null && b == null) {
                b = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (b != null) {
                if (escape != null) {
                    b.append(escape);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? text : b.toString();
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
