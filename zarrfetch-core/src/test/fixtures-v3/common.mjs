// Helpers shared by make_v3_fixtures.mjs (writer) and check_v3_fixtures.mjs (reader/validator).
//
// Nothing here encodes or decodes chunk data: that is done by zarrita (and the codec packages it
// loads). This module only builds input arrays, serialises JSON, and converts between zarrita's
// selection arguments and the numpy-style selection text written into expected/<n>.json.

import { Float16Array } from "@petamoriken/float16";

// Node 20 has no global Float16Array; zarrita looks it up on globalThis when it meets "float16".
if (typeof globalThis.Float16Array === "undefined") {
	globalThis.Float16Array = Float16Array;
}

import * as zarr from "zarrita";

import { fileURLToPath } from "node:url";
import path from "node:path";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const OUT = path.resolve(HERE, "../resources/io/zarrfetch/zarr/v3");

// ---------------------------------------------------------------------------------------------
// Data types
// ---------------------------------------------------------------------------------------------

export const DTYPES = {
	bool: { size: 1, descr: "b1", kind: "bool" },
	int8: { size: 1, descr: "i1", kind: "int", min: -128, max: 127 },
	uint8: { size: 1, descr: "u1", kind: "int", min: 0, max: 255 },
	int16: { size: 2, descr: "i2", kind: "int", min: -32768, max: 32767 },
	uint16: { size: 2, descr: "u2", kind: "int", min: 0, max: 65535 },
	int32: { size: 4, descr: "i4", kind: "int", min: -2147483648, max: 2147483647 },
	uint32: { size: 4, descr: "u4", kind: "int", min: 0, max: 4294967295 },
	int64: { size: 8, descr: "i8", kind: "bigint", min: -(2n ** 63n), max: 2n ** 63n - 1n },
	uint64: { size: 8, descr: "u8", kind: "bigint", min: 0n, max: 2n ** 64n - 1n },
	float16: { size: 2, descr: "f2", kind: "float" },
	float32: { size: 4, descr: "f4", kind: "float" },
	float64: { size: 8, descr: "f8", kind: "float" },
};

export function typedArrayFor(dtype, n) {
	switch (dtype) {
		case "bool":
			return new zarr.BoolArray(n);
		case "int8":
			return new Int8Array(n);
		case "uint8":
			return new Uint8Array(n);
		case "int16":
			return new Int16Array(n);
		case "uint16":
			return new Uint16Array(n);
		case "int32":
			return new Int32Array(n);
		case "uint32":
			return new Uint32Array(n);
		case "int64":
			return new BigInt64Array(n);
		case "uint64":
			return new BigUint64Array(n);
		case "float16":
			return new globalThis.Float16Array(n);
		case "float32":
			return new Float32Array(n);
		case "float64":
			return new Float64Array(n);
		default:
			throw new Error(`dtype ${dtype}`);
	}
}

// NumPy array-interface descr with the byte order of the stored representation.
export function numpyDescr(dtype, endian) {
	const d = DTYPES[dtype];
	if (d.size === 1) return `|${d.descr}`;
	return `${endian === "big" ? ">" : "<"}${d.descr}`;
}

// fill_value as written in zarr.json -> JS value of the element type (used to build input data).
export function fillToValue(dtype, fill) {
	const d = DTYPES[dtype];
	if (d.kind === "bool") return fill;
	if (d.kind === "bigint") return BigInt(fill);
	if (d.kind === "float") {
		if (fill === "NaN") return NaN;
		if (fill === "Infinity") return Infinity;
		if (fill === "-Infinity") return -Infinity;
		return fill;
	}
	return fill;
}

export const prod = (xs) => xs.reduce((a, b) => a * b, 1);

export function cStrides(shape) {
	const s = new Array(shape.length);
	let acc = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		s[i] = acc;
		acc *= shape[i];
	}
	return s;
}

// Iterate over all index tuples of `shape` in C order.
export function* ndindex(shape) {
	const n = prod(shape);
	const idx = new Array(shape.length).fill(0);
	for (let k = 0; k < n; k++) {
		yield idx.slice();
		for (let d = shape.length - 1; d >= 0; d--) {
			if (++idx[d] < shape[d]) break;
			idx[d] = 0;
		}
	}
}

// Deterministic pseudo-random generator (mulberry32), so regenerating gives identical data.
export function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// Interesting values per kind, mixed into the generated data.
const SPECIAL = {
	float16: [0, -0, 1.5, -2.25, 65504, -65504, 2 ** -24, 6.103515625e-5, NaN, Infinity, -Infinity, 0.1],
	float32: [0, -0, 1.5, -2.25, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, NaN, Infinity, -Infinity, 0.1],
	float64: [0, -0, 1.5, -2.25, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, NaN, Infinity, -Infinity, 0.1],
};

