// Reads every fixture case back with stock zarrita (its own codec registry, nothing replaced) and
//  - compares the whole array with the data the case was written from (round trip);
//  - with --write-expected: writes <case>/expected/<n>.json from zarrita's get() of each selection;
//    without it: checks that zarrita still reads exactly what the expected files say;
//  - checks every zarr.json against the Zarr v3 spec rules listed in README.md;
//  - checks every stored file: valid chunk key inside the grid, crc32c checksums, blosc/gzip/zstd
//    frame headers, and for shards the index (location, size, checksum, ranges, 2^64-1 markers).
//
// zarrita 0.7.5 ignores index_location and always reads the shard index from the end, so the
// index_location "start" cases are not read by zarrita. Each of them has a twin ("twinOf") that is
// identical except for index_location "end"; for those, this script checks that every inner chunk
// the start-shard's index points at is byte-identical to the one the end twin's index points at,
// and their expected/*.json are the twin's (which zarrita did read).
//
//   node check_v3_fixtures.mjs [--write-expected] [case ...]

import {
	OUT,
	DTYPES,
	defaultSelections,
	expectedJson,
	metadataJson,
	numpyDescr,
	parseSelection,
	prod,
	resultToC,
	sameValue,
	valueToJson,
} from "./common.mjs";
import { buildCases } from "./cases.mjs";

import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";
import CRC32C from "crc-32/crc32c.js";

import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const WRITE = args.includes("--write-expected");
const only = args.filter((a) => !a.startsWith("--"));

let failures = 0;
let checks = 0;
function fail(caseName, msg) {
	failures++;
	console.error(`FAIL ${caseName}: ${msg}`);
}
function ok(cond, caseName, msg) {
	checks++;
	if (!cond) fail(caseName, msg);
	return cond;
}

// ---- CRC32C self test (RFC 3720 B.4 test vectors and the common "123456789" check value) --------
{
	const v = (b) => CRC32C.buf(b) >>> 0;
	ok(v(new Uint8Array(32)) === 0x8a9136aa, "crc32c", "RFC 3720 32 zero bytes");
	ok(v(new Uint8Array(32).fill(0xff)) === 0x62a8ab43, "crc32c", "RFC 3720 32 0xff bytes");
	ok(v(Uint8Array.from({ length: 32 }, (_, i) => i)) === 0x46dd794e, "crc32c", "RFC 3720 incrementing");
	ok(v(new TextEncoder().encode("123456789")) === 0xe3069283, "crc32c", "check value");
}

// ---- Spec rules for metadata --------------------------------------------------------------------

const CORE_DTYPES = new Set([...Object.keys(DTYPES), "complex64", "complex128"]);
const ARRAY_KEYS = new Set(["zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs", "attributes", "storage_transformers", "dimension_names"]);
const isInt = (x) => typeof x === "number" && Number.isInteger(x);
const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const KIND = { transpose: "a2a", bytes: "a2b", sharding_indexed: "a2b", gzip: "b2b", zstd: "b2b", blosc: "b2b", crc32c: "b2b" };
const FIXED_SIZE = new Set(["bytes", "crc32c", "transpose"]);

function checkExtensionObject(o, where, errs) {
	if (!isObj(o)) return errs.push(`${where}: not an object`);
	if (typeof o.name !== "string") errs.push(`${where}: name must be a string`);
	for (const k of Object.keys(o)) if (!["name", "configuration"].includes(k)) errs.push(`${where}: unexpected member ${k}`);
	if ("configuration" in o && !isObj(o.configuration)) errs.push(`${where}: configuration must be an object`);
}

function checkFill(dtype, fill, errs) {
	const d = DTYPES[dtype];
	if (d.kind === "bool") {
		if (typeof fill !== "boolean") errs.push("fill_value must be a JSON boolean for bool");
	} else if (d.kind === "int" || d.kind === "bigint") {
		if (!isInt(fill)) errs.push("integer fill_value must be a JSON number without fraction/exponent");
		else if (fill < Number(d.min) || fill > Number(d.max)) errs.push("integer fill_value out of range");
		else if (!Number.isSafeInteger(fill)) errs.push("fill_value beyond 2^53: zarrita would misread it");
	} else {
		const okStr = ["NaN", "Infinity", "-Infinity"].includes(fill) || (typeof fill === "string" && new RegExp(`^0x[0-9a-fA-F]{${2 * d.size}}$`).test(fill));
		if (!(typeof fill === "number" || okStr)) errs.push("float fill_value must be a number, NaN, Infinity, -Infinity or 0x<hex>");
	}
}

