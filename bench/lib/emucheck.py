#!/usr/bin/python3
"""Measure (and for s3-wan, check) what a benchmark profile's server and network really give.

1. One connection, one object, three times (each a fresh curl and connection):
   first-byte time = curl's time_starttransfer (connect + request + server delay), and the
   per-connection rate = size / (time_total - time_starttransfer), i.e. the body's rate.
2. Many connections: curl --parallel --parallel-immediate --parallel-max P over C transfers
   (the manifest's objects, cycled) to /dev/null, while a thread samples the client-side
   interface's rx_bytes every 20 ms. Reported: goodput over the whole transfer (body bytes /
   wall, including start-up and tail), and the peak 1-second window of the rx counter. On a
   veth that counter is close to payload bytes (GSO packets carry one header per ~64 KB),
   whereas tbf charges every 1448-byte segment its own 66 bytes of headers; with --qdisc-netns
   and --qdisc-dev the tbf's own byte counter is read before and after, and the peak is also
   given in tbf's (wire) bytes: peak rx rate x (tbf bytes / rx bytes).

Over HTTPS (--cacert CA.pem: the run's CA, which curl must verify the server against), the
first-byte time counts from the end of the TLS handshake (time_starttransfer - time_appconnect:
the server's delay, which is what the 25 ms emulate; a reused connection pays no handshake), and
the handshake (time_appconnect - time_connect) is reported apart. And `openssl s_client`
connects once as offered (what an OpenSSL 3 client such as curl or Python gets) and once held to
TLS 1.2, verifying the certificate and host name: the protocol, cipher and key exchange
negotiated go into the record ("tls").

With --expect-*, each figure must be within --tolerance (relative) of its target, else the
exit status is 2. Prints one JSON record on stdout and a human summary on stderr.
"""
import argparse
import ipaddress
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def load_manifest(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rel, size = line.rstrip("\n").split("\t")
                out.append((rel, int(size)))
    return out


def curl_json(url, timeout, trust):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", str(timeout), *trust,
                        "-w", "%{json}", url], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"curl {url} failed with exit code {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def qdisc_sent_bytes(netns, dev):
    r = subprocess.run(["ip", "netns", "exec", netns, "tc", "-s", "qdisc", "show", "dev", dev],
                       capture_output=True, text=True, check=True)
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) > 2 and f[0] == "Sent" and f[2] == "bytes":
            return int(f[1])
    raise RuntimeError(f"no 'Sent N bytes' in tc output for {dev}: {r.stdout[:200]}")


def read_counter(path):
    with open(path) as f:
        return int(f.read())


