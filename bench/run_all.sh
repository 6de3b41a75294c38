#!/usr/bin/env bash
# Builds Rondo with its benchmarks in the build type users get (scripts/setup.sh's
# RelWithDebInfo; the recorder is compiled -O3 in it) and runs every benchmark
# whose figures the README quotes, each printing ratios against a baseline
# measured in the same run (bench/README.md).
#
#   bench/run_all.sh                 # build into bench/build, run everything
#   BUILD_DIR=/tmp/rb bench/run_all.sh
#   SKIP="apps longrun" bench/run_all.sh          # leave out the slowest parts
#   RECORD_ARGS="--benchmark_repetitions=10" bench/run_all.sh
#
# Environment: BUILD_DIR (default bench/build), BUILD_TYPE (default RelWithDebInfo), JOBS (default
# nproc), SKIP (names of sections to leave out: record size read analysis mpi_memory mpi polls callstack counters
# openmp convert viewer apps cuda longrun; longrun, 10^9 events, is left out unless LONGRUN=1),
# RECORD_ARGS / SIZE_ARGS / READ_ARGS (extra arguments for bench_record / bench_size / bench_read).
# Nothing here asserts timings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="${BUILD_DIR:-$here/build}"
jobs="${JOBS:-$(nproc)}"
record_args="${RECORD_ARGS:---benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true}"
size_args="${SIZE_ARGS:-}"
read_args="${READ_ARGS:-}"

section() { printf '\n===== %s =====\n' "$*"; }

build_type="${BUILD_TYPE:-RelWithDebInfo}"
skip=" ${SKIP:-} "
[ "${LONGRUN:-0}" = 1 ] || skip="$skip longrun "
wanted() { [[ "$skip" != *" $1 "* ]]; }

section "build ($build_type) in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DRONDO_BUILD_BENCH=ON -DRONDO_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null
cache="$build/CMakeCache.txt"
compiler="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")"
flags="$(sed -n 's/^CMAKE_CXX_FLAGS:[A-Z]*=//p' "$cache") $(sed -n 's/^CMAKE_CXX_FLAGS_RELEASE:[A-Z]*=//p' "$cache")"
echo "compiler: $compiler ($("$compiler" -dumpfullversion 2>/dev/null || echo '?'))"
echo "flags:    ${flags# } -std=c++20 -Wall -Wextra, position-independent (-fPIC / -fPIE)"
echo "machine:  $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

if wanted record; then
section "bench_record $record_args"
# shellcheck disable=SC2086  # word splitting of the argument lists is intended
"$build/bench/bench_record" $record_args

section "recording from outside: -finstrument-functions, traced vs untraced (bench/record/run.sh)"
"$here/record/run.sh" "$build"

fi

if wanted size; then
section "bench_size $size_args"
# shellcheck disable=SC2086
"$build/bench/bench_size" $size_args

fi

if wanted read; then
section "bench_read $read_args"
# shellcheck disable=SC2086
"$build/bench/bench_read" $read_args
fi

# The scripts below each measure their own baseline in the same run.
run_section() {  # NAME TITLE COMMAND...
  local name=$1 title=$2
  shift 2
  wanted "$name" || return 0
  section "$title"
  "$@" || echo "($name: exit status $?)"
}
run_section analysis "analysis: rondo stats vs the OTF2 reader (bench/analysis)" "$here/analysis/run_analysis_bench.sh" "$build"
run_section mpi_memory "analysis: memory per MPI message (bench/analysis/mpi_memory.sh)" \
  "$here/analysis/mpi_memory.sh" "$build"
run_section mpi "MPI wrapper cost, NetPIPE, hpcc, halo2d size (bench/mpi)" "$here/mpi/run_mpi_bench.sh" "$build"
run_section polls "a polling loop's cost per poll, timed and --poll-times count (bench/mpi/run_poll_bench.sh)" \
  "$here/mpi/run_poll_bench.sh" "$build"
run_section callstack "call sites: cost per MPI call with --callstack 0, 8, 16 (bench/callstack)" \
  "$here/callstack/run_callstack_bench.sh" "$build"
run_section counters "counters: cost per event with 0, 1, 3 PAPI counters (bench/counters)" "$here/counters/run.sh" "$build"
run_section openmp "OpenMP and pthread module cost (bench/openmp)" "$here/openmp/run_openmp_bench.sh" "$build"
run_section convert "converters: export and import vs the OTF2 library (bench/convert)" \
  env BUILD_DIR="$build" "$here/convert/run_convert_bench.sh"
run_section viewer "viewer: first frame and frame times vs reading the OTF2 export (bench/viewer)" \
  "$here/viewer/run_viewer_bench.sh" "$build"
run_section apps "real applications: untraced vs Rondo vs EZTrace (bench/apps)" "$here/apps/run_apps.sh" "$build"
if command -v nvidia-smi > /dev/null && nvidia-smi -L > /dev/null 2>&1; then
  run_section cuda "CUDA: cost per kernel launch (bench/cuda)" "$here/cuda/run_cuda_bench.sh" "$build"
elif wanted cuda; then
  section "CUDA: skipped, no GPU on this machine (nvidia-smi -L finds none)"
fi
run_section longrun "long run: 10^9 events, recorder and analyzer memory (bench/longrun)" "$here/longrun/run.sh" "$build"
