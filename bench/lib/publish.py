#!/usr/bin/python3
"""Regenerate docs/benchmarks.md, its charts (docs/img/) and docs/results/ from bench/run results.

    publish.py [--docs DIR] MAIN.jsonl [MORE.jsonl ...]

MAIN is the comparison (peers and zarrfetch); any further file adds to it, and the first file that
holds a concurrency sweep (zarrfetch+cN for 3 or more N) gives the sweep section (MAIN itself may
be that file). Every number in the document comes from these files: run bench/run again, publish
again, and the whole page (tables, targets, the reasons given for a miss, charts) follows.

Each results file not yet under DIR/results/ is copied there as DATE-main / DATE-sweep /
DATE-extraN (.jsonl, the markdown report .md, and the trace CSVs under .traces/PROFILE/).
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from results import (HEADLINE, PAYLOAD_FRACTION, ResultFile, base_profile, fmt, is_defaults,  # noqa: E402
                     is_tls, is_zarrfetch, keeps, label, limit_seconds, ordered_profiles, pct,
                     protocol_groups, tls_summary, trace_timing, vs_curl, zf_parts)
from targets import evaluate  # noqa: E402

TRACE_PEERS = ["curl", "awssdk-tm", "aria2c", "aiohttp"]
# Chart files per protocol group: plain HTTP keeps the names the page had before the TLS profiles.
CHART_SUFFIX = {"https": "-tls", "http": ""}
GROUP_TITLES = {"https": "over HTTPS", "http": "over plain HTTP"}
TITLES = {"loopback": "Loopback: nginx on 127.0.0.1, nothing in the way",
          "s3-wan": "s3-wan: 25 ms to first byte, 50 MB/s a connection, a 2.4 Gbit/s link",
          "loopback-tls": "Loopback over HTTPS: nginx with TLS on 127.0.0.1, nothing else in the way",
          "s3-wan-tls": "s3-wan over HTTPS: the same S3 emulation with TLS"}


# --- copying the results into docs/results ---------------------------------------------------

def copy_results(src, docs, role):
    """Copies one results file (with its report and traces) into docs/results unless it is
    already there; returns the path of the copy."""
    results_dir = os.path.join(docs, "results")
    os.makedirs(results_dir, exist_ok=True)
    if os.path.dirname(src.path) == os.path.abspath(results_dir):
        return src.path
    base = os.path.join(results_dir, f"{src.date()}-{role}")
    shutil.copyfile(src.path, base + ".jsonl")
    md = src.path[:-len(".jsonl")] + ".md"
    if os.path.exists(md):
        shutil.copyfile(md, base + ".md")
    else:
        with open(base + ".md", "w") as out:
            subprocess.run([sys.executable, os.path.join(HERE, "report.py"), src.path], stdout=out,
                           check=True)
    traces = base + ".traces"
    shutil.rmtree(traces, ignore_errors=True)
    n = 0
    for r in src.recs:
        if r.get("type") != "run":
            continue
        for key in ("iface_trace", "tool_trace"):
            p = src.trace_path(r, key)
            if p:
                d = os.path.join(traces, r["profile"])
                os.makedirs(d, exist_ok=True)
                shutil.copyfile(p, os.path.join(d, os.path.basename(p)))
                n += 1
    print(f"publish: {src.path} -> {base}.jsonl, .md" + (f", {n} traces" if n else ""),
          file=sys.stderr)
    return base + ".jsonl"


# --- figures ---------------------------------------------------------------------------------

def java_version(res):
    for v in res.meta.get("versions", {}).values():
        if " on Java " in v:
            return v.rsplit(" on Java ", 1)[1]
    return None


# --- the document ----------------------------------------------------------------------------

def profile_table(res, prof, w):
    st = res.stats[prof]
    link = res.profiles[prof].get("link_bytes_per_s") or 0
    hdr = ["tool", "data goes to", "ok runs", "wall s", "MB/s"]
    if link:
        hdr.append("of link")
    hdr += ["vs curl", "CPU s/GB", "peak RSS MB", "JVM alloc MB/GB", "own wall s"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "|".join(["---"] * 2 + ["---:"] * (len(hdr) - 2)) + "|")
    order = [t for t in st if not is_zarrfetch(t)] + [t for t in st if is_zarrfetch(t)]
    for t in order:
        s = st[t]
        name = s.label
        if t == HEADLINE:
            name = f"**{name}**"
        row = [name, s.runs[0].get("data_goes_to", ""), f"{len(s.ok)}/{len(s.runs)}",
               fmt(s.wall), fmt(s.mbps, 0)]
        if link:
            row.append(pct(s.link_ratio, 1))
        row += [fmt(vs_curl(res, prof, t)), fmt(s.cpu_per_gb), fmt(s.rss_mb, 0),
                fmt(s.alloc_mb_per_gb, 1), fmt(s.own_wall)]
        w("| " + " | ".join(row) + " |")
    for t, reason in res.skips.get(prof, {}).items():
        w(f"| {label(t, res.profiles[prof].get('concurrency'))} | skipped: {reason} |"
          + " |" * (len(hdr) - 2))
    slow = [(r, s) for s in st.values() for r in s.ok if s.wall and r["wall_seconds"] > 1.3 * s.wall]
    if slow:
        w("")
        txt = ("Outliers (a run more than 30% slower than the tool's median, kept in the median): "
               + "; ".join(f"{s.label} run {r['run']} took {r['wall_seconds']:.2f} s "
                           f"({r['cpu_s_per_gb']:.2f} CPU s/GB) against a median of {s.wall:.2f} s"
                           for r, s in slow) + ".")
        if all(r["run"] == 1 for r, _ in slow) and not res.meta.get("memory_warmed"):
            txt += (" All in the first run, and all tools that write the data set into memory the "
                    "machine had not touched for a while (tmpfs files, or aiohttp's bodies): their "
                    "system CPU time was 2-3 times that of their later runs, most likely the "
                    "hypervisor backing guest pages on first touch. bench/run now touches twice the "
                    "data set's size of memory before the runs (`warm_memory` in bench/lib/data.sh).")
        w(txt)
    tls = [f"{s.label}: {x}" for s in st.values() for x in [tls_summary(s.runs)] if x]
    if tls:
        w("")
        w("What each tool's connections negotiated, as nginx logged them (medians of runs):")
        w("")
        for x in tls:
            w(f"- {x}")
    fails = [r for s in st.values() for r in s.runs if not r["ok"]]
    if fails:
        w("")
        w("Failed runs (left out of the medians): " + "; ".join(
            f"{r['tool']} run {r['run']}: {', '.join(r['errors'][:2])}" for r in fails) + ".")
    steal = max((s.steal for s in st.values()), default=0)
    if steal >= 0.1:
        w("")
        w(f"CPU time stolen by the hypervisor in a run: up to {steal:.2f} s.")


def tls_line(res, prof):
    """What the server offered and openssl s_client negotiated, for a TLS profile; else None."""
    tls = (res.emulation.get(prof) or {}).get("tls")
    if not tls:
        return None
    d, t12 = tls.get("default", {}), tls.get("tls1_2", {})
    offer = res.profiles[prof].get("tls") or {}
    return (f"TLS: nginx offers {' and '.join(offer.get('protocols', '?').split())} with its default "
            f"ciphers; a certificate from a CA made for the run, which every client is given and "
            f"verifies, host name included. `openssl s_client` negotiated {d.get('protocol')} "
            f"{d.get('cipher')} ({d.get('key_exchange')}), and held to TLS 1.2 {t12.get('cipher')}; "
            f"what each tool negotiated is under its table.")


def emulation_line(res, prof):
    emu = res.emulation.get(prof)
    if not emu:
        return None
    s, g = emu["single"], emu["aggregate"]
    hs = (f" after the {s['handshake_ms']:.1f} ms TLS handshake" if s.get("handshake_ms") is not None
          else "")
    line = (f"The emulation as measured before the runs: first byte {s['ttfb_ms']:.1f} ms{hs}, one "
            f"connection {s['body_mb_per_s']:.1f} MB/s")
    if g.get("peak_wire_mb_per_s"):
        line += (f", the link {g['peak_wire_mb_per_s']:.1f} MB/s of wire bytes "
                 f"({g['peak_rx_mb_per_s']:.1f} MB/s of payload)")
    line += f"; {'all checks ok' if emu.get('ok') else 'SOME CHECKS OFF'}."
    lim = limit_seconds(res, prof)
    if lim:
        link = res.profiles[prof]["link_bytes_per_s"]
        line += (f" Physical limit: {res.profiles[prof]['bytes'] / 1e9:.2f} GB / "
                 f"{link / 1e6:.0f} MB/s = {lim:.2f} s; payload ceiling "
                 f"({PAYLOAD_FRACTION:.1%} of it) {lim / PAYLOAD_FRACTION:.2f} s.")
    return line


def earlier_runs(docs, current):
    out = []
    for md in sorted(glob.glob(os.path.join(docs, "results", "*.md"))):
        base = md[:-3]
        if base + ".jsonl" in current:
            continue
        desc = ""
        if os.path.exists(base + ".jsonl"):
            try:
                r = ResultFile(base + ".jsonl")
                desc = (f": {r.meta.get('started_at', '?')[:16].replace('T', ' ')}, "
                        f"{', '.join(r.profiles)}, {r.meta.get('objects')} objects, tools "
                        f"{', '.join(r.meta.get('tools', []))}")
            except SystemExit:
                pass
        rel = os.path.relpath(md, docs)
        out.append(f"- [{rel}]({rel}){desc}")
    return out


def write_doc(main, sweep, main_copy, sweep_copy, charts, docs, publish_cmd, out_path):
    """charts: per protocol group ("https", "http"), the PNGs drawn for it by kind."""
    lines = []
    w = lines.append
    meta = main.meta
    rel = lambda p: os.path.relpath(p, docs)  # noqa: E731
    groups = protocol_groups(main.stats)
    w("# Benchmarks")
    w("")
    w("<!-- Generated by bench/publish from bench/run's results: edit bench/lib/publish.py, not this "
      "file. -->")
    w("")
    w("zarrfetch against the tools people use today, side by side in one run on one machine, as "
      "../shared/BENCHMARKS.md asks: the seed's race (MUR-like chunk objects of ~28 MB) on loopback "
      "and on an emulated S3 network"
      + (", over HTTPS (what users run: S3 and the seed's URLs are HTTPS), shown first, and over plain "
         "HTTP" if any(is_tls(p) for p in main.stats) else "")
      + f". Figures are medians of {meta.get('runs')} interleaved runs; ratios are within the run. "
      "Benchmarks are not tests: nothing here gates CI.")
    w("")
    w("## How to reproduce")
    w("")
    w("```")
    if sweep is not None and sweep is not main:
        w(sweep.command() + "    # the concurrency sweep")
    w(main.command() + ("    # the comparison" if sweep is not main else ""))
    w(publish_cmd + "    # this page, its charts and docs/results/")
    w("```")
    w("")
    if "ZF_BENCH_ZARRFETCH=" in main.command():
        w("`ZF_BENCH_ZARRFETCH` names zarrfetch as users install it: the tarball that `mvn -B package` leaves in "
          "`zarrfetch-dist/target/`, built at the run's repository commit and unpacked there, with the AOT cache "
          "its build made ([decisions/0006](decisions/0006-start-up.md)).")
        w("")
    w("`bench/run` (see [bench/README.md](../bench/README.md)) generates the data with zarrfetch's "
      "MUR-like generator (real c-blosc LZ4 frames), serves it with nginx on loopback or inside a "
      "network namespace behind a 2.4 Gbit/s `tbf` link with `limit_rate` 50 MB/s per connection and "
      "a 25 ms first-byte delay"
      + (" (the `-tls` profiles: the same over HTTPS, nginx `ssl` with a CA made for the run)"
         if any(is_tls(p) for p in main.stats) else "")
      + ", checks the emulation, runs every tool, checks that each got every "
      "byte, and cleans up; `--trace` also records throughput over time. The complete reports, with "
      "every tool's command line and versions, and the raw JSON lines: "
      f"[{rel(main_copy)[:-6]}.md]({rel(main_copy)[:-6]}.md)"
      + (f" and [{rel(sweep_copy)[:-6]}.md]({rel(sweep_copy)[:-6]}.md)"
         if sweep is not None and sweep is not main else "")
      + " (and `.jsonl`, trace CSVs in `.traces/`).")
    w("")
    tools_section(main, w)
    machine_section(main, sweep, w)

    w("")
    w("In the tables, wall, CPU (user + sys of the process tree) and peak RSS are measured from "
      "outside each process, start-up included; 'vs curl' = curl's wall / the tool's, per run (> 1: "
      "faster than curl); 'JVM alloc' from zarrfetch's own JSON; 'own wall' = the tool's own wall "
      "time, without process start-up and exit.")
    for group, profs in groups:
        for prof in profs:
            w("")
            w(f"## {TITLES.get(prof, prof)}")
            w("")
            for line in (emulation_line(main, prof) if base_profile(prof) != "loopback" else None,
                         tls_line(main, prof)):
                if line:
                    w(line)
                    w("")
            w(f"Concurrency given to the tools: {main.profiles[prof].get('concurrency')}.")
            w("")
            profile_table(main, prof, w)
        gc = charts.get(group, {})
        for key, alt in (("throughput", "Throughput per tool and profile"),
                         ("cpu", "CPU seconds per GB per tool and profile")):
            if gc.get(key):
                w("")
                w(f"![{alt}, {GROUP_TITLES[group]}]({rel(gc[key])})")

    if sweep is not None:
        sweep_section(main, sweep, charts, rel, w)

    traces = [(g, charts.get(g, {}).get("trace")) for g, _ in groups]
    traces = [(g, t) for g, t in traces if t]
    if traces:
        w("")
        w("## Throughput over time")
        w("")
        w("Top: bytes arriving on the client's interface (`zfb-h`), sampled by bench/run every "
          "100 ms from the moment each tool's process starts, for the median run of each tool (JVM "
          "start-up shows as the flat start). Bottom: zarrfetch's own `bench --trace` of the same "
          "run: its throughput, the requests it had in flight and its adaptive concurrency target, "
          "from the moment the fetch started.")
        for g, t in traces:
            w("")
            w(f"![Throughput over time on s3-wan, {GROUP_TITLES[g]}]({rel(t)})")

    rows, why = evaluate(main, sweep)
    w("")
    w("## Against the targets")
    w("")
    if rows:
        w("| target | result | measured |")
        w("| --- | --- | --- |")
        for t, v, dtl in rows:
            w(f"| {t} | {v} | {dtl} |")
    else:
        w(f"Nothing to judge: the targets are about `{HEADLINE}`, which has no successful run in the "
          "comparison.")
    if why:
        w("")
        w("Why the misses (numbers from this run):")
        for x in why:
            w(f"- {x}")
    extra = notes_section(main)
    if extra:
        w("")
        w("## Notes on the peers")
        w("")
        for x in extra:
            w(f"- {x}")
    reads = sorted(glob.glob(os.path.join(docs, "results", "*-read.md")))
    if reads:
        # bench/read's newest report, verbatim: the Zarr issue's read figures
        w("")
        w("## Reading a Zarr region (bench/read)")
        w("")
        with open(reads[-1]) as f:
            lines.extend(f.read().rstrip("\n").split("\n"))
        w("")
        w(f"The report: [results/{os.path.basename(reads[-1])}](results/{os.path.basename(reads[-1])}).")
    jmh = sorted(d for d in glob.glob(os.path.join(docs, "results", "*-jmh*")) if os.path.isdir(d))
    if jmh:
        # bench/jmh's newest run, verbatim: the Blosc decode against c-blosc (the Zarr issue's JMH target)
        rel = os.path.relpath(jmh[-1], docs)
        w("")
        w("## Decoding one chunk: zarrfetch's Blosc against c-blosc (bench/jmh)")
        w("")
        w("One MUR-like chunk (64.8 MB decoded, Blosc LZ4, byte shuffle, typesize 2) decoded single-threaded; "
          "JMH's commands, as `bench/jmh/run.sh` ran them:")
        w("")
        w("```")
        with open(os.path.join(jmh[-1], "commands.txt")) as f:
            lines.extend(f.read().rstrip("\n").split("\n"))
        w("```")
        w("")
        with open(os.path.join(jmh[-1], "summary.md")) as f:
            lines.extend(f.read().rstrip("\n").split("\n"))
        w("")
        w(f"JMH's output: [{rel}/]({rel}/); the decisions it supports: "
          "[decisions/0003-codecs.md](decisions/0003-codecs.md).")
    er = earlier_runs(docs, {main_copy, sweep_copy} | set(r[:-3] + ".jsonl" for r in reads))
    if er:
        w("")
        w("## Earlier runs")
        w("")
        w("The runs the decision records cite (docs/decisions/); runs that later ones superseded are in the "
          "repository's")
        w("history (`git log -- docs/results/`).")
        w("")
        lines.extend(er)
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


TLS_TRUST = ("curl `--cacert`, aria2c `--ca-certificate`, rclone `--ca-cert`, the seed's aiohttp code a "
             "connector with `ssl.create_default_context(cafile=...)`, the Transfer Manager `SSL_CERT_FILE` "
             "(the SDK's CRT client has no CA option; its s2n-tls starts from libcrypto's default trust "
             "store, which reads that variable), the java.net.http loop `-Djavax.net.ssl.trustStore` (a "
             "PKCS12 store made by keytool), zarrfetch `AWS_CA_BUNDLE` and the same trust store")


def tools_section(main, w):
    meta = main.meta
    w("## The tools, and what each does with the bytes")
    w("")
    tools = []
    for prof in ordered_profiles(main.stats):
        for t in main.stats[prof]:
            if t not in tools:
                tools.append(t)
    conc = {p: main.profiles[p].get("concurrency") for p in ordered_profiles(main.profiles)}
    w("CONC, the concurrency every tool that takes one was given: "
      + ", ".join(f"{c} on {p}" for p, c in conc.items()) + ".")
    w("")
    vers = meta.get("versions", {})
    jvm = meta.get("zarrfetch_jvm") or {}
    for t in tools:
        v = vers.get(t)
        if is_zarrfetch(t):
            name = label(t, "CONC") if not is_defaults(t) else label(t)
            opts = [f"`{jvm[p[4:]]}`" for p in zf_parts(t) if p.startswith("jvm-") and p[4:] in jvm]
            w(f"- {name}: {keeps(t, 'CONC')}" + (f"; JVM options {', '.join(opts)}" if opts else "") + ".")
        else:
            w(f"- **{label(t)}**{' (' + v + ')' if v else ''}: {keeps(t)}.")
    zv = next((v for t, v in vers.items() if is_zarrfetch(t)), None)
    if zv:
        rev = meta.get("zarrfetch_rev")
        w(f"- zarrfetch: {zv}" + (f", built from commit {rev[:12]}" if rev else "")
          + (f"; ZARRFETCH_JAVA_OPTS `{meta['zarrfetch_java_opts']}`" if meta.get("zarrfetch_java_opts") else "")
          + ".")
    w("")
    w("Wall and CPU of every tool include its process start-up; 'own wall' is the tool's own "
      "figure without it, where the tool reports one.")
    if any(is_tls(p) for p in main.stats):
        w("")
        w("Over HTTPS every tool verifies the server's certificate and host name against the run's "
          f"CA, given as its users would give it: {TLS_TRUST}.")
    w("")


def machine_section(main, sweep, w):
    meta = main.meta
    vers = meta.get("versions", {})
    w("## Machine and run")
    w("")
    jv = java_version(main)
    w(f"{meta.get('cpu', '?')}, {meta.get('cores', '?')} vCPUs, {meta.get('memory_gb', '?')} GB RAM, "
      f"kernel {meta.get('kernel', '?')}"
      + (f", {meta['os']}" if meta.get("os") else "")
      + (f", Temurin JDK {jv}" if jv else "")
      + f"; server and client share the cores. nginx {vers.get('nginx', '?')}"
      + (f", OpenSSL {vers['openssl']}" if vers.get("openssl") else "")
      + f". Data: {meta.get('objects')} objects, {meta.get('bytes', 0) / 1e9:.2f} GB "
      f"({meta.get('data_generator', '?')}).")
    w("")
    w(f"- comparison: started {meta.get('started_at')}, repository commit {meta.get('commit')}")
    if sweep is not None and sweep is not main:
        w(f"- sweep: started {sweep.meta.get('started_at')}, repository commit "
          f"{sweep.meta.get('commit')}")
    for prof in ordered_profiles(main.profiles):
        p = main.profiles[prof]
        if p.get("loadavg_before"):
            w(f"- load average before the {prof} runs: {p['loadavg_before']}")


def sweep_section(main, sweep, charts, rel, w):
    """zarrfetch's --concurrency 1..64 against its adaptive default: a table per protocol."""
    w("")
    w("## zarrfetch vs concurrency")
    if sweep is not main:
        w("")
        w(f"From the sweep (`{sweep.command()}`).")
    for group, members in protocol_groups(sweep.stats):
        profs = [p for p in members if sweep.sweep_tools(p)]
        if not profs:
            continue
        w("")
        hdr = ["concurrency"]
        for p in profs:
            hdr += [f"{p} wall s", f"{p} of link" if limit_seconds(sweep, p) else f"{p} MB/s",
                    f"{p} CPU s/GB", f"{p} RSS MB"]
        w("| " + " | ".join(hdr) + " |")
        w("|" + "|".join(["---:"] * len(hdr)) + "|")
        concs = sorted({int(t.split("+c")[1]) for p in profs for t in sweep.sweep_tools(p)})
        best = {}
        for p in profs:
            ok = [sweep.stats[p][t] for t in sweep.sweep_tools(p) if sweep.stats[p][t].ok]
            if ok:
                best[p] = min(ok, key=lambda s: s.wall).tool
        for c in concs + ["defaults"]:
            t = f"zarrfetch+c{c}" if c != "defaults" else HEADLINE
            row = [str(c) if c != "defaults" else "adaptive (defaults)"]
            for p in profs:
                s = sweep.stats[p].get(t)
                if s is None or not s.ok:
                    row += ["-"] * 4
                    continue
                wall = fmt(s.wall)
                if best.get(p) == t:
                    wall = f"**{wall}**"
                row += [wall, pct(s.link_ratio) if limit_seconds(sweep, p) else fmt(s.mbps, 0),
                        fmt(s.cpu_per_gb), fmt(s.rss_mb, 0)]
            w("| " + " | ".join(row) + " |")
        notes = []
        for p in profs:
            d = sweep.stats[p].get(HEADLINE)
            if d is not None and d.ok and d.max_conc_used is not None:
                notes.append(f"on {p} the adaptive default reached {d.max_conc_used:g} requests in "
                             f"flight")
            if p in best:
                notes.append(f"the fastest fixed setting on {p} is "
                             f"{best[p].split('+c')[1]} ({sweep.stats[p][best[p]].wall:.2f} s)")
        if notes:
            w("")
            w("Bold: the fastest fixed concurrency per profile; " + "; ".join(notes) + ".")
        sc = charts.get(group, {}).get("sweep")
        if sc:
            w("")
            w(f"![zarrfetch throughput and peak RSS vs concurrency, {GROUP_TITLES[group]}]({rel(sc)})")


