"""Reading bench/run's JSON lines for bench/publish, its targets, the charts and the report: per
result file, per profile, per tool, the medians over a tool's successful runs, the queries on them,
and the names shown for tools and profiles.

Only the standard library: imported by publish.py and charts.py (both run with /usr/bin/python3).
"""
import json
import os
import statistics

# tbf charges every 1448-byte TCP segment 1514 bytes (MTU 1500 + Ethernet header): at most this
# fraction of the link's rate is payload (bench/README.md, "Payload vs link bytes").
PAYLOAD_FRACTION = 1448 / 1514

# The order profiles are shown in: HTTPS first (what users run: S3 and the seed's race are HTTPS),
# then plain HTTP; within each, loopback, then the emulated S3.
PROFILE_ORDER = ["loopback-tls", "s3-wan-tls", "loopback", "s3-wan"]


def is_tls(profile):
    return profile.endswith("-tls")


def base_profile(profile):
    """The network profile under the protocol: loopback-tls -> loopback, s3-wan-tls -> s3-wan."""
    return profile[:-len("-tls")] if is_tls(profile) else profile


def ordered_profiles(names):
    """names in PROFILE_ORDER, any others after them in their own order."""
    names = list(names)
    return [p for p in PROFILE_ORDER if p in names] + [p for p in names if p not in PROFILE_ORDER]


def protocol_groups(names):
    """The profiles split by protocol, HTTPS first: [("https", [...]), ("http", [...])], empty groups left out."""
    ps = ordered_profiles(names)
    groups = [("https", [p for p in ps if is_tls(p)]), ("http", [p for p in ps if not is_tls(p)])]
    return [(g, members) for g, members in groups if members]

PEER_LABELS = {
    "curl": "curl",
    "aria2c": "aria2c",
    "rclone": "rclone",
    "aiohttp": "aiohttp (seed)",
    "awssdk-tm": "AWS S3 Transfer Manager (CRT)",
    "java-naive": "java.net.http loop",
}

PEER_KEEPS = {
    "curl": "`curl --parallel --parallel-immediate --parallel-max CONC`: one file per object on tmpfs",
    "aria2c": "`aria2c -j CONC -x 1 -s 1`: one file per object on tmpfs",
    "rclone": "`rclone copy :http: --transfers CONC` (a HEAD, then a GET per object): one file per object on tmpfs",
    "aiohttp": "the seed's asyncio + aiohttp code (`bench/peers/seed_aiohttp.py`, default connector of 100 "
               "connections): every body kept in memory until the end, as the seed did",
    "awssdk-tm": "AWS SDK for Java v2 S3 Transfer Manager on the CRT-based S3 client "
                 "(`bench/peers/java`, `downloadFile` per object, all started at once; path-style, "
                 "anonymous, maxConcurrency CONC, targetThroughputInGbps 0.4 x CONC, 8 MiB ranged GETs): "
                 "one file per object on tmpfs",
    "java-naive": "one `java.net.http.HttpClient`, a sequential loop of `send(GET, BodyHandlers.ofByteArray())` "
                  "(`bench/peers/java`): one body in memory at a time, dropped",
}

_ZF_PARTS = {
    "defaults": "defaults",
    "apache": "Apache HttpClient transport",
    "vthreads": "virtual-thread workers",
    "g1c2": "C2 + G1",
}


def is_zarrfetch(tool):
    return tool == "zarrfetch" or tool.startswith("zarrfetch+")


def zf_parts(tool):
    return [p for p in tool.split("+")[1:] if p]


def is_defaults(tool):
    return is_zarrfetch(tool) and "defaults" in zf_parts(tool)


def fixed_concurrency(tool, harness_conc):
    """The fixed concurrency a zarrfetch variant runs with, or None for adaptive (defaults)."""
    conc = harness_conc
    for p in zf_parts(tool):
        if p == "defaults":
            conc = None
        elif p[0] == "c" and p[1:].isdigit():
            conc = int(p[1:])
    return conc


def is_pure_concurrency(tool):
    """zarrfetch+cN (and nothing else): a point of the concurrency sweep."""
    parts = zf_parts(tool)
    return len(parts) == 1 and parts[0][0] == "c" and parts[0][1:].isdigit()


def label(tool, harness_conc=None):
    if not is_zarrfetch(tool):
        return PEER_LABELS.get(tool, tool)
    parts = zf_parts(tool)
    words = []
    if not any(p == "defaults" or (p[0] == "c" and p[1:].isdigit()) for p in parts):
        words.append(f"concurrency {harness_conc}" if harness_conc else "harness concurrency")
    for p in parts:
        if p in _ZF_PARTS:
            words.append(_ZF_PARTS[p])
        elif p.startswith("jvm-"):
            words.append(f"JVM options {p[4:]}")
        elif p[0] == "c" and p[1:].isdigit():
            words.append(f"concurrency {p[1:]}")
        elif p[0] == "m":
            words.append(f"--memory-limit {p[1:]}")
        elif p[0] == "p":
            words.append(f"--part-size {p[1:]}")
        else:
            words.append(p)
    return "zarrfetch, " + ", ".join(words)


