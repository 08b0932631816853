package io.zarrfetch.zarr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;

/**
 * Zarr metadata documents as plain values: {@code Map<String, Object>} (in document order), {@code List<Object>},
 * {@code String}, {@code Long} or {@code BigInteger}, {@code Double}, {@code Boolean} and {@code null}. NaN and
 * Infinity are accepted as numbers, as Python's json module writes them. Depth and sizes are bounded: metadata
 * comes from the network.
 */
final class Json {
    private static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(1 << 20).maxNumberLength(1000).build())
            .build();

    private Json() {
    }

    /**
     * Parses one JSON document.
     *
     * @throws IllegalArgumentException saying where the document is malformed
     */
    static Object parse(byte[] json) {
        return parse(json, "the document");
    }

    /**
     * Parses one JSON document, naming it in errors.
     *
     * @param document what the document is, like {@code .zarray}
     * @throws IllegalArgumentException saying which document is malformed, where and how
     */
    static Object parse(byte[] json, String document) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            if (p.currentToken() == null) {
                throw new IllegalArgumentException(document + " is empty, not a JSON document");
            }
            Object value = read(p, document);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException(document + " is not valid JSON: more after its value "
                        + at(p.currentTokenLocation()));
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw new IllegalArgumentException(document + " is too large or too deep to read: "
                    + plain(e.getOriginalMessage()) + " " + at(e.getLocation()), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(document + " is not valid JSON: " + plain(e.getOriginalMessage())
                    + " " + at(e.getLocation()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(document + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String at(JsonLocation l) {
        return l == null ? "" : "(line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    /**
     * Jackson's message in plain words: no character codes ("(']' (code 93))"), no source descriptions
     * ("[Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 1]"), lower case.
     */
    static String plain(String message) {
        String m = message == null ? "malformed" : message;
        m = m.replaceAll("\\(\\(CTRL-CHAR, code (\\d+)\\)\\)", "(control character $1)");
        m = m.replaceAll("\\(('.{1,4}') \\(code \\d+\\)\\)", "$1").replaceAll(" \\(code \\d+\\)", "");
        m = m.replaceAll("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
        m = m.replaceAll("\\[Source: [^\\]]*\\]", "");
        m = m.replace("start marker at ", "opened at ").replace("\n", " ").strip();
        return m.isEmpty() ? "malformed" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private static Object read(JsonParser p, String document) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IllegalArgumentException(document + " is not valid JSON: it ends early "
                    + at(p.currentLocation()));
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p, document));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, document));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                    : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException(document + " is not valid JSON: unexpected " + t + " "
                    + at(p.currentLocation()));
        };
    }
}
