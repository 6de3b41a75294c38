#!/bin/sh
# Cost per MPI call of call-site capture: the untraced call, then traced with
# --callstack 0, 8 and 16, all in one run, as ratios to the untraced call and
# differences in ns. With valgrind installed, callgrind instruction counts per
# call too (repeatable on a busy machine, unlike the times).
# Usage: bench/callstack/run_callstack_bench.sh [BUILD_DIR] [CALLS]
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
calls=${2:-1000000}
rondo="$build/cli/rondo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpicc -O2 -g -o "$work/calls" "$here/callstack_calls.c"
root=""
[ "$(id -u)" = 0 ] && root="--allow-run-as-root"
run() {  # prints ns per call
  "$@" 2>/dev/null | sed -n 's/^ns_per_call=\([0-9.]*\).*/\1/p'
}
untraced=$(run mpirun $root --oversubscribe -np 1 "$work/calls" "$calls")
echo "untraced MPI_Comm_rank: $untraced ns/call"
for depth in 0 8 16; do
  ns=$(run "$rondo" record --force -o "$work/t$depth" --callstack "$depth" -- mpirun $root --oversubscribe -np 1 "$work/calls" "$calls")
  echo "--callstack $depth: $ns ns/call, ratio $(echo "$ns / $untraced" | bc -l | cut -c1-5), +$(echo "$ns - $untraced" | bc -l) ns"
done
if command -v valgrind > /dev/null; then
  # Instructions per call: the difference between runs of n and 3n calls, over
  # 2n (start-up, and naming the call sites at the end, cancel out).
  n=10000
  count() {  # depth calls -> instructions of the whole program
    if [ "$1" = none ]; then
      valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$work/calls" "$2" > /dev/null 2>&1
    else
      RONDO_CALLSTACK=$1 "$rondo" record --force -o "$work/v" -t mpi -- \
        valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$work/calls" "$2" > /dev/null 2>&1 || true
    fi
    sed -n 's/^summary: //p' "$work/cg"
  }
  for depth in none 0 8 16; do
    a=$(count $depth $n)
    b=$(count $depth $((3 * n)))
    echo "callgrind, --callstack $depth: $(( (b - a) / (2 * n) )) instructions per call"
  done
fi