// Values for element i of a generated array (before fill regions are applied).
export function genValue(dtype, i, r, { special = true } = {}) {
	const d = DTYPES[dtype];
	if (d.kind === "bool") return r() < 0.5;
	if (d.kind === "int") {
		if (special && i % 17 === 3) return d.min;
		if (special && i % 17 === 11) return d.max;
		return d.min + Math.floor(r() * (d.max - d.min + 1));
	}
	if (d.kind === "bigint") {
		if (special && i % 17 === 3) return d.min;
		if (special && i % 17 === 11) return d.max;
		const hi = BigInt(Math.floor(r() * 2 ** 32));
		const lo = BigInt(Math.floor(r() * 2 ** 32));
		const u = (hi << 32n) | lo;
		return dtype === "int64" ? BigInt.asIntN(64, u) : u;
	}
	// float
	if (special && i % 5 === 2) {
		const s = SPECIAL[dtype];
		return s[Math.floor(i / 5) % s.length];
	}
	const scale = dtype === "float16" ? 100 : 1e6;
	return (r() - 0.5) * scale;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

// JSON for metadata documents: non-finite floats as the spec's strings, BigInt as plain JSON
// numbers (the spec requires integer fill values to be JSON numbers).
export function metadataJson(obj) {
	const s = JSON.stringify(
		obj,
		(_k, v) => {
			if (typeof v === "bigint") return `@@BIG${v}@@`;
			if (typeof v === "number" && !Number.isFinite(v)) {
				return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
			}
			return v;
		},
		2,
	);
	return `${compactArrays(s).replace(/"@@BIG(-?\d+)@@"/g, "$1")}\n`;
}

// Puts arrays of scalars on one line: [2, 3] instead of one element per line.
function compactArrays(s) {
	return s.replace(/\[\s*\n([^\[\]{}]*?)\n\s*\]/g, (_m, inner) => `[${inner.trim().split(/,\s*\n\s*/).join(", ")}]`);
}

// One element read by zarrita -> its JSON representation in expected/<n>.json.
export function valueToJson(dtype, v) {
	const d = DTYPES[dtype];
	if (d.kind === "bool") return Boolean(v);
	if (d.kind === "bigint") return BigInt(v).toString();
	if (d.kind === "float") {
		if (Number.isNaN(v)) return "NaN";
		if (v === Infinity) return "Infinity";
		if (v === -Infinity) return "-Infinity";
		if (Object.is(v, -0)) return "@@NEGZERO@@";
		return v;
	}
	return v;
}

export function expectedJson(obj) {
	// values on one line keeps the files small and diffable; -0.0 keeps its sign.
	const { values, ...rest } = obj;
	const head = compactArrays(JSON.stringify(rest, null, 2)).replace(/\n}$/, "");
	const vals = JSON.stringify(values).replace(/"@@NEGZERO@@"/g, "-0.0");
	return `${head},\n  "values": ${vals}\n}\n`;
}

// ---------------------------------------------------------------------------------------------
// Selections: numpy-style text <-> zarrita arguments
// ---------------------------------------------------------------------------------------------

// Parses e.g. "1:9:2,4,...,-5:" into zarrita's selection list (null = whole axis, zarr.slice(...)
// for slices, numbers for integer indices). '...' is expanded to nulls; that expansion is the only
// processing done here, the slicing itself is done by zarrita's get().
export function parseSelection(text, ndim) {
	const t = text.trim();
	if (t === "" || t === "()") return [];
	const parts = t.split(",").map((p) => p.trim());
	const nEll = parts.filter((p) => p === "...").length;
	if (nEll > 1) throw new Error(`more than one ellipsis in ${text}`);
	const explicit = parts.length - nEll;
	if (explicit > ndim) throw new Error(`too many indices in ${text} for ndim ${ndim}`);
	const out = [];
	for (const p of parts) {
		if (p === "...") {
			for (let k = 0; k < ndim - explicit; k++) out.push(null);
		} else if (p.includes(":")) {
			const [a, b, c] = p.split(":").map((x) => (x === undefined || x === "" ? null : Number.parseInt(x, 10)));
			out.push(zarr.slice(a, b ?? null, c ?? null));
		} else {
			out.push(Number.parseInt(p, 10));
		}
	}
	while (out.length < ndim) out.push(null);
	return out;
}

// zarrita's get() returns a scalar for a fully indexed selection, otherwise {data, shape, stride}
// where stride may be in the array's native (transposed) order. Returns [shape, valuesInCOrder].
export function resultToC(res) {
	if (res === null || typeof res !== "object" || !("shape" in res)) {
		return [[], [res]];
	}
	const { data, shape, stride } = res;
	const vals = [];
	const get = typeof data.get === "function" && !(data instanceof Array) && !ArrayBuffer.isView(data) ? (i) => data.get(i) : (i) => data[i];
	for (const idx of ndindex(shape)) {
		let off = 0;
		for (let d = 0; d < idx.length; d++) off += idx[d] * stride[d];
		vals.push(get(off));
	}
	return [shape.slice(), vals];
}

export function sameValue(dtype, a, b) {
	const d = DTYPES[dtype];
	if (d.kind === "float") return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
	if (d.kind === "bigint") return BigInt(a) === BigInt(b);
	if (d.kind === "bool") return Boolean(a) === Boolean(b);
	return a === b;
}

// Default selections for an array of the given shape: whole array, strided region, integer index
// (dimension dropped), negative indices with an ellipsis in the middle, and '::3,1::4,-5:' style.
export function defaultSelections(shape) {
	const nd = shape.length;
	if (nd === 0) return ["...", ""];
	const sels = ["..."];
	sels.push(
		shape
			.map((n, d) => {
				const a = Math.min(1 + (d % 2), Math.max(0, n - 1));
				const b = Math.max(a + 1, n - (d % 3));
				const step = [2, 3, 1][d % 3];
				return `${a}:${b}:${step}`;
			})
			.join(","),
	);
	sels.push(`${Math.max(0, shape[0] - 2)},...`);
	if (nd === 1) {
		sels.push("-3:");
		sels.push("-1");
	} else {
		const first = shape[0] >= 2 ? `-${Math.min(4, shape[0])}:-1` : "-1:";
		sels.push(`${first},...,-${Math.min(2, shape[nd - 1])}`);
	}
	const last = shape
		.map((n, d) => {
			if (d === 0) return "::3";
			if (d === nd - 1) return `-${Math.min(5, n)}:`;
			return "1::4";
		})
		.join(",");
	sels.push(last);
	return sels;
}
