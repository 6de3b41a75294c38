#!/usr/bin/env bash
# What an unsuccessful poll costs a program that polls while it works, with the
# polls timed (the default) and counted (`rondo record --poll-times count`),
# each against the untraced program in the same run:
#   bench/mpi/run_poll_bench.sh [BUILD_DIR]      (default: build)
# Runs bench/mpi/poll_loop.c (MPI_Testany that finds nothing, then 20
# multiply-adds; 2 million turns, best of 5 rounds) untraced, traced and traced
# with --poll-times count, alternating, ROUNDS times (default 3), and prints the
# best time per turn of each and its ratio to untraced. Nothing here asserts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
rondo="$build/cli/rondo"
rounds="${ROUNDS:-3}"
turns="${TURNS:-2000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
mpicc -O2 "$here/poll_loop.c" -o "$work/poll_loop"

turn() { awk '/^turn_ns /{print $2}'; }
for ((r = 1; r <= rounds; ++r)); do
  mpirun $root -np 1 "$work/poll_loop" "$turns" 2>/dev/null | turn >> "$work/plain"
  "$rondo" record -o "$work/exact.$r" -- mpirun $root -np 1 "$work/poll_loop" "$turns" 2>/dev/null | turn >> "$work/exact"
  "$rondo" record --poll-times count -o "$work/count.$r" -- mpirun $root -np 1 "$work/poll_loop" "$turns" 2>/dev/null |
    turn >> "$work/count"
done
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "MPI_Testany that finds nothing + 20 multiply-adds, best of $rounds alternating runs:"
base=$(sort -g "$work/plain" | head -n 1)
for v in plain exact count; do
  awk -v v="$v" -v t="$(sort -g "$work/$v" | head -n 1)" -v b="$base" \
    'BEGIN { printf "  %-6s %7.1f ns per turn   %5.2fx untraced   %+6.1f ns per poll\n", v, t, t / b, t - b }'
done
echo "  (exact: every poll timed, two clock reads; count: rondo record --poll-times count)"
