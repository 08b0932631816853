package io.zarrfetch.zarr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.RetryingStore;
import io.zarrfetch.store.Store;
import io.zarrfetch.store.StoreException;

/**
 * A Zarr group (v2 {@code .zgroup}, v3 {@code zarr.json} with {@code node_type} group): its attributes and the
 * arrays below it.
 *
 * @param store the store the group is in
 * @param path the group's path in the store: "" or ending in '/'
 * @param zarrFormat 2 or 3
 * @param attributes the group's attributes
 */
public record ZarrGroup(Store store, String path, int zarrFormat, Map<String, Object> attributes) {

    /**
     * Opens the group at {@code path}, or returns null when there is no group there.
     *
     * @throws IllegalArgumentException when its metadata is malformed
     */
    public static ZarrGroup open(Store store, String path) throws IOException {
        store = RetryingStore.of(store); // its requests retried
        String p = path.isEmpty() || path.endsWith("/") ? path : path + "/";
        byte[] v3 = Node.readSmall(store, p + "zarr.json");
        if (v3 != null) {
            Map<String, Object> m = Metadata.object(Json.parse(v3, "zarr.json"), "zarr.json");
            if (!"group".equals(m.get("node_type"))) {
                return null;
            }
            Object attrs = m.get("attributes");
            return new ZarrGroup(store, p, 3, attrs == null ? Map.of() : Metadata.object(attrs, "attributes"));
        }
        byte[] zgroup = Node.readSmall(store, p + ".zgroup");
        if (zgroup == null) {
            return null;
        }
        Metadata.object(Json.parse(zgroup, ".zgroup"), ".zgroup");
        byte[] zattrs = Node.readSmall(store, p + ".zattrs");
        return new ZarrGroup(store, p, 2, zattrs == null ? Map.of()
                : Metadata.object(Json.parse(zattrs, ".zattrs"),
                ".zattrs"));
    }

    /** The group's URL. */
    public String url() {
        return store.url(path);
    }

    /**
     * The paths (relative to this group) of the arrays at any depth below it: from consolidated metadata
     * ({@code .zmetadata}) when there is one, else from a listing of the store.
     *
     * @throws UnsupportedOperationException when neither is available (a plain HTTP server without consolidated
     *     metadata)
     */
    public List<String> arrays() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        byte[] consolidated = zarrFormat == 2 ? Node.readSmall(store, path + ".zmetadata") : null;
        if (consolidated != null) {
            Map<String, Object> m = Metadata.object(Json.parse(consolidated, ".zmetadata"), ".zmetadata");
            for (String key : Metadata.object(m.get("metadata"), ".zmetadata metadata").keySet()) {
                if (key.equals(".zarray")) {
                    out.add("");
                } else if (key.endsWith("/.zarray")) {
                    out.add(key.substring(0, key.length() - "/.zarray".length()));
                }
            }
            return new ArrayList<>(out);
        }
        if (!store.canList()) {
            throw new UnsupportedOperationException(url() + " has no consolidated metadata and its store cannot "
                    + "list: name an array instead");
        }
        String marker = zarrFormat == 2 ? ".zarray" : "zarr.json";
        try {
            Iterator<ObjectInfo> it = store.list(path).iterator();
            while (it.hasNext()) {
                String key = it.next().key().substring(path.length());
                if (key.equals(marker) || key.endsWith("/" + marker)) {
                    String array = key.equals(marker) ? "" : key.substring(0, key.length() - marker.length() - 1);
                    if (zarrFormat == 3) {
                        byte[] doc = Node.readSmall(store, path + key);
                        if (doc == null || !"array".equals(Metadata.object(Json.parse(doc, "zarr.json"), "zarr.json")
                                .get("node_type"))) {
                            continue;
                        }
                    }
                    if (!array.isEmpty()) {
                        out.add(array);
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new ArrayList<>(out);
    }

    static StoreException notFound(Store store, String path) {
        return new StoreException(store.url(path), 404, false, "no Zarr array or group here");
    }
}
