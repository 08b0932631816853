// Writes the Zarr v3 fixtures into ../resources/io/zarrfetch/zarr/v3/<case>/ and then runs
// check_v3_fixtures.mjs, which reads every case back with stock zarrita, writes expected/<n>.json
// and validates the metadata and chunk files.
//
//   cd zarrfetch-core/src/test/fixtures-v3 && npm ci && node make_v3_fixtures.mjs
//
// Who does what:
// - zarr.json documents: written by this script from cases.mjs (the metadata is the test input).
// - chunks of non-sharded arrays: encoded and stored by zarrita's zarr.set() on the real array.
//   zarrita 0.7.5 has no encoder for gzip and crc32c, and passes the v3 blosc configuration to
//   numcodecs' Blosc unchanged (which expects shuffle as 0/1/2). For writing only, the codec registry
//   therefore gets: gzip -> fflate's gzipSync (what numcodecs.js GZip uses) with mtime 0, crc32c -> crc-32's CRC32C appended as 4
//   little-endian bytes, blosc -> numcodecs.js Blosc with "noshuffle"/"shuffle"/"bitshuffle" mapped
//   to 0/1/2. zstd, bytes and transpose are zarrita's / numcodecs.js's own.
// - shards: zarrita cannot write sharded arrays ("set on sharded arrays" is unsupported). Each inner
//   chunk and each shard index is encoded by zarrita's zarr.set() on a scratch in-memory array that
//   has the inner chunk shape and the inner codecs (or the index shape [...chunks_per_shard, 2],
//   uint64, and the index_codecs); this script only concatenates those bytes into the shard layout
//   of the sharding spec (inner chunks, then/after the index; empty inner chunks as 2^64-1).

import { HERE, OUT, DTYPES, cStrides, fillToValue, metadataJson, ndindex, prod, sameValue, typedArrayFor } from "./common.mjs";
import { buildCases } from "./cases.mjs";

import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";
import Blosc from "numcodecs/blosc";
import { gzipSync } from "fflate";
import CRC32C from "crc-32/crc32c.js";

import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";

// ---------------------------------------------------------------------------------------------
// Encoders registered into zarrita for writing (decoding stays zarrita's own).
// ---------------------------------------------------------------------------------------------

const stock = new Map(zarr.registry);
const stockGzip = await stock.get("gzip")();
const stockCrc = await stock.get("crc32c")();

zarr.registry.set("gzip", async () => ({
	kind: "bytes_to_bytes",
	fromConfig(config) {
		// what numcodecs.js GZip.encode does (fflate.gzipSync with the level), plus mtime 0 so that
		// regenerating gives identical files (fflate writes the current time otherwise)
		const dec = stockGzip.fromConfig(config);
		return { kind: "bytes_to_bytes", encode: async (b) => gzipSync(b, { level: config.level, mtime: 0 }), decode: (b) => dec.decode(b) };
	},
}));

zarr.registry.set("crc32c", async () => ({
	kind: "bytes_to_bytes",
	fromConfig(config) {
		if (config !== undefined && Object.keys(config).length > 0) throw new Error("crc32c takes no configuration");
		const dec = stockCrc.fromConfig();
		return {
			kind: "bytes_to_bytes",
			async encode(b) {
				const out = new Uint8Array(b.length + 4);
				out.set(b, 0);
				new DataView(out.buffer).setUint32(b.length, CRC32C.buf(b) >>> 0, true);
				return out;
			},
			decode: (b) => dec.decode(b),
			computeEncodedSize: (n) => n + 4,
		};
	},
}));

const SHUFFLE = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };
zarr.registry.set("blosc", async () => ({
	kind: "bytes_to_bytes",
	fromConfig(config) {
		const shuffle = SHUFFLE[config.shuffle];
		if (shuffle === undefined) throw new Error(`blosc shuffle ${config.shuffle}`);
		// numcodecs.js 0.3.2 always compresses with a blosc typesize of 4 (it sees only bytes),
		// so the fixtures record typesize 4 whenever they shuffle.
		if (shuffle !== 0 && config.typesize !== 4) throw new Error("numcodecs.js blosc shuffles with typesize 4 only");
		const codec = Blosc.fromConfig({ cname: config.cname, clevel: config.clevel, shuffle, blocksize: config.blocksize ?? 0 });
		return { kind: "bytes_to_bytes", encode: (b) => codec.encode(b), decode: (b) => codec.decode(b) };
	},
}));

