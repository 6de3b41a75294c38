#!/usr/bin/env bash
# MPI wrapper cost and trace size, each measured against a baseline in the same run.
#   bench/mpi/run_mpi_bench.sh [BUILD_DIR]      (default: build)
# Prints, for a 0-byte ping-pong and an MPI_Iprobe loop, the time per operation
# untraced and traced, their ratio and the difference (the wrapper's cost); the
# NetPIPE small-message latency and hpcc's MPIRandomAccess and ring latency,
# untraced and traced in alternating runs (when installed); then
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

awk -v a="$(grep '^pingpong_message_ns ' "$work/plain.txt" | awk '{print $2}' | best)" \
    -v b="$(grep '^pingpong_message_ns ' "$work/traced.txt" | awk '{print $2}' | best)" \
    'BEGIN { printf "0-byte ping-pong: %+.0f ns per message traced\n", b - a }'

# NetPIPE (netpipe-openmpi): one-way latency of 1..67-byte messages, the median
# over those sizes per run, best of 3 alternating runs each.
if command -v NPopenmpi > /dev/null; then
  np_latency() {  # prints the median one-way time in ns of an NPopenmpi output file
    awk '{print $3 * 1e9}' "$1" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
  }
  for i in 1 2 3; do
    (cd "$work" && run NPopenmpi -u 64 -n 2000 -o "np_plain$i.out" > /dev/null)
    (cd "$work" && "$rondo" record -o "$work/np_trace$i" -- mpirun $root --oversubscribe -np 2 \
        NPopenmpi -u 64 -n 2000 -o "np_traced$i.out" > /dev/null 2>&1)
    np_latency "$work/np_plain$i.out" >> "$work/np_plain.txt"
    np_latency "$work/np_traced$i.out" >> "$work/np_traced.txt"
  done
  awk -v a="$(best < "$work/np_plain.txt")" -v b="$(best < "$work/np_traced.txt")" \
      'BEGIN { printf "NetPIPE (NPopenmpi -u 64 -n 2000, 2 ranks): one-way %.0f ns untraced, %.0f ns traced: %+.0f ns per message\n", a, b, b - a }'
else
  echo "NetPIPE: NPopenmpi not installed (apt-get install netpipe-openmpi), skipped"
fi

# hpcc (Debian's hpcc, its example input on a 1x2 grid): MPIRandomAccess polls
# MPI_Testany millions of times a second (folded polls, FORMAT.md 7.2).
if command -v hpcc > /dev/null && [ -f /usr/share/doc/hpcc/examples/_hpccinf.txt ]; then
  mkdir -p "$work/hpcc"
  sed -e '11s/^2 /1 /' /usr/share/doc/hpcc/examples/_hpccinf.txt > "$work/hpcc/hpccinf.txt"
  hpcc_value() { grep "^$1=" "$work/hpcc/hpccoutf.txt" | head -n 1 | cut -d= -f2; }
  for i in 1 2 3; do
    rm -f "$work/hpcc/hpccoutf.txt"
    (cd "$work/hpcc" && run hpcc > /dev/null)
    hpcc_value MPIRandomAccess_GUPs >> "$work/gups_plain.txt"
    hpcc_value RandomlyOrderedRingLatency_usec >> "$work/ring_plain.txt"
    rm -f "$work/hpcc/hpccoutf.txt"
    (cd "$work/hpcc" && "$rondo" record -o "$work/hpcc_trace$i" --force -- mpirun $root --oversubscribe -np 2 hpcc \
        > /dev/null 2>&1)
    hpcc_value MPIRandomAccess_GUPs >> "$work/gups_traced.txt"
    hpcc_value RandomlyOrderedRingLatency_usec >> "$work/ring_traced.txt"
  done
  most() { sort -g | tail -n 1; }
  awk -v a="$(most < "$work/gups_plain.txt")" -v b="$(most < "$work/gups_traced.txt")" \
      'BEGIN { printf "hpcc MPIRandomAccess: %.4f GUP/s untraced, %.4f traced: %.2fx (best of 3 each)\n", a, b, b / a }'
  awk -v a="$(sort -g < "$work/ring_plain.txt" | head -n 1)" -v b="$(sort -g < "$work/ring_traced.txt" | head -n 1)" \
      'BEGIN { printf "hpcc randomly ordered ring latency: %.3f us untraced, %.3f us traced\n", a, b }'
  echo "hpcc trace: $(du -sb "$work/hpcc_trace3" | cut -f1) bytes; $("$rondo" info "$work/hpcc_trace3" | grep -E '^ *events' | head -n 1)"
else
  echo "hpcc: not installed (apt-get install hpcc), skipped"
fi

echo
echo "Trace size: examples/mpi/halo2d.c, 4 ranks, 10,000 iterations"
"$rondo" record -o "$work/halo" -- mpirun $root --oversubscribe -np 4 "$build/examples/mpi_halo2d" 10000 64 10 >/dev/null 2>&1
"$rondo" info "$work/halo" | grep -E "events|size|grammar"
echo "rank 0's grammar (the iteration is one loop):"
"$rondo" print --grammar --thread 0:0 "$work/halo" | sed -n '1,14p'
