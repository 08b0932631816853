#!/usr/bin/python3
"""Run one benchmark tool once, measure it, check what it fetched, print one JSON record.

    measure.py --tool NAME --profile P --run R --manifest TSV --verify files|json
               [--out-dir DIR] [--link-bytes-per-s B] [--timeout S] [--cwd DIR]
               --stdout FILE --stderr FILE -- COMMAND...

Figures come from the kernel, not from the tool: wall time around fork..reap, and the
rusage that wait4() returns for the tool's process, which covers its whole tree of waited-for
descendants (user + sys CPU seconds, and ru_maxrss: the peak RSS of the largest process).

Verification:
  files -- every object of the manifest is under --out-dir (matched by file name), with its
           exact size, and nothing else is there;
  json  -- the last line of the tool's stdout is a JSON object whose objects and bytes equal
           the manifest's, and whose failed (if present; required with --require-failed) is 0.
A run is ok only if the tool exited 0, did not time out and passed verification.

Throughput over time (--iface-trace FILE --iface NAME): while the tool runs, a thread reads the
interface's rx_bytes every --trace-interval seconds (default 0.1) and writes a CSV
(seconds since the tool was started, rx_bytes since then, MB/s over the interval), the way bmon
watches a link. It works for any tool, whatever it does with the bytes; on the s3-wan veth the
counter is close to payload bytes. --tool-trace FILE only records (in the JSON) a trace that the
tool itself writes (zarrfetch bench --trace).

What the server saw (--server-log FILE, the TLS profiles' nginx access log, one line per request:
"$ssl_protocol $ssl_cipher $ssl_session_reused $pid $connection $request_method $status
$body_bytes_sent"): the lines the run added are summed up as the record's "tls": requests (HEADs
apart), connections, how many resumed a TLS session, and the connections per protocol and cipher
negotiated. nginx writes a line when a response is complete; the tool has those bytes only after,
so the lines are there once the tool has exited (it waits, bounded, for the bytes to add up).

Context, so a disturbed run can be recognised: before starting, it waits (up to --quiet-wait
seconds) until the machine has been quiet for one second (fewer than --quiet-busy cores busy,
from /proc/stat); during the run it counts the CPU time of the server's processes
(--server-pids, from /proc/PID/stat) and of the whole machine, and reports
other_cpu_seconds = machine busy time - tool - server (kernel softirq work not charged to the
tool, and anything else that ran).
"""
import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time


CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds():
    """(busy, steal): CPU seconds since boot, all cores, that the machine spent working (not
    idle, iowait or stolen), and that the hypervisor gave to someone else (steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = v[:8]
    return (user + nice + system + irq + softirq) / CLK_TCK, steal / CLK_TCK


def machine_busy_seconds():
    return machine_cpu_seconds()[0]


def pids_cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
        except (OSError, IndexError, ValueError):
            pass  # a process that is gone counts no more
    return total


def wait_for_quiet(max_busy_cores, max_wait):
    """Waits until one second passes with fewer than max_busy_cores busy, at most max_wait s.
    Returns (seconds waited, busy cores in the last second)."""
    t0 = time.monotonic()
    while True:
        b0, s0 = machine_busy_seconds(), time.monotonic()
        time.sleep(1.0)
        busy = (machine_busy_seconds() - b0) / (time.monotonic() - s0)
        if busy < max_busy_cores or time.monotonic() - t0 >= max_wait:
            return time.monotonic() - t0, busy


def load_manifest(path):
    objects = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rel, size = line.rstrip("\n").split("\t")
                objects.append((rel, int(size)))
    return objects


def verify_files(out_dir, manifest):
    errors = []
    found = {}
    for root, _dirs, files in os.walk(out_dir):
        for name in files:
            p = os.path.join(root, name)
            if name in found:
                errors.append(f"duplicate file name {name}")
            found[name] = os.path.getsize(p)
    objects = nbytes = 0
    for rel, size in manifest:
        name = os.path.basename(rel)
        got = found.pop(name, None)
        if got is None:
            errors.append(f"missing {name}")
        elif got != size:
            errors.append(f"{name}: {got} bytes, expected {size}")
        else:
            objects += 1
            nbytes += got
    for name in sorted(found)[:5]:
        errors.append(f"unexpected file {name}")
    return objects, nbytes, errors, None


def last_json_line(stdout_path):
    """The JSON object on the last non-empty line of stdout, or None (for information only)."""
    try:
        with open(stdout_path, "rb") as f:
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        doc = json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def verify_json(stdout_path, manifest, require_failed):
    want_objects = len(manifest)
    want_bytes = sum(s for _, s in manifest)
    try:
        with open(stdout_path, "rb") as f:
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    except OSError as e:
        return 0, 0, [f"cannot read stdout: {e}"], None
    if not lines:
        return 0, 0, ["no output: expected a JSON object as the last line of stdout"], None
    try:
        doc = json.loads(lines[-1])
        if not isinstance(doc, dict):
            raise ValueError("not an object")
    except ValueError as e:
        return 0, 0, [f"last stdout line is not a JSON object ({e}): {lines[-1][:200]}"], None
    errors = []
    objects, nbytes = doc.get("objects"), doc.get("bytes")
    if objects != want_objects:
        errors.append(f"objects={objects}, expected {want_objects}")
    if nbytes != want_bytes:
        errors.append(f"bytes={nbytes}, expected {want_bytes}")
    if "failed" in doc:
        if doc["failed"] != 0:
            errors.append(f"failed={doc['failed']}")
    elif require_failed:
        errors.append("JSON has no 'failed' field")
    return (objects if isinstance(objects, int) else 0,
            nbytes if isinstance(nbytes, int) else 0, errors, doc)


class IfaceSampler:
    """Samples /sys/class/net/IFACE/statistics/rx_bytes every interval seconds into a CSV."""

    def __init__(self, iface, path, interval):
        self.counter = f"/sys/class/net/{iface}/statistics/rx_bytes"
        self.path = path
        self.interval = interval
        self.stop = threading.Event()
        self.rows = []
        read_counter(self.counter)  # fail early if the interface does not exist
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self, t0):
        self.t0 = t0
        self.base = read_counter(self.counter)
        self.rows.append((0.0, 0, 0.0))
        self.thread.start()

    def run(self):
        last_t, last_b = self.t0, self.base
        nxt = self.t0
        while not self.stop.is_set():
            nxt += self.interval
            self.stop.wait(max(0.0, nxt - time.monotonic()))
            t, b = time.monotonic(), read_counter(self.counter)
            rate = (b - last_b) / (t - last_t) / 1e6 if t > last_t else 0.0
            self.rows.append((t - self.t0, b - self.base, rate))
            last_t, last_b = t, b

    def finish(self):
        self.stop.set()
        self.thread.join()
        with open(self.path, "w") as f:
            f.write("seconds,rx_bytes,mb_per_s\n")
            for t, b, r in self.rows:
                f.write(f"{t:.3f},{b},{r:.1f}\n")


def read_counter(path):
    with open(path) as f:
        return int(f.read())


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def server_log_summary(path, offset, want_bytes, max_wait=2.0):
    """The --server-log lines written since offset, summed up (see the module's docstring).
    Waits up to max_wait s, re-reading, while the logged body bytes are fewer than want_bytes: a
    failed run may never get there, a good one always does."""
    deadline = time.monotonic() + max_wait
    while True:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read().decode("utf-8", "replace")
        lines = data.split("\n")[:-1]  # a line without its newline is still being written
        requests = heads = body = 0
        conns = {}
        for ln in lines:
            fields = ln.split()
            if len(fields) != 8:
                continue
            proto, cipher, reused, pid, conn, method, _status, sent = fields
            requests += 1
            heads += method == "HEAD"
            body += int(sent) if sent.isdigit() else 0
            conns[(pid, conn)] = (proto, cipher, reused == "r")
        if body >= want_bytes or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    negotiated = {}
    for proto, cipher, _ in conns.values():
        k = f"{proto} {cipher}"
        negotiated[k] = negotiated.get(k, 0) + 1
    return {"requests": requests, "head_requests": heads, "connections": len(conns),
            "resumed_connections": sum(1 for *_, r in conns.values() if r),
            "negotiated": negotiated, "body_bytes_sent": body}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--run", type=int, required=True)
    ap.add_argument("--order", type=int, default=0, help="position of the tool within its run")
    ap.add_argument("--concurrency", type=int, default=0)
    ap.add_argument("--data-goes-to", default="")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--verify", choices=["files", "json"], required=True)
    ap.add_argument("--require-failed", action="store_true")
    ap.add_argument("--out-dir")
    ap.add_argument("--link-bytes-per-s", type=float, default=0.0)
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--cwd")
    ap.add_argument("--stderr-bad", default="",
                    help="a run whose stderr contains this string is not ok")
    ap.add_argument("--server-pids", default="", help="comma-separated pids of the server")
    ap.add_argument("--quiet-busy", type=float, default=0.15)
    ap.add_argument("--quiet-wait", type=float, default=20.0)
    ap.add_argument("--iface", default="", help="interface whose rx_bytes --iface-trace samples")
    ap.add_argument("--iface-trace", default="", help="CSV of the interface's rx rate over time")
    ap.add_argument("--trace-interval", type=float, default=0.1)
    ap.add_argument("--tool-trace", default="", help="a trace the tool writes itself (recorded)")
    ap.add_argument("--server-log", default="",
                    help="the TLS profiles' nginx access log: what each run negotiated")
    ap.add_argument("--stdout", required=True)
    ap.add_argument("--stderr", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given")
    if a.verify == "files" and not a.out_dir:
        ap.error("--verify files needs --out-dir")
    if a.iface_trace and not a.iface:
        ap.error("--iface-trace needs --iface")
    manifest = load_manifest(a.manifest)

    state = {"pgid": None, "timed_out": False}

    def kill_tree(sig):
        if state["pgid"] is not None:
            try:
                os.killpg(state["pgid"], sig)
            except ProcessLookupError:
                pass

    def on_signal(signum, _frame):
        kill_tree(signal.SIGKILL)
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def on_timeout():
        state["timed_out"] = True
        pid = state["pgid"]
        # A JVM that hangs prints its threads' stacks on SIGQUIT, to its stdout (the run's .out
        # log): the evidence of what it waited for, before it is ended.
        try:
            if pid is not None and os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "java":
                os.kill(pid, signal.SIGQUIT)
                time.sleep(2)
        except OSError:
            pass
        kill_tree(signal.SIGTERM)
        time.sleep(5)
        kill_tree(signal.SIGKILL)

    server_pids = [int(p) for p in a.server_pids.split(",") if p.strip()]
    sampler = IfaceSampler(a.iface, a.iface_trace, a.trace_interval) if a.iface_trace else None
    waited, busy_before = wait_for_quiet(a.quiet_busy, a.quiet_wait)
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    log_offset = file_size(a.server_log) if a.server_log else 0
    with open(a.stdout, "wb") as out, open(a.stderr, "wb") as err:
        srv0, (mach0, steal0) = pids_cpu_seconds(server_pids), machine_cpu_seconds()
        t0 = time.monotonic()
        if sampler:
            sampler.start(t0)
        # Own session and process group, so a timeout or Ctrl-C can end the whole tool tree.
        proc = subprocess.Popen(cmd, cwd=a.cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        state["pgid"] = proc.pid
        timer = threading.Timer(a.timeout, on_timeout)
        timer.daemon = True
        timer.start()
        _pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        srv1, (mach1, steal1) = pids_cpu_seconds(server_pids), machine_cpu_seconds()
        if sampler:
            sampler.finish()
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
    # Anything the tool left running in its group (it should not) goes now.
    kill_tree(signal.SIGKILL)

    if a.verify == "files":
        objects, nbytes, errors, doc = verify_files(a.out_dir, manifest)
        doc = last_json_line(a.stdout)  # a file-writing tool's own report, if it prints one
    else:
        objects, nbytes, errors, doc = verify_json(a.stdout, manifest, a.require_failed)
    if a.stderr_bad:
        with open(a.stderr, "rb") as f:
            if a.stderr_bad.encode() in f.read():
                errors.insert(0, f"stderr contains '{a.stderr_bad}'")
    if proc.returncode != 0:
        errors.insert(0, f"exit code {proc.returncode}")
    if state["timed_out"]:
        errors.insert(0, f"timed out after {a.timeout:.0f} s")

    want_bytes = sum(s for _, s in manifest)
    cpu = ru.ru_utime + ru.ru_stime
    rec = {
        "type": "run",
        "profile": a.profile,
        "tool": a.tool,
        "run": a.run,
        "order": a.order,
        "concurrency": a.concurrency,
        "data_goes_to": a.data_goes_to,
        "started_at": started_at,
        "command": cmd,
        "exit_code": proc.returncode,
        "timed_out": state["timed_out"],
        "ok": not errors,
        "errors": errors[:10],
        "objects_expected": len(manifest),
        "bytes_expected": want_bytes,
        "objects": objects,
        "bytes": nbytes,
        "wall_seconds": round(wall, 4),
        "user_seconds": round(ru.ru_utime, 4),
        "sys_seconds": round(ru.ru_stime, 4),
        "cpu_seconds": round(cpu, 4),
        "max_rss_bytes": ru.ru_maxrss * 1024,
        "server_cpu_seconds": round(srv1 - srv0, 3),
        "other_cpu_seconds": round((mach1 - mach0) - cpu - (srv1 - srv0), 3),
        "steal_seconds": round(steal1 - steal0, 3),
        "waited_for_quiet_seconds": round(waited, 1),
        "busy_cores_before": round(busy_before, 2),
        "mb_per_s": round(want_bytes / wall / 1e6, 2),
        "cpu_s_per_gb": round(cpu / (want_bytes / 1e9), 4),
    }
    if a.link_bytes_per_s > 0:
        limit = want_bytes / a.link_bytes_per_s
        rec["physical_limit_seconds"] = round(limit, 4)
        rec["link_ratio"] = round(limit / wall, 4)
    if sampler:
        rec["iface_trace"] = os.path.abspath(a.iface_trace)
        rec["iface"] = a.iface
    if a.tool_trace:
        rec["tool_trace"] = os.path.abspath(a.tool_trace)
    if a.server_log:
        rec["tls"] = server_log_summary(a.server_log, log_offset, want_bytes)
    if doc is not None:
        rec["tool_json"] = doc
        if isinstance(doc.get("allocated_bytes"), (int, float)) and want_bytes:
            rec["allocated_bytes_per_gb"] = round(doc["allocated_bytes"] / (want_bytes / 1e9))
    print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
