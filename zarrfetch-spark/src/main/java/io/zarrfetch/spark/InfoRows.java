package io.zarrfetch.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.zarrfetch.store.Stores;
import io.zarrfetch.store.StoreException;
import io.zarrfetch.zarr.ArrayMetadata;
import io.zarrfetch.zarr.ZarrArray;
import io.zarrfetch.zarr.ZarrGroup;

/** The info view: one row per array of a group (or one for an array), read on the driver. */
final class InfoRows {
    /** Metadata reads at once. */
    private static final int PARALLEL = 16;

    private InfoRows() {
    }

    /** One array's row. */
    record Row(String path, String url, int zarrFormat, long[] shape, int[] chunks, String dtype, String fillValue,
            List<String> codecs, List<String> dimensions, String attributes) implements Serializable {

        InternalRow toInternalRow() {
            return new GenericInternalRow(new Object[] {UTF8String.fromString(path), UTF8String.fromString(url),
                    zarrFormat, UnsafeArrayData.fromPrimitiveArray(shape), UnsafeArrayData.fromPrimitiveArray(chunks),
                    UTF8String.fromString(dtype), fillValue == null ? null : UTF8String.fromString(fillValue),
                    strings(codecs), dimensions == null ? null : strings(dimensions),
                    UTF8String.fromString(attributes)});
        }

        private static GenericArrayData strings(List<String> s) {
            return new GenericArrayData(s.stream().map(x -> x == null ? null : UTF8String.fromString(x)).toArray());
        }
    }

    /** The rows of the group (or array) at {@code url}, sorted by path. */
    static List<Row> read(String url, EngineSettings engine) {
        Engines.Engine e = Engines.get(engine);
        Stores.Location loc = ArraySource.locate(e, url);
        String base = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
        try {
            ZarrGroup group = ZarrGroup.open(loc.store(), base);
            if (group == null) {
                ZarrArray a = ZarrArray.open(loc.store(), base, e.fetcher());
                return List.of(row("", a));
            }
            List<String> paths = group.arrays();
            List<Future<Row>> rows = new ArrayList<>();
            Semaphore slots = new Semaphore(PARALLEL);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String p : paths) {
                    rows.add(pool.submit(() -> {
                        slots.acquire();
                        try {
                            return row(p, ZarrArray.open(loc.store(), base + p, e.fetcher()));
                        } finally {
                            slots.release();
                        }
                    }));
                }
                List<Row> out = new ArrayList<>();
                for (Future<Row> f : rows) {
                    out.add(f.get());
                }
                return out;
            }
        } catch (ExecutionException ex) {
            throw fail(url, ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("zarr: interrupted while reading the metadata of " + Redact.url(url));
        } catch (IOException | RuntimeException ex) {
            throw fail(url, ex);
        }
    }

    private static RuntimeException fail(String url, Throwable cause) {
        String what = cause instanceof StoreException se && se.notFound() ? "no Zarr group or array there"
                : cause.getMessage();
        return new UncheckedIOException("zarr: cannot read the metadata of " + Redact.url(url) + ": " + what,
                cause instanceof IOException io ? io : new IOException(cause));
    }

    private static Row row(String path, ZarrArray a) {
        ArrayMetadata m = a.metadata();
        Object fill = m.fillValueDescription();
        return new Row(path, Redact.url(a.url()), m.zarrFormat(), m.shape(), m.chunks(), m.dtype().numpyDescr(),
                fill == null ? null : String.valueOf(fill), List.copyOf(m.codecNames()), m.dimensionNames() == null
                        ? null : new ArrayList<>(m.dimensionNames()), json(m.attributes()));
    }

    /** Attributes as JSON text. */
    static String json(Map<String, Object> attributes) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            write(g, attributes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object x : l) {
                    write(g, x);
                }
                g.writeEndArray();
            }
            case Boolean b -> g.writeBoolean(b);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case BigInteger b -> g.writeNumber(b);
            case Double d when d.isNaN() || d.isInfinite() -> g.writeString(d.isNaN() ? "NaN"
                    : d > 0 ? "Infinity" : "-Infinity");
            case Double d -> g.writeNumber(d);
            default -> g.writeString(String.valueOf(v));
        }
    }
}
