# shellcheck shell=bash
# Servers and network emulation for bench/run: our own nginx instances (never the system
# service), the s3-wan network namespace with its veth pair and tbf qdisc, and their teardown.
# Everything this file creates is named with the prefix "zfb-" (namespaces, links) or lives
# under $STATE_DIR (nginx prefixes, pid files), so a later run can find and remove leftovers.

# --- names and addresses (the /24 can be moved with ZF_BENCH_NET=10.x.y) -------------------
NS_NAME=zfb-srv        # server namespace
VETH_HOST=zfb-h        # veth end in the root namespace (client side)
VETH_SRV=zfb-s         # veth end inside $NS_NAME (server side; its egress is shaped)
NET24=${ZF_BENCH_NET:-10.77.0}
HOST_IP=$NET24.1
SRV_IP=$NET24.2
SRV_PORT=8080

# --- the s3-wan emulation ---------------------------------------------------------------------
LINK_MBIT=${ZF_BENCH_LINK_MBIT:-2400}          # tbf rate: the VM's link, 2.4 Gbit/s = 300 MB/s
CONN_BYTES_PER_S=${ZF_BENCH_CONN_BPS:-50000000} # nginx limit_rate: S3's ~50 MB/s per connection
TTFB_MS=${ZF_BENCH_TTFB_MS:-25}                # lua ngx.sleep before the response: first byte
# Stragglers on s3-wan: this share of responses (0.02 = 2%) waits STRAGGLER_S seconds more for its
# first byte, drawn per request from each nginx worker's seeded Lua random stream (0: none).
STRAGGLERS=${ZF_BENCH_STRAGGLERS:-0}
STRAGGLER_S=${ZF_BENCH_STRAGGLER_S:-5}
TBF_BURST=1mb                                  # 1 MiB = 3.5 ms at 300 MB/s
TBF_LATENCY=20ms                               # queue bound: ~6 MB of backlog, then drops

NGINX_LUA_MODULE=/usr/lib/nginx/modules/ngx_http_lua_module.so
NGINX_NDK_MODULE=/usr/lib/nginx/modules/ndk_http_module.so

declare -A NGINX_PID=()   # profile -> nginx master pid (our child)
NETNS_UP=0

