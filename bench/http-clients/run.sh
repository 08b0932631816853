#!/usr/bin/env bash
# HTTP client benchmark for the zarrfetch fetch engine (see docs/decisions/0001-http-client.md).
#
# Usage: bench/http-clients/run.sh [DATA_DIR]            (default /tmp/zf-httpbench-data)
# Environment (all optional):
#   RUNS=5            timed runs per combination (interleaved round-robin, >= 3)
#   FILES=100 SIZE=28000000   data set: FILES objects of ~SIZE bytes (created if missing)
#   CONCS="1 16"      concurrencies
#   VARIANTS=...      newline-separated "client dest [key=value ...]" lines (default below)
#   CURL=1            also measure curl in the same rounds (0 to skip)
#   WARMUP=0          objects fetched (unmeasured) in each JVM before the measured phase; 0 = cold runs
#   QUIET_BUSY=0.15 QUIET_WAIT=20    before each run, wait up to QUIET_WAIT s for the machine to be
#                     quiet (< QUIET_BUSY core-seconds busy over 1 s); other_cpu_s in the results
#                     records what else ran during each run
#   OTHER_MAX=0.5 RETRIES=2   repeat a run (at most RETRIES times) when other work used more than
#                     OTHER_MAX CPU-seconds during it; the repeated run is kept, marked discarded
#   VERIFY=1          correctness pass (CRC32C of every object, every Java combination) first (0 to skip)
#   JVM_OPTS="-Xmx2g -XX:+UseG1GC"
#   OUT=DIR           where results go (default bench/http-clients/results/<timestamp>)
#   JAVA_HOME         a JDK 25 (default /usr/lib/jvm/temurin-25-jdk-amd64)
# Needs: nginx (Debian package, /usr/sbin/nginx), curl, /usr/bin/time, Maven, JDK 25.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-/tmp/zf-httpbench-data}
RUNS=${RUNS:-5}
FILES=${FILES:-100}
SIZE=${SIZE:-28000000}
CONCS=${CONCS:-"1 16"}
CURL=${CURL:-1}
VERIFY=${VERIFY:-1}
WARMUP=${WARMUP:-0}
QUIET_BUSY=${QUIET_BUSY:-0.15}
QUIET_WAIT=${QUIET_WAIT:-20}
OTHER_MAX=${OTHER_MAX:-0.5}
RETRIES=${RETRIES:-2}
JVM_OPTS=${JVM_OPTS:-"-Xmx2g -XX:+UseG1GC"}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS=${MAVEN_OPTS:-"--sun-misc-unsafe-memory-access=allow"}
JAVA=$JAVA_HOME/bin/java
NGINX=${NGINX:-/usr/sbin/nginx}
TIME=/usr/bin/time
CLK_TCK=$(getconf CLK_TCK)
# "client dest [options]": options are --opt key=value for Bench, or JVM options (-D..., -X...)
JETTY_TUNED="jetty.rbs=262144 jetty.poolmax=1048576"
DEFAULT_VARIANTS="jetty-src heap
jetty-src heap $JETTY_TUNED
jetty-src direct $JETTY_TUNED
jetty-isl heap $JETTY_TUNED
apache heap
apache direct
jdk-is heap
jdk-sub heap
jdk-sub heap -Djdk.httpclient.bufsize=262144
jdk-sub direct -Djdk.httpclient.bufsize=262144
raw-nio heap
raw-nio direct"
VARIANTS=${VARIANTS:-$DEFAULT_VARIANTS}

[ "$RUNS" -ge 1 ] || { echo "RUNS must be >= 1" >&2; exit 1; }
"$JAVA" -version 2>&1 | grep -q 'version "25' || { echo "need JDK 25 at JAVA_HOME=$JAVA_HOME" >&2; exit 1; }
for t in "$NGINX" "$TIME" curl mvn; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }; done

OUT=${OUT:-$HERE/results/$(date +%Y%m%dT%H%M%S)}
mkdir -p "$OUT/runs"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

echo "== build" >&2
mvn -q -B -f "$HERE/pom.xml" package -DskipTests >&2
CP="$HERE/target/classes:$HERE/target/lib/*"

