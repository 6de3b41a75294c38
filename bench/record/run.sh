#!/usr/bin/env bash
# Recording cost per event measured from outside the recorder: an empty function
# compiled with -finstrument-functions, called N times, untraced and traced
# (librondo-compiler.so, as `rondo record -t compiler` preloads it), alternating
# runs. Prints per event: wall and whole-process CPU time (the background writer
# included), each as a ratio to one rdtsc measured in the same run; with valgrind
# installed also the instructions per event on the application thread and on the
# writer thread (callgrind), the figure that does not depend on the machine's load.
#
#   bench/record/run.sh BUILD_DIR        # e.g. build (RelWithDebInfo) or bench/build (Release)
#
# Environment: CALLS (default 20000000), ROUNDS (default 5), CC (default cc). Nothing here asserts timings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/record/run.sh BUILD_DIR}" && pwd)"
calls="${CALLS:-20000000}"
rounds="${ROUNDS:-5}"
preload="$build/interceptors/compiler/librondo-compiler.so"
[[ -f "$preload" ]] || { echo "rondo: $preload not found; build the rondo-compiler target in $build first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/rondo-bench-record-XXXXXX")"
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -finstrument-functions "$here/empty_calls.c" -o "$work/empty_calls"

# Runs "$@" and prints "wall_s cpu_s" (cpu = user + system of the whole process).
measure() {
  local t
  t="$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null; } 2>&1 | tail -n 1)"
  awk '{ printf "%.4f %.4f\n", $1, $2 + $3 }' <<<"$t"
}
traced() { rm -rf "$work/trace"; RONDO_TRACE_DIR="$work/trace" LD_PRELOAD="$preload" "$@"; }

# The minimum of each column over the rounds: the run least disturbed by other work.
best_rdtsc=9e9 best_rdtsc_c=9e9 best_plain_w=9e9 best_plain_c=9e9 best_traced_w=9e9 best_traced_c=9e9
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
for ((r = 0; r < rounds; ++r)); do
  read -r w c < <(measure "$work/empty_calls" rdtsc "$calls"); best_rdtsc="$(min "$best_rdtsc" "$w")"; best_rdtsc_c="$(min "$best_rdtsc_c" "$c")"
  read -r w c < <(measure "$work/empty_calls" "$calls"); best_plain_w="$(min "$best_plain_w" "$w")"; best_plain_c="$(min "$best_plain_c" "$c")"
  read -r w c < <(measure traced "$work/empty_calls" "$calls"); best_traced_w="$(min "$best_traced_w" "$w")"; best_traced_c="$(min "$best_traced_c" "$c")"
done
events=$((2 * calls))
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build:   $build ($(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt"))"
awk -v n="$calls" -v e="$events" -v r="$best_rdtsc" -v rc="$best_rdtsc_c" -v pw="$best_plain_w" -v pc="$best_plain_c" \
    -v tw="$best_traced_w" -v tc="$best_traced_c" -v rounds="$rounds" 'BEGIN {
  rdtsc = r * 1e9 / n; rdtsc_cpu = rc * 1e9 / n
  wall = (tw - pw) * 1e9 / e; cpu = (tc - pc) * 1e9 / e
  printf "rdtsc:   %.2f ns wall, %.2f ns CPU (best of %d rounds of %d reads)\n", rdtsc, rdtsc_cpu, rounds, n
  printf "%d calls of an empty -finstrument-functions function, %d events, best of %d alternating rounds:\n", n, e, rounds
  printf "  untraced %.3f s wall, %.3f s CPU; traced %.3f s wall, %.3f s process CPU\n", pw, pc, tw, tc
  printf "  per event, traced - untraced: %.2f ns wall = %.2fx rdtsc (wall)\n", wall, wall / rdtsc
  printf "  whole-process CPU per event (writer thread included): %.2f ns = %.2fx rdtsc (CPU)\n", cpu, cpu / rdtsc_cpu
}'

if command -v valgrind >/dev/null; then
  # Instructions per event: the difference of two runs (N and 2N calls) removes start-up and exit.
  small=$((calls / 100 > 0 ? calls / 100 : 1))
  for n in "$small" $((2 * small)); do
    traced valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.$n.%p" \
      "$work/empty_calls" "$n" >/dev/null 2>&1
  done
  # Thread 1 is the application, thread 3 the background writer (2 is the runtime's signal flusher).
  for thread in 01 03; do
    a="$(sed -n 's/^totals: //p' "$work"/cg."$small".*-"$thread")"
    b="$(sed -n 's/^totals: //p' "$work"/cg.$((2 * small)).*-"$thread")"
    name=$([[ $thread == 01 ]] && echo "application thread (hooks and loop included)" || echo "background writer thread")
    echo "  callgrind, $name: $(( (b - a) / (2 * small) )) instructions per event"
  done
fi
