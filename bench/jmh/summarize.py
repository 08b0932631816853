#!/usr/bin/python3
"""Markdown tables from JMH JSON results: ms/op, GB/s of decoded output (64,764,000 bytes an op), B/op."""
import json
import os
import sys

DECODED = 64_764_000
for path in sys.argv[1:]:
    runs = json.load(open(path))
    if not runs:
        continue
    jvm_args = " ".join(a for a in runs[0].get("jvmArgs", []) if a.startswith("-XX:Tiered")) or "C2 (default)"
    print(f"\n### {os.path.basename(path)}: {jvm_args}\n")
    print("| benchmark | params | ms/op | ± (99.9%) | GB/s decoded | alloc B/op |")
    print("|---|---|---:|---:|---:|---:|")
    for r in runs:
        m = r["primaryMetric"]
        ms = m["score"]
        err = m.get("scoreError", float("nan"))
        params = ",".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        alloc_s = f"{alloc:,.0f}" if alloc is not None else ""
        name = r["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        print(f"| {name} | {params} | {ms:.2f} | {err:.2f} | {DECODED / ms / 1e6:.2f} | {alloc_s} |")