// ---------------------------------------------------------------------------------------------

class MemStore {
	constructor() {
		this.map = new Map();
	}
	async get(key) {
		return this.map.get(key);
	}
	async set(key, value) {
		this.map.set(key, new Uint8Array(value));
	}
	async getRange(key, range) {
		const v = this.map.get(key);
		if (!v) return undefined;
		if ("suffixLength" in range) return v.subarray(v.length - range.suffixLength);
		return v.subarray(range.offset, range.offset + range.length);
	}
}

const getEl = (a, i) => (a instanceof zarr.BoolArray ? a.get(i) : a[i]);
const setEl = (a, i, v) => (a instanceof zarr.BoolArray ? a.set(i, v) : (a[i] = v));

// Copies box [[lo,hi),...] of `data` (C order, `shape`) into a new array of `outShape` whose
// origin is at box lo; elements outside `shape` get `fill`.
function extract(dtype, data, shape, lo, outShape, fill) {
	const out = typedArrayFor(dtype, prod(outShape));
	const st = cStrides(shape);
	let j = 0;
	for (const idx of ndindex(outShape)) {
		let inside = true;
		let off = 0;
		for (let d = 0; d < idx.length; d++) {
			const g = lo[d] + idx[d];
			if (g >= shape[d]) {
				inside = false;
				break;
			}
			off += g * st[d];
		}
		setEl(out, j++, inside ? getEl(data, off) : fill);
	}
	return out;
}

function allFill(dtype, a, fill) {
	const n = a.length;
	for (let i = 0; i < n; i++) if (!sameValue(dtype, getEl(a, i), fill)) return false;
	return true;
}

function chunkKey(enc, coords) {
	const name = enc.name;
	if (name === "default") {
		const sep = enc.configuration?.separator ?? "/";
		return ["c", ...coords].join(sep);
	}
	if (name === "v2") {
		const sep = enc.configuration?.separator ?? ".";
		return coords.length === 0 ? "0" : coords.join(sep);
	}
	throw new Error(`chunk key encoding ${name}`);
}

const textEnc = new TextEncoder();

// Encodes one chunk with zarrita: a scratch array whose single chunk is exactly `shape`.
async function zarritaEncodeChunk(dtype, shape, codecs, fill_value, data) {
	const store = new MemStore();
	const meta = {
		zarr_format: 3,
		node_type: "array",
		shape,
		data_type: dtype,
		chunk_grid: { name: "regular", configuration: { chunk_shape: shape } },
		chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
		fill_value,
		codecs,
		attributes: {},
	};
	await store.set("/zarr.json", textEnc.encode(metadataJson(meta)));
	const arr = await zarr.open.v3(zarr.root(store), { kind: "array" });
	await zarr.set(arr, null, { data, shape, stride: cStrides(shape) });
	const key = `/${["c", ...shape.map(() => 0)].join("/")}`;
	const bytes = store.map.get(key);
	if (!bytes) throw new Error("zarrita stored no chunk");
	return bytes;
}

