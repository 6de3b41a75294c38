#!/usr/bin/env bash
# rondo stats on a large MPI trace against the same computation on its OTF2 export, and the analyzer's
# scaling with threads (bench/analysis/README.md).
#
#   bench/analysis/run_analysis_bench.sh [BUILD_DIR]      (default: bench/build, Release)
#
# Records examples/mpi/halo2d.c on 4 ranks (80,000 iterations: about 10 million events), exports the trace
# with `rondo export --format otf2`, then runs bench_analysis on both; then the same for issue 13's loop
# trace, examples/c_loops/nested_loops.c with 1,300,000 steps (11,960,002 events, no MPI).
# Environment: ITERATIONS (halo2d iterations, default 80000), LOOP_STEPS (nested_loops steps, default
# 1300000; 0 leaves that trace out), NP (ranks, default 4), RUNS (rounds, best kept; default 3), JOBS (build jobs,
# default 2), WORK_DIR (where the trace and the export go; kept, and reused by the next run when they are
# there; default: a temporary directory, removed at the end). Nothing here asserts a timing; the exit status
# is bench_analysis's (1 when the Rondo and OTF2 results differ).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/bench/build}"
iterations="${ITERATIONS:-80000}"
loop_steps="${LOOP_STEPS:-1300000}"
np="${NP:-4}"
runs="${RUNS:-3}"
jobs="${JOBS:-2}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRONDO_BUILD_BENCH=ON -DRONDO_BUILD_TESTS=OFF >/dev/null
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
[[ "$build_type" == Release ]] || echo "warning: $build is a '$build_type' build; use Release for numbers you report" >&2

if [[ -n "${WORK_DIR:-}" ]]; then
  work="$WORK_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
trace="$work/halo.rondo"
otf2="$work/halo.otf2"
loop_trace="$work/loops.rondo"
loop_otf2="$work/loops.otf2"

targets=(bench_analysis)
# The Python module, where this build has it (pybind11 found).
if cmake --build "$build" --target help 2>/dev/null | grep -qx '\.\.\. rondo_python'; then targets+=(rondo_python); fi
reuse=0
if [[ -d "$trace" && -f "$otf2/traces.otf2" ]]; then
  reuse=1
else
  targets+=(rondo_cli rondo rondo-mpi mpi_halo2d)
fi
if [[ "$loop_steps" != 0 && ! ( -d "$loop_trace" && -f "$loop_otf2/traces.otf2" ) ]]; then
  targets+=(rondo_cli rondo rondo-compiler nested_loops)
fi
echo "== build (${targets[*]}) in $build" >&2
cmake --build "$build" -j "$jobs" --target "${targets[@]}" >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log" >&2; exit 1; }

if [[ "$reuse" == 1 ]]; then
  echo "== reusing $trace and $otf2" >&2
else
  rondo="$build/cli/rondo"
  mpirun_args=(--oversubscribe -np "$np")
  [[ "$(id -u)" == 0 ]] && mpirun_args=(--allow-run-as-root "${mpirun_args[@]}")
  rm -rf "$trace" "$otf2"
  echo "== rondo record -- mpirun ${mpirun_args[*]} mpi_halo2d $iterations 16 10" >&2
  "$rondo" record -o "$trace" -- mpirun "${mpirun_args[@]}" "$build/examples/mpi_halo2d" "$iterations" 16 10 \
    >"$work/record.log" 2>&1 || { cat "$work/record.log" >&2; exit 1; }
  tail -n 1 "$work/record.log" >&2
  echo "== rondo export --format otf2" >&2
  "$rondo" export "$trace" --format otf2 -o "$otf2" >"$work/export.log" 2>&1 ||
    { cat "$work/export.log" >&2; exit 1; }
  tail -n 1 "$work/export.log" >&2
fi

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
# bench_analysis on TRACE and its export, then Python's first answers from the same trace against the OTF2
# flat profile bench_analysis measured (when the Python module was built and pandas is there).
analyze() {
  "$build/bench/analysis/bench_analysis" --trace "$1" --otf2 "$2" --runs "$runs" | tee "$work/bench.out" || status=$?
  local baseline
  baseline="$(sed -n 's/^  OTF2 flat profile (baseline) *\([0-9.]*\).*/\1/p' "$work/bench.out")"
  if [[ -f "$build/python/rondo/__init__.py" ]] && /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    echo
    PYTHONPATH="$build/python" /usr/bin/python3 "$repo/bench/python/bench_answers.py" "$1" \
      --baseline-seconds "${baseline:-0}" --repeat "$runs" || status=$?
  else
    echo "(Python answers left out: build the rondo_python target and install python3-pandas)"
  fi
}
analyze "$trace" "$otf2"

[[ "$loop_steps" == 0 ]] && exit "$status"
if [[ -d "$loop_trace" && -f "$loop_otf2/traces.otf2" ]]; then
  echo "== reusing $loop_trace and $loop_otf2" >&2
else
  rm -rf "$loop_trace" "$loop_otf2"
  echo "== rondo record -- nested_loops $loop_steps" >&2
  "$build/cli/rondo" record -o "$loop_trace" -- "$build/examples/nested_loops" "$loop_steps" >"$work/loops-record.log" 2>&1 ||
    { cat "$work/loops-record.log" >&2; exit 1; }
  "$build/cli/rondo" export "$loop_trace" --format otf2 -o "$loop_otf2" >"$work/loops-export.log" 2>&1 ||
    { cat "$work/loops-export.log" >&2; exit 1; }
fi
echo
echo "The loop trace (issue 13: \"a 12-million-event loop trace\"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
analyze "$loop_trace" "$loop_otf2"
exit "$status"