def keeps(tool, harness_conc=None):
    if not is_zarrfetch(tool):
        return PEER_KEEPS.get(tool, "")
    conc = fixed_concurrency(tool, harness_conc)
    how = ("adaptive concurrency (from 8 up to 64 requests in flight)" if conc is None
           else f"`--concurrency {conc}`")
    extra = [f"`--memory-limit {p[1:]}`" for p in zf_parts(tool) if p[0] == "m"]
    extra += [f"`--part-size {p[1:]}`" for p in zf_parts(tool) if p[0] == "p" and p[1:2].isdigit()]
    return (f"`zarrfetch bench` with {how}{', ' + ', '.join(extra) if extra else ''}: each object "
            f"in a pooled buffer, dropped once complete")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# zarrfetch with its defaults: the row the targets are about
HEADLINE = "zarrfetch+defaults"


def fmt(v, digits=2, suffix=""):
    """A figure for a table: "-" for none, thousands separated, no "-0.00"."""
    if v is None:
        return "-"
    if abs(v) < 0.5 * 10 ** -digits:
        v = 0.0
    return f"{v:,.{digits}f}{suffix}"


def pct(v, digits=0):
    return "-" if v is None else f"{v * 100:.{digits}f}%"


def vs_curl(res, prof, tool):
    """Median over runs of curl's wall / the tool's wall in the same run."""
    runs = [r for r in res.recs if r.get("type") == "run" and r["profile"] == prof]
    curl = {r["run"]: r["wall_seconds"] for r in runs if r["tool"] == "curl" and r["ok"]}
    return med(curl[r["run"]] / r["wall_seconds"] for r in runs
               if r["tool"] == tool and r["ok"] and r["run"] in curl)


def peers(res, prof):
    """The tools other than zarrfetch with a successful run on prof."""
    return [s for t, s in res.stats[prof].items() if not is_zarrfetch(t) and s.ok]


def tuned(res, prof):
    """zarrfetch runs with hand-set options (anything but the plain defaults), successful."""
    return [s for t, s in res.stats[prof].items() if is_zarrfetch(t) and t != HEADLINE and s.ok]


def limit_seconds(res, prof):
    """The physical limit of a run on prof (bytes / link rate), None without a link."""
    p = res.profiles[prof]
    link = p.get("link_bytes_per_s") or 0
    return p["bytes"] / link if link else None


def tls_summary(runs):
    """What a tool's successful runs on a TLS profile negotiated, from the records' "tls" (nginx's
    access log, bench/lib/measure.py): one line, or None without such records."""
    ok = [r for r in runs if r.get("ok") and r.get("tls")]
    if not ok:
        return None
    kinds = []
    for r in ok:
        for k in r["tls"]["negotiated"]:
            if k not in kinds:
                kinds.append(k)
    conns = med(r["tls"]["connections"] for r in ok)
    heads = med(r["tls"]["head_requests"] for r in ok)
    return (f"{', '.join(kinds) or '-'}; {conns:g} connection{'s' if conns != 1 else ''}, "
            f"{med(r['tls']['resumed_connections'] for r in ok):g} of them resumed a session; "
            f"{med(r['tls']['requests'] for r in ok):g} requests"
            + (f" ({heads:g} HEAD)" if heads else ""))