async function writeRegular(c, dir) {
	const { meta, data } = c;
	const store = new FileSystemStore(dir);
	const arr = await zarr.open.v3(zarr.root(store), { kind: "array" });
	const dtype = meta.data_type;
	const fill = fillToValue(dtype, meta.fill_value);
	const shape = meta.shape;
	if (shape.length === 0) {
		const v = getEl(data, 0);
		if (!sameValue(dtype, v, fill)) await zarr.set(arr, null, v);
		return;
	}
	const chunks = meta.chunk_grid.configuration.chunk_shape;
	const gridShape = shape.map((n, d) => Math.ceil(n / chunks[d]));
	for (const g of ndindex(gridShape)) {
		const lo = g.map((x, d) => x * chunks[d]);
		const hi = lo.map((x, d) => Math.min(x + chunks[d], shape[d]));
		const regionShape = hi.map((h, d) => h - lo[d]);
		const region = extract(dtype, data, shape, lo, regionShape, fill);
		if (allFill(dtype, region, fill)) continue; // omitted, like write_empty_chunks=False
		await zarr.set(
			arr,
			lo.map((x, d) => zarr.slice(x, hi[d])),
			{ data: region, shape: regionShape, stride: cStrides(regionShape) },
		);
	}
}

const EMPTY = 2n ** 64n - 1n;

async function writeSharded(c, dir) {
	const { meta, data } = c;
	const dtype = meta.data_type;
	const fill = fillToValue(dtype, meta.fill_value);
	const shape = meta.shape;
	const shardShape = meta.chunk_grid.configuration.chunk_shape;
	const cfg = meta.codecs[0].configuration;
	if (meta.codecs.length !== 1) throw new Error("only sharding_indexed alone is supported here");
	const inner = cfg.chunk_shape;
	const cps = shardShape.map((s, d) => s / inner[d]);
	const nInner = prod(cps);
	const gridShape = shape.map((n, d) => Math.ceil(n / shardShape[d]));
	const layout = c.layout ?? "c-order";
	const loc = cfg.index_location ?? "end";
	const shardInfo = [];
	for (const g of ndindex(gridShape)) {
		const encoded = []; // per inner chunk (C order): Uint8Array or null (empty)
		for (const ic of ndindex(cps)) {
			const lo = g.map((x, d) => x * shardShape[d] + ic[d] * inner[d]);
			if (lo.some((x, d) => x >= shape[d])) {
				encoded.push(null); // entirely outside the array
				continue;
			}
			const chunk = extract(dtype, data, shape, lo, inner, fill);
			if (allFill(dtype, chunk, fill)) {
				encoded.push(null);
				continue;
			}
			encoded.push(await zarritaEncodeChunk(dtype, inner, cfg.codecs, meta.fill_value, chunk));
		}
		if (encoded.every((e) => e === null)) {
			shardInfo.push({ shard: g, stored: false });
			continue; // whole shard empty: not stored
		}
		const order = encoded.map((_, i) => i);
		if (layout === "reverse-with-gaps") order.reverse();
		const gap = layout === "reverse-with-gaps" ? 7 : 0;
		const indexShape = [...cps, 2];
		const encodeIndex = (vals) => zarritaEncodeChunk("uint64", indexShape, cfg.index_codecs, 0, vals);
		const indexSize = (await encodeIndex(new BigUint64Array(nInner * 2))).length;
		const index = new BigUint64Array(nInner * 2).fill(EMPTY);
		const parts = [];
		let pos = loc === "start" ? indexSize : 0;
		let first = true;
		for (const i of order) {
			const e = encoded[i];
			if (e === null) continue;
			if (!first && gap) {
				parts.push(new Uint8Array(gap));
				pos += gap;
			}
			first = false;
			index[2 * i] = BigInt(pos);
			index[2 * i + 1] = BigInt(e.length);
			parts.push(e);
			pos += e.length;
		}
		const indexBytes = await encodeIndex(index);
		if (indexBytes.length !== indexSize) throw new Error("index size changed");
		const all = loc === "start" ? [indexBytes, ...parts] : [...parts, indexBytes];
		const total = all.reduce((a, p) => a + p.length, 0);
		const shard = new Uint8Array(total);
		let o = 0;
		for (const p of all) {
			shard.set(p, o);
			o += p.length;
		}
		const key = chunkKey(meta.chunk_key_encoding, g);
		fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
		fs.writeFileSync(path.join(dir, key), shard);
		shardInfo.push({ shard: g, stored: true, key, empty_inner: encoded.filter((e) => e === null).length });
	}
	return shardInfo;
}

// ---------------------------------------------------------------------------------------------