echo "== data set ($FILES x ~$SIZE bytes) in $DATA" >&2
"$JAVA" -cp "$CP" io.zarrfetch.bench.http.DataGen "$DATA" "$FILES" "$SIZE" >&2
chmod -R a+rX "$DATA"
NAMES=$(awk -F'\t' '!/^#/ {print $1}' "$DATA/manifest.tsv")
NFILES=$(echo "$NAMES" | wc -l)
WARMUP_BYTES=$(awk -F'\t' -v k="$WARMUP" '!/^#/ && n++ < k {s += $2} END {printf "%.0f", s}' "$DATA/manifest.tsv")
TOTAL_BYTES=$(awk -F'\t' '!/^#/ {s += $2} END {printf "%.0f", s}' "$DATA/manifest.tsv")

# ---- our own nginx on loopback -----------------------------------------------------------------
NGX=$(mktemp -d /tmp/zf-httpbench-nginx.XXXXXX)
NGINX_PID=
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -d "$NGX" ]; then
    cp -f "$NGX/access.log" "$OUT/nginx-access.log" 2>/dev/null || true
    cp -f "$NGX/error.log" "$OUT/nginx-error.log" 2>/dev/null || true
    rm -rf "$NGX"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)
mkdir -p "$NGX/tmp"
cat >"$NGX/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 1024; }
http {
  log_format bench '\$http_x_bench_run \$connection \$connection_requests \$status \$body_bytes_sent \$request_uri';
  access_log $NGX/access.log bench;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  gzip off;
  types { }
  default_type application/octet-stream;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $DATA;
    location / { }
  }
}
EOF
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -t -q
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" &
NGINX_PID=$!
BASE=http://127.0.0.1:$PORT/
for _ in $(seq 100); do curl -sf -o /dev/null "${BASE}0.1.0" -r 0-0 && break; sleep 0.1; done
curl -sf -o /dev/null -r 0-0 "${BASE}0.1.0" || { echo "nginx did not come up" >&2; exit 1; }
echo "== nginx pid $NGINX_PID on $BASE (sendfile on, keepalive_requests 1000000)" >&2

