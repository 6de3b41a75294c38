#!/usr/bin/env bash
# Converter benchmark: records two example programs with Rondo, exports each trace
# to OTF2, imports the archive back, and prints one table row per trace:
#
#   events, Rondo bytes, OTF2 bytes (du -sb of the export directory), OTF2/Rondo,
#   export events/s, import events/s (wall time of the rondo commands),
#   and whether the re-imported trace has the original's event counts.
#
#   bench/convert/run_convert_bench.sh
#   BUILD_DIR=/tmp/rb LOOP_ITERS=100000 bench/convert/run_convert_bench.sh
#
# Environment: BUILD_DIR (default build-dev; needs cli/rondo and examples/),
# WORK_DIR (default: a temporary directory, removed at the end), LOOP_ITERS
# (nested_loops argument, default 1000000), HALO_ARGS (mpi_halo2d arguments,
# default "10000 64 10"), NP (MPI ranks, default 4). Nothing here asserts timings;
# the exit status is 1 when a re-imported trace's counts differ.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-dev}"
rondo="$build/cli/rondo"
loop_iters="${LOOP_ITERS:-1000000}"
halo_args="${HALO_ARGS:-10000 64 10}"
np="${NP:-4}"

for f in "$rondo" "$build/examples/nested_loops" "$build/examples/mpi_halo2d"; do
  [[ -x "$f" ]] || { echo "missing $f: build the project first (cmake --build $build)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }

if [[ -n "${WORK_DIR:-}" ]]; then
  work="$WORK_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

mpirun_args=(--oversubscribe -np "$np")
[[ "$(id -u)" == 0 ]] && mpirun_args=(--allow-run-as-root "${mpirun_args[@]}")

now() { date +%s.%N; }
# events/s = $1 events over the time from $2 to $3 (seconds).
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; printf "%.0f", (d > 0 ? n / d : 0) }'; }

rows=()
status=0

# bench NAME COMMAND...: records COMMAND into $work/NAME, exports, imports, adds a row.
bench() {
  local name="$1"
  shift
  local trace="$work/$name.rondo" otf2="$work/$name.otf2" back="$work/$name.back"
  rm -rf "$trace" "$otf2" "$back"
  echo "== $name: rondo record -- $*" >&2
  "$rondo" record -o "$trace" -- "$@" >"$work/$name.record.log" 2>&1 ||
    { echo "record failed:" >&2; cat "$work/$name.record.log" >&2; exit 1; }

  local info events bytes
  info="$("$rondo" info --json "$trace")"
  events="$(jq .events <<<"$info")"
  bytes="$(jq .bytes <<<"$info")"

  local t0 t1 t2
  t0="$(now)"
  "$rondo" export "$trace" --format otf2 -o "$otf2" >"$work/$name.export.log" 2>&1
  t1="$(now)"
  "$rondo" import "$otf2/traces.otf2" -o "$back" >"$work/$name.import.log" 2>&1
  t2="$(now)"
  echo "   $(tail -n 1 "$work/$name.export.log")" >&2
  echo "   $(tail -n 1 "$work/$name.import.log")" >&2

  local otf2_bytes ratio same back_info
  otf2_bytes="$(du -sb "$otf2" | cut -f1)"
  ratio="$(awk -v a="$otf2_bytes" -v b="$bytes" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  back_info="$("$rondo" info --json "$back")"
  # Same total, and the same count for every process (processes sorted by rank).
  local counts='[.events, .processes, ([.process_list[] | [.rank, .events]] | sort)]'
  if [[ "$(jq -c "$counts" <<<"$info")" == "$(jq -c "$counts" <<<"$back_info")" ]]; then
    same=yes
  else
    same="NO ($(jq .events <<<"$back_info") events)"
    status=1
  fi
  rows+=("$(printf '%-14s %12s %14s %14s %8s %14s %14s %s' "$name" "$events" "$bytes" "$otf2_bytes" "$ratio" \
    "$(rate "$events" "$t0" "$t1")" "$(rate "$events" "$t1" "$t2")" "$same")")
}

bench nested_loops "$build/examples/nested_loops" "$loop_iters"
# shellcheck disable=SC2086  # halo_args is a list of arguments
bench mpi_halo2d mpirun "${mpirun_args[@]}" "$build/examples/mpi_halo2d" $halo_args

echo
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rondo:   $rondo ($(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || echo '?') build)"
echo
printf '%-14s %12s %14s %14s %8s %14s %14s %s\n' trace events "Rondo bytes" "OTF2 bytes" OTF2/Rd \
  "export ev/s" "import ev/s" "counts equal"
for r in "${rows[@]}"; do echo "$r"; done
exit "$status"