const only = process.argv.slice(2);
const cases = buildCases().filter((c) => only.length === 0 || only.includes(c.name));

if (only.length === 0) {
	for (const e of fs.existsSync(OUT) ? fs.readdirSync(OUT) : []) {
		fs.rmSync(path.join(OUT, e), { recursive: true, force: true });
	}
}
fs.mkdirSync(OUT, { recursive: true });

for (const c of cases) {
	const root = path.join(OUT, c.name);
	fs.rmSync(root, { recursive: true, force: true });
	fs.mkdirSync(root, { recursive: true });
	if (c.group) fs.writeFileSync(path.join(root, "zarr.json"), metadataJson(c.group));
	const dir = path.join(OUT, c.path);
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, "zarr.json"), metadataJson(c.meta));
	if (c.meta.codecs.some((x) => x.name === "sharding_indexed")) await writeSharded(c, dir);
	else await writeRegular(c, dir);
	process.stdout.write(`wrote ${c.name}\n`);
}

// Read everything back with stock zarrita (no registry changes), write expected/*.json, validate.
const r = spawnSync(process.execPath, [path.join(HERE, "check_v3_fixtures.mjs"), "--write-expected", ...only], {
	stdio: "inherit",
});
if (r.status !== 0) process.exit(r.status ?? 1);
if (only.length === 0) {
	fs.writeFileSync(path.join(OUT, "README.md"), readme(buildCases()));
	process.stdout.write(`wrote ${path.join(OUT, "README.md")}\n`);
}

// ---------------------------------------------------------------------------------------------

function filesUnder(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...filesUnder(p));
		else out.push(p);
	}
	return out;
}

function encodersOf(codecs) {
	const who = {
		bytes: "zarrita BytesCodec",
		transpose: "zarrita TransposeCodec",
		zstd: "numcodecs.js Zstd",
		blosc: "numcodecs.js Blosc",
		gzip: "fflate gzipSync",
		crc32c: "crc-32 CRC32C",
	};
	const out = [];
	for (const c of codecs) {
		if (c.name === "sharding_indexed") {
			out.push(...encodersOf(c.configuration.codecs), ...encodersOf(c.configuration.index_codecs));
		} else out.push(who[c.name]);
	}
	return [...new Set(out)];
}

