"""The charts of docs/benchmarks.md, drawn with matplotlib (Debian's python3-matplotlib) from
bench/run's results. Called by publish.py; each function writes one PNG and returns its path, or
None (with the reason on stderr) when the results lack what the chart needs.
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

from results import (PAYLOAD_FRACTION, is_defaults, is_zarrfetch, label, ordered_profiles,  # noqa: E402
                     read_csv)

ZF_COLOR = "#1f6fb4"
ZF_DEFAULT_COLOR = "#0b3d6b"
PEER_COLOR = "#9a9a9a"
PROFILE_TITLES = {"loopback": "loopback: nginx on 127.0.0.1",
                  "s3-wan": "s3-wan: 25 ms first byte, 50 MB/s a connection,\n300 MB/s link",
                  "loopback-tls": "loopback-tls: nginx over HTTPS on 127.0.0.1",
                  "s3-wan-tls": "s3-wan-tls: HTTPS, 25 ms first byte,\n50 MB/s a connection, 300 MB/s link"}
DPI = 110


def _note(msg):
    print(f"charts: {msg}", file=sys.stderr)


def _color(tool):
    if is_defaults(tool):
        return ZF_DEFAULT_COLOR
    return ZF_COLOR if is_zarrfetch(tool) else PEER_COLOR


def _profiles(res, only=None):
    """The result's profiles in the page's order (HTTPS first), or those of only that it has."""
    return [p for p in ordered_profiles(res.stats) if only is None or p in only]


def _tool_order(res, profs):
    """Tools with a successful run in any of the profiles: peers first, then zarrfetch, each group
    in the order of the run; drawn top to bottom."""
    tools = []
    for p in profs:
        for t, s in res.stats[p].items():
            if s.ok and t not in tools:
                tools.append(t)
    return [t for t in tools if not is_zarrfetch(t)] + [t for t in tools if is_zarrfetch(t)]


def _labels(res, profs, tools):
    out = []
    for t in tools:
        concs = []
        for p in profs:
            c = res.profiles[p].get("concurrency")
            if t in res.stats[p] and c not in concs:
                concs.append(c)
        out.append(label(t, " / ".join(str(c) for c in concs)))
    return out


def _per_tool_bars(res, path, title, draw, profiles=None):
    """One horizontal bar panel per profile (of profiles, default all), a bar per tool (the tools in
    the same rows in every panel). draw(ax, prof, rows, n_tools) draws a panel; rows are
    (y, ToolStats) of the tools that ran in it."""
    profs = _profiles(res, profiles)
    if not profs:
        return None
    tools = _tool_order(res, profs)[::-1]
    y = list(range(len(tools)))
    fig, axes = plt.subplots(1, len(profs), figsize=(5.0 * len(profs) + 2.4, 0.42 * len(tools) + 2.0),
                             squeeze=False, sharey=True)
    for ax, prof in zip(axes[0], profs):
        st = res.stats[prof]
        draw(ax, prof, [(yi, st[t]) for yi, t in zip(y, tools) if t in st and st[t].ok], len(tools))
        ax.set_title(PROFILE_TITLES.get(prof, prof), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(y, _labels(res, profs, tools), fontsize=8.5)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def throughput(res, path, subtitle="", profiles=None):
    def draw(ax, prof, rows, n_tools):
        ys = [yi for yi, _ in rows]
        vals = [s.mbps for _, s in rows]
        err = [[s.mbps - s.mbps_min for _, s in rows], [s.mbps_max - s.mbps for _, s in rows]]
        ax.barh(ys, vals, color=[_color(s.tool) for _, s in rows], xerr=err, capsize=2,
                error_kw={"elinewidth": 0.8, "ecolor": "#444"})
        for yi, (_, s) in zip(ys, rows):
            ax.text(s.mbps_max, yi, f"  {s.mbps:,.0f}", va="center", ha="left", fontsize=8)
        link = res.profiles[prof].get("link_bytes_per_s") or 0
        if link:
            ax.axvline(link / 1e6, color="#c0392b", lw=1.2)
            ceil = link * PAYLOAD_FRACTION / 1e6
            ax.axvline(ceil, color="#c0392b", lw=0.9, ls="--")
            ax.text(link / 1e6, -0.85, f" link {link / 1e6:.0f}", color="#c0392b", fontsize=7.5,
                    ha="left", va="center")
            ax.text(ceil, -0.85, f"payload {ceil:.0f} ", color="#c0392b", fontsize=7.5,
                    ha="right", va="center")
            ax.set_xlim(0, link / 1e6 * 1.2)
        else:
            ax.set_xlim(0, max(s.mbps_max for _, s in rows) * 1.2)
        ax.set_ylim(-1.2, n_tools - 0.4)
        ax.set_xlabel("MB/s, process start-up included")

    out = _per_tool_bars(res, path, "Throughput per tool, median of runs (whiskers: min..max)" + subtitle, draw,
                         profiles)
    if out is None:
        _note("no profiles: no throughput chart")
    return out


def cpu_per_gb(res, path, subtitle="", profiles=None):
    def draw(ax, prof, rows, n_tools):
        ys = [yi for yi, _ in rows]
        user = [s.user_per_gb for _, s in rows]
        sys_ = [s.sys_per_gb for _, s in rows]
        colors = [_color(s.tool) for _, s in rows]
        ax.barh(ys, user, color=colors, label="user")
        ax.barh(ys, sys_, left=user, color=colors, alpha=0.45, hatch="///", edgecolor="white",
                label="sys (kernel)")
        for yi, (_, s) in zip(ys, rows):
            ax.text(s.user_per_gb + s.sys_per_gb, yi, f" {s.cpu_per_gb:.2f}", va="center",
                    ha="left", fontsize=8)
        top = max(u + v for u, v in zip(user, sys_))
        ax.set_xlim(0, top * 1.18)
        ax.set_ylim(-0.6, n_tools - 0.4)
        ax.set_xlabel("CPU s per GB (user + sys), start-up included")
        ax.legend(loc="lower right", fontsize=8)

    return _per_tool_bars(res, path, "Client CPU per GB fetched, median of runs (lower is better)" + subtitle,
                          draw, profiles)


def sweep(res, path, subtitle="", profiles=None):
    profs = [p for p in _profiles(res, profiles) if len(res.sweep_tools(p)) >= 2]
    if not profs:
        _note("no zarrfetch+cN runs: no concurrency chart")
        return None
    fig, axes = plt.subplots(2, len(profs), figsize=(6.0 * len(profs), 7.0), squeeze=False,
                             sharex=True)
    for col, prof in enumerate(profs):
        st = res.stats[prof]
        pts = [(int(t.split("+c")[1]), st[t]) for t in res.sweep_tools(prof) if st[t].ok]
        xs = [c for c, _ in pts]
        d = next((s for t, s in st.items() if t == "zarrfetch+defaults" and s.ok), None)
        for row, (attr, ylabel) in enumerate([("mbps", "MB/s (start-up included)"),
                                              ("rss_mb", "peak RSS, MB")]):
            ax = axes[row][col]
            ys = [getattr(s, attr) for _, s in pts]
            ax.plot(xs, ys, "o-", color=ZF_COLOR, label="zarrfetch --concurrency N")
            if attr == "mbps":
                lo = [s.mbps_min for _, s in pts]
                hi = [s.mbps_max for _, s in pts]
                ax.fill_between(xs, lo, hi, color=ZF_COLOR, alpha=0.15, lw=0)
            for x, yv in zip(xs, ys):
                ax.annotate(f"{yv:,.0f}", (x, yv), textcoords="offset points", xytext=(0, 6),
                            ha="center", fontsize=7.5)
            if d is not None:
                dv = getattr(d, attr)
                ax.axhline(dv, color=ZF_DEFAULT_COLOR, ls="--", lw=1)
                xd = d.max_conc_used or 8
                ax.plot([xd], [dv], marker="*", ms=13, color="#e67e22", ls="none",
                        label=f"adaptive default: {dv:,.0f} (reached {xd:g} in flight)")
            link = res.profiles[prof].get("link_bytes_per_s") or 0
            if attr == "mbps" and link:
                ax.axhline(link / 1e6, color="#c0392b", lw=1.1)
                ax.axhline(link * PAYLOAD_FRACTION / 1e6, color="#c0392b", lw=0.8, ls=":")
                ax.text(xs[0], link / 1e6, "link 300 MB/s", color="#c0392b", fontsize=7.5,
                        va="bottom")
                ax.set_ylim(0, link / 1e6 * 1.12)
            else:
                top = max(ys + ([getattr(d, attr)] if d is not None else []))
                ax.set_ylim(0, top * 1.18)
            ax.set_xscale("log", base=2)
            ax.xaxis.set_major_locator(FixedLocator(xs))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([str(x) for x in xs])
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(PROFILE_TITLES.get(prof, prof), fontsize=10)
                ax.legend(fontsize=7.5, loc="lower right")
            else:
                ax.set_xlabel("requests in flight (--concurrency N)")
    fig.suptitle("zarrfetch: throughput and memory vs concurrency, median of runs" + subtitle,
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def over_time(res, profile, zf_tool, peers, path, subtitle=""):
    """Top: every chosen tool's rate on the client interface (sampled by bench/run every 100 ms,
    time since the process was started), in full and zoomed on the first and the last second.
    Bottom: zarrfetch's own --trace of the same run (time since the fetch started): MB/s,
    requests in flight and the concurrency target."""
    st = res.stats.get(profile, {})
    z = st.get(zf_tool)
    if z is None or not z.ok:
        _note(f"no successful {zf_tool} run on {profile}: no throughput-over-time chart")
        return None
    zrun = z.median_run()
    ztrace = res.trace_path(zrun, "tool_trace")
    if ztrace is None:
        _note(f"{zf_tool} on {profile} has no --trace CSV (run bench/run with --trace)")
        return None
    fig = plt.figure(figsize=(10.5, 11))
    gs = fig.add_gridspec(3, 2, height_ratios=[1.1, 0.9, 1.1])
    ax1 = fig.add_subplot(gs[0, :])
    zs = [fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[1, 1])]
    ax2 = fig.add_subplot(gs[2, :])
    styles = [("#1f6fb4", "-", 2.2), ("#111111", "--", 1.3), ("#e67e22", "-", 1.3),
              ("#2ca02c", ":", 1.6), ("#9467bd", "-", 1.0), ("#8c564b", "-", 1.0)]
    lines = [(zf_tool, z)] + [(t, st[t]) for t in peers if t in st and st[t].ok]
    curves = []
    for i, (t, s) in enumerate(lines):
        run = s.median_run()
        p = res.trace_path(run, "iface_trace")
        if p is None:
            continue
        c = read_csv(p)
        curves.append((s, run, c, styles[i % len(styles)]))
    xmax = max(run["wall_seconds"] for _, run, _, _ in curves)
    link = res.profiles[profile].get("link_bytes_per_s") or 0
    zwall = zrun["wall_seconds"]
    windows = [(0, 1.2, "the first 1.2 s"), (max(0.0, zwall - 1.2), zwall + 0.5, "around zarrfetch's end")]
    for ax, window in [(ax1, None)] + list(zip(zs, windows)):
        for s, run, c, (col, ls, lw) in curves:
            ax.plot(c["seconds"], c["mb_per_s"], color=col, ls=ls, lw=lw,
                    label=f"{s.label} (run {run['run']}: {run['wall_seconds']:.2f} s)")
            if window is not None:
                ax.axvline(run["wall_seconds"], color=col, ls=ls, lw=0.8, alpha=0.7)
        if link:
            ax.axhline(link / 1e6, color="#c0392b", lw=1)
            ax.axhline(link * PAYLOAD_FRACTION / 1e6, color="#c0392b", lw=0.8, ls=":")
            ax.set_ylim(0, link / 1e6 * 1.15)
        ax.grid(alpha=0.3)
        if window is None:
            ax.set_xlim(0, xmax * 1.02)
            ax.set_xlabel("seconds since the process started")
            ax.set_ylabel("MB/s received (interface)")
            if link:
                ax.text(0.1, link / 1e6, "link 300 MB/s (payload ceiling dotted)", color="#c0392b",
                        fontsize=8, va="bottom")
            ax.legend(fontsize=8, loc="lower center", ncol=2)
            ax.set_title(f"{profile}: bytes arriving at the client every 100 ms (like bmon), median "
                         f"run of each tool", fontsize=10)
        else:
            ax.set_xlim(window[0], window[1])
            ax.set_title(f"zoom: {window[2]} (vertical lines: process exit)", fontsize=9)
            ax.set_xlabel("seconds since the process started")
            ax.set_ylabel("MB/s")

    c = read_csv(ztrace)
    ax2.plot(c["seconds"], c["mb_per_s"], color=ZF_COLOR, lw=1.4, label="MB/s (zarrfetch's count)")
    ax2.set_ylabel("MB/s")
    ax2.set_xlabel("seconds since the fetch started (JVM start-up excluded)")
    ax2.set_xlim(0, max(c["seconds"]) * 1.02)
    ax2.set_ylim(0, max(link / 1e6 * 1.15, max(c["mb_per_s"]) * 1.08))
    ax2.grid(alpha=0.3)
    ax3 = ax2.twinx()
    ax3.step(c["seconds"], c["requests_in_flight"], where="post", color="#e67e22", lw=1.1,
             label="requests in flight")
    ax3.step(c["seconds"], c["concurrency"], where="post", color="#2ca02c", lw=1.1, ls="--",
             label="concurrency target")
    top = max(max(c["requests_in_flight"]), max(c["concurrency"]))
    ax3.set_ylim(0, max(4, math.ceil(top * 1.6)))
    ax3.set_ylabel("requests")
    h1, l1 = ax2.get_legend_handles_labels()
    h3, l3 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h3, l1 + l3, fontsize=8, loc="lower center", ncol=3)
    ax2.set_title(f"{z.label}, run {zrun['run']}: its own --trace", fontsize=10)
    fig.suptitle("Throughput over time" + subtitle, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
