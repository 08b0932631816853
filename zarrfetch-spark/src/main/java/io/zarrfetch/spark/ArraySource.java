package io.zarrfetch.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.zarrfetch.store.Stores;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.ZarrArray;

/**
 * An array as the driver found it, in what executors need to open it again without a request: its URL, the
 * metadata documents it was opened from, and the settings of the engine that reads it.
 *
 * @param url the array's URL as the user gave it
 * @param docs the metadata documents, replayed on executors
 * @param fillIsNull whether the array has no fill value (Zarr v2 {@code fill_value: null}): then only elements of
 *     missing chunks are NULL, and no value is masked
 */
record ArraySource(String url, MetadataStore.Docs docs, boolean fillIsNull, EngineSettings engine)
        implements Serializable {

    /**
     * Opens the array at {@code url} on the driver, recording its metadata.
     *
     * @throws UncheckedIOException naming the URL when it cannot be read
     */
    static Opened open(String url, EngineSettings engine) {
        Engines.Engine e = Engines.get(engine);
        Stores.Location loc = locate(e, url);
        MetadataStore recording = MetadataStore.recording(loc.store());
        ZarrArray array;
        try {
            array = ZarrArray.open(recording, loc.key(), e.fetcher());
        } catch (IOException ex) {
            throw new UncheckedIOException("zarr: cannot open the array " + Redact.url(url) + ": " + ex.getMessage(),
                    ex);
        }
        MetadataStore.Docs docs = recording.docs();
        return new Opened(new ArraySource(url, docs, array.metadata().zarrFormat() == 2 && v2FillIsNull(docs),
                engine), array);
    }

    /** The array and where it came from, on the driver. */
    record Opened(ArraySource source, ZarrArray array) {
        ArrayMetadata metadata() {
            return array.metadata();
        }
    }

    /** Opens the array again, here (an executor), from the recorded metadata: no request. */
    ZarrArray reopen() throws IOException {
        Engines.Engine e = Engines.get(engine);
        Stores.Location loc = locate(e, url);
        return ZarrArray.open(MetadataStore.replaying(loc.store(), docs), loc.key(), e.fetcher());
    }

    static Stores.Location locate(Engines.Engine e, String url) {
        try {
            return e.stores().locate(url);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("zarr: " + ex.getMessage(), ex);
        }
    }

    /** Whether a v2 {@code .zarray} says {@code fill_value: null} (or says none). */
    private static boolean v2FillIsNull(MetadataStore.Docs docs) {
        for (Map.Entry<String, byte[]> d : docs.docs().entrySet()) {
            if (!d.getKey().endsWith(".zarray") || d.getValue() == null) {
                continue;
            }
            try (JsonParser p = new JsonFactory().createParser(d.getValue())) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("fill_value")) {
                        return value == JsonToken.VALUE_NULL;
                    }
                    p.skipChildren();
                }
                return true;
            } catch (IOException ex) {
                return false; // zarrfetch parsed it already; nothing to learn here
            }
        }
        return false;
    }

    /**
     * The dimension columns' names: {@code dimension_names} (v3) or {@code _ARRAY_DIMENSIONS} (v2), else
     * {@code dim_0}, {@code dim_1}, ...; an axis whose name is missing, or would clash with another column (Spark
     * compares names without case), gets its {@code dim_N}.
     */
    static List<String> dimensionNames(ArrayMetadata m) {
        List<String> given = m.dimensionNames();
        List<String> out = new ArrayList<>();
        Set<String> taken = new HashSet<>(Set.of("value"));
        for (int a = 0; a < m.rank(); a++) {
            String name = given != null && given.size() == m.rank() ? given.get(a) : null;
            if (name == null || name.isBlank() || taken.contains(name.toLowerCase(Locale.ROOT))) {
                name = "dim_" + a;
            }
            taken.add(name.toLowerCase(Locale.ROOT));
            out.add(name);
        }
        return out;
    }
}
