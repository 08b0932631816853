# shellcheck shell=bash
# The benchmark data set: MUR-like chunk objects DIR/analysed_sst/{i}.1.0, i = 0..N-1.
#
# Hook: if ZF_DATA_CMD is set, the real generator makes the set. It runs as
#     bash -c "$ZF_DATA_CMD \"\$1\"" _ DIR        (i.e. ZF_DATA_CMD is a command line, DIR its last argument)
# with ZF_BENCH_OBJECTS=N in its environment, and must leave DIR/analysed_sst/{0..N-1}.1.0.
# Otherwise bench/lib/gen_placeholder.py writes N files of 28,000,000 seeded pseudo-random
# (incompressible) bytes; the seed is recorded, so the same N and seed give the same bytes.
#
# DIR/.zfbench-data.txt records how the set was made; a set that matches the request is
# reused, anything else is regenerated.

DATA_SEED=${ZF_BENCH_SEED:-20240229}
DATA_OBJECT_SIZE=${ZF_BENCH_OBJECT_SIZE:-28000000}

# prepare_data DIR N FORCE -- makes or reuses the data set, then writes the manifest
# DIR/.zfbench-manifest-N.tsv ("relative-path<TAB>size" for objects 0..N-1) and sets
# DATA_GENERATOR (a one-line description) and MANIFEST.
prepare_data() {
  local dir=$1 n=$2 force=$3 marker have=""
  marker=$dir/.zfbench-data.txt
  # The default data: zarrfetch's MUR-like generator (real c-blosc frames, ~28 MB, like the seed's chunks).
  # ZF_DATA_CMD=placeholder writes seeded incompressible bytes instead, without building zarrfetch.
  if [[ -z ${ZF_DATA_CMD:-} ]]; then
    ZF_DATA_CMD="$BENCH_DIR/lib/gen_mur.sh"
  elif [[ $ZF_DATA_CMD == placeholder ]]; then
    ZF_DATA_CMD=""
  fi
  if [[ -n ${ZF_DATA_CMD:-} ]]; then
    DATA_GENERATOR="ZF_DATA_CMD: $ZF_DATA_CMD"
  else
    DATA_GENERATOR="placeholder: $DATA_OBJECT_SIZE seeded pseudo-random bytes per object (numpy PCG64, seed $DATA_SEED)"
  fi
  mkdir -p "$dir"
  if [[ ! -f $marker && -e $dir/analysed_sst ]]; then
    # Not made by this harness: never delete it; use it if it is complete.
    data_complete "$dir" "$n" || die "$dir/analysed_sst exists, was not made by bench/run and lacks some of objects 0..$((n - 1)); choose another --data"
    DATA_GENERATOR="existing files in $dir (not made by bench/run)"
    log "data: using existing $dir/analysed_sst as is"
  else
    [[ -f $marker ]] && have=$(<"$marker")
    if [[ $force == 1 || $have != "$DATA_GENERATOR" ]]; then
      [[ -n $have ]] && log "data: regenerating $dir (was: $have)"
      rm -rf "$dir/analysed_sst" "$marker" "$dir"/.zfbench-manifest-*.tsv
    fi
    make_objects "$dir" "$n"
    printf '%s\n' "$DATA_GENERATOR" >"$marker"
  fi
  # nginx workers and every client must be able to read the set
  chmod -R a+rX "$dir/analysed_sst"

  MANIFEST=$dir/.zfbench-manifest-$n.tsv
  local i f size
  : >"$MANIFEST.tmp"
  for ((i = 0; i < n; i++)); do
    f=$dir/analysed_sst/$i.1.0
    size=$(stat -c %s "$f")
    printf 'analysed_sst/%d.1.0\t%s\n' "$i" "$size" >>"$MANIFEST.tmp"
  done
  mv "$MANIFEST.tmp" "$MANIFEST"
  DATA_BYTES=$(awk -F'\t' '{ s += $2 } END { printf "%.0f", s }' "$MANIFEST")
  log "data: $n objects, $(human_bytes "$DATA_BYTES") in $dir ($DATA_GENERATOR)"
}

# make_objects DIR N -- runs the generator for whatever is missing.
make_objects() {
  local dir=$1 n=$2
  if [[ -n ${ZF_DATA_CMD:-} ]]; then
    if ! data_complete "$dir" "$n"; then
      log "data: running ZF_DATA_CMD for $n objects into $dir"
      ZF_BENCH_OBJECTS=$n bash -c "$ZF_DATA_CMD \"\$1\"" _ "$dir" >&2 \
        || die "ZF_DATA_CMD failed: $ZF_DATA_CMD"
      data_complete "$dir" "$n" \
        || die "ZF_DATA_CMD did not leave $dir/analysed_sst/{0..$((n - 1))}.1.0"
    else
      log "data: reusing $n objects made by ZF_DATA_CMD in $dir"
    fi
  else
    # The generator only writes objects that are missing or of the wrong size.
    "$PY" "$BENCH_DIR/lib/gen_placeholder.py" --dir "$dir" --objects "$n" \
      --size "$DATA_OBJECT_SIZE" --seed "$DATA_SEED" >&2 || die "placeholder data generation failed"
  fi
}

# data_complete DIR N -- true when objects 0..N-1 all exist and are non-empty.
data_complete() {
  local dir=$1 n=$2 i
  for ((i = 0; i < n; i++)); do
    [[ -s $dir/analysed_sst/$i.1.0 ]] || return 1
  done
}

# warm_page_cache -- reads the set once so the server serves it from memory, not disk.
warm_page_cache() {
  local dir=$1
  cut -f1 "$MANIFEST" | (cd "$dir" && xargs cat) >/dev/null
}

# write_url_lists BASE_URL OUTDIR -- urls.txt (one URL a line) and paths.txt (relative paths)
write_url_lists() {
  local base=$1 out=$2
  cut -f1 "$MANIFEST" >"$out/paths.txt"
  sed "s#^#$base/#" "$out/paths.txt" >"$out/urls.txt"
}

# warm_memory DIR BYTES -- writes 2 x BYTES of zeros to a file in DIR (tmpfs) and removes it, once
# before the runs. In this VM, memory the guest had not touched for a while cost the first tool
# that wrote the data set to tmpfs 2-3 times the CPU of the next runs (the first loopback runs of
# curl, aria2c, rclone and the Transfer Manager: curl 5.98 s and 2.15 CPU s/GB, then 2.22-2.26 s
# and 0.81-0.82 s/GB), most likely because the hypervisor backs guest pages on first touch.
# Touching that much memory first puts every run on the same footing. (aiohttp, which keeps every body, needs about as
# much again as anonymous memory: 2 x the data set covers both.)
warm_memory() {
  local dir=$1 bytes=$2 mib
  mib=$((bytes * 2 / 1048576 + 1))
  log "memory: touching $(human_bytes $((mib * 1048576))) in $dir once (first-touch costs stay out of the runs)"
  dd if=/dev/zero of="$dir/.warm" bs=1M count="$mib" status=none 2>/dev/null \
    || warn "could not write $mib MiB to $dir to warm the memory up"
  rm -f "$dir/.warm"
}