// Validates a codec list for chunks of `shape` and `dtype`; returns nothing, pushes errors.
function checkCodecs(codecs, shape, dtype, where, errs, { indexCodecs = false } = {}) {
	if (!Array.isArray(codecs) || codecs.length === 0) return errs.push(`${where}: codecs must be a non-empty array`);
	const kinds = codecs.map((c) => KIND[c?.name]);
	codecs.forEach((c, i) => {
		checkExtensionObject(c, `${where}[${i}]`, errs);
		if (!KIND[c?.name]) errs.push(`${where}[${i}]: unknown codec ${c?.name}`);
		if (indexCodecs && !FIXED_SIZE.has(c?.name)) errs.push(`${where}[${i}]: ${c?.name} is not fixed-size, not allowed in index_codecs`);
	});
	const nA2B = kinds.filter((k) => k === "a2b").length;
	if (nA2B !== 1) errs.push(`${where}: needs exactly one array->bytes codec, has ${nA2B}`);
	const a2bAt = kinds.indexOf("a2b");
	kinds.forEach((k, i) => {
		if (k === "a2a" && i > a2bAt) errs.push(`${where}[${i}]: array->array codec after array->bytes`);
		if (k === "b2b" && i < a2bAt) errs.push(`${where}[${i}]: bytes->bytes codec before array->bytes`);
	});
	let curShape = shape.slice();
	for (const [i, c] of codecs.entries()) {
		const cfg = c.configuration;
		const at = `${where}[${i}] ${c.name}`;
		const keysOnly = (allowed) => {
			for (const k of Object.keys(cfg ?? {})) if (!allowed.includes(k)) errs.push(`${at}: unexpected configuration member ${k}`);
		};
		switch (c.name) {
			case "transpose": {
				const o = cfg?.order;
				keysOnly(["order"]);
				const n = curShape.length;
				if (!Array.isArray(o) || o.length !== n || [...o].sort((a, b) => a - b).some((x, j) => x !== j)) errs.push(`${at}: order must be a permutation of 0..${n - 1}`);
				else curShape = o.map((j) => curShape[j]);
				break;
			}
			case "bytes": {
				keysOnly(["endian"]);
				const e = cfg?.endian;
				if (DTYPES[dtype].size > 1 && e === undefined) errs.push(`${at}: endian required for ${dtype}`);
				if (e !== undefined && e !== "big" && e !== "little") errs.push(`${at}: endian must be big or little`);
				break;
			}
			case "gzip":
				keysOnly(["level"]);
				if (!isInt(cfg?.level) || cfg.level < 0 || cfg.level > 9) errs.push(`${at}: level must be an integer 0..9`);
				break;
			case "zstd":
				keysOnly(["level", "checksum"]);
				if (!isInt(cfg?.level) || cfg.level < -131072 || cfg.level > 22) errs.push(`${at}: level must be an integer -131072..22`);
				if (cfg && "checksum" in cfg && typeof cfg.checksum !== "boolean") errs.push(`${at}: checksum must be boolean`);
				break;
			case "blosc":
				keysOnly(["cname", "clevel", "shuffle", "typesize", "blocksize"]);
				if (!["lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib"].includes(cfg?.cname)) errs.push(`${at}: cname`);
				if (!isInt(cfg?.clevel) || cfg.clevel < 0 || cfg.clevel > 9) errs.push(`${at}: clevel must be 0..9`);
				if (!["noshuffle", "shuffle", "bitshuffle"].includes(cfg?.shuffle)) errs.push(`${at}: shuffle`);
				if (cfg?.shuffle !== "noshuffle" && !(isInt(cfg?.typesize) && cfg.typesize > 0)) errs.push(`${at}: typesize required (positive integer) unless noshuffle`);
				if (cfg && "typesize" in cfg && !(isInt(cfg.typesize) && cfg.typesize > 0)) errs.push(`${at}: typesize must be a positive integer`);
				if (!isInt(cfg?.blocksize) || cfg.blocksize < 0) errs.push(`${at}: blocksize must be an integer >= 0`);
				break;
			case "crc32c":
				if (cfg !== undefined && Object.keys(cfg).length) errs.push(`${at}: no configuration parameters`);
				break;
			case "sharding_indexed": {
				keysOnly(["chunk_shape", "codecs", "index_codecs", "index_location"]);
				const inner = cfg?.chunk_shape;
				if (!Array.isArray(inner) || inner.length !== curShape.length || !inner.every((x) => isInt(x) && x > 0)) {
					errs.push(`${at}: chunk_shape must have ${curShape.length} positive integers`);
					break;
				}
				inner.forEach((x, d) => {
					if (curShape[d] % x !== 0) errs.push(`${at}: inner chunk_shape ${x} does not divide shard shape ${curShape[d]} on axis ${d}`);
				});
				if (cfg.index_location !== undefined && !["start", "end"].includes(cfg.index_location)) errs.push(`${at}: index_location must be start or end`);
				checkCodecs(cfg.codecs, inner, dtype, `${at}.codecs`, errs);
				const cps = curShape.map((s, d) => s / inner[d]);
				checkCodecs(cfg.index_codecs, [...cps, 2], "uint64", `${at}.index_codecs`, errs, { indexCodecs: true });
				break;
			}
		}
	}
}

