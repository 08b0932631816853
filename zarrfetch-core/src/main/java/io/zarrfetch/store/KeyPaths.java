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

    /** The key with control characters escaped, safe to print. */
    public static String printable(String key) {
        StringBuilder b = new StringBuilder(key.length() + 2).append('"');
        for (int i = 0; i < key.length() && b.length() < 300; i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (key.length() > 300) {
            b.append("...");
        }
        return b.append('"').toString();
    }
}
