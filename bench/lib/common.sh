# shellcheck shell=bash
# Shared helpers for bench/run: logging, dependency checks, background waits.
# Sourced by bench/run; expects `set -euo pipefail` from the caller.

log()  { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
warn() { printf '[bench %(%H:%M:%S)T] WARNING: %s\n' -1 "$*" >&2; }
die()  { printf '[bench %(%H:%M:%S)T] ERROR: %s\n' -1 "$*" >&2; exit 1; }

# The interpreter every Python helper runs with: Debian's, which has python3-aiohttp and
# python3-numpy (a pyenv python3 earlier on PATH has neither).
PY=/usr/bin/python3

# apt_install PACKAGE... -- installs Debian packages (root only). With ZF_BENCH_NO_INSTALL=1 it
# only reports what is missing and fails.
apt_install() {
  local pkgs
  mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
  if [[ ${ZF_BENCH_NO_INSTALL:-0} == 1 ]]; then
    die "missing Debian packages: ${pkgs[*]} (install them, or drop --no-install)"
  fi
  ((EUID == 0)) || die "missing Debian packages: ${pkgs[*]}; run as root or install them first"
  log "installing missing Debian packages: ${pkgs[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2; then
    log "apt-get install failed; running apt-get update once and retrying"
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2 \
      || die "apt-get install ${pkgs[*]} failed"
  fi
}

# need_packages CMD:PACKAGE... -- installs the Debian packages whose command (or file, when CMD
# starts with /) is missing.
need_packages() {
  local spec cmd missing=()
  for spec in "$@"; do
    cmd=${spec%%:*}
    if [[ $cmd == /* ]]; then
      [[ -e $cmd ]] && continue
    else
      command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    missing+=("${spec#*:}")
  done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  for spec in "$@"; do
    cmd=${spec%%:*}
    if [[ $cmd == /* ]]; then
      [[ -e $cmd ]] || die "$cmd still missing after installing ${spec#*:}"
    else
      command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installing ${spec#*:}"
    fi
  done
}

# need_python_module MODULE PACKAGE -- the same for a module of /usr/bin/python3.
need_python_module() {
  local mod=$1 pkg=$2
  [[ -x $PY ]] || apt_install python3
  "$PY" -c "import $mod" >/dev/null 2>&1 && return 0
  apt_install "$pkg"
  "$PY" -c "import $mod" >/dev/null 2>&1 || die "$PY cannot import $mod even after installing $pkg"
}

# free_tcp_port -- prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_tcp_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS [CURL_OPTION...] -- waits until URL answers (any HTTP status), bounded;
# on failure prints curl's last error (e.g. a certificate it did not trust).
wait_http() {
  local url=$1 secs=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    if curl -s -o /dev/null --max-time 2 "$@" "$url"; then return 0; fi
    sleep 0.1
  done
  curl -sS -o /dev/null --max-time 2 "$@" "$url" || true
  return 1
}

# human_bytes N -- "2.80 GB" (decimal units, as all figures in this harness).
human_bytes() {
  awk -v b="$1" 'BEGIN { if (b >= 1e9) printf "%.2f GB", b/1e9; else printf "%.1f MB", b/1e6 }'
}
