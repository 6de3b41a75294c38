#!/usr/bin/env bash
# The analyzer at scale (issue 13, part 5), as a script rather than a test because it takes minutes on a
# small machine:
#   bench/analysis/scale.sh [BUILD_DIR]        (default build/, configured with tests and examples)
# 1. records examples/mpi/ring on RANKS ranks (default 256, oversubscribed) and analyses it with
#    `rondo stats --json` and `mpirun -np 4 rondo stats --distributed --json` (outputs must be identical);
# 2. writes a generated trace of PROCESSES processes (default 4096; tests/mpi/ring_trace_writer) and analyses it
#    the same two ways under `ulimit -n 256`, printing the peak resident memory of `rondo stats` per process of
#    the trace (GNU time's maximum resident set size).
# Prints counts and the memory figure; timings are indicative only on a loaded machine. Exit status 1 when an
# analysis fails or the two outputs differ.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$repo/build}"
ranks="${RANKS:-256}"
processes="${PROCESSES:-4096}"
rondo="$build/cli/rondo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpirun_args=(--oversubscribe)
[[ "$(id -u)" == 0 ]] && mpirun_args=(--allow-run-as-root "${mpirun_args[@]}")

peak_kib() {  # COMMAND...: runs it, prints its maximum resident set size in KiB on fd 3
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@"
  cat "$work/time.txt" >&3
}

analyse() {  # NAME TRACE
  local name=$1 trace=$2 start end
  start=$(date +%s.%N)
  peak_kib "$rondo" stats --json "$trace" >"$work/$name.serial.json" 3>"$work/$name.kib"
  end=$(date +%s.%N)
  ulimit -n 256
  mpirun "${mpirun_args[@]}" -np 4 "$rondo" stats --distributed --json "$trace" >"$work/$name.distributed.json"
  if cmp -s "$work/$name.serial.json" "$work/$name.distributed.json"; then same=identical; else same=DIFFER; fi
  python3 - "$work/$name.serial.json" "$(cat "$work/$name.kib")" "$(echo "$end - $start" | bc)" "$same" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
m = s["mpi"]["messages"]
procs = s["mpi"]["ranks"]  # matrix_bytes is left out past 256 ranks (matrix_pairs)
kib = int(sys.argv[2])
print(f"{sys.argv[5]}: {procs} processes, {m['count']} messages ({m['unmatched']} unmatched), "
      f"{s['mpi']['collectives']['count']} collectives; rondo stats {float(sys.argv[3]):.1f} s (indicative), "
      f"peak RSS {kib / 1024:.0f} MiB = {kib / max(procs, 1):.0f} KiB per process; --distributed on 4: {sys.argv[4]}")
PY
  [[ "$same" == identical ]]
}

cmake --build "$build" -j2 --target rondo_cli rondo_stats_mpi mpi_ring ring_trace_writer >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log" >&2; exit 1; }

echo "== recording mpi_ring on $ranks ranks" >&2
"$rondo" record -o "$work/ring.rondo" -t mpi -- mpirun "${mpirun_args[@]}" -np "$ranks" "$build/examples/mpi_ring" 10 64 \
  >"$work/record.log" 2>&1 || { tail -n 20 "$work/record.log" >&2; exit 1; }
(analyse "real $ranks-rank ring" "$work/ring.rondo")

echo "== writing a generated trace of $processes processes" >&2
"$build/tests/mpi/ring_trace_writer" "$work/generated.rondo" "$processes" 5
(ulimit -n 256 && analyse "generated $processes-process ring, ulimit -n 256" "$work/generated.rondo")