def notes_section(main):
    out = []
    for prof in ordered_profiles(main.stats):
        s = main.stats[prof].get("awssdk-tm")
        if s is not None and s.ok and s.own_wall:
            txt = (f"AWS S3 Transfer Manager on {prof}: {s.wall:.2f} s in all, {s.own_wall:.2f} s "
                   f"from building the CRT client (which loads its native library) to the last file "
                   f"closed; the rest is the JVM starting and exiting.")
            tt = trace_timing(main, s)
            if tt and base_profile(prof) != "loopback":
                txt += (f" Its first megabyte arrived {tt[0]:.2f} s after the process started, "
                        f"all but the last {tt[1]:.2f} s after: {tt[1] - tt[0]:.2f} s of transfer "
                        f"for a payload ceiling of {limit_seconds(main, prof) / PAYLOAD_FRACTION:.2f} s.")
            out.append(txt)
    if any("awssdk-tm" in main.stats[p] for p in main.stats):
        out.append("The CRT-based S3 client talks to nginx directly, no S3Proxy needed: for each "
                   "object it sends a ranged GET for the first 8 MiB part (`Range: bytes=0-8388607`), "
                   "learns the size from `Content-Range`, then fetches the other parts in parallel "
                   "with `If-Match` on the ETag; no HEAD, no listing, no checksums (checked with "
                   "nginx's access log). The peer closes the CRT's static event loops and resolver "
                   "before it exits: without that, the CRT's JVM shutdown hook waits up to 1 s for "
                   "its native threads (1.3 s measured), which every run would pay after its last "
                   "byte.")
    return out


