package io.zarrfetch.testkit.mur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesLikePythonJsonDumpsWithIndentFourAndSortedKeys() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", List.of(1, 2L));
        value.put("a", Map.of("z", 298.15, "y", 0.001));
        value.put("c", Arrays.asList(null, true, false));
        value.put("d", List.of());
        value.put("e", Map.of());

        // json.dumps(v, indent=4, sort_keys=True, separators=(',', ': '))
        assertThat(Json.write(value)).isEqualTo("""
                {
                    "a": {
                        "y": 0.001,
                        "z": 298.15
                    },
                    "b": [
                        1,
                        2
                    ],
                    "c": [
                        null,
                        true,
                        false
                    ],
                    "d": [],
                    "e": {}
                }""");
    }

    @Test
    void escapesStringsLikePythonEnsureAscii() {
        // json.dumps('q"b\\n\n\t\x01\x7fé€') == '"q\\"b\\\\n\\n\\t\\u0001\\u007f\\u00e9\\u20ac"'
        assertThat(Json.write("q\"b\\n\n\t\u0001\u007fé€"))
                .isEqualTo("\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\\u00e9\\u20ac\"");
    }

    @Test
    void refusesDoublesPythonWouldPrintDifferently() {
        assertThatThrownBy(() -> Json.write(1e-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesWhatItWrites() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("big", Long.MIN_VALUE);
        value.put("list", List.of("x\u00e9\"\\", 1.5, -2L));
        value.put("nothing", null);
        value.put("yes", true);

        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "{\"a\":1}x", "\"open", "tru", "{\"a\":1,\"a\":2}",
                "\"\\x\"", "1.2.3")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
