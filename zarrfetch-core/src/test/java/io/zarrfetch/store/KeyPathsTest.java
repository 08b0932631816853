package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Keys in messages: plain, control characters escaped once, readably. */
class KeyPathsTest {
    @Test
    void keysPrintAsTheyAreExceptForControlCharacters() {
        assertThat(KeyPaths.escaped("a\\b \"q\" 日本.txt")).isEqualTo("a\\b \"q\" 日本.txt");
        assertThat(KeyPaths.escaped("ctl\u0001.txt")).isEqualTo("ctl\\x01.txt");
        assertThat(KeyPaths.escaped("tab\there\nnew\rret\u001b[31m\u007f\u0085")).isEqualTo(
                "tab\\there\\nnew\\rret\\x1b[31m\\x7f\\x85");
        assertThat(KeyPaths.escaped("broken \uD800 pair, whole \uD83D\uDE00")).isEqualTo(
                "broken \\ud800 pair, whole \uD83D\uDE00");
        assertThat(KeyPaths.printable("ctl\u0001\\x")).isEqualTo("\"ctl\\x01\\x\"");
        assertThat(KeyPaths.printable("k".repeat(400))).hasSize(305).endsWith("...\"");
    }

    @Test
    void refusedKeysAreNamedReadably() {
        assertThatThrownBy(() -> KeyPaths.resolve(Path.of("/tmp/x"), "ctl\u0001.txt"))
                .hasMessage("refusing key \"ctl\\x01.txt\": it contains control character U+0001");
        assertThatThrownBy(() -> KeyPaths.resolve(Path.of("/tmp/x"), "a\\b"))
                .hasMessage("refusing key \"a\\b\": it contains a backslash");
    }
}
