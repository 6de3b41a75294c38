#!/usr/bin/env bash
# MPI wrapper cost and trace size, each measured against a baseline in the same run.
#   bench/mpi/run_mpi_bench.sh [BUILD_DIR]      (default: build)
# Prints, for a 0-byte ping-pong and an MPI_Iprobe loop, the time per operation
# untraced and traced, their ratio and the difference (the wrapper's cost); then
# the bytes per event of examples/mpi/halo2d.c with 10,000 iterations on 4 ranks
# and the loop structure `rondo print --grammar` shows for rank 0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
rondo="$build/cli/rondo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
mpicc -O2 "$here/mpi_overhead.c" -o "$work/mpi_overhead"

run() { mpirun $root --oversubscribe -np 2 "$@" 2>/dev/null; }
# Alternate untraced and traced runs, keep the best of each.
best() { sort -n | head -n 1; }
for i in 1 2 3; do
  run "$work/mpi_overhead" >> "$work/plain.txt"
  "$rondo" record -o "$work/trace$i" -- mpirun $root --oversubscribe -np 2 "$work/mpi_overhead" 2>/dev/null >> "$work/traced.txt"
done
echo "MPI wrapper cost (2 ranks, best of 3 runs x 5 rounds; ratio = traced / untraced)"
printf '%-22s %12s %12s %8s %14s\n' operation "untraced ns" "traced ns" ratio "wrapper ns"
for op in pingpong_message_ns iprobe_ns; do
  a=$(grep "^$op " "$work/plain.txt" | awk '{print $2}' | best)
  b=$(grep "^$op " "$work/traced.txt" | awk '{print $2}' | best)
  awk -v op="$op" -v a="$a" -v b="$b" 'BEGIN { printf "%-22s %12.1f %12.1f %8.2f %14.1f\n", op, a, b, b / a, b - a }'
done

echo
echo "Trace size: examples/mpi/halo2d.c, 4 ranks, 10,000 iterations"
"$rondo" record -o "$work/halo" -- mpirun $root --oversubscribe -np 4 "$build/examples/mpi_halo2d" 10000 64 10 >/dev/null 2>&1
"$rondo" info "$work/halo" | grep -E "events|size|grammar"
echo "rank 0's grammar (the iteration is one loop):"
"$rondo" print --grammar --thread 0:0 "$work/halo" | sed -n '1,14p'
