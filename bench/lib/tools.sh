# shellcheck shell=bash
# shellcheck disable=SC2034 # TOOL_* and SKIP_REASON are read by bench/run
# The tools bench/run compares. Each tool NAME has:
#   tool_available NAME   -- 0 if it can run here, else sets SKIP_REASON and returns 1
#   tool_setup NAME       -- fills TOOL_CMD (argv), TOOL_CWD, TOOL_VERIFY (files|json),
#                            TOOL_DATA_GOES_TO and TOOL_REQUIRE_FAILED for one run, using
#                            CONC (concurrency), WORK (urls.txt, paths.txt), OUT_DIR (tmpfs,
#                            empty), BASE_URL and, on the TLS profiles (PROFILE_TLS=1), the run's
#                            CA (lib/tls.sh), trusted the way the tool's users would trust a CA
#   tool_prepare NAME     -- once, before any measurement (e.g. zarrfetch's launcher builds the
#                            project here, not inside a timed run); 0 or SKIP_REASON and 1
#   tool_version NAME     -- one line for the report
# To add a tool: add it to ALL_TOOLS and to the three case statements.
#
# zarrfetch also runs as variants, named zarrfetch+PART+PART..., for the measurements behind
# docs/decisions: each PART is one of
#   defaults     no --concurrency: zarrfetch's own defaults instead of the harness's concurrency
#   cN           --concurrency N          mSIZE  --memory-limit SIZE      pSIZE  --part-size SIZE
#   vthreads     fetch workers on virtual threads instead of platform threads
#   g1c2         the JVM's default JIT and collector (C2, G1) instead of C1 and the serial collector
#   nohedge      --no-hedging: no straggler hedging (docs/decisions/0004-hedging.md)
#   jvm-NAME     the JVM options bench/run --zarrfetch-jvm NAME="OPTIONS" named (ZF_JVM_SETS), added
#                last, so they override the launcher's and the parts' above
# e.g. --tools curl,zarrfetch,zarrfetch+c64+m64MiB (cN is concurrency, not a JIT),
#      --zarrfetch-jvm c2=-XX:TieredStopAtLevel=4 --tools zarrfetch+defaults,zarrfetch+defaults+jvm-c2

ALL_TOOLS=(curl aria2c rclone aiohttp awssdk-tm java-naive zarrfetch)

# is_zarrfetch NAME -- whether NAME is zarrfetch or one of its variants
is_zarrfetch() { [[ $1 == zarrfetch || $1 == zarrfetch+* ]]; }

# zf_variant NAME -- sets ZF_V_ARGS (CLI arguments) and ZF_V_JAVA (JVM options) for a variant
zf_variant() {
  local part parts jvm=""
  ZF_V_ARGS=(--concurrency "$CONC")
  ZF_V_JAVA=""
  IFS=+ read -ra parts <<<"${1#zarrfetch}"
  for part in "${parts[@]}"; do
    case $part in
      "") ;;
      defaults) ZF_V_ARGS=() ;;
      g1c2) ZF_V_JAVA+=" -XX:TieredStopAtLevel=4 -XX:-UseSerialGC -XX:+UseG1GC" ;;
      c[0-9]*) ZF_V_ARGS=(--concurrency "${part#c}") ;;
      m[0-9]*) ZF_V_ARGS+=(--memory-limit "${part#m}") ;;
      p[0-9]*) ZF_V_ARGS+=(--part-size "${part#p}") ;;
      vthreads) ZF_V_JAVA+=" -Dzarrfetch.workers=virtual" ;;
      nohedge) ZF_V_ARGS+=(--no-hedging) ;;
      jvm-?*)
        [[ -v "ZF_JVM_SETS[${part#jvm-}]" ]] \
          || die "$1: no JVM options named '${part#jvm-}' (give them with --zarrfetch-jvm ${part#jvm-}=\"OPTIONS\")"
        jvm+=" ${ZF_JVM_SETS[${part#jvm-}]}"
        ;;
      *) die "unknown zarrfetch variant part '$part' in $1" ;;
    esac
  done
  ZF_V_JAVA+=$jvm
}