# warm the page cache so every run reads from memory
cat "$DATA"/*.1.0 >/dev/null

nginx_cpu_ticks() { # user+sys ticks of the nginx workers
  local t=0 p
  for p in $(ps -o pid= --ppid "$NGINX_PID"); do
    t=$((t + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo "$t"
}

# busy and steal jiffies of the whole machine (all CPUs), from /proc/stat
sys_ticks() { awk '/^cpu / { printf "%.0f %.0f", $2 + $3 + $4 + $7 + $8, $9 }' /proc/stat; }

# The machine may be shared: before each run wait (up to QUIET_WAIT s) until, over 1 s, the machine's
# busy CPU is below QUIET_BUSY core-seconds.
wait_quiet() {
  local waited=0 a b busy
  while :; do
    read -r a _ <<<"$(sys_ticks)"; sleep 1; read -r b _ <<<"$(sys_ticks)"
    busy=$(awk -v a="$a" -v b="$b" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
    if awk -v x="$busy" -v m="$QUIET_BUSY" 'BEGIN { exit !(x < m) }'; then return 0; fi
    waited=$((waited + 1))
    if [ "$waited" -ge "$QUIET_WAIT" ]; then echo "machine still busy ($busy core-s/s), running anyway" >&2; return 0; fi
  done
}

# log_check RUN_ID -> "requests conns bytes non200"
log_check() {
  awk -v id="$1" '$1 == id { n++; c[$2] = 1; b += $5; if ($4 != 200) bad++ }
    END { k = 0; for (x in c) k++; printf "%d %d %.0f %d", n, k, b, bad + 0 }' "$NGX/access.log"
}

# run_one CLIENT DEST CONC VERIFY [opts...]: one run, repeated (up to RETRIES more times) while other
# work on the machine used more than OTHER_MAX CPU-seconds during it; repeated runs stay in the results
# marked "discarded":true and are left out of the medians.
run_one() {
  local try=0
  while :; do
    run_attempt "$@"
    if [ "$4" != 1 ] && [ "$try" -lt "$RETRIES" ] && awk -v o="$LAST_OTHER" -v m="$OTHER_MAX" 'BEGIN { exit !(o > m) }'; then
      sed -i '$ s/}$/,"discarded":true}/' "$RESULTS"
      echo "   (other work used ${LAST_OTHER} CPU-s during that run: discarded, repeating)" >&2
      try=$((try + 1))
    else
      return 0
    fi
  done
}

# run_attempt CLIENT DEST CONC VERIFY [opts...] -> appends one JSON line to $RESULTS
RUN_SEQ=0
LAST_OTHER=0
run_attempt() {
  local client=$1 dest=$2 conc=$3 verify=$4; shift 4
  RUN_SEQ=$((RUN_SEQ + 1))
  local id="run${RUN_SEQ}-${client}-${dest}-c${conc}"
  local tf="$OUT/runs/$RUN_SEQ.time" jf="$OUT/runs/$RUN_SEQ.out" ef="$OUT/runs/$RUN_SEQ.err"
  local s0 s1 json
  wait_quiet
  local m0 m1 st0 st1
  read -r m0 st0 <<<"$(sys_ticks)"
  s0=$(nginx_cpu_ticks)
  if [ "$client" = curl ]; then
    local args=() n t0 t1
    for n in $NAMES; do args+=(-o /dev/null "$BASE$n"); done
    local par=()
    [ "$conc" -gt 1 ] && par=(--parallel --parallel-max "$conc")
    t0=$(date +%s.%N)
    "$TIME" -f '%e %U %S %M' -o "$tf" curl -s -S -H "X-Bench-Run: $id" "${par[@]}" \
      -w '%{http_code} %{size_download}\n' "${args[@]}" >"$jf.curl" 2>"$ef"
    t1=$(date +%s.%N)
    local got cnt
    got=$(awk '$1 == 200 {s += $2} END {printf "%.0f", s}' "$jf.curl")
    cnt=$(awk '$1 == 200' "$jf.curl" | wc -l)
    [ "$got" = "$TOTAL_BYTES" ] && [ "$cnt" -eq "$(echo "$NAMES" | wc -l)" ] \
      || { echo "curl: got $got bytes in $cnt responses, expected $TOTAL_BYTES" >&2; exit 1; }
    json=$(awk -v t0="$t0" -v t1="$t1" -v b="$TOTAL_BYTES" -v c="$conc" -v id="$id" -v f="$(echo "$NAMES" | wc -l)" \
      'NR==1 { w = t1 - t0; cpu = $2 + $3;
        printf "{\"client\":\"curl\",\"dest\":\"-\",\"conc\":%d,\"opts\":\"{}\",\"settings\":\"%s\",\"run_id\":\"%s\",\"files\":%d,\"bytes\":%.0f,\"warmup_bytes\":0,\"wall_s\":%.4f,\"gbps\":%.4f,\"cpu_fetch_s\":%.2f,\"cpu_fetch_s_per_gb\":%.4f,\"alloc_bytes_per_gb\":null,\"gc_count\":null,\"verify\":false",
          c, (c > 1 ? "--parallel --parallel-max " c : "sequential, one connection"), id, f, b, w, b / 1e9 / w, cpu, cpu / (b / 1e9) }' "$tf")
  else
    local vflag=() o oflags=()
    [ "$verify" = 1 ] && vflag=(--verify)
    for o in "$@"; do
      case $o in
        -D*|-X*) oflags+=("$o") ;;   # JVM option for this variant (also recorded among the options)
      esac
      vflag+=(--opt "$o")
    done
    # shellcheck disable=SC2086
    if ! "$TIME" -f '%e %U %S %M' -o "$tf" "$JAVA" $JVM_OPTS "${oflags[@]}" -Dclk.tck="$CLK_TCK" -cp "$CP" \
        io.zarrfetch.bench.http.Bench --base "$BASE" --data "$DATA" --client "$client" --dest "$dest" \
        --conc "$conc" --run-id "$id" --warmup "$WARMUP" "${vflag[@]}" >"$jf" 2>"$ef"; then
      echo "run $id failed:" >&2; cat "$ef" >&2; exit 1
    fi
    json=$(tail -1 "$jf")
  fi
  s1=$(nginx_cpu_ticks)
  read -r m1 st1 <<<"$(sys_ticks)"
  sleep 0.2 # let nginx flush the last log lines
  local lc req conns lbytes bad
  lc=$(log_check "$id"); read -r req conns lbytes bad <<<"$lc"
  local tw tu ts tm
  read -r tw tu ts tm <"$tf"
  local line cpu srv other
  cpu=$(awk -v u="$tu" -v s="$ts" 'BEGIN{printf "%.2f", u + s}')
  srv=$(awk -v a="$s0" -v b="$s1" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b - a) / t}')
  # CPU used on the machine during the run by anything but this client and nginx (other work, kernel threads)
  other=$(awk -v a="$m0" -v b="$m1" -v t="$CLK_TCK" -v c="$cpu" -v s="$srv" 'BEGIN{printf "%.2f", (b - a) / t - c - s}')
  LAST_OTHER=$other
  line=$(printf '%s,"time_wall_s":%s,"time_cpu_s":%s,"time_maxrss_kb":%s,"server_cpu_s":%s,"other_cpu_s":%s,"steal_s":%s,"requests":%s,"conns":%s,"log_bytes":%s,"log_non200":%s}' \
    "${json%\}}" "$tw" "$cpu" "$tm" "$srv" "$other" \
    "$(awk -v a="$st0" -v b="$st1" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b - a) / t}')" "$req" "$conns" "$lbytes" "$bad")
  # peak RSS: VmHWM seen by the JVM itself, else /usr/bin/time's max RSS
  if [[ $line == *'"vmhwm_kb":'* ]]; then
    line=${line%\}},\"peak_rss_kb\":$(echo "$line" | sed 's/.*"vmhwm_kb":\([0-9]*\).*/\1/')\}
  else
    line=${line%\}},\"peak_rss_kb\":$tm\}
  fi
  echo "$line" >>"$RESULTS"
  local exp_req=$NFILES exp_bytes=$TOTAL_BYTES
  if [ "$client" != curl ] && [ "$WARMUP" -gt 0 ]; then exp_req=$((NFILES + WARMUP)); exp_bytes=$((TOTAL_BYTES + WARMUP_BYTES)); fi
  if [ "$req" != "$exp_req" ] || [ "$lbytes" != "$exp_bytes" ] || [ "$bad" != 0 ]; then
    echo "nginx log disagrees for $id: $lc (expected $exp_req requests, $exp_bytes bytes)" >&2
    exit 1
  fi
  printf '%s\n' "$line" | sed 's/"settings":"[^"]*",//' >&2
}