def s_client(host, port, cafile, *extra):
    """One TLS handshake with openssl s_client, certificate and host name verified: what it
    negotiated, as {protocol, cipher, key_exchange, signature, verification}."""
    try:
        ipaddress.ip_address(host)
        check = ["-verify_ip", host]
    except ValueError:
        check = ["-verify_hostname", host, "-servername", host]
    r = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}", "-CAfile", cafile,
                        "-verify_return_error", "-brief", *check, *extra],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    keys = {"Protocol version": "protocol", "Ciphersuite": "cipher", "Server Temp Key": "key_exchange",
            "Signature type": "signature", "Verification": "verification"}
    out = {}
    for line in (r.stdout + r.stderr).splitlines():
        k, sep, v = line.partition(":")
        if sep and k.strip() in keys:
            out[keys[k.strip()]] = v.strip()
    if r.returncode != 0 or out.get("verification") != "OK":
        raise SystemExit(f"emucheck: openssl s_client to {host}:{port} {' '.join(extra)} failed "
                         f"(exit {r.returncode}): {(r.stderr or r.stdout).strip()[-300:]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--iface", default="",
                    help="client-side interface whose rx_bytes to sample (none: no wire rate)")
    ap.add_argument("--qdisc-netns", default="", help="namespace of the shaping qdisc")
    ap.add_argument("--qdisc-dev", default="", help="device of the shaping qdisc")
    ap.add_argument("--parallel", type=int, default=32)
    ap.add_argument("--transfers", type=int, default=40)
    ap.add_argument("--single-runs", type=int, default=3)
    ap.add_argument("--expect-conn-bytes-per-s", type=float, default=0)
    ap.add_argument("--expect-ttfb-ms", type=float, default=0)
    ap.add_argument("--expect-link-bytes-per-s", type=float, default=0)
    ap.add_argument("--tolerance", type=float, default=0.15)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--cacert", default="", help="https: the CA (PEM) the server's certificate is from")
    a = ap.parse_args()
    manifest = load_manifest(a.manifest)
    base = a.base_url.rstrip("/")
    tls = base.startswith("https://")
    if tls and not a.cacert:
        ap.error("an https:// --base-url needs --cacert")
    trust = ["--cacert", a.cacert] if tls else []

    # 1. single connection on the largest object
    rel, size = max(manifest, key=lambda x: x[1])
    singles = []
    for _ in range(a.single_runs):
        j = curl_json(f"{base}/{rel}", a.timeout, trust)
        if j.get("http_code") != 200 or j.get("size_download") != size:
            raise SystemExit(f"emucheck: GET {rel} gave HTTP {j.get('http_code')} and "
                             f"{j.get('size_download')} bytes, expected 200 and {size}")
        body_s = j["time_total"] - j["time_starttransfer"]
        # over TLS the first byte counts from the end of the handshake (see the docstring)
        ttfb = j["time_starttransfer"] - (j["time_appconnect"] if tls else 0.0)
        one = {"ttfb_ms": round(ttfb * 1000, 2), "total_seconds": round(j["time_total"], 4),
               "body_mb_per_s": round(size / body_s / 1e6, 2) if body_s > 0 else None}
        if tls:
            one["handshake_ms"] = round((j["time_appconnect"] - j["time_connect"]) * 1000, 2)
        singles.append(one)
    ttfb_ms = statistics.median(s["ttfb_ms"] for s in singles)
    body_rates = [s["body_mb_per_s"] for s in singles if s["body_mb_per_s"] is not None]
    conn_mbs = statistics.median(body_rates) if body_rates else float("inf")
    total_mbs = statistics.median(size / s["total_seconds"] / 1e6 for s in singles)
    handshake_ms = statistics.median(s["handshake_ms"] for s in singles) if tls else None
    negotiated = None
    if tls:
        host, _, port = base.split("://", 1)[1].split("/", 1)[0].rpartition(":")
        negotiated = {"default": s_client(host, port, a.cacert),
                      "tls1_2": s_client(host, port, a.cacert, "-tls1_2")}

    # 2. aggregate
    counter = f"/sys/class/net/{a.iface}/statistics/rx_bytes"
    objs = [manifest[i % len(manifest)] for i in range(a.transfers)]
    with tempfile.NamedTemporaryFile("w", prefix="zfb-emu-", suffix=".cfg", delete=False) as cfg:
        for r, _ in objs:
            cfg.write(f'url = "{base}/{r}"\noutput = "/dev/null"\n')
    samples = []
    stop = threading.Event()

    def sampler():
        if not a.iface:
            return
        while not stop.is_set():
            samples.append((time.monotonic(), read_counter(counter)))
            time.sleep(0.02)

    use_qdisc = bool(a.qdisc_netns and a.qdisc_dev)
    q0 = qdisc_sent_bytes(a.qdisc_netns, a.qdisc_dev) if use_qdisc else 0
    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    t0 = time.monotonic()
    try:
        r = subprocess.run(["curl", "-s", "--parallel", "--parallel-immediate",
                            "--parallel-max", str(a.parallel), "--max-time", str(a.timeout), *trust,
                            "-K", cfg.name, "-w", "%{http_code} %{size_download}\\n"],
                           capture_output=True, text=True)
    finally:
        wall = time.monotonic() - t0
        time.sleep(0.05)
        stop.set()
        th.join()
        os.unlink(cfg.name)
    q1 = qdisc_sent_bytes(a.qdisc_netns, a.qdisc_dev) if use_qdisc else 0
    got = [ln.split() for ln in r.stdout.splitlines() if ln.strip()]
    ok_transfers = sum(1 for code, n in got if code == "200")
    agg_bytes = sum(int(n) for code, n in got if code == "200")
    if r.returncode != 0 or ok_transfers != len(objs) or agg_bytes != sum(s for _, s in objs):
        raise SystemExit(f"emucheck: parallel curl failed (exit {r.returncode}, "
                         f"{ok_transfers}/{len(objs)} answered 200, {agg_bytes} bytes): "
                         f"{r.stderr.strip()[:300]}")
    # Peak rate over a 1 s window (or over the whole transfer if it was shorter than that).
    span = samples[-1][0] - samples[0][0] if len(samples) > 1 else 0.0
    window = min(1.0, span)
    peak = 0.0
    j = 0
    for i in range(len(samples)):
        while j < len(samples) and samples[j][0] - samples[i][0] < window:
            j += 1
        if j >= len(samples):
            break
        dt = samples[j][0] - samples[i][0]
        if dt > 0:
            peak = max(peak, (samples[j][1] - samples[i][1]) / dt)
    goodput = agg_bytes / wall
    rx_total = samples[-1][1] - samples[0][1] if len(samples) > 1 else 0
    wire_factor = (q1 - q0) / rx_total if use_qdisc and rx_total > 0 else None
    peak_wire = peak * wire_factor if wire_factor else None

    rec = {
        "type": "emulation",
        "profile": a.profile,
        "single": {"object": rel, "bytes": size, "runs": singles,
                   "ttfb_ms": ttfb_ms, "body_mb_per_s": conn_mbs,
                   "total_mb_per_s": round(total_mbs, 2)},
        "aggregate": {"parallel": a.parallel, "transfers": len(objs), "bytes": agg_bytes,
                      "wall_seconds": round(wall, 3),
                      "goodput_mb_per_s": round(goodput / 1e6, 1),
                      "peak_rx_mb_per_s": round(peak / 1e6, 1) if peak else None,
                      "peak_window_seconds": round(window, 3),
                      "qdisc_bytes_per_rx_byte": round(wire_factor, 4) if wire_factor else None,
                      "peak_wire_mb_per_s": round(peak_wire / 1e6, 1) if peak_wire else None,
                      "iface": a.iface},
        "checks": [],
    }
    if tls:
        rec["single"]["handshake_ms"] = handshake_ms
        rec["single"]["ttfb_from"] = "end of the TLS handshake"
        rec["tls"] = negotiated
    tol = a.tolerance

    def check(name, value, target, unit):
        ok = value is not None and abs(value / target - 1) <= tol
        rec["checks"].append({"name": name, "value": value, "target": target, "unit": unit,
                              "tolerance": tol, "ok": ok})

    if a.expect_conn_bytes_per_s:
        check("single-connection body rate", conn_mbs, a.expect_conn_bytes_per_s / 1e6, "MB/s")
    if a.expect_ttfb_ms:
        check("first-byte time", ttfb_ms, a.expect_ttfb_ms, "ms")
    if a.expect_link_bytes_per_s:
        if not use_qdisc:
            raise SystemExit("emucheck: --expect-link-bytes-per-s needs --qdisc-netns and --qdisc-dev")
        check(f"link rate in tbf (wire) bytes, {a.parallel} connections, peak {window:.2g} s",
              rec["aggregate"]["peak_wire_mb_per_s"], a.expect_link_bytes_per_s / 1e6, "MB/s")
    rec["ok"] = all(c["ok"] for c in rec["checks"])

    p = sys.stderr
    print(f"emulation [{a.profile}]: one connection, {size / 1e6:.1f} MB object: first byte "
          f"{ttfb_ms:.1f} ms" + (f" after a {handshake_ms:.1f} ms TLS handshake" if tls else "")
          + f", body {conn_mbs:.1f} MB/s ({total_mbs:.1f} MB/s with first byte)", file=p)
    if tls:
        for k, what in (("default", "as offered"), ("tls1_2", "held to TLS 1.2")):
            n = negotiated[k]
            print(f"emulation [{a.profile}]: openssl s_client, {what}: {n.get('protocol')} "
                  f"{n.get('cipher')}, key exchange {n.get('key_exchange')}, certificate and host "
                  f"name verified", file=p)
    line = (f"emulation [{a.profile}]: {a.parallel} connections, {len(objs)} transfers, "
            f"{agg_bytes / 1e6:.0f} MB in {wall:.2f} s: goodput {goodput / 1e6:.1f} MB/s")
    if a.iface:
        line += f"; peak {window:.2g} s rate on {a.iface} {peak / 1e6:.1f} MB/s"
    if peak_wire:
        line += f" = {peak_wire / 1e6:.1f} MB/s in tbf (wire) bytes"
    print(line, file=p)
    for c in rec["checks"]:
        print(f"emulation [{a.profile}]: {'ok  ' if c['ok'] else 'OFF '} {c['name']}: "
              f"{c['value']} {c['unit']} (target {c['target']:g} +/- {tol:.0%})", file=p)
    print(json.dumps(rec))
    return 0 if rec["ok"] else 2


if __name__ == "__main__":
    sys.exit(main())