function checkArrayMeta(m) {
	const errs = [];
	for (const k of Object.keys(m)) {
		if (!ARRAY_KEYS.has(k) && !(isObj(m[k]) && m[k].must_understand === false)) errs.push(`unknown top-level member ${k}`);
	}
	if (m.zarr_format !== 3) errs.push("zarr_format must be 3");
	if (m.node_type !== "array") errs.push("node_type must be array");
	if (!Array.isArray(m.shape) || !m.shape.every((x) => isInt(x) && x >= 0)) errs.push("shape must be an array of non-negative integers");
	if (!CORE_DTYPES.has(m.data_type)) errs.push(`data_type ${m.data_type} is not a core data type`);
	const nd = m.shape?.length ?? 0;
	checkExtensionObject(m.chunk_grid, "chunk_grid", errs);
	if (m.chunk_grid?.name !== "regular") errs.push("chunk_grid must be regular");
	const cs = m.chunk_grid?.configuration?.chunk_shape;
	if (!Array.isArray(cs) || cs.length !== nd || !cs.every((x) => isInt(x) && x > 0)) errs.push("chunk_shape must have one positive integer per dimension");
	for (const k of Object.keys(m.chunk_grid?.configuration ?? {})) if (k !== "chunk_shape") errs.push(`chunk_grid.configuration.${k} unexpected`);
	checkExtensionObject(m.chunk_key_encoding, "chunk_key_encoding", errs);
	if (!["default", "v2"].includes(m.chunk_key_encoding?.name)) errs.push("chunk_key_encoding must be default or v2");
	const kc = m.chunk_key_encoding?.configuration;
	if (kc !== undefined) {
		for (const k of Object.keys(kc)) if (k !== "separator") errs.push(`chunk_key_encoding.configuration.${k} unexpected`);
		if ("separator" in kc && !["/", "."].includes(kc.separator)) errs.push("separator must be / or .");
	}
	if (!("fill_value" in m)) errs.push("fill_value is required");
	else if (DTYPES[m.data_type]) checkFill(m.data_type, m.fill_value, errs);
	if (DTYPES[m.data_type] && Array.isArray(cs)) checkCodecs(m.codecs, cs, m.data_type, "codecs", errs);
	if ("attributes" in m && !isObj(m.attributes)) errs.push("attributes must be an object");
	if ("dimension_names" in m) {
		const dn = m.dimension_names;
		if (!Array.isArray(dn) || dn.length !== nd || !dn.every((x) => x === null || typeof x === "string")) errs.push("dimension_names must be strings/null, one per dimension");
	}
	if ("storage_transformers" in m && !Array.isArray(m.storage_transformers)) errs.push("storage_transformers must be an array");
	return errs;
}

function checkGroupMeta(m) {
	const errs = [];
	for (const k of Object.keys(m)) if (!["zarr_format", "node_type", "attributes"].includes(k)) errs.push(`unknown group member ${k}`);
	if (m.zarr_format !== 3) errs.push("zarr_format must be 3");
	if (m.node_type !== "group") errs.push("node_type must be group");
	if ("attributes" in m && !isObj(m.attributes)) errs.push("attributes must be an object");
	return errs;
}

// ---- Stored files ---------------------------------------------------------------------------------

function listFiles(dir, rel = "") {
	const out = [];
	for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
		const r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) out.push(...listFiles(dir, r));
		else out.push(r);
	}
	return out;
}