# Named sets of JVM options for zarrfetch+jvm-NAME variants (bench/run --zarrfetch-jvm NAME=OPTIONS).
declare -A ZF_JVM_SETS=()

# zarrfetch is the project's own CLI, run from the repository root; ZF_BENCH_ZARRFETCH may point
# to another executable with the same `bench` interface. ZF_EXTRA_ARGS holds --zarrfetch-args.
ZF_EXE=${ZF_BENCH_ZARRFETCH:-$ROOT_DIR/zarrfetch}
ZF_EXTRA_ARGS=()
ZF_PREPARED=""   # "ok", or why `zarrfetch --version` failed: checked once for all variants

# The Java peers (awssdk-tm, java-naive): a standalone Maven project, built once per bench/run
# (tool_prepare) with a JDK 25 and run with its java and the JVM's default options.
PEERS_JAVA_HOME=${ZF_BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PEERS_JAVA=$PEERS_JAVA_HOME/bin/java
PEERS_DIR=$BENCH_DIR/peers/java
PEERS_JAR=$PEERS_DIR/target/java-peers-0.1.0-SNAPSHOT.jar
PEERS_BUILT=""   # "ok", or why the build failed: one build serves both peers

# java_release JAVA_HOME -- "25.0.3" from the JDK's release file (no JVM started)
java_release() { sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$1/release" 2>/dev/null; }

# peers_build -- builds bench/peers/java when its jar is missing or older than its sources.
peers_build() {
  [[ -z $PEERS_BUILT ]] || { [[ $PEERS_BUILT == ok ]]; return; }
  local log=$LOG_DIR/java-peers-build.log
  if [[ -f $PEERS_JAR && -d $PEERS_DIR/target/lib \
    && -z $(find "$PEERS_DIR/pom.xml" "$PEERS_DIR/src" -newer "$PEERS_JAR" -print -quit) ]]; then
    PEERS_BUILT=ok
    return 0
  fi
  log "java peers: building $PEERS_DIR (mvn -B -q package, JDK $(java_release "$PEERS_JAVA_HOME"))"
  if (cd "$PEERS_DIR" && JAVA_HOME=$PEERS_JAVA_HOME \
    MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    timeout 1200 mvn -B -q package) >"$log" 2>&1 9>&-; then
    PEERS_BUILT=ok
  else
    PEERS_BUILT="the Java peers' build failed (mvn -B -q package in $PEERS_DIR; log: $log)"
    tail -n 20 "$log" >&2
    return 1
  fi
}

tool_available() {
  SKIP_REASON=""
  case $1 in
    curl | aria2c | rclone) command -v "$1" >/dev/null 2>&1 || SKIP_REASON="$1 is not installed" ;;
    aiohttp) "$PY" -c 'import aiohttp' 2>/dev/null || SKIP_REASON="$PY cannot import aiohttp" ;;
    awssdk-tm | java-naive)
      local v
      v=$(java_release "$PEERS_JAVA_HOME")
      if [[ ! -x $PEERS_JAVA ]]; then
        SKIP_REASON="no JDK at $PEERS_JAVA_HOME (set ZF_BENCH_JAVA_HOME to a JDK 25)"
      elif [[ ${v%%.*} -lt 25 ]]; then
        SKIP_REASON="$PEERS_JAVA_HOME is JDK ${v:-?}, not 25 or newer (set ZF_BENCH_JAVA_HOME)"
      elif ! command -v mvn >/dev/null 2>&1 && [[ ! -f $PEERS_JAR ]]; then
        SKIP_REASON="Maven (mvn) is needed to build $PEERS_DIR"
      fi
      ;;
    zarrfetch | zarrfetch+*)
      if [[ ! -e $ZF_EXE ]]; then
        SKIP_REASON="$ZF_EXE does not exist yet (build the CLI, or set ZF_BENCH_ZARRFETCH)"
      elif [[ ! -x $ZF_EXE ]]; then
        SKIP_REASON="$ZF_EXE is not executable"
      fi
      ;;
    *) SKIP_REASON="unknown tool (known: ${ALL_TOOLS[*]})" ;;
  esac
  [[ -z $SKIP_REASON ]]
}

