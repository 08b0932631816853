// The fixture cases: metadata (zarr.json) and the logical content of each array.
//
// `data` is the whole logical array in C order, with the fill value wherever nothing is meant to be
// stored. The writer stores chunks (or inner chunks of shards) that hold at least one non-fill value
// and omits the others, the way zarr-python does with write_empty_chunks=False.

import { DTYPES, fillToValue, genValue, ndindex, prod, rng, typedArrayFor } from "./common.mjs";

const grid = (chunk_shape) => ({ name: "regular", configuration: { chunk_shape } });
const keyDefault = (separator = "/") => ({ name: "default", configuration: { separator } });
const keyV2 = (separator = ".") => ({ name: "v2", configuration: { separator } });
const bytes = (endian) => (endian ? { name: "bytes", configuration: { endian } } : { name: "bytes" });
const gzip = (level) => ({ name: "gzip", configuration: { level } });
const zstd = (level) => ({ name: "zstd", configuration: { level } });
const crc32c = () => ({ name: "crc32c" });
const transpose = (order) => ({ name: "transpose", configuration: { order } });
const blosc = (cname, clevel, shuffle, typesize, blocksize = 0) => {
	const configuration = { cname, clevel, shuffle };
	if (typesize !== undefined) configuration.typesize = typesize;
	configuration.blocksize = blocksize;
	return { name: "blosc", configuration };
};
const sharding = (chunk_shape, codecs, index_codecs, index_location) => ({
	name: "sharding_indexed",
	configuration: { chunk_shape, codecs, index_codecs, index_location },
});

function arrayMeta({ shape, dtype, chunks, key = keyDefault(), fill, codecs, dimension_names, attributes = {} }) {
	const m = {
		zarr_format: 3,
		node_type: "array",
		shape,
		data_type: dtype,
		chunk_grid: grid(chunks),
		chunk_key_encoding: key,
		fill_value: fill,
		codecs,
	};
	if (dimension_names) m.dimension_names = dimension_names;
	m.attributes = attributes;
	return m;
}

// Builds the logical array: generated values, then `holes` (boxes [[lo,hi],...]) set to the fill
// value; `only` (boxes) keeps generated values only inside those boxes.
function makeData(dtype, shape, seed, fill, { holes = [], only = null, special = true } = {}) {
	const n = prod(shape);
	const a = typedArrayFor(dtype, n);
	const r = rng(seed);
	const fv = fillToValue(dtype, fill);
	const inBox = (idx, box) => box.every(([lo, hi], d) => idx[d] >= lo && idx[d] < hi);
	let i = 0;
	for (const idx of ndindex(shape)) {
		let v = genValue(dtype, i, r, { special });
		if (holes.some((b) => inBox(idx, b))) v = fv;
		if (only && !only.some((b) => inBox(idx, b))) v = fv;
		if (a instanceof Object && typeof a.set === "function" && DTYPES[dtype].kind === "bool") a.set(i, v);
		else a[i] = v;
		i++;
	}
	return a;
}

function endianOf(codecs) {
	for (const c of codecs) {
		if (c.name === "bytes") return c.configuration?.endian ?? "little";
		if (c.name === "sharding_indexed") return endianOf(c.configuration.codecs);
	}
	return "little";
}

