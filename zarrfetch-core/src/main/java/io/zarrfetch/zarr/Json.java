package io.zarrfetch.zarr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the JSON value at "
                        + p.currentLocation().offsetDescription());
            }
            return value;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage() + " at "
                    + (e.getLocation() == null ? "?" : e.getLocation().offsetDescription()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IllegalArgumentException("empty JSON document");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
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
            default -> throw new IllegalArgumentException("unexpected JSON token " + t);
        };
    }
}