class ToolStats:
    """Medians over one tool's successful runs in one profile of one result file."""

    def __init__(self, tool, runs, profile_conc):
        self.tool = tool
        self.runs = runs
        self.ok = [r for r in runs if r.get("ok")]
        self.conc = profile_conc
        ok = self.ok
        tj = [r.get("tool_json") or {} for r in ok]
        self.wall = med(r["wall_seconds"] for r in ok)
        self.mbps = med(r["mb_per_s"] for r in ok)
        self.mbps_min = min((r["mb_per_s"] for r in ok), default=None)
        self.mbps_max = max((r["mb_per_s"] for r in ok), default=None)
        self.link_ratio = med(r.get("link_ratio") for r in ok)
        self.cpu = med(r["cpu_seconds"] for r in ok)
        self.cpu_per_gb = med(r["cpu_s_per_gb"] for r in ok)
        gb = [r["bytes_expected"] / 1e9 for r in ok]
        self.user_per_gb = med(r["user_seconds"] / g for r, g in zip(ok, gb)) if ok else None
        self.sys_per_gb = med(r["sys_seconds"] / g for r, g in zip(ok, gb)) if ok else None
        self.rss_mb = med(r["max_rss_bytes"] / 1e6 for r in ok)
        alloc = med(r.get("allocated_bytes_per_gb") for r in ok)
        self.alloc_mb_per_gb = alloc / 1e6 if alloc is not None else None
        self.own_wall = med(j.get("wall_seconds") for j in tj)
        self.own_cpu = med(j.get("cpu_seconds") for j in tj)
        self.max_conc_used = med(j.get("max_concurrency_used") for j in tj)
        pooled = med(j.get("peak_pooled_bytes") for j in tj)
        self.pooled_mb = pooled / 1e6 if pooled is not None else None
        self.other_cpu = med(r.get("other_cpu_seconds") for r in ok)
        self.steal = max((r.get("steal_seconds") or 0.0 for r in runs), default=0.0)

    @property
    def label(self):
        return label(self.tool, self.conc)

    def median_run(self):
        """The successful run whose wall time is the median (the lower one of an even count)."""
        if not self.ok:
            return None
        rs = sorted(self.ok, key=lambda r: r["wall_seconds"])
        return rs[(len(rs) - 1) // 2]


class ResultFile:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.recs = []
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        self.recs.append(json.loads(line))
                    except ValueError as e:
                        raise SystemExit(f"{path}: line {n} is not JSON ({e})")
        self.meta = next((r for r in self.recs if r.get("type") == "meta"), None)
        if self.meta is None:
            raise SystemExit(f"{path}: no meta record; not a bench/run results file")
        self.profiles = {r["profile"]: r for r in self.recs if r.get("type") == "profile"}
        self.emulation = {r["profile"]: r for r in self.recs if r.get("type") == "emulation"}
        self.profile_end = {r["profile"]: r for r in self.recs if r.get("type") == "profile_end"}
        self.skips = {}
        for r in self.recs:
            if r.get("type") == "skip":
                self.skips.setdefault(r["profile"], {})[r["tool"]] = r["reason"]
        self.stats = {}
        for name, prof in self.profiles.items():
            by_tool = {}
            for r in self.recs:
                if r.get("type") == "run" and r["profile"] == name:
                    by_tool.setdefault(r["tool"], []).append(r)
            self.stats[name] = {t: ToolStats(t, rs, prof.get("concurrency")) for t, rs in by_tool.items()}

    def tools(self, profile):
        return list(self.stats.get(profile, {}))

    def sweep_tools(self, profile):
        return sorted((t for t in self.tools(profile) if is_pure_concurrency(t)),
                      key=lambda t: int(zf_parts(t)[0][1:]))

    def is_sweep(self):
        return any(len(self.sweep_tools(p)) >= 3 for p in self.profiles)

    def date(self):
        return (self.meta.get("started_at") or "0000-00-00")[:10]

    def command(self):
        cmd = self.meta.get("command")
        if cmd:
            cmd = cmd.replace("\\,", ",")  # printf %q quoting of earlier runs: a,b -> a\,b
            words = cmd.split(" ")
            # --zarrfetch-rev REV: name the commit itself (HEAD moves on)
            sha = self.meta.get("zarrfetch_rev") or self.meta.get("commit", "").split(" ")[0]
            for i, word in enumerate(words[:-1]):
                if word == "--zarrfetch-rev" and sha:
                    words[i + 1] = sha[:12]
            return " ".join(words)
        tools = ",".join(self.meta.get("tools", []))
        profs = list(self.profiles)
        prof = profs[0] if len(profs) == 1 else "all"
        return (f"bench/run --profile {prof} --objects {self.meta.get('objects')} "
                f"--runs {self.meta.get('runs')} --tools {tools}")

    def trace_path(self, rec, key):
        """A run's trace CSV (key iface_trace or tool_trace): where bench/run wrote it, or the copy
        bench/publish keeps next to the results file (FILE.traces/PROFILE/NAME)."""
        p = rec.get(key)
        if not p:
            return None
        if os.path.exists(p):
            return p
        alt = os.path.join(self.path[:-len(".jsonl")] + ".traces", rec["profile"], os.path.basename(p))
        return alt if os.path.exists(alt) else None


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    return {h: [float(r[i]) for r in rows] for i, h in enumerate(header)}


def trace_timing(res, stats):
    """From the interface trace of a tool's median run: (seconds until the first MB had arrived,
    seconds until all but the last MB had arrived, wall seconds), all since the process started,
    at the trace's 100 ms resolution; None without a trace."""
    run = stats.median_run()
    p = res.trace_path(run, "iface_trace") if run else None
    if p is None:
        return None
    c = read_csv(p)
    if not c.get("rx_bytes"):
        return None
    total = c["rx_bytes"][-1]
    pts = list(zip(c["seconds"], c["rx_bytes"]))

    def crossing(level):
        # linear interpolation within the 100 ms sample in which the counter passed level
        for (t0, b0), (t1, b1) in zip(pts, pts[1:]):
            if b1 >= level:
                return t0 + (t1 - t0) * (level - b0) / (b1 - b0) if b1 > b0 else t1
        return None

    first, last = crossing(1e6), crossing(total - 1e6)
    if first is None or last is None:
        return None
    return first, last, run["wall_seconds"]
