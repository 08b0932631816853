package io.zarrfetch.testkit.mur;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Zarr v2 metadata objects of the store: what zarr-python 2.x would write for the same array, group
 * and attributes, including consolidated metadata ({@code .zmetadata}) as {@code zarr.consolidate_metadata}
 * writes it. Array shape, chunking, codec and attributes follow {@code s3://mur-sst/zarr-v1/analysed_sst}.
 */
final class ZarrMetadata {

    static final String ZGROUP = ".zgroup";
    static final String ZATTRS = ".zattrs";
    static final String ZMETADATA = ".zmetadata";

    private ZarrMetadata() {
    }

    /** Store key (relative path, '/'-separated) to JSON text, for every metadata object. */
    static SortedMap<String, String> objects(MurDataset.Options options) {
        Map<String, Object> group = Map.of("zarr_format", 2);
        Map<String, Object> groupAttrs = groupAttributes(options);
        Map<String, Object> array = array(options.scale());
        Map<String, Object> arrayAttrs = arrayAttributes();

        Map<String, Object> consolidated = new LinkedHashMap<>();
        consolidated.put(ZATTRS, groupAttrs);
        consolidated.put(ZGROUP, group);
        consolidated.put(MurDataset.ARRAY_NAME + "/.zarray", array);
        consolidated.put(MurDataset.ARRAY_NAME + "/" + ZATTRS, arrayAttrs);

        SortedMap<String, String> objects = new TreeMap<>();
        consolidated.forEach((key, value) -> objects.put(key, Json.write(value)));
        objects.put(ZMETADATA, Json.write(Map.of("metadata", consolidated, "zarr_consolidated_format", 1)));
        return objects;
    }

    private static Map<String, Object> array(MurDataset.Scale scale) {
        Map<String, Object> compressor = new LinkedHashMap<>();
        compressor.put("blocksize", MurDataset.BLOSC_BLOCKSIZE);
        compressor.put("clevel", MurDataset.BLOSC_CLEVEL);
        compressor.put("cname", MurDataset.BLOSC_CNAME);
        compressor.put("id", "blosc");
        compressor.put("shuffle", MurDataset.BLOSC_SHUFFLE);

        int[] chunks = scale.chunkShape();
        long[] shape = scale.arrayShape();
        Map<String, Object> array = new LinkedHashMap<>();
        array.put("chunks", List.of(chunks[0], chunks[1], chunks[2]));
        array.put("compressor", compressor);
        array.put("dtype", "<i2");
        array.put("fill_value", (int) MurDataset.FILL_VALUE);
        array.put("filters", null);
        array.put("order", "C");
        array.put("shape", List.of(shape[0], shape[1], shape[2]));
        array.put("zarr_format", 2);
        return array;
    }

    /** CF attributes as in the real array, so xarray decodes kelvin from the stored int16. */
    private static Map<String, Object> arrayAttributes() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("_ARRAY_DIMENSIONS", List.of("time", "lat", "lon"));
        attrs.put("add_offset", MurDataset.ADD_OFFSET);
        attrs.put("comment", "Synthetic MUR-like values from the zarrfetch testkit, not observations");
        attrs.put("long_name", "analysed sea surface temperature");
        attrs.put("scale_factor", MurDataset.SCALE_FACTOR);
        attrs.put("standard_name", "sea_surface_foundation_temperature");
        attrs.put("units", "kelvin");
        attrs.put("valid_max", 32767);
        attrs.put("valid_min", -32767);
        return attrs;
    }

    /** Says what the store is and how it was made (the chunk count is in the manifest, not here). */
    private static Map<String, Object> groupAttributes(MurDataset.Options options) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("Conventions", "CF-1.7");
        attrs.put("source", MurDataset.class.getName() + " version " + MurDataset.GENERATOR_VERSION);
        attrs.put("summary", "Synthetic stand-in for s3://mur-sst/zarr-v1: same array layout and codec, "
                + "generated values; only chunks {t}.1.0 for the first time chunks are stored");
        attrs.put("title", "MUR-like sea surface temperature (synthetic)");
        attrs.put("zarrfetch_scale", options.scale().name());
        attrs.put("zarrfetch_seed", options.seed());
        return attrs;
    }
}