tool_prepare() {
  SKIP_REASON=""
  case $1 in
    awssdk-tm | java-naive)
      peers_build || SKIP_REASON=$PEERS_BUILT
      ;;
    zarrfetch | zarrfetch+*)
      # The launcher builds the project when its sources changed: do that now, untimed, once
      # for all the variants.
      if [[ -z $ZF_PREPARED ]]; then
        local log=$LOG_DIR/zarrfetch-prepare.log
        log "zarrfetch: $ZF_EXE --version (builds the project if its sources changed)"
        ZF_PREPARED=ok
        if ! (cd "$ROOT_DIR" && timeout 1200 "$ZF_EXE" --version) >"$log" 2>&1 9>&-; then
          ZF_PREPARED="'$ZF_EXE --version' failed (log: $log)"
        fi
      fi
      [[ $ZF_PREPARED == ok ]] || SKIP_REASON=$ZF_PREPARED
      ;;
    *) ;;
  esac
  [[ -z $SKIP_REASON ]]
}

tool_setup() {
  local -a trust_env=()   # environment that makes the tool trust the run's CA (TLS profiles)
  TOOL_CWD=$WORK
  TOOL_STDERR_BAD=""
  TOOL_VERIFY=files
  TOOL_DATA_GOES_TO="files on tmpfs"
  TOOL_REQUIRE_FAILED=0
  case $1 in
    curl)
      # --parallel-immediate: without it curl 7.88 runs the first transfer alone before it
      # opens the other connections (it waits to see whether it could multiplex).
      [[ -f $WORK/urls.curl ]] || sed 's/.*/url = "&"/' "$WORK/urls.txt" >"$WORK/urls.curl"
      TOOL_CMD=(curl --parallel --parallel-immediate --parallel-max "$CONC" --no-progress-meter
        --fail --remote-name-all --output-dir "$OUT_DIR" --config "$WORK/urls.curl")
      ((PROFILE_TLS)) && TOOL_CMD+=(--cacert "$TLS_CA")
      ;;
    aria2c)
      TOOL_CMD=(aria2c --no-conf --input-file "$WORK/urls.txt" --dir "$OUT_DIR"
        --max-concurrent-downloads "$CONC" --max-connection-per-server 1 --split 1
        --file-allocation none --allow-overwrite true --auto-file-renaming false
        --console-log-level warn --summary-interval 0 --show-console-readout false
        --download-result hide)
      ((PROFILE_TLS)) && TOOL_CMD+=(--ca-certificate "$TLS_CA")
      ;;
    rclone)
      # --files-from + --no-traverse: no HTML listing; rclone HEADs each object, then GETs it.
      TOOL_CMD=(rclone copy :http: "$OUT_DIR" --http-url "$BASE_URL/" --files-from "$WORK/paths.txt"
        --no-traverse --transfers "$CONC" --config /dev/null -q)
      ((PROFILE_TLS)) && TOOL_CMD+=(--ca-cert "$TLS_CA")
      ;;
    aiohttp)
      # The seed's code: default connector (100 connections), so no concurrency flag.
      # Over TLS: the session's connector gets ssl.create_default_context(cafile=CA) (--cafile).
      TOOL_CMD=("$PY" "$BENCH_DIR/peers/seed_aiohttp.py" --from "$WORK/urls.txt")
      ((PROFILE_TLS)) && TOOL_CMD+=(--cafile "$TLS_CA")
      TOOL_VERIFY=json
      TOOL_DATA_GOES_TO="memory (all bodies kept)"
      ;;
    awssdk-tm)
      # S3 Transfer Manager on the CRT client, path-style against nginx (bucket analysed_sst);
      # CONC connections: maxConcurrency CONC, targetThroughputInGbps 0.4 x CONC (see the class).
      # Over TLS: the SDK's CRT client has no CA option (only trust-all); its TLS (s2n) starts from
      # libcrypto's default trust store, which reads SSL_CERT_FILE.
      ((PROFILE_TLS)) && trust_env=(env "SSL_CERT_FILE=$TLS_CA")
      TOOL_CMD=("${trust_env[@]}" "$PEERS_JAVA" --enable-native-access=ALL-UNNAMED -cp "$PEERS_JAR:$PEERS_DIR/target/lib/*"
        io.zarrfetch.bench.peers.AwsTransferManagerPeer --out "$OUT_DIR" --concurrency "$CONC"
        --from "$WORK/urls.txt")
      ;;
    java-naive)
      # One java.net.http.HttpClient, one GET after another, bodies as byte[]: no concurrency flag.
      # Over TLS: the JDK's default SSLContext with the run's PKCS12 trust store (javax.net.ssl.*).
      local -a jopts=()
      ((PROFILE_TLS)) && read -ra jopts <<<"$TLS_JAVA_OPTS"
      TOOL_CMD=("$PEERS_JAVA" "${jopts[@]}" -cp "$PEERS_JAR" io.zarrfetch.bench.peers.NaiveHttpClientPeer
        --from "$WORK/urls.txt")
      TOOL_VERIFY=json
      TOOL_DATA_GOES_TO="memory (one body at a time)"
      ;;
    zarrfetch | zarrfetch+*)
      zf_variant "$1"
      # Over TLS the CA goes both ways zarrfetch may read it: AWS_CA_BUNDLE (PEM, as the AWS CLI
      # reads it) and the JDK's trust store (javax.net.ssl.trustStore), before the variant's options.
      local java_opts=${ZARRFETCH_JAVA_OPTS:-}
      if ((PROFILE_TLS)); then
        trust_env=("AWS_CA_BUNDLE=$TLS_CA")
        java_opts+=" $TLS_JAVA_OPTS"
      fi
      TOOL_CMD=(env "${trust_env[@]}" "ZARRFETCH_JAVA_OPTS=${java_opts# }$ZF_V_JAVA" "$ZF_EXE" bench "${ZF_V_ARGS[@]}"
        "${ZF_EXTRA_ARGS[@]}" --json --from "$WORK/urls.txt")
      TOOL_CWD=$ROOT_DIR
      TOOL_VERIFY=json
      TOOL_REQUIRE_FAILED=1
      TOOL_DATA_GOES_TO="memory (discarded)"
      TOOL_STDERR_BAD="zarrfetch: building"   # the launcher rebuilt the project mid-run
      ;;
    *) die "tool_setup: unknown tool $1" ;;
  esac
  return 0
}

