#!/usr/bin/python3
"""Turn bench/run's raw JSON lines into a markdown report: per profile, the emulation as
measured, and one row per tool with medians over its successful runs.

    report.py RESULTS.jsonl > RESULTS.md

Record types read: meta (machine and settings), profile, emulation, run, skip.
"vs curl" is computed within each run (curl's wall time / the tool's, > 1 = faster than curl)
and then the median is taken, so drift between runs cancels out.
"""
import json
import statistics
import sys
from collections import defaultdict

from results import tls_summary


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2, suffix=""):
    if v is None:
        return "-"
    if abs(v) < 0.5 * 10 ** -digits:
        v = 0.0  # no "-0.00" from clock-tick rounding
    return f"{v:.{digits}f}{suffix}"


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: report.py RESULTS.jsonl", file=sys.stderr)
        return 2
    recs = []
    with open(sys.argv[1]) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    recs.append(json.loads(line))
                except ValueError as e:
                    print(f"report.py: line {n} is not JSON ({e}); skipped", file=sys.stderr)
    meta = next((r for r in recs if r.get("type") == "meta"), {})
    profiles = [r for r in recs if r.get("type") == "profile"]
    out = []
    w = out.append
    w(f"# zarrfetch benchmark, {meta.get('started_at', '?')}")
    w("")
    if meta:
        w(f"- machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, "
          f"{meta.get('memory_gb', '?')} GB RAM, kernel {meta.get('kernel', '?')}; "
          f"server and clients share the machine")
        w(f"- data: {meta.get('objects')} objects, {meta.get('bytes', 0) / 1e9:.2f} GB "
          f"({meta.get('data_generator', '?')})")
        w(f"- runs per tool: {meta.get('runs')}, interleaved round-robin (the tool order rotates "
          f"every run); figures are medians over a tool's successful runs")
        w(f"- repository commit: {meta.get('commit', '?')}")
        vers = meta.get("versions", {})
        if vers:
            w("- versions: " + "; ".join(f"{k} {v}" for k, v in vers.items()))
    for prof in profiles:
        name = prof["profile"]
        w("")
        w(f"## Profile {name}")
        w("")
        w(prof.get("description", ""))
        w("")
        emu = next((r for r in recs if r.get("type") == "emulation" and r["profile"] == name), None)
        if emu:
            s, g = emu["single"], emu["aggregate"]
            hs = (f" after a {s['handshake_ms']:.1f} ms TLS handshake"
                  if s.get("handshake_ms") is not None else "")
            line = (f"Emulation as measured before the runs: one connection: first byte "
                    f"{s['ttfb_ms']:.1f} ms{hs}, body {s['body_mb_per_s']:.1f} MB/s "
                    f"({s['total_mb_per_s']:.1f} MB/s counting the first-byte wait); "
                    f"{g['parallel']} connections over {g['transfers']} transfers: goodput "
                    f"{g['goodput_mb_per_s']:.1f} MB/s")
            if g.get("peak_rx_mb_per_s"):
                line += (f"; peak {g.get('peak_window_seconds', 1.0):.2g} s rate "
                         f"{g['peak_rx_mb_per_s']} MB/s on {g['iface']} (about payload)")
            if g.get("peak_wire_mb_per_s"):
                line += f" = {g['peak_wire_mb_per_s']} MB/s of wire bytes as tbf counts them"
            w(line + ".")
            for c in emu.get("checks", []):
                w(f"- {'ok' if c['ok'] else 'OFF'}: {c['name']} {c['value']} {c['unit']} "
                  f"(target {c['target']:g} +/- {c['tolerance']:.0%})")
            tls = emu.get("tls") or {}
            for k, what in (("default", "as offered"), ("tls1_2", "held to TLS 1.2")):
                if k in tls:
                    n = tls[k]
                    w(f"- TLS, `openssl s_client` {what}: {n.get('protocol')} {n.get('cipher')}, "
                      f"key exchange {n.get('key_exchange')}, signature {n.get('signature')}; "
                      f"certificate and host name verified")
            w("")
        runs = [r for r in recs if r.get("type") == "run" and r["profile"] == name]
        link = prof.get("link_bytes_per_s") or 0
        nbytes = prof.get("bytes", 0)
        load = f" Load average before the runs: {prof['loadavg_before']}." if prof.get("loadavg_before") else ""
        if link:
            w(f"Physical limit: {nbytes / 1e9:.2f} GB / {link / 1e6:.0f} MB/s = "
              f"{nbytes / link:.2f} s. Concurrency given to the tools: "
              f"{prof.get('concurrency')}.{load}")
        else:
            w(f"Concurrency given to the tools: {prof.get('concurrency')}. Throughput only: on "
              f"loopback the client's CPU (shared with nginx) is the limit.{load}")
        w("")
        curl_wall = {r["run"]: r["wall_seconds"] for r in runs if r["tool"] == "curl" and r["ok"]}
        tools = []
        for r in runs:
            if r["tool"] not in tools:
                tools.append(r["tool"])
        hdr = ["tool", "data goes to", "ok runs", "wall s", "MB/s"]
        if link:
            hdr.append("of link")
        hdr += ["vs curl", "CPU s", "CPU s/GB", "peak RSS MB", "alloc MB/GB", "nginx CPU s",
                "other CPU s"]
        w("| " + " | ".join(hdr) + " |")
        w("|" + "|".join(["---"] * 2 + ["---:"] * (len(hdr) - 2)) + "|")
        by_tool = defaultdict(list)
        for r in runs:
            by_tool[r["tool"]].append(r)
        for t in tools:
            rs = by_tool[t]
            ok = [r for r in rs if r["ok"]]
            vs = [curl_wall[r["run"]] / r["wall_seconds"] for r in ok if r["run"] in curl_wall]
            alloc = med(r.get("allocated_bytes_per_gb") for r in ok)
            row = [t, rs[0].get("data_goes_to", ""), f"{len(ok)}/{len(rs)}",
                   fmt(med(r["wall_seconds"] for r in ok)),
                   fmt(med(r["mb_per_s"] for r in ok), 0)]
            if link:
                lr = med(r.get("link_ratio") for r in ok)
                row.append(fmt(lr * 100 if lr is not None else None, 0, "%"))
            row += [fmt(med(vs)) if t != "curl" else ("1.00" if vs else "-"),
                    fmt(med(r["cpu_seconds"] for r in ok)),
                    fmt(med(r["cpu_s_per_gb"] for r in ok)),
                    fmt(med(r["max_rss_bytes"] / 1e6 for r in ok), 0),
                    fmt(alloc / 1e6 if alloc is not None else None, 1),
                    fmt(med(r.get("server_cpu_seconds") for r in ok)),
                    # clock-tick rounding can make it slightly negative
                    fmt(max(0.0, med(r.get("other_cpu_seconds") for r in ok) or 0.0))]
            w("| " + " | ".join(row) + " |")
        for r in recs:
            if r.get("type") == "skip" and r["profile"] == name:
                w(f"| {r['tool']} | skipped: {r['reason']} |" + " |" * (len(hdr) - 2))
        stolen = sorted(((r.get("steal_seconds") or 0.0), r["tool"], r["run"]) for r in runs)
        if stolen and stolen[-1][0] >= 0.1:
            w("")
            w(f"CPU time stolen by the hypervisor during a run: up to {stolen[-1][0]:.2f} s "
              f"({stolen[-1][1]} run {stolen[-1][2]}); runs on a noisy host are less comparable.")
        failures = [r for r in runs if not r["ok"]]
        if failures:
            w("")
            w("Failed runs (left out of the medians):")
            for r in failures:
                w(f"- {r['tool']} run {r['run']}: {'; '.join(r['errors'])}")
        extra = [r for r in runs if r["ok"] and isinstance(r.get("tool_json"), dict)
                 and r["tool"] != "aiohttp"]
        if extra:
            w("")
            for t in sorted({r["tool"] for r in extra}):
                rs = [r for r in extra if r["tool"] == t]
                inner_wall = med(r["tool_json"].get("wall_seconds") for r in rs)
                inner_cpu = med(r["tool_json"].get("cpu_seconds") for r in rs)
                pooled = med(r["tool_json"].get("peak_pooled_bytes") for r in rs)
                parts = [f"wall {fmt(inner_wall)} s"]
                if inner_cpu is not None:
                    parts.append(f"CPU {fmt(inner_cpu)} s")
                if pooled is not None:
                    parts.append(f"peak pooled {fmt(pooled / 1e6, 1)} MB")
                used = med(r["tool_json"].get("max_concurrency_used") for r in rs)
                if used is not None:
                    parts.append(f"most requests in flight {used:g}")
                w(f"{t}'s own figures (medians, without process start-up): "
                  + ", ".join(parts) + ".")
        tls_lines = [f"{t}: {x}" for t in tools for x in [tls_summary(by_tool[t])] if x]
        if tls_lines:
            w("")
            w("TLS as the server saw it (nginx's access log; medians over a tool's successful runs):")
            for x in tls_lines:
                w(f"- {x}")
        end = next((r for r in recs if r.get("type") == "profile_end" and r["profile"] == name), {})
        if end.get("qdisc_after"):
            w("")
            w(f"tbf counters after the runs: {end['qdisc_after']}")
    w("")
    w("Columns: wall s, MB/s (decimal, 10^6 bytes), CPU s (user + sys of the tool's process "
      "tree) and peak RSS (largest process) are measured from outside the tool by bench/run; "
      "'of link' = physical limit / wall; 'vs curl' = curl's wall / the tool's wall in the same "
      "run (> 1: faster than curl); 'alloc MB/GB' = JVM allocation per GB fetched, from "
      "zarrfetch's own JSON; 'nginx CPU s' = the server's CPU time during the run; 'other CPU s' "
      "= the machine's busy time during the run minus tool and server (kernel network work not "
      "charged to a process, and anything else running: a large value flags a disturbed run). "
      "Tools that write files write them to tmpfs, emptied between runs.")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