export function buildCases() {
	const cases = [];
	const add = (c) => {
		c.endian = endianOf(c.meta.codecs);
		c.path ??= c.name;
		cases.push(c);
	};
	let seed = 1;

	// ---- data types, little endian, uncompressed; 2-d with edge chunks on both axes ------------
	// shape [7, 9], chunks [3, 4]: a 3x3 grid whose last row and column of chunks overhang.
	// Chunk (2, 2) holds only fill values and is not stored (must read as fill).
	for (const dtype of Object.keys(DTYPES)) {
		const fill = DTYPES[dtype].kind === "bool" ? false : DTYPES[dtype].kind === "float" ? 0 : 0;
		const shape = [7, 9];
		add({
			name: `dtype_${dtype}`,
			covers: `data type ${dtype}; bytes${DTYPES[dtype].size > 1 ? " little endian" : " (no endian, single byte)"}; 2-d edge chunks on both axes; chunk c/2/2 missing (fill ${JSON.stringify(fill)})`,
			meta: arrayMeta({ shape, dtype, chunks: [3, 4], fill, codecs: [bytes(DTYPES[dtype].size > 1 ? "little" : undefined)] }),
			data: makeData(dtype, shape, seed++, fill, { holes: [[[6, 7], [8, 9]]] }),
		});
	}

	// ---- big endian, 3-d with edge chunks on every axis -------------------------------------
	for (const dtype of Object.keys(DTYPES).filter((d) => DTYPES[d].size > 1)) {
		const shape = [5, 6, 4];
		const fill = DTYPES[dtype].kind === "float" ? "NaN" : 3;
		add({
			name: `endian_big_${dtype}`,
			covers: `data type ${dtype} with bytes endian big; 3-d [5,6,4] in chunks [2,4,3] (edges on all 3 axes); fill ${JSON.stringify(fill)}; chunk c/2/1/1 missing`,
			meta: arrayMeta({ shape, dtype, chunks: [2, 4, 3], fill, codecs: [bytes("big")] }),
			data: makeData(dtype, shape, seed++, fill, { holes: [[[4, 5], [4, 6], [3, 4]]] }),
		});
	}

	// ---- transpose ----------------------------------------------------------------------------
	add({
		name: "transpose_3d_order_201",
		covers: "transpose order [2,0,1] on a 3-d int32 array [5,7,6] in chunks [2,3,4] (edges on all axes), bytes little",
		meta: arrayMeta({ shape: [5, 7, 6], dtype: "int32", chunks: [2, 3, 4], fill: 0, codecs: [transpose([2, 0, 1]), bytes("little")] }),
		data: makeData("int32", [5, 7, 6], seed++, 0),
	});
	add({
		name: "transpose_3d_order_120_gzip",
		covers: "transpose order [1,2,0] on a 3-d uint16 array [4,5,7] in chunks [3,2,4], bytes big, gzip level 5",
		meta: arrayMeta({ shape: [4, 5, 7], dtype: "uint16", chunks: [3, 2, 4], fill: 0, codecs: [transpose([1, 2, 0]), bytes("big"), gzip(5)] }),
		data: makeData("uint16", [4, 5, 7], seed++, 0),
	});
	add({
		name: "transpose_2d_order_10",
		covers: "transpose order [1,0] on a 2-d float64 array [9,7] in chunks [4,3], bytes little; fill NaN with one missing chunk",
		meta: arrayMeta({ shape: [9, 7], dtype: "float64", chunks: [4, 3], fill: "NaN", codecs: [transpose([1, 0]), bytes("little")] }),
		data: makeData("float64", [9, 7], seed++, "NaN", { holes: [[[4, 8], [3, 6]]] }),
	});

	// ---- bytes -> bytes codecs ------------------------------------------------------------------
	const smooth = (dtype, shape, s, fill = 0, opts = {}) => {
		// compressible data: a smooth ramp plus a little noise, generated values elsewhere
		const a = makeData(dtype, shape, s, fill, { special: false, ...opts });
		const r = rng(s + 1000);
		const kind = DTYPES[dtype].kind;
		const fv = fillToValue(dtype, fill);
		let i = 0;
		for (const idx of ndindex(shape)) {
			const cur = a[i];
			const isFill = kind === "float" ? Object.is(cur, fv) || (Number.isNaN(cur) && Number.isNaN(fv)) : cur === fv;
			if (!isFill) {
				const base = idx.reduce((acc, x, d) => acc + x * (d + 1) * 3, 0) + Math.floor(r() * 4);
				if (kind === "float") a[i] = base * 0.25 - 10;
				else if (kind === "bigint") a[i] = BigInt(base);
				else if (DTYPES[dtype].min < 0) a[i] = base - 50;
				else a[i] = base;
			}
			i++;
		}
		return a;
	};
	add({
		name: "gzip_level1",
		covers: "gzip level 1 on int32 [33,17] in chunks [16,8] (edges), bytes little",
		meta: arrayMeta({ shape: [33, 17], dtype: "int32", chunks: [16, 8], fill: 0, codecs: [bytes("little"), gzip(1)] }),
		data: smooth("int32", [33, 17], seed++),
	});
	add({
		name: "gzip_level9_big",
		covers: "gzip level 9 on float64 [20,13] in chunks [8,8], bytes big",
		meta: arrayMeta({ shape: [20, 13], dtype: "float64", chunks: [8, 8], fill: 0, codecs: [bytes("big"), gzip(9)] }),
		data: smooth("float64", [20, 13], seed++),
	});
	add({
		name: "gzip_level0",
		covers: "gzip level 0 (stored deflate blocks, no compression) on int8 [21,10] in chunks [8,8]",
		meta: arrayMeta({ shape: [21, 10], dtype: "int8", chunks: [8, 8], fill: 0, codecs: [bytes(), gzip(0)] }),
		data: makeData("int8", [21, 10], seed++, 0),
	});
	add({
		name: "zstd_level3",
		covers: "zstd level 3 on int32 [33,17] in chunks [16,8], bytes little",
		meta: arrayMeta({ shape: [33, 17], dtype: "int32", chunks: [16, 8], fill: 0, codecs: [bytes("little"), zstd(3)] }),
		data: smooth("int32", [33, 17], seed++),
	});
	add({
		name: "zstd_level0_uint16_big",
		covers: "zstd level 0 (library default) on uint16 [30,11] in chunks [16,16], bytes big",
		meta: arrayMeta({ shape: [30, 11], dtype: "uint16", chunks: [16, 16], fill: 0, codecs: [bytes("big"), zstd(0)] }),
		data: smooth("uint16", [30, 11], seed++),
	});
	add({
		name: "zstd_level_negative",
		covers: "zstd level -5 (fast mode) on int64 [40] in chunks [16]",
		meta: arrayMeta({ shape: [40], dtype: "int64", chunks: [16], fill: 0, codecs: [bytes("little"), zstd(-5)] }),
		data: smooth("int64", [40], seed++),
	});
	add({
		name: "blosc_lz4_shuffle",
		covers: "blosc cname lz4, clevel 5, shuffle (byte), typesize 4 on float32 [33,17] in chunks [16,8]",
		meta: arrayMeta({ shape: [33, 17], dtype: "float32", chunks: [16, 8], fill: 0, codecs: [bytes("little"), blosc("lz4", 5, "shuffle", 4)] }),
		data: smooth("float32", [33, 17], seed++),
	});
	add({
		name: "blosc_zstd_bitshuffle",
		covers: "blosc cname zstd, clevel 3, bitshuffle, typesize 4 on int32 [33,17] in chunks [16,8]",
		meta: arrayMeta({ shape: [33, 17], dtype: "int32", chunks: [16, 8], fill: 0, codecs: [bytes("little"), blosc("zstd", 3, "bitshuffle", 4)] }),
		data: smooth("int32", [33, 17], seed++),
	});
	add({
		name: "blosc_zlib_shuffle",
		covers: "blosc cname zlib, clevel 6, shuffle, typesize 4 on uint32 [20,20] in chunks [10,16], bytes big",
		meta: arrayMeta({ shape: [20, 20], dtype: "uint32", chunks: [10, 16], fill: 0, codecs: [bytes("big"), blosc("zlib", 6, "shuffle", 4)] }),
		data: smooth("uint32", [20, 20], seed++),
	});
	add({
		name: "blosc_blosclz_noshuffle",
		covers: "blosc cname blosclz, clevel 9, noshuffle with typesize 4 recorded, on int32 [40] in chunks [32]",
		meta: arrayMeta({ shape: [40], dtype: "int32", chunks: [32], fill: 0, codecs: [bytes("little"), blosc("blosclz", 9, "noshuffle", 4)] }),
		data: smooth("int32", [40], seed++),
	});
	add({
		name: "blosc_lz4hc_noshuffle_no_typesize",
		covers: "blosc cname lz4hc, clevel 4, noshuffle and no typesize member (optional for noshuffle), on uint8 [50,7] in chunks [32,4]",
		meta: arrayMeta({ shape: [50, 7], dtype: "uint8", chunks: [32, 4], fill: 0, codecs: [bytes(), blosc("lz4hc", 4, "noshuffle", undefined)] }),
		data: smooth("uint8", [50, 7], seed++),
	});
	add({
		name: "blosc_clevel0_shuffle",
		covers: "blosc clevel 0 (blosc stores the bytes uncompressed, memcpyed flag), lz4, shuffle, typesize 4, on float32 [19] in chunks [8]",
		meta: arrayMeta({ shape: [19], dtype: "float32", chunks: [8], fill: 0, codecs: [bytes("little"), blosc("lz4", 0, "shuffle", 4)] }),
		data: makeData("float32", [19], seed++, 0),
	});
	add({
		name: "crc32c_only",
		covers: "crc32c as the only bytes->bytes codec on int16 [13,11] in chunks [5,4], bytes little",
		meta: arrayMeta({ shape: [13, 11], dtype: "int16", chunks: [5, 4], fill: 0, codecs: [bytes("little"), crc32c()] }),
		data: makeData("int16", [13, 11], seed++, 0),
	});
	add({
		name: "combo_blosc_crc32c",
		covers: "codecs [bytes little, blosc lz4 shuffle typesize 4, crc32c] on float32 [33,17] in chunks [16,8]",
		meta: arrayMeta({ shape: [33, 17], dtype: "float32", chunks: [16, 8], fill: 0, codecs: [bytes("little"), blosc("lz4", 5, "shuffle", 4), crc32c()] }),
		data: smooth("float32", [33, 17], seed++),
	});
	add({
		name: "combo_transpose_gzip_crc32c",
		covers: "codecs [transpose [1,0], bytes big, gzip 6, crc32c] on int16 [14,9] in chunks [6,4]",
		meta: arrayMeta({ shape: [14, 9], dtype: "int16", chunks: [6, 4], fill: 0, codecs: [transpose([1, 0]), bytes("big"), gzip(6), crc32c()] }),
		data: smooth("int16", [14, 9], seed++),
	});
	add({
		name: "combo_zstd_crc32c_uint64",
		covers: "codecs [bytes little, zstd 1, crc32c] on uint64 [25] in chunks [10]",
		meta: arrayMeta({ shape: [25], dtype: "uint64", chunks: [10], fill: 0, codecs: [bytes("little"), zstd(1), crc32c()] }),
		data: makeData("uint64", [25], seed++, 0),
	});
	add({
		name: "combo_gzip_zstd",
		covers: "two compressors in a row: [bytes little, gzip 1, zstd 1] on int32 [20] in chunks [8]",
		meta: arrayMeta({ shape: [20], dtype: "int32", chunks: [8], fill: 0, codecs: [bytes("little"), gzip(1), zstd(1)] }),
		data: smooth("int32", [20], seed++),
	});

	// ---- chunk key encodings ----------------------------------------------------------------------
	const keyCases = [
		["key_default_slash", keyDefault("/"), 'default, separator "/" (keys c/i/j)'],
		["key_default_dot", keyDefault("."), 'default, separator "." (keys c.i.j)'],
		["key_default_no_configuration", { name: "default" }, 'default without configuration (separator defaults to "/")'],
		["key_v2_dot", keyV2("."), 'v2, separator "." (keys i.j)'],
		["key_v2_slash", keyV2("/"), 'v2, separator "/" (keys i/j)'],
		["key_v2_no_configuration", { name: "v2" }, 'v2 without configuration (separator defaults to ".")'],
	];
	for (const [name, key, what] of keyCases) {
		add({
			name,
			covers: `chunk_key_encoding ${what}; int16 [5,7] in chunks [2,3] (3x3 grid with edges); fill -1 with chunk (1,1) missing`,
			meta: arrayMeta({ shape: [5, 7], dtype: "int16", chunks: [2, 3], key, fill: -1, codecs: [bytes("little")] }),
			data: makeData("int16", [5, 7], seed++, -1, { holes: [[[2, 4], [3, 6]]] }),
		});
	}

	// ---- fill values and missing chunks -------------------------------------------------------------
	add({
		name: "fill_int16_nonzero",
		covers: "fill_value -7 (int16) with 5 of 9 chunks missing; [6,10] in chunks [2,4]",
		meta: arrayMeta({ shape: [6, 10], dtype: "int16", chunks: [2, 4], fill: -7, codecs: [bytes("little")] }),
		data: makeData("int16", [6, 10], seed++, -7, { only: [[[0, 2], [0, 8]], [[2, 4], [8, 10]], [[4, 6], [4, 5]]] }),
	});
	add({
		name: "fill_float32_nan",
		covers: 'fill_value "NaN" (float32) with missing chunks, data also holding NaN/Inf/-0.0; [8,9] in chunks [3,3]',
		meta: arrayMeta({ shape: [8, 9], dtype: "float32", chunks: [3, 3], fill: "NaN", codecs: [bytes("little")] }),
		data: makeData("float32", [8, 9], seed++, "NaN", { holes: [[[0, 3], [3, 9]], [[6, 8], [0, 3]]] }),
	});
	add({
		name: "fill_float64_infinity",
		covers: 'fill_value "Infinity" (float64) with missing chunks; [10] in chunks [3]',
		meta: arrayMeta({ shape: [10], dtype: "float64", chunks: [3], fill: "Infinity", codecs: [bytes("little")] }),
		data: makeData("float64", [10], seed++, "Infinity", { holes: [[[3, 6]], [[9, 10]]] }),
	});
	add({
		name: "fill_float64_negative_infinity",
		covers: 'fill_value "-Infinity" (float64, bytes big) with missing chunks; [4,5] in chunks [2,2]',
		meta: arrayMeta({ shape: [4, 5], dtype: "float64", chunks: [2, 2], fill: "-Infinity", codecs: [bytes("big")] }),
		data: makeData("float64", [4, 5], seed++, "-Infinity", { holes: [[[0, 2], [2, 5]]] }),
	});
	add({
		name: "fill_float32_fraction",
		covers: "fill_value 1.5 (float32) with missing chunks; [5,5] in chunks [2,2]",
		meta: arrayMeta({ shape: [5, 5], dtype: "float32", chunks: [2, 2], fill: 1.5, codecs: [bytes("little")] }),
		data: makeData("float32", [5, 5], seed++, 1.5, { holes: [[[2, 5], [0, 5]]] }),
	});
	add({
		name: "fill_bool_true",
		covers: "fill_value true (bool) with missing chunks; [6,6] in chunks [4,4]",
		meta: arrayMeta({ shape: [6, 6], dtype: "bool", chunks: [4, 4], fill: true, codecs: [bytes()] }),
		data: makeData("bool", [6, 6], seed++, true, { holes: [[[4, 6], [0, 6]]] }),
	});
	add({
		name: "fill_int64_large",
		covers: "fill_value -1234567890123 (int64, beyond 32 bits) with missing chunks; [9] in chunks [4]",
		meta: arrayMeta({ shape: [9], dtype: "int64", chunks: [4], fill: -1234567890123n, codecs: [bytes("little")] }),
		data: makeData("int64", [9], seed++, -1234567890123n, { holes: [[[4, 8]]] }),
	});
	add({
		name: "fill_uint32_max",
		covers: "fill_value 4294967295 (uint32 max) with missing chunks; [7] in chunks [3]",
		meta: arrayMeta({ shape: [7], dtype: "uint32", chunks: [3], fill: 4294967295, codecs: [bytes("big")] }),
		data: makeData("uint32", [7], seed++, 4294967295, { holes: [[[0, 3]]] }),
	});
	add({
		name: "fill_uint8_all_missing",
		covers: "no chunk stored at all: every element reads as fill_value 200 (uint8); [4,6] in chunks [3,3]",
		meta: arrayMeta({ shape: [4, 6], dtype: "uint8", chunks: [3, 3], fill: 200, codecs: [bytes(), gzip(1)] }),
		data: makeData("uint8", [4, 6], seed++, 200, { only: [] }),
	});

	// ---- shapes -----------------------------------------------------------------------------------
	add({
		name: "zero_d_float64",
		covers: 'a 0-d array (shape [], chunk_shape []); default key encoding gives the single chunk key "c"',
		meta: arrayMeta({ shape: [], dtype: "float64", chunks: [], fill: 0, codecs: [bytes("little")] }),
		data: Float64Array.of(-273.15),
	});
	add({
		name: "zero_d_int32_v2_key",
		covers: 'a 0-d array with the v2 chunk key encoding, whose single chunk key is "0"; bytes big, gzip',
		meta: arrayMeta({ shape: [], dtype: "int32", chunks: [], key: keyV2("."), fill: 0, codecs: [bytes("big"), gzip(1)] }),
		data: Int32Array.of(-123456),
	});
	add({
		name: "zero_d_missing",
		covers: "a 0-d array with no chunk stored: reads as fill_value 42 (uint16)",
		meta: arrayMeta({ shape: [], dtype: "uint16", chunks: [], fill: 42, codecs: [bytes("little")] }),
		data: Uint16Array.of(42),
	});
	add({
		name: "one_d_uint16",
		covers: "1-d uint16 [50] in chunks [7] (last chunk overhangs by 6)",
		meta: arrayMeta({ shape: [50], dtype: "uint16", chunks: [7], fill: 0, codecs: [bytes("little")] }),
		data: makeData("uint16", [50], seed++, 0),
	});
	add({
		name: "four_d_int8",
		covers: "4-d int8 [3,4,5,6] in chunks [2,3,2,4] (edges on all 4 axes), zstd",
		meta: arrayMeta({ shape: [3, 4, 5, 6], dtype: "int8", chunks: [2, 3, 2, 4], fill: 0, codecs: [bytes(), zstd(1)], dimension_names: ["t", "z", "y", "x"] }),
		data: makeData("int8", [3, 4, 5, 6], seed++, 0),
	});
	add({
		name: "chunk_larger_than_array",
		covers: "one chunk [8,8] larger than the array [3,5] on both axes",
		meta: arrayMeta({ shape: [3, 5], dtype: "float32", chunks: [8, 8], fill: 0, codecs: [bytes("little")] }),
		data: makeData("float32", [3, 5], seed++, 0),
	});
	add({
		name: "unit_dims",
		covers: "size-1 axes: [1,13,1] in chunks [1,5,1]; dimension_names with a null entry",
		meta: arrayMeta({ shape: [1, 13, 1], dtype: "int32", chunks: [1, 5, 1], fill: 0, codecs: [bytes("little")], dimension_names: ["a", null, "c"] }),
		data: makeData("int32", [1, 13, 1], seed++, 0),
	});

	// ---- sharding (shards assembled by the generator from zarrita-encoded inner chunks + index) -----
	// Twin pairs differ only in index_location, so their inner chunk bytes are identical.
	const sh1 = (loc) => ({
		name: `shard_${loc}_gzip_index_crc32c`,
		covers: `sharding_indexed, index_location ${loc}; int16 [20,27], shards [8,12], inner chunks [4,4] (2x3 per shard); inner codecs [bytes little, gzip 1]; index_codecs [bytes little, crc32c]; empty inner chunks (index 2^64-1) and 3 of 9 shards missing; edge shards on both axes`,
		meta: arrayMeta({
			shape: [20, 27],
			dtype: "int16",
			chunks: [8, 12],
			fill: 0,
			codecs: [sharding([4, 4], [bytes("little"), gzip(1)], [bytes("little"), crc32c()], loc)],
		}),
		data: makeData("int16", [20, 27], 9001, 0, {
			holes: [
				[[0, 4], [4, 8]], // inner chunk (0,1) of shard (0,0)
				[[0, 8], [12, 24]], // whole shard (0,1)
				[[8, 16], [0, 12]], // whole shard (1,0)
				[[16, 20], [24, 27]], // whole shard (2,2)
				[[12, 16], [12, 20]], // inner chunks (1,0),(1,1) of shard (1,1)
			],
		}),
	});
	add(sh1("end"));
	add({ ...sh1("start"), twinOf: "shard_end_gzip_index_crc32c" });

	const sh2 = (loc) => ({
		name: `shard_${loc}_blosc_index_bytes_only`,
		covers: `sharding_indexed, index_location ${loc}; uint32 [15,10], shards [6,10], inner chunks [3,5]; inner codecs [bytes big, blosc lz4 shuffle typesize 4]; index_codecs [bytes little] (no checksum); an empty inner chunk; edge shard on axis 0`,
		meta: arrayMeta({
			shape: [15, 10],
			dtype: "uint32",
			chunks: [6, 10],
			fill: 0,
			codecs: [sharding([3, 5], [bytes("big"), blosc("lz4", 5, "shuffle", 4)], [bytes("little")], loc)],
		}),
		data: smooth("uint32", [15, 10], 9002, 0, { holes: [[[3, 6], [5, 10]]] }),
	});
	add(sh2("end"));
	add({ ...sh2("start"), twinOf: "shard_end_blosc_index_bytes_only" });

	add({
		name: "shard_index_big_endian_key_dot",
		covers: 'sharding_indexed with index_codecs [bytes big, crc32c]; inner codecs [bytes little, zstd 3]; float32 [9,14], shards [4,8], inner [2,4]; chunk_key_encoding default "."; fill NaN with empty inner chunks',
		meta: arrayMeta({
			shape: [9, 14],
			dtype: "float32",
			chunks: [4, 8],
			key: keyDefault("."),
			fill: "NaN",
			codecs: [sharding([2, 4], [bytes("little"), zstd(3)], [bytes("big"), crc32c()], "end")],
		}),
		data: makeData("float32", [9, 14], 9003, "NaN", { holes: [[[0, 2], [0, 4]], [[4, 8], [8, 14]]] }),
	});
	add({
		name: "shard_inner_transpose_3d",
		covers: "sharding_indexed on 3-d int16 [9,10,11], shards [4,6,8], inner chunks [2,3,4]; inner codecs [transpose [2,0,1], bytes little, zstd 1]; index_codecs [bytes little, crc32c]; edges on all axes",
		meta: arrayMeta({
			shape: [9, 10, 11],
			dtype: "int16",
			chunks: [4, 6, 8],
			fill: 0,
			codecs: [sharding([2, 3, 4], [transpose([2, 0, 1]), bytes("little"), zstd(1)], [bytes("little"), crc32c()], "end")],
		}),
		data: smooth("int16", [9, 10, 11], 9004, 0, { holes: [[[0, 4], [0, 6], [0, 8]]] }),
	});
	add({
		name: "shard_unordered_with_gaps",
		covers: "sharding_indexed whose inner chunks are laid out in reverse order with 7 unused bytes between them (allowed by the spec); inner codecs [bytes little, crc32c] (uncompressed, checksummed); index [bytes little, crc32c]; float64 [6,10], shards [6,10], inner [3,5]",
		layout: "reverse-with-gaps",
		meta: arrayMeta({
			shape: [6, 10],
			dtype: "float64",
			chunks: [6, 10],
			fill: 0,
			codecs: [sharding([3, 5], [bytes("little"), crc32c()], [bytes("little"), crc32c()], "end")],
		}),
		data: makeData("float64", [6, 10], 9005, 0),
	});
	add({
		name: "shard_1d_uint8_v2_key",
		covers: "sharding_indexed on 1-d uint8 [50], shards [16], inner chunks [4]; inner codecs [bytes]; index [bytes little, crc32c]; v2 chunk key encoding; empty inner chunks and a partial last shard",
		meta: arrayMeta({
			shape: [50],
			dtype: "uint8",
			chunks: [16],
			key: keyV2("."),
			fill: 0,
			codecs: [sharding([4], [bytes()], [bytes("little"), crc32c()], "end")],
		}),
		data: makeData("uint8", [50], 9006, 0, { holes: [[[4, 12]], [[36, 40]]] }),
	});
	add({
		name: "shard_single_inner_chunk",
		covers: "sharding_indexed where the inner chunk shape equals the shard shape (one inner chunk per shard, 20-byte index with crc32c); int64 [7,5], shards [4,4]",
		meta: arrayMeta({
			shape: [7, 5],
			dtype: "int64",
			chunks: [4, 4],
			fill: 0,
			codecs: [sharding([4, 4], [bytes("little"), gzip(1)], [bytes("little"), crc32c()], "end")],
		}),
		data: makeData("int64", [7, 5], 9007, 0),
	});

	// ---- examples from the Zarr v3 specification --------------------------------------------------
	// core spec, "Array metadata" example: everything as in the spec except shape/chunk_shape,
	// scaled from [10000,1000]/[1000,100] to [20,10]/[2,1] (still a 10 x 10 chunk grid).
	add({
		name: "spec_core_array_example",
		covers: "the core spec's array metadata example (float64, dimension_names rows/columns, default key '/', bytes little, fill \"NaN\", attributes foo/bar/baz) with shape and chunk_shape scaled down to [20,10]/[2,1], keeping its 10x10 chunk grid; 10 chunks missing",
		meta: {
			zarr_format: 3,
			node_type: "array",
			shape: [20, 10],
			dimension_names: ["rows", "columns"],
			data_type: "float64",
			chunk_grid: { name: "regular", configuration: { chunk_shape: [2, 1] } },
			chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
			codecs: [{ name: "bytes", configuration: { endian: "little" } }],
			fill_value: "NaN",
			attributes: { foo: 42, bar: "apples", baz: [1, 2, 3, 4] },
		},
		data: makeData("float64", [20, 10], 9100, "NaN", { holes: [[[4, 6], [0, 10]]] }),
	});
	// core spec, group example; holds one array.
	add({
		name: "spec_group_example",
		path: "spec_group_example/data",
		group: { zarr_format: 3, node_type: "group", attributes: { spam: "ham", eggs: 42 } },
		covers: "the core spec's group metadata example (attributes spam/eggs) at the root, holding an int32 array 'data' [6,4] in chunks [3,3] (gzip)",
		meta: arrayMeta({ shape: [6, 4], dtype: "int32", chunks: [3, 3], fill: 0, codecs: [bytes("little"), gzip(1)] }),
		data: makeData("int32", [6, 4], 9101, 0),
	});
	// sharding spec configuration example, with the shard shape of its index-size example
	// ([64,64] shards of [32,32] inner chunks -> 16 * 4 + 4 = 68-byte index).
	add({
		name: "spec_sharding_example",
		covers: "the sharding spec's configuration example verbatim (chunk_shape [32,32], codecs [bytes little, gzip 1], index_codecs [bytes little, crc32c], index_location end) with the [64,64] shard shape of its index-size example (68-byte index); uint16 [70,40]: 2 shards, one an edge shard with empty inner chunks",
		meta: {
			zarr_format: 3,
			node_type: "array",
			shape: [70, 40],
			data_type: "uint16",
			chunk_grid: { name: "regular", configuration: { chunk_shape: [64, 64] } },
			chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
			fill_value: 0,
			codecs: [
				{
					name: "sharding_indexed",
					configuration: {
						chunk_shape: [32, 32],
						codecs: [
							{ name: "bytes", configuration: { endian: "little" } },
							{ name: "gzip", configuration: { level: 1 } },
						],
						index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }],
						index_location: "end",
					},
				},
			],
			attributes: {},
		},
		data: smooth("uint16", [70, 40], 9102, 0, { holes: [[[64, 70], [32, 40]]] }),
	});
	add({
		name: "spec_blosc_example",
		covers: "the blosc spec's example configuration verbatim (cname lz4, clevel 1, shuffle, typesize 4, blocksize 0) after bytes little, on float32 [30,20] in chunks [16,16]",
		meta: arrayMeta({ shape: [30, 20], dtype: "float32", chunks: [16, 16], fill: 0, codecs: [bytes("little"), { name: "blosc", configuration: { cname: "lz4", clevel: 1, shuffle: "shuffle", typesize: 4, blocksize: 0 } }] }),
		data: smooth("float32", [30, 20], 9103),
	});
	add({
		name: "spec_gzip_example",
		covers: "the gzip spec's example configuration verbatim (level 1) after bytes little, on int32 [30,20] in chunks [16,16]",
		meta: arrayMeta({ shape: [30, 20], dtype: "int32", chunks: [16, 16], fill: 0, codecs: [bytes("little"), { name: "gzip", configuration: { level: 1 } }] }),
		data: smooth("int32", [30, 20], 9104),
	});
	// regular-grid spec example: shape (10, 200, 3000), chunk shape (5, 20, 400); element
	// (7, 150, 900) lies in chunk (1, 7, 2) at (2, 10, 100). Only that chunk is stored.
	add({
		name: "spec_regular_grid_example",
		covers: "the regular chunk grid spec's example: shape [10,200,3000], chunk_shape [5,20,400] (grid 2x10x8, overhanging on axis 2); only chunk (1,7,2), which holds element (7,150,900), is stored (gzip); everything else reads as fill 0",
		meta: arrayMeta({ shape: [10, 200, 3000], dtype: "uint8", chunks: [5, 20, 400], fill: 0, codecs: [bytes(), gzip(1)] }),
		data: (() => {
			const a = new Uint8Array(10 * 200 * 3000);
			for (let i = 5; i < 10; i++)
				for (let j = 140; j < 160; j++)
					for (let k = 800; k < 1200; k++) a[i * 600000 + j * 3000 + k] = 1 + ((i * 7 + j * 3 + k) % 250);
			return a;
		})(),
		selections: ["7,150,900", "5:10,140:160:5,795:805", "6,...,1195:1205", "-4,-55:-45:3,-2200:-2195", "::4,150,-2201:-2199"],
	});
	// chunk key examples from the default and v2 chunk key encoding specs: grid index (1, 23, 45)
	// -> "c/1/23/45", "c.1.23.45", "1.23.45", "1/23/45".
	for (const [name, key, text] of [
		["spec_key_default_slash_example", keyDefault("/"), 'default "/" -> c/1/23/45'],
		["spec_key_default_dot_example", keyDefault("."), 'default "." -> c.1.23.45'],
		["spec_key_v2_dot_example", keyV2("."), 'v2 "." -> 1.23.45'],
		["spec_key_v2_slash_example", keyV2("/"), 'v2 "/" -> 1/23/45'],
	]) {
		const shape = [2, 24, 46];
		const data = new Uint8Array(prod(shape));
		data[0] = 11;
		data[1 * 24 * 46 + 23 * 46 + 45] = 99;
		add({
			name,
			covers: `the chunk key spec example for grid index (1,23,45): ${text}; uint8 [2,24,46] in chunks [1,1,1] with only chunks (0,0,0) and (1,23,45) stored`,
			meta: arrayMeta({ shape, dtype: "uint8", chunks: [1, 1, 1], key, fill: 0, codecs: [bytes()] }),
			data,
			selections: ["1,23,45", "0,0,0", "1,20:,40:", ":,22:24,44:", "-1,-1,-1"],
		});
	}

	return cases;
}
