#!/usr/bin/env bash
# Recording cost per event with 0, 1 and 3 PAPI counters, beside the untraced
# program, in one run: an empty function compiled with -finstrument-functions
# (bench/record/empty_calls.c) called N times, untraced, then traced
# (librondo-compiler.so) with RONDO_COUNTERS unset, perf::TASK-CLOCK, and
# perf::TASK-CLOCK,perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES (software events,
# counted on any Linux machine; on a machine with hardware counters set
# COUNTERS1/COUNTERS3 to e.g. PAPI_TOT_CYC and PAPI_TOT_CYC,PAPI_TOT_INS,PAPI_L1_DCM).
# Prints wall time per event (best of ROUNDS alternating rounds) and its ratios
# to 0 counters and to one PAPI_read. Nothing here asserts timings; on a shared
# machine the numbers are indicative only. With valgrind installed it also
# prints callgrind instruction counts, which are repeatable: per event on the
# application thread and on Rondo's writer thread, and PAPI_read's own, so
# that Rondo's part of a counter read is counted apart from PAPI's (the time
# inside the kernel's read() is not an instruction callgrind sees).
#
#   bench/counters/run.sh BUILD_DIR
#
# Environment: CALLS (default 1000000), ROUNDS (default 3; 0: callgrind counts
# only), CC (default cc), COUNTERS1, COUNTERS3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/counters/run.sh BUILD_DIR}" && pwd)"
calls="${CALLS:-1000000}"
rounds="${ROUNDS:-3}"
one="${COUNTERS1:-perf::TASK-CLOCK}"
three="${COUNTERS3:-perf::TASK-CLOCK,perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES}"
preload="$build/interceptors/compiler/librondo-compiler.so"
[[ -f "$preload" ]] || { echo "rondo: $preload not found; build the rondo-compiler target in $build first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/rondo-bench-counters-XXXXXX")"
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -finstrument-functions "$here/../record/empty_calls.c" -o "$work/empty_calls"
${CC:-cc} -O2 "$here/papi_read_cost.c" -o "$work/papi_read_cost" -lpapi -pthread

wall() {
  local t
  t="$( { TIMEFORMAT='%R'; time "$@" >/dev/null; } 2>&1 | tail -n 1)"
  echo "$t"
}
traced() {
  local counters="$1"; shift
  rm -rf "$work/trace"
  if [[ -n "$counters" ]]; then
    RONDO_COUNTERS="$counters" RONDO_TRACE_DIR="$work/trace" LD_PRELOAD="$preload" "$@"
  else
    RONDO_TRACE_DIR="$work/trace" LD_PRELOAD="$preload" "$@"
  fi
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

if ((rounds > 0)); then
plain=9e9 c0=9e9 c1=9e9 c3=9e9 r1=9e9 r3=9e9
for ((r = 0; r < rounds; ++r)); do
  r1="$(min "$r1" "$("$work/papi_read_cost" "$calls" "$one")")"
  r3="$(min "$r3" "$("$work/papi_read_cost" "$calls" "$three")")"
  plain="$(min "$plain" "$(wall "$work/empty_calls" "$calls")")"
  c0="$(min "$c0" "$(wall traced "" "$work/empty_calls" "$calls")")"
  c1="$(min "$c1" "$(wall traced "$one" "$work/empty_calls" "$calls")")"
  c3="$(min "$c3" "$(wall traced "$three" "$work/empty_calls" "$calls")")"
done
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$calls calls, $((2 * calls)) events, best of $rounds alternating rounds (wall time)"
awk -v n="$calls" -v p="$plain" -v r1="$r1" -v r3="$r3" -v c0="$c0" -v c1="$c1" -v c3="$c3" -v one="$one" -v three="$three" 'BEGIN {
  e = 2 * n
  printf "untraced:        %8.1f ns per call\n", p * 1e9 / n
  z = (c0 - p) * 1e9 / e; a = (c1 - p) * 1e9 / e; b = (c3 - p) * 1e9 / e
  printf "0 counters:      %8.1f ns per event\n", z
  printf "1 counter:       %8.1f ns per event (%.1fx 0 counters)   %s\n", a, (z > 0 ? a / z : 0), one
  printf "3 counters:      %8.1f ns per event (%.1fx 0 counters)   %s\n", b, (z > 0 ? b / z : 0), three
  printf "PAPI_read alone: %8.1f ns for 1 counter, %.1f for 3 (papi_read_cost, same events)\n", r1, r3
  printf "counters add:    %8.1f ns per event for 1 counter (%.2fx one PAPI_read), %.1f for 3 (%.2fx)\n", a - z, (r1 > 0 ? (a - z) / r1 : 0), b - z, (r3 > 0 ? (b - z) / r3 : 0)
}'
fi

if command -v valgrind > /dev/null; then
  # Instructions per event: the difference between runs of n and 3n calls, over
  # the 4n events between them (start-up and PAPI's set-up cancel out).
  # --separate-threads: file -01 is the application thread, the rest Rondo's.
  n=20000
  count() {  # counters calls -> "application-thread writer-threads" instructions
    rm -rf "$work/trace" "$work"/cg*
    RONDO_COUNTERS="$1" RONDO_TRACE_DIR="$work/trace" LD_PRELOAD="$preload" valgrind --tool=callgrind \
      --separate-threads=yes --callgrind-out-file="$work/cg" "$work/empty_calls" "$2" > /dev/null 2>&1
    local app=0 writer=0 f
    for f in "$work"/cg-*; do
      local v; v=$(sed -n 's/^summary: //p' "$f")
      if [[ "$f" == *-01 ]]; then app=$v; else writer=$((writer + v)); fi
    done
    echo "$app $writer"
  }
  read_instructions() {  # events calls -> instructions of papi_read_cost
    valgrind --tool=callgrind --callgrind-out-file="$work/cgr" "$work/papi_read_cost" "$2" "$1" > /dev/null 2>&1
    sed -n 's/^summary: //p' "$work/cgr"
  }
  declare -A app writer
  for c in none "$one" "$three"; do
    counters="$c"; [[ "$c" == none ]] && counters=""
    read -r a1 w1 <<< "$(count "$counters" "$n")"
    read -r a3 w3 <<< "$(count "$counters" $((3 * n)))"
    app[$c]=$(( (a3 - a1) / (4 * n) )); writer[$c]=$(( (w3 - w1) / (4 * n) ))
  done
  r1=$(( ($(read_instructions "$one" $((3 * n))) - $(read_instructions "$one" "$n")) / (2 * n) ))
  r3=$(( ($(read_instructions "$three" $((3 * n))) - $(read_instructions "$three" "$n")) / (2 * n) ))
  echo "callgrind instructions per event (application thread / Rondo's writer thread):"
  printf '  0 counters:  %5d / %5d\n' "${app[none]}" "${writer[none]}"
  printf '  1 counter:   %5d / %5d   PAPI_read alone %d: Rondo adds %d on the application thread\n' \
    "${app[$one]}" "${writer[$one]}" "$r1" $(( app[$one] - app[none] - r1 ))
  printf '  3 counters:  %5d / %5d   PAPI_read alone %d: Rondo adds %d on the application thread\n' \
    "${app[$three]}" "${writer[$three]}" "$r3" $(( app[$three] - app[none] - r3 ))
fi