# stale_cleanup -- removes what an earlier, crashed run of this harness left behind: our nginx
# masters (by pid file under $STATE_DIR, checked against their command line), every network
# namespace named zfb-* with the processes in it, the zfb-h veth and the TLS certificates.
stale_cleanup() {
  local pid ns pids ours=()
  # Our nginx processes, masters and workers alike, hold their error log under $STATE_DIR open;
  # the system nginx (or anyone else's) does not, so it is never touched.
  for pid in $(pgrep -x nginx 2>/dev/null || true); do
    if find "/proc/$pid/fd" -maxdepth 1 -lname "$STATE_DIR/nginx-*" 2>/dev/null | grep -q .; then
      ours+=("$pid")
    fi
  done
  if ((${#ours[@]})); then
    warn "stopping stale benchmark nginx processes from an earlier run: ${ours[*]}"
    kill -TERM "${ours[@]}" 2>/dev/null || true
    sleep 0.5
    kill -KILL "${ours[@]}" 2>/dev/null || true
  fi
  rm -f "$STATE_DIR"/nginx-*/nginx.pid
  rm -rf "$STATE_DIR/tls"   # a crashed run's certificates (lib/tls.sh)
  # A measurement left running by a crashed run: TERM makes measure.py end its tool's group.
  for pid in $(pgrep -f "^$PY $BENCH_DIR/lib/(measure|emucheck)\.py " 2>/dev/null || true); do
    warn "stopping a measurement left running by an earlier run (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  done
  while read -r ns _; do
    [[ $ns == zfb-* ]] || continue
    warn "removing stale network namespace $ns from an earlier run"
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n $pids ]]; then
      # shellcheck disable=SC2086 # word splitting of the pid list is intended
      kill -TERM $pids 2>/dev/null || true
      sleep 0.5
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$ns" 2>/dev/null || warn "could not delete namespace $ns"
  done < <(ip netns list 2>/dev/null || true)
  if ip link show "$VETH_HOST" >/dev/null 2>&1; then
    warn "removing stale link $VETH_HOST"
    ip link delete "$VETH_HOST" 2>/dev/null || true
  fi
}

# netns_up -- zfb-srv namespace, veth pair $HOST_IP <-> $SRV_IP, tbf on the server's egress.
netns_up() {
  ((EUID == 0)) || die "the s3-wan profile needs root (network namespace, veth, tc)"
  if ip -o -4 addr show | grep -qF " $NET24."; then
    die "an interface already has an address in $NET24.0/24; set ZF_BENCH_NET to a free /24"
  fi
  if [[ -n $(ip -4 route show "$NET24.0/24") ]]; then
    die "a route for $NET24.0/24 already exists; set ZF_BENCH_NET to a free /24"
  fi
  log "s3-wan: namespace $NS_NAME, veth $VETH_HOST($HOST_IP) <-> $VETH_SRV($SRV_IP)"
  NETNS_UP=1   # from here on cleanup must run, even if a step below fails
  ip netns add "$NS_NAME"
  ip link add "$VETH_HOST" type veth peer name "$VETH_SRV"
  ip link set "$VETH_SRV" netns "$NS_NAME"
  ip addr add "$HOST_IP/24" dev "$VETH_HOST"
  ip link set "$VETH_HOST" up
  ip -n "$NS_NAME" addr add "$SRV_IP/24" dev "$VETH_SRV"
  ip -n "$NS_NAME" link set lo up
  ip -n "$NS_NAME" link set "$VETH_SRV" up
  ip netns exec "$NS_NAME" tc qdisc add dev "$VETH_SRV" root handle 1: \
    tbf rate "${LINK_MBIT}mbit" burst "$TBF_BURST" latency "$TBF_LATENCY"
  local route
  route=$(ip -4 route get "$SRV_IP")
  [[ $route == *"dev $VETH_HOST"* ]] || die "traffic to $SRV_IP would not go through $VETH_HOST: $route"
  log "s3-wan: $(ip netns exec "$NS_NAME" tc qdisc show dev "$VETH_SRV" | head -1)"
}

# qdisc_stats -- one line of tbf counters (sent, dropped, overlimits) for the report.
qdisc_stats() {
  ip netns exec "$NS_NAME" tc -s qdisc show dev "$VETH_SRV" 2>/dev/null \
    | awk '/^ Sent/ { gsub(/[(),]/, ""); print "sent_bytes=" $2, "packets=" $4, "dropped=" $7, "overlimits=" $9; exit }'
}

netns_down() {
  ((NETNS_UP)) || return 0
  local pids
  pids=$(ip netns pids "$NS_NAME" 2>/dev/null || true)
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
  ip netns delete "$NS_NAME" 2>/dev/null || true
  ip link delete "$VETH_HOST" 2>/dev/null || true
  NETNS_UP=0
}

# nginx_write_conf PROFILE LISTEN PREFIX DATA_DIR -- writes $PREFIX/nginx.conf. The -tls profiles
# are their base profile with TLS on (lib/tls.sh).
nginx_write_conf() {
  local profile=$1 listen=$2 prefix=$3 data=$4 modules="" user_line="" emulation="" nopush=on http_extra=
  local ssl_listen="" ssl_server="" ssl_http=""
  mkdir -p "$prefix/logs" "$prefix/tmp"
  if is_tls_profile "$profile"; then
    : >"$prefix/logs/tls.log"   # this run's lines only
    ssl_listen=" ssl"
    ssl_server=$(tls_nginx_server "$prefix")
    ssl_http=$(tls_nginx_http)
  fi
  if [[ $(base_profile "$profile") == s3-wan ]]; then
    # tcp_nopush (TCP_CORK) together with limit_rate delayed the first byte of some responses
    # by 50-85 ms (max 82-109 ms over 30 requests, vs 26 ms without it), so s3-wan leaves it off.
    nopush=off
    modules="load_module $NGINX_NDK_MODULE;
load_module $NGINX_LUA_MODULE;"
    local sleep_s
    sleep_s=$(awk -v ms="$TTFB_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
    # limit_rate paces each response: after every write nginx waits bytes_written/rate, so a
    # connection averages the rate from its first byte (limit_rate_after 0: no free burst).
    # Each write is at most sendfile_max_chunk (default 2m: 2 MB bursts 40 ms apart, and the
    # last chunk's wait never delays the client, so 28 MB objects came in at ~52 MB/s);
    # 256k makes the bursts 5 ms apart and the overshoot ~1%.
    # The lua sleep in the access phase delays the response head, i.e. the first byte.
    emulation="limit_rate $CONN_BYTES_PER_S;
      limit_rate_after 0;
      sendfile_max_chunk 256k;
      access_by_lua_block { ngx.sleep($sleep_s) }"
    if [[ $STRAGGLERS != 0 ]]; then
      # A straggler is a response whose head comes STRAGGLER_S late, as S3's do now and then.
      http_extra="init_worker_by_lua_block { math.randomseed(20261125 + ngx.worker.id()) }"
      emulation="limit_rate $CONN_BYTES_PER_S;
      limit_rate_after 0;
      sendfile_max_chunk 256k;
      access_by_lua_block {
        local d = $sleep_s
        if math.random() < $STRAGGLERS then d = d + $STRAGGLER_S end
        ngx.sleep(d)
      }"
    fi
  fi
  # nginx drops worker privileges to nobody when started as root; the data directory may not
  # be world-readable (e.g. under /root), so keep root: this server only serves that directory.
  ((EUID == 0)) && user_line="user root;"
  cat >"$prefix/nginx.conf" <<EOF
# generated by bench/run for profile $profile; do not edit
$modules
$user_line
worker_processes auto;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush $nopush;
  keepalive_requests 10000;
  keepalive_timeout 60s;
  types { }
  default_type application/octet-stream;
  $http_extra
  $ssl_http
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  server {
    listen $listen$ssl_listen backlog=4096;
$ssl_server
    root $data;
    location / {
      $emulation
    }
  }
}
EOF
}

# nginx_start PROFILE DATA_DIR -- starts our nginx for the profile; sets BASE_URL.
nginx_start() {
  local profile=$1 data=$2 listen pid prefix
  prefix=$STATE_DIR/nginx-$profile
  local -a exec_prefix=()
  local scheme=http port=$SRV_PORT
  if is_tls_profile "$profile"; then
    scheme=https
    port=$TLS_PORT
  fi
  case $(base_profile "$profile") in
    loopback) listen=127.0.0.1:$(free_tcp_port) ;;
    s3-wan)
      listen=$SRV_IP:$port
      exec_prefix=(ip netns exec "$NS_NAME")
      ;;
    *) die "nginx_start: unknown profile $profile" ;;
  esac
  nginx_write_conf "$profile" "$listen" "$prefix" "$data"
  "${exec_prefix[@]}" /usr/sbin/nginx -t -q -p "$prefix" -c "$prefix/nginx.conf" \
    || die "nginx rejected $prefix/nginx.conf (see above)"
  # 9>&-: nginx must not inherit bench/run's lock, or a crashed run's nginx would keep it
  "${exec_prefix[@]}" /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" \
    >>"$prefix/logs/stdout.log" 2>&1 9>&- &
  pid=$!
  NGINX_PID[$profile]=$pid
  BASE_URL=$scheme://$listen
  local -a trust=()
  [[ $scheme == https ]] && trust=(--cacert "$TLS_CA")
  if ! wait_http "$BASE_URL/" 10 "${trust[@]}"; then
    tail -n 20 "$prefix/logs/error.log" >&2 2>/dev/null || true
    die "nginx for $profile did not come up on $listen (log: $prefix/logs/error.log)"
  fi
  log "$profile: nginx pid $pid serving $data at $BASE_URL (config $prefix/nginx.conf)"
}

nginx_stop() {
  local profile=$1 pid=${NGINX_PID[$1]:-} workers i
  [[ -n $pid ]] || return 0
  workers=$(pgrep -P "$pid" 2>/dev/null || true)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true   # fast shutdown: master stops its workers
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for i in $workers; do   # workers left running only if the master was killed hard
    [[ $(cat "/proc/$i/comm" 2>/dev/null) == nginx ]] && kill -KILL "$i" 2>/dev/null
  done
  rm -f "$STATE_DIR/nginx-$profile/nginx.pid"
  unset "NGINX_PID[$profile]"
}

# nginx_pids PROFILE -- comma-separated pids of the profile's nginx master and workers
nginx_pids() {
  local pid=${NGINX_PID[$1]:-}
  [[ -n $pid ]] || return 0
  { echo "$pid"; pgrep -P "$pid" || true; } | paste -sd, -
}

servers_cleanup() {
  local p
  for p in "${!NGINX_PID[@]}"; do nginx_stop "$p"; done
  netns_down
}