// Chunk key -> grid coordinates, or null when the key is not valid for the encoding and grid.
function parseKey(enc, key, gridShape) {
	const nd = gridShape.length;
	let parts;
	if (enc.name === "default") {
		const sep = enc.configuration?.separator ?? "/";
		parts = key.split(sep);
		if (parts[0] !== "c") return null;
		parts = parts.slice(1);
	} else {
		const sep = enc.configuration?.separator ?? ".";
		if (nd === 0) return key === "0" ? [] : null;
		parts = key.split(sep);
	}
	if (parts.length !== nd) return null;
	const coords = parts.map((p) => (/^(0|[1-9][0-9]*)$/.test(p) ? Number(p) : NaN));
	if (coords.some((x, d) => !(x >= 0 && x < gridShape[d]))) return null;
	return coords;
}

const BLOSC_CODE = { blosclz: 0, lz4: 1, lz4hc: 1, snappy: 2, zlib: 3, zstd: 4 };

// Byte-level checks of one encoded chunk against its codec list (bytes->bytes part only).
function checkEncodedChunk(caseName, where, bytes, codecs, rawSize) {
	const b2b = codecs.filter((c) => KIND[c.name] === "b2b");
	let cur = bytes;
	for (let i = b2b.length - 1; i >= 0; i--) {
		const c = b2b[i];
		if (c.name === "crc32c") {
			if (!ok(cur.length >= 4, caseName, `${where}: shorter than a crc32c checksum`)) return;
			const body = cur.subarray(0, cur.length - 4);
			const stored = new DataView(cur.buffer, cur.byteOffset + cur.length - 4, 4).getUint32(0, true);
			ok(stored === CRC32C.buf(body) >>> 0, caseName, `${where}: crc32c mismatch`);
			cur = body;
		} else if (c.name === "gzip") {
			ok(cur[0] === 0x1f && cur[1] === 0x8b && cur[2] === 8, caseName, `${where}: not a gzip member`);
			return; // cannot peel further without decompressing
		} else if (c.name === "zstd") {
			ok(cur[0] === 0x28 && cur[1] === 0xb5 && cur[2] === 0x2f && cur[3] === 0xfd, caseName, `${where}: not a zstd frame`);
			return;
		} else if (c.name === "blosc") {
			const cfg = c.configuration;
			const flags = cur[2];
			const nbytes = new DataView(cur.buffer, cur.byteOffset).getUint32(4, true);
			const cbytes = new DataView(cur.buffer, cur.byteOffset).getUint32(12, true);
			ok(cur[0] === 2, caseName, `${where}: blosc format version ${cur[0]}`);
			ok(cbytes === cur.length, caseName, `${where}: blosc cbytes ${cbytes} != ${cur.length}`);
			if (i === b2b.length - 1 || b2b.slice(i + 1).every((x) => x.name === "crc32c")) {
				// directly after the array->bytes codec: nbytes is the raw chunk size
				if (i === 0) ok(nbytes === rawSize, caseName, `${where}: blosc nbytes ${nbytes} != ${rawSize}`);
			}
			const memcpyed = (flags & 0x2) !== 0;
			if (cfg.clevel === 0) ok(memcpyed, caseName, `${where}: clevel 0 but not memcpyed`);
			if (!memcpyed) {
				ok(flags >> 5 === BLOSC_CODE[cfg.cname], caseName, `${where}: blosc compressor code ${flags >> 5} != ${cfg.cname}`);
			}
			const shuf = cfg.shuffle;
			ok(((flags & 0x1) !== 0) === (shuf === "shuffle"), caseName, `${where}: blosc byte-shuffle flag (flags 0x${flags.toString(16)}) vs ${shuf}`);
			ok(((flags & 0x4) !== 0) === (shuf === "bitshuffle"), caseName, `${where}: blosc bit-shuffle flag (flags 0x${flags.toString(16)}) vs ${shuf}`);
			if (shuf !== "noshuffle") ok(cur[3] === cfg.typesize, caseName, `${where}: blosc header typesize ${cur[3]} != ${cfg.typesize}`);
			return;
		}
	}
	// nothing but crc32c (or nothing): what is left is the raw array->bytes output
	ok(cur.length === rawSize, caseName, `${where}: raw size ${cur.length} != ${rawSize}`);
}

const EMPTY = 2n ** 64n - 1n;