function readme(all) {
	const deps = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8")).dependencies;
	const files = filesUnder(OUT).filter((f) => !f.endsWith("README.md"));
	const total = files.reduce((a, f) => a + fs.statSync(f).size, 0);
	const rows = all.map((c) => {
		const dir = path.join(OUT, c.path);
		const stored = filesUnder(dir).filter((f) => !f.includes(`${path.sep}expected${path.sep}`) && !f.endsWith("zarr.json"));
		const bytesStored = stored.reduce((a, f) => a + fs.statSync(f).size, 0);
		const sharded = c.meta.codecs.some((x) => x.name === "sharding_indexed");
		let producer;
		if (stored.length === 0) producer = "nothing stored but zarr.json (every element is the fill value); expected/ read by zarrita";
		else if (c.twinOf) producer = `as for ${c.twinOf} (same inner chunk and index encoders); shard layout by the generator; expected/ copied from ${c.twinOf}`;
		else if (sharded) producer = `inner chunks and index encoded by zarrita zarr.set() (${encodersOf(c.meta.codecs).join(", ")}); shard layout by the generator; expected/ read by zarrita`;
		else producer = `zarrita zarr.set() (${encodersOf(c.meta.codecs).join(", ")}); expected/ read by zarrita`;
		const path_ = c.path === c.name ? `\`${c.name}\`` : `\`${c.path}\``;
		return `| ${path_} | ${c.covers.replace(/\|/g, "\\|")} | ${stored.length} / ${bytesStored} | ${producer} |`;
	});
	return `# Zarr v3 fixtures (written by an independent implementation)

Generated by \`zarrfetch-core/src/test/fixtures-v3\` (do not edit by hand). Each case is a directory store
holding one Zarr v3 array (\`zarr.json\` + chunk files under their chunk keys), except
\`spec_group_example\`, a group whose array is \`spec_group_example/data\`. Next to each array's
\`zarr.json\`, \`expected/<n>.json\` holds what zarrita read for one selection:

\`\`\`json
{ "selection": "1:7:2,2:8:3", "shape": [3, 2], "dtype": "<f2", "values": [42.21875, -11.1953125, ...] }
\`\`\`

- \`selection\`: NumPy-style text (\`start:stop:step\`, integers, negative indices, \`...\`); an integer drops
  its dimension; \`""\` on a 0-d array is the scalar. Every array has \`...\` (the whole array) as
  \`expected/0.json\`, except \`spec_regular_grid_example\` (6,000,000 elements) and the
  \`spec_key_*_example\` arrays, which have their own lists.
- \`shape\`: shape of the result; \`values\`: the result in C order.
- \`dtype\`: NumPy descr with the byte order of the stored representation (the \`bytes\` codec's \`endian\`,
  inside the shard for sharded arrays): \`<i2\`, \`>f8\`, \`|u1\`, \`|b1\`.
- floats are JSON numbers (float32/float16 values are exact as doubles), with \`"NaN"\`, \`"Infinity"\`,
  \`"-Infinity"\` as strings and negative zero as \`-0.0\`; int64/uint64 values are always decimal strings;
  bool values are JSON booleans.

## Who produced what

- Implementation: **zarrita ${deps.zarrita}** (npm \`zarrita\`, JavaScript, with \`@zarrita/storage\` ${deps["@zarrita/storage"]}), on
  Node.js ${process.versions.node}. Codec libraries: **numcodecs.js ${deps.numcodecs}** (npm \`numcodecs\`: c-blosc and zstd
  compiled to WebAssembly), **fflate ${deps.fflate}** (gzip), **crc-32 ${deps["crc-32"]}** (CRC32C),
  **@petamoriken/float16 ${deps["@petamoriken/float16"]}** (Float16Array, which Node 20 lacks; zarrita uses it for \`float16\`).
  Exact versions are pinned in \`fixtures-v3/package.json\` and \`package-lock.json\`.
- \`zarr.json\`: written by the generator from \`fixtures-v3/cases.mjs\` (the metadata is the test input).
- Chunks of non-sharded arrays: encoded and stored by zarrita's \`zarr.set()\` on the array, one chunk-aligned
  region at a time; chunks whose values are all the fill value are not written (like zarr-python's
  \`write_empty_chunks=False\`), so they are missing and must read as the fill value. zarrita 0.7.5 cannot
  encode gzip or crc32c and hands the v3 blosc configuration to numcodecs.js unchanged, so for writing only
  the generator registers in zarrita's codec registry: gzip = fflate \`gzipSync\` (what numcodecs.js GZip
  calls) with mtime 0, crc32c = CRC32C of the bytes appended as 4 little-endian bytes, blosc = numcodecs.js
  Blosc with \`noshuffle/shuffle/bitshuffle\` mapped to 0/1/2. zstd, bytes and transpose are zarrita's
  and numcodecs.js's own.
- Shards (\`sharding_indexed\`): zarrita 0.7.5 cannot write sharded arrays. Every inner chunk and every shard
  index is encoded by zarrita's \`zarr.set()\` on a scratch in-memory array with the inner chunk shape and the
  inner codecs (or shape \`[...chunks_per_shard, 2]\`, uint64, and the \`index_codecs\`); the generator only
  lays those bytes out as the sharding spec describes (inner chunks in C order, or reversed with gaps in
  \`shard_unordered_with_gaps\`; index at the end or the start; empty inner chunks as offset = nbytes =
  2^64-1; shards with no stored inner chunk are not written).
- \`expected/*.json\`: read by **stock** zarrita (its own codec registry, nothing replaced) with
  \`zarr.get(arr, selection)\`, which does the slicing, steps and negative indices; the generator only expands
  \`...\` into whole-axis selections and lists the result in C order using the strides zarrita returns.
  Exception: zarrita 0.7.5 ignores \`index_location\` (it always reads the index from the end), so the two
  \`shard_start_*\` cases are not read by zarrita: each is identical to its \`shard_end_*\` twin except for
  \`index_location\`, the check verifies that every inner chunk its index points at is byte-identical to the
  twin's, and their \`expected/\` are the twin's.

## Regenerate

\`\`\`
cd zarrfetch-core/src/test/fixtures-v3
npm ci
node make_v3_fixtures.mjs          # rewrites this folder, then runs check_v3_fixtures.mjs --write-expected
\`\`\`

Output is deterministic (regenerating gives identical bytes). \`node check_v3_fixtures.mjs\` (no argument)
re-reads every case with zarrita and fails if anything differs from the files here.

## What is checked

\`check_v3_fixtures.mjs\` (run by the generator; ${"prints \"N passed, N failed\""}):

- round trip: zarrita's read of each whole array equals the data it was written from (bit-exact for floats,
  NaN and -0.0 included);
- every \`zarr.json\` against the v3 spec: required members and types, core \`data_type\`, \`regular\` chunk grid
  with one positive chunk length per dimension, \`default\`/\`v2\` chunk key encoding with separator \`/\` or
  \`.\`, \`fill_value\` permitted for the data type, codec order (array->array, exactly one array->bytes,
  bytes->bytes), each codec's configuration (bytes \`endian\` required for multi-byte types, transpose \`order\`
  a permutation, gzip level 0..9, zstd level -131072..22, blosc cname/clevel/shuffle/typesize/blocksize,
  crc32c without configuration, sharding \`chunk_shape\` dividing the shard shape, fixed-size
  \`index_codecs\` only, \`index_location\` start/end), \`dimension_names\` length, group metadata;
- every stored file: a valid chunk key of its array inside the chunk grid; crc32c checksums (the CRC32C
  implementation is first checked against the RFC 3720 test vectors); gzip and zstd magic numbers; blosc
  headers (version, compressed size, compressor code, shuffle/bitshuffle flags, typesize = configured
  typesize); shard indexes (size, checksum, ranges inside the data area, no overlaps, both fields 2^64-1 for
  empty inner chunks).

\`crosscheck_v3_fixtures.py\` (optional, \`/usr/bin/python3\` with Debian's python3-numpy and
python3-numcodecs) reads every case a second way, with Python numcodecs (c-blosc, zstd, zlib) and NumPy and
the v3 layout rules written out in the script (including index_location \`start\`), and compares all
\`expected/*.json\` against NumPy indexing of that read.

## Known gaps

- No \`complex64\`/\`complex128\` (zarrita has no complex type) and no raw \`r*\` types.
- zstd \`checksum: true\` (the zstd extension spec's example) is not produced: numcodecs.js's Zstd takes only
  a level and writes frames without a content checksum. \`spec_*\` cases cover the core, sharding, blosc,
  gzip, regular grid and chunk key encoding examples.
- Blosc shuffle is always over 4-byte items: numcodecs.js ${deps.numcodecs} compresses bytes with a fixed blosc
  typesize of 4, so the shuffle/bitshuffle cases use 4-byte data types and record \`typesize: 4\`.
- Integer fill values stay within +-2^53 and there is no \`"0x..."\` float fill: zarrita 0.7.5 parses
  \`fill_value\` as a JavaScript number (so int64/uint64 fills beyond 2^53 lose precision, and
  18446744073709551615 becomes 0) and does not decode the hex form, so it would read such arrays wrongly.
- zarrita does not verify crc32c when reading (it strips the 4 bytes); the checksums are verified by
  \`check_v3_fixtures.mjs\` and \`crosscheck_v3_fixtures.py\` instead.

## Cases

${all.length} arrays, ${files.length} files, ${total} bytes in all (chunk files, \`zarr.json\` and \`expected/\`).

| case | covers | stored chunk/shard files / bytes | produced by |
| --- | --- | --- | --- |
${rows.join("\n")}
`;
}