def main_() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs"))
    ap.add_argument("--out", help="the page (default: DOCS/benchmarks.md)")
    ap.add_argument("results", nargs="+", help="bench/run .jsonl files: the comparison first")
    a = ap.parse_args()
    docs = os.path.abspath(a.docs)
    out = a.out or os.path.join(docs, "benchmarks.md")
    for p in a.results:
        if not (p.endswith(".jsonl") and os.path.isfile(p)):
            ap.error(f"not a bench/run results file (FILE.jsonl): {p}")
    files = [ResultFile(p) for p in a.results]
    main = files[0]
    sweep = next((f for f in files if f.is_sweep()), None)
    copies = {}
    for i, f in enumerate(files):
        role = "main" if f is main else ("sweep" if f is sweep else f"extra{i}")
        copies[id(f)] = copy_results(f, docs, role)
    # read the copies, so that trace paths resolve inside docs/results from now on
    main_copy = copies[id(main)]
    sweep_copy = copies[id(sweep)] if sweep is not None else None

    import charts  # matplotlib: only needed from here on
    img = os.path.join(docs, "img")
    os.makedirs(img, exist_ok=True)
    cs = {}  # per protocol group: HTTPS charts are *-tls.png, plain HTTP keeps the former names
    for group, profs in protocol_groups(main.stats):
        sfx, sub = CHART_SUFFIX[group], f", {GROUP_TITLES[group]}"
        g = cs.setdefault(group, {})
        g["throughput"] = charts.throughput(main, os.path.join(img, f"throughput{sfx}.png"), sub, profs)
        g["cpu"] = charts.cpu_per_gb(main, os.path.join(img, f"cpu-per-gb{sfx}.png"), sub, profs)
        s3 = [p for p in profs if base_profile(p) == "s3-wan"]
        if s3:
            g["trace"] = charts.over_time(main, s3[0], HEADLINE, TRACE_PEERS,
                                          os.path.join(img, f"throughput-over-time{sfx}.png"), sub)
    if sweep is not None:
        for group, profs in protocol_groups(sweep.stats):
            cs.setdefault(group, {})["sweep"] = charts.sweep(
                sweep, os.path.join(img, f"concurrency-sweep{CHART_SUFFIX[group]}.png"),
                f", {GROUP_TITLES[group]}", profs)
    rel_inputs = " ".join(os.path.relpath(copies[id(f)], os.path.dirname(docs)) for f in files)
    write_doc(main, sweep, main_copy, sweep_copy, cs, docs, f"bench/publish {rel_inputs}", out)
    print(f"publish: wrote {out}", file=sys.stderr)
    for group, g in cs.items():
        for k, p in g.items():
            if p:
                print(f"publish: chart {k} ({group}): {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