// Parses and checks a shard; returns [{offset, length}|null] per inner chunk in C order.
function checkShard(caseName, key, bytes, meta) {
	const cfg = meta.codecs[0].configuration;
	const shardShape = meta.chunk_grid.configuration.chunk_shape;
	const cps = shardShape.map((s, d) => s / cfg.chunk_shape[d]);
	const n = prod(cps);
	const endian = cfg.index_codecs.find((c) => c.name === "bytes").configuration?.endian ?? "little";
	const hasCrc = cfg.index_codecs.some((c) => c.name === "crc32c");
	const size = 16 * n + (hasCrc ? 4 : 0);
	const loc = cfg.index_location ?? "end";
	ok(bytes.length >= size, caseName, `${key}: shard shorter than its index`);
	const idx = loc === "start" ? bytes.subarray(0, size) : bytes.subarray(bytes.length - size);
	if (hasCrc) {
		const stored = new DataView(idx.buffer, idx.byteOffset + 16 * n, 4).getUint32(0, true);
		ok(stored === CRC32C.buf(idx.subarray(0, 16 * n)) >>> 0, caseName, `${key}: index crc32c mismatch`);
	}
	const dv = new DataView(idx.buffer, idx.byteOffset, 16 * n);
	const dataLo = loc === "start" ? size : 0;
	const dataHi = loc === "start" ? bytes.length : bytes.length - size;
	const ranges = [];
	for (let i = 0; i < n; i++) {
		const off = dv.getBigUint64(16 * i, endian === "little");
		const len = dv.getBigUint64(16 * i + 8, endian === "little");
		if (off === EMPTY || len === EMPTY) {
			ok(off === EMPTY && len === EMPTY, caseName, `${key}: inner ${i}: only one of offset/nbytes is 2^64-1`);
			ranges.push(null);
			continue;
		}
		ok(off >= BigInt(dataLo) && off + len <= BigInt(dataHi), caseName, `${key}: inner ${i}: range [${off}, +${len}) outside the data area`);
		ranges.push({ offset: Number(off), length: Number(len) });
	}
	const sorted = ranges.filter(Boolean).sort((a, b) => a.offset - b.offset);
	for (let i = 1; i < sorted.length; i++) ok(sorted[i - 1].offset + sorted[i - 1].length <= sorted[i].offset, caseName, `${key}: overlapping inner chunks`);
	const innerRaw = prod(cfg.chunk_shape) * DTYPES[meta.data_type].size;
	ranges.forEach((r, i) => {
		if (r) checkEncodedChunk(caseName, `${key} inner ${i}`, bytes.subarray(r.offset, r.offset + r.length), cfg.codecs, innerRaw);
	});
	return ranges;
}

// ---- main ---------------------------------------------------------------------------------------

const cases = buildCases().filter((c) => only.length === 0 || only.includes(c.name));
const byName = new Map(buildCases().map((c) => [c.name, c]));