# combinations: "client dest conc opts..."
COMBOS=()
while IFS= read -r v; do
  [ -z "$v" ] && continue
  read -r c d rest <<<"$v"
  for k in $CONCS; do COMBOS+=("$c $d $k${rest:+ $rest}"); done
done <<<"$VARIANTS"
if [ "$CURL" = 1 ]; then for k in $CONCS; do COMBOS+=("curl - $k"); done; fi

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
  echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //'), curl: $(curl --version | head -1 | cut -d' ' -f1-2)"
  echo "data: $(echo "$NAMES" | wc -l) objects, $TOTAL_BYTES bytes; runs: $RUNS; warm-up objects per JVM: $WARMUP; JVM_OPTS: $JVM_OPTS"
  echo "command: $0 $* (RUNS=$RUNS FILES=$FILES SIZE=$SIZE CONCS='$CONCS' CURL=$CURL WARMUP=$WARMUP)"
} | tee "$OUT/machine.txt" >&2

echo "== correctness pass: every Java combination once with CRC32C over every object" >&2
for combo in "${COMBOS[@]}"; do
  read -r c d k rest <<<"$combo"
  [ "$c" = curl ] || [ "$VERIFY" != 1 ] && continue
  # shellcheck disable=SC2086
  run_one "$c" "$d" "$k" 1 $rest
done

echo "== timed runs: $RUNS rounds over ${#COMBOS[@]} combinations, each in a fresh JVM" >&2
n=${#COMBOS[@]}
for r in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((n - 1))); do
    combo=${COMBOS[$(((i + (r - 1) * 5) % n))]} # rotate the start each round
    read -r c d k rest <<<"$combo"
    # shellcheck disable=SC2086
    run_one "$c" "$d" "$k" 0 $rest
  done
done

"$JAVA" -cp "$CP" io.zarrfetch.bench.http.Aggregate "$RESULTS" | tee "$OUT/table.md"
echo "results: $OUT" >&2
