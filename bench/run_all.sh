#!/usr/bin/env bash
# Builds Rondo's benchmarks in Release mode and runs them all, printing the results (bench/README.md).
#
#   bench/run_all.sh                 # build into bench/build, run everything
#   BUILD_DIR=/tmp/rb bench/run_all.sh
#   RECORD_ARGS="--benchmark_repetitions=10" bench/run_all.sh
#
# Environment: BUILD_DIR (default bench/build), JOBS (default nproc), RECORD_ARGS / SIZE_ARGS / READ_ARGS
# (extra arguments for bench_record / bench_size / bench_read). Nothing here asserts timings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="${BUILD_DIR:-$here/build}"
jobs="${JOBS:-$(nproc)}"
record_args="${RECORD_ARGS:---benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true}"
size_args="${SIZE_ARGS:-}"
read_args="${READ_ARGS:-}"

section() { printf '\n===== %s =====\n' "$*"; }

section "build (Release) in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRONDO_BUILD_BENCH=ON -DRONDO_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target bench_record bench_size bench_read otf2_baseline_selftest rondo-compiler >/dev/null
cache="$build/CMakeCache.txt"
compiler="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")"
flags="$(sed -n 's/^CMAKE_CXX_FLAGS:[A-Z]*=//p' "$cache") $(sed -n 's/^CMAKE_CXX_FLAGS_RELEASE:[A-Z]*=//p' "$cache")"
echo "compiler: $compiler ($("$compiler" -dumpfullversion 2>/dev/null || echo '?'))"
echo "flags:    ${flags# } -std=c++20 -Wall -Wextra, position-independent (-fPIC / -fPIE)"
echo "machine:  $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

section "bench_record $record_args"
# shellcheck disable=SC2086  # word splitting of the argument lists is intended
"$build/bench/bench_record" $record_args

section "recording from outside: -finstrument-functions, traced vs untraced (bench/record/run.sh)"
"$here/record/run.sh" "$build"

section "bench_size $size_args"
# shellcheck disable=SC2086
"$build/bench/bench_size" $size_args

section "bench_read $read_args"
# shellcheck disable=SC2086
"$build/bench/bench_read" $read_args