for (const c of cases) {
	const dir = path.join(OUT, c.path);
	const metaText = fs.readFileSync(path.join(dir, "zarr.json"), "utf8");
	const meta = JSON.parse(metaText);
	// metadata rules
	for (const e of checkArrayMeta(meta)) fail(c.name, `zarr.json: ${e}`);
	checks++;
	if (c.group) {
		const g = JSON.parse(fs.readFileSync(path.join(OUT, c.name, "zarr.json"), "utf8"));
		for (const e of checkGroupMeta(g)) fail(c.name, `group zarr.json: ${e}`);
	}
	ok(metaText === metadataJson(c.meta), c.name, "zarr.json differs from cases.mjs");

	// stored files
	const shape = meta.shape;
	const chunkShape = meta.chunk_grid.configuration.chunk_shape;
	const gridShape = shape.map((s, d) => Math.ceil(s / chunkShape[d]));
	const sharded = meta.codecs[0].name === "sharding_indexed";
	const rawChunk = prod(chunkShape) * DTYPES[meta.data_type].size;
	const files = listFiles(dir).filter((f) => f !== "zarr.json" && !f.startsWith("expected/"));
	const shardRanges = new Map();
	for (const f of files) {
		const coords = parseKey(meta.chunk_key_encoding, f, gridShape);
		if (!ok(coords !== null, c.name, `stored file ${f} is not a chunk key of this array`)) continue;
		const bytes = new Uint8Array(fs.readFileSync(path.join(dir, f)));
		if (sharded) shardRanges.set(coords.join(","), { key: f, bytes, ranges: checkShard(c.name, f, bytes, meta) });
		else checkEncodedChunk(c.name, f, bytes, meta.codecs, rawChunk);
	}
	c.nFiles = files.length;
	c.nBytes = files.reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);

	const expDir = path.join(dir, "expected");
	const selections = c.selections ?? defaultSelections(shape);
	const dtype = meta.data_type;
	const descr = numpyDescr(dtype, c.endian);

	if (c.twinOf) {
		// index_location "start": compare inner chunks with the twin, take the twin's expected files
		const twin = byName.get(c.twinOf);
		const tdir = path.join(OUT, twin.path);
		const tmeta = JSON.parse(fs.readFileSync(path.join(tdir, "zarr.json"), "utf8"));
		const tcfg = { ...tmeta.codecs[0].configuration };
		const cfg = { ...meta.codecs[0].configuration };
		ok(tcfg.index_location === "end" && cfg.index_location === "start", c.name, "twin must differ in index_location end/start");
		delete tcfg.index_location;
		delete cfg.index_location;
		ok(JSON.stringify({ ...tmeta, codecs: [{ ...tmeta.codecs[0], configuration: tcfg }] }) === JSON.stringify({ ...meta, codecs: [{ ...meta.codecs[0], configuration: cfg }] }), c.name, "twin metadata differs beyond index_location");
		const tfiles = listFiles(tdir).filter((f) => f !== "zarr.json" && !f.startsWith("expected/"));
		ok(JSON.stringify(tfiles.sort()) === JSON.stringify(files.slice().sort()), c.name, "twin stores a different set of shards");
		for (const [k, s] of shardRanges) {
			const tb = new Uint8Array(fs.readFileSync(path.join(tdir, s.key)));
			const tr = checkShard(twin.name, s.key, tb, tmeta);
			s.ranges.forEach((r, i) => {
				const t = tr[i];
				if (!ok((r === null) === (t === null), c.name, `${k} inner ${i}: empty in one twin only`)) return;
				if (r) ok(Buffer.compare(s.bytes.subarray(r.offset, r.offset + r.length), tb.subarray(t.offset, t.offset + t.length)) === 0, c.name, `${k} inner ${i}: bytes differ from twin`);
			});
		}
		if (WRITE) {
			fs.rmSync(expDir, { recursive: true, force: true });
			fs.cpSync(path.join(tdir, "expected"), expDir, { recursive: true });
		} else {
			selections.forEach((_, n) => {
				ok(fs.readFileSync(path.join(expDir, `${n}.json`), "utf8") === fs.readFileSync(path.join(tdir, "expected", `${n}.json`), "utf8"), c.name, `expected/${n}.json differs from twin`);
			});
		}
		continue;
	}

	// read back with stock zarrita
	const store = new FileSystemStore(dir);
	const arr = await zarr.open.v3(zarr.root(store), { kind: "array" });
	const full = shape.length === 0 ? await zarr.get(arr, []) : await zarr.get(arr);
	const [fshape, fvals] = resultToC(full);
	ok(JSON.stringify(fshape) === JSON.stringify(shape), c.name, `round trip shape ${fshape}`);
	const src = c.data;
	const getSrc = (i) => (src instanceof zarr.BoolArray ? src.get(i) : src[i]);
	let bad = 0;
	for (let i = 0; i < fvals.length; i++) {
		if (!sameValue(dtype, fvals[i], getSrc(i))) {
			if (bad++ < 3) fail(c.name, `round trip element ${i}: read ${fvals[i]} wrote ${getSrc(i)}`);
		}
	}
	checks++;

	if (WRITE) {
		fs.rmSync(expDir, { recursive: true, force: true });
		fs.mkdirSync(expDir, { recursive: true });
	}
	for (const [n, text] of selections.entries()) {
		const sel = parseSelection(text, shape.length);
		let res;
		try {
			res = await zarr.get(arr, sel);
		} catch (e) {
			fail(c.name, `zarrita get(${text}): ${e.message}`);
			continue;
		}
		const [rshape, rvals] = resultToC(res);
		const doc = expectedJson({ selection: text, shape: rshape, dtype: descr, values: rvals.map((v) => valueToJson(dtype, v)) });
		const f = path.join(expDir, `${n}.json`);
		if (WRITE) fs.writeFileSync(f, doc);
		else ok(fs.existsSync(f) && fs.readFileSync(f, "utf8") === doc, c.name, `expected/${n}.json differs from what zarrita reads`);
	}
}

console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