# tool_version NAME -- the version, without the name
tool_version() {
  case $1 in
    curl) curl --version | awk 'NR == 1 { print $2 }' ;;
    aria2c) aria2c --version | awk 'NR == 1 { print $3 }' ;;
    rclone) rclone version 2>/dev/null | awk 'NR == 1 { print $2 }' ;;
    aiohttp) "$PY" -c 'import sys, aiohttp; print(aiohttp.__version__, "on python", sys.version.split()[0])' ;;
    awssdk-tm)
      local sdk crt
      sdk=$(find "$PEERS_DIR/target/lib" -name 's3-transfer-manager-*.jar' -printf '%f\n' | sed 's/^s3-transfer-manager-//; s/\.jar$//')
      crt=$(find "$PEERS_DIR/target/lib" -name 'aws-crt-*.jar' -printf '%f\n' | sed 's/^aws-crt-//; s/\.jar$//')
      echo "AWS SDK for Java ${sdk:-?} (S3 Transfer Manager), aws-crt ${crt:-?}, on Java $(java_release "$PEERS_JAVA_HOME")"
      ;;
    java-naive) echo "java.net.http.HttpClient on Java $(java_release "$PEERS_JAVA_HOME")" ;;
    zarrfetch | zarrfetch+*)
      local v
      v=$(cd "$ROOT_DIR" && "$ZF_EXE" --version 2>/dev/null 9>&- | head -n 1) || true
      v=${v#zarrfetch }
      echo "${v:-unknown} ($ZF_EXE)"
      ;;
  esac
}

# tool_packages NAME -- the Debian packages a tool needs, as need_packages specs.
tool_packages() {
  case $1 in
    curl) echo curl:curl ;;
    aria2c) echo aria2c:aria2 ;;
    rclone) echo rclone:rclone ;;
    awssdk-tm | java-naive) [[ -f $PEERS_JAR ]] || echo mvn:maven ;;
    *) ;;
  esac
}
