#!/usr/bin/env bash
# JMH benchmark of zarrfetch's codecs (see docs/decisions/0003-codecs.md and README.md here).
#
# Usage: bench/jmh/run.sh [SUITE]
#   SUITE  blosc (default): BloscDecodeBench under C2 (the JVM's default JIT) and under C1 only
#                           (-XX:TieredStopAtLevel=1, as ./zarrfetch runs), with -prof gc
#          libraries:       Lz4LibraryBench, ZstdLibraryBench, UnshuffleBench, under C2 and C1
#          all:             both
# Environment (optional): JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), JMH_ARGS (extra JMH options,
#   e.g. "-f 1 -wi 2 -i 3" for a quick look), OUT (results directory, default bench/jmh/results/<time>),
#   SKIP_BUILD=1 (use what is built).
# Every measurement takes /tmp/zfbench-state/lock (shared with bench/run) and waits for a quiet machine first.
# Needs: JDK 25, Maven, Debian's libblosc1 (installed with apt-get if missing: c-blosc for the FFM baseline).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SUITE=${1:-blosc}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
OUT=${OUT:-$HERE/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" /tmp/zfbench-state

if ! ldconfig -p | grep -q 'libblosc.so.1 '; then
  echo "run.sh: installing libblosc1 (c-blosc, the FFM baseline)" >&2
  apt-get install -y -q libblosc1 >/dev/null
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "run.sh: building zarrfetch and the benchmark" >&2
  # one reactor build: this project is a module of the root pom (its bench profile), built against the
  # zarrfetch-core and -testkit of the same build, so nothing is installed into ~/.m2
  (cd "$ROOT" && mvn -B -q package -DskipTests -Dzarrfetch.fuzz.skip -pl bench/jmh -am)
fi

quiet() { # wait up to 60 s for the 1-minute load average to fall under 0.5
  for _ in $(seq 60); do
    awk '{exit !($1 < 0.5)}' /proc/loadavg && return 0
    sleep 1
  done
  echo "run.sh: the machine is still busy (load $(cut -d' ' -f1-3 /proc/loadavg)); measuring anyway" >&2
}

export -f quiet
jmh() { # name, JMH arguments...
  local name=$1
  shift
  echo "== $name: java -cp 'target/classes:target/lib/*' org.openjdk.jmh.Main $* ${JMH_ARGS:-}" | tee -a "$OUT/commands.txt"
  # shellcheck disable=SC2016,SC2086
  flock /tmp/zfbench-state/lock bash -c '
    quiet
    echo "uptime before: $(uptime)"
    cd "$0" && java -cp "target/classes:target/lib/*" org.openjdk.jmh.Main "$@"
    echo "uptime after: $(uptime)"' "$HERE" "$@" ${JMH_ARGS:-} -rf json -rff "$OUT/$name.json" 2>&1 \
    | grep -v -E '^WARNING: (A restricted|java.lang.System::load|Use --enable-native|Restricted methods)' \
    | tee "$OUT/$name.txt"
}

C1="-XX:TieredStopAtLevel=1"
if [[ "$SUITE" == blosc || "$SUITE" == all ]]; then
  jmh blosc-c2 BloscDecodeBench -prof gc
  jmh blosc-c1 BloscDecodeBench -prof gc -jvmArgsAppend "$C1"
fi
if [[ "$SUITE" == libraries || "$SUITE" == all ]]; then
  jmh libraries-c2 'Lz4LibraryBench|ZstdLibraryBench|UnshuffleBench'
  jmh libraries-c1 'Lz4LibraryBench|ZstdLibraryBench|UnshuffleBench' -jvmArgsAppend "$C1"
fi

{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
  /usr/bin/python3 "$HERE/summarize.py" "$OUT"/*.json
} | tee "$OUT/summary.md"
echo "run.sh: results in $OUT" >&2
