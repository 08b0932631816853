package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** What metadata errors and fill values say to people: the document and position, NumPy's notation. */
class MessagesTest {
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void invalidJsonNamesTheDocumentAndThePositionInPlainWords() {
        assertThatThrownBy(() -> Metadata.v2(utf8("{\"zarr_format\": 2, \"shape\": [10,], }"), null))
                .hasMessage(".zarray is not valid JSON: unexpected character ']': expected a value (line 1, "
                        + "column 33)");
        assertThatThrownBy(() -> Metadata.v3(utf8("{\"zarr_format\": 3,\n  \"shape\": [1")))
                .hasMessage("zarr.json is not valid JSON: unexpected end-of-input: expected close marker for Array "
                        + "(opened at line 2, column 12) (line 2, column 14)");
        assertThatThrownBy(() -> Metadata.v2(utf8("{\"zarr_format\": 2} {}"), null))
                .hasMessage(".zarray is not valid JSON: more after its value (line 1, column 20)");
        assertThatThrownBy(() -> Metadata.v2(utf8("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], "
                + "\"dtype\": \"<i2\", \"compressor\": null, \"fill_value\": 0}"), utf8("{\"a\": tru}")))
                .hasMessageStartingWith(".zattrs is not valid JSON: unrecognized token 'tru'");
        assertThatThrownBy(() -> Metadata.v2(utf8("  "), null)).hasMessage(".zarray is empty, not a JSON document");
        for (String bad : new String[] {"{\"a\": \"x\u0001\"}", "[1,", "{\"a\" 1}", "nul", "\"\\q\""}) {
            assertThatThrownBy(() -> Metadata.v2(utf8(bad), null)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(".zarray is not valid JSON: ")
                    .hasMessageNotContaining("Source").hasMessageNotContaining("StreamReadFeature")
                    .hasMessageNotContaining("(code ").hasMessageNotContaining("REDACTED")
                    .hasMessageMatching("(?s).*\\(line \\d+, column \\d+\\)$");
        }
    }

    @Test
    void complexFillValuesReadAsNumPyPrintsThem() {
        assertThat(FillValue.complex(1.5, -2, false)).isEqualTo("1.5-2j");
        assertThat(FillValue.complex(0, 2, false)).isEqualTo("2j");
        assertThat(FillValue.complex(-0.0, 2, false)).isEqualTo("-0+2j");
        assertThat(FillValue.complex(1, 0, false)).isEqualTo("1+0j");
        assertThat(FillValue.complex(Double.NaN, Double.POSITIVE_INFINITY, false)).isEqualTo("nan+infj");
        assertThat(FillValue.complex(1e20, -1e-5, false)).isEqualTo("1e+20-1e-05j");
        assertThat(FillValue.complex(0.0001, 1234567890123456.0, false)).isEqualTo("0.0001+1234567890123456j");
        assertThat(FillValue.complex(0.1, 0.1, true)).as("float32 parts, shortest for float32").isEqualTo("0.1+0.1j");

        ArrayMetadata m = Metadata.v2(utf8("{\"zarr_format\": 2, \"shape\": [3], \"chunks\": [3], \"dtype\": \"<c16\", "
                + "\"compressor\": null, \"fill_value\": [1.5, -2.0], \"order\": \"C\", \"filters\": null}"), null);
        assertThat(m.fillValueDescription()).isEqualTo("1.5-2j");
        ArrayMetadata v3 = Metadata.v3(utf8("{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [2], "
                + "\"data_type\": \"complex64\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": "
                + "{\"chunk_shape\": [2]}}, \"chunk_key_encoding\": {\"name\": \"default\"}, \"fill_value\": "
                + "[0.0, \"NaN\"], \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]}"));
        assertThat(v3.fillValueDescription()).isEqualTo("nanj");
    }
}
