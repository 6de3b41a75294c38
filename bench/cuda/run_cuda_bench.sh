#!/bin/bash
# Cost of recording a kernel launch: a loop of empty kernels, untraced and
# under `rondo record`, host ns per launch (median of 5 runs each), and the
# trace size per kernel. Needs a GPU: without one it says so and exits 0.
# Usage: bench/cuda/run_cuda_bench.sh [BUILD_DIR] [LAUNCHES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
launches=${2:-100000}
rondo=$build/cli/rondo
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$nvcc" ]; then echo "run_cuda_bench: no nvcc ($nvcc): nothing measured"; exit 0; fi
"$nvcc" -O2 -cudart shared -o "$work/empty_kernels" "$here/empty_kernels.cu"
if ! "$work/empty_kernels" 10 > /dev/null 2>&1; then
  echo "run_cuda_bench: needs a GPU (no usable CUDA device here): nothing measured"
  exit 0
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
untraced=$(for i in 1 2 3 4 5; do "$work/empty_kernels" "$launches"; done | median)
traced=$(for i in 1 2 3 4 5; do
  "$rondo" record --force -o "$work/t.rondo" -- "$work/empty_kernels" "$launches" 2> /dev/null
done | median)
bytes=$(du -sb "$work/t.rondo" | cut -f1)
kernels=$("$rondo" stats --json "$work/t.rondo" | python3 -c 'import json,sys; print(sum(k["calls"] for k in json.load(sys.stdin)["gpu"]["kernels"]))')
echo "launches per run:          $launches"
echo "untraced ns per launch:    $untraced"
echo "traced ns per launch:      $traced"
awk -v u="$untraced" -v t="$traced" 'BEGIN { printf "added ns per launch:       %.1f (%.2fx)\n", t - u, t / u }'
echo "kernels in the trace:      $kernels"
awk -v b="$bytes" -v k="$kernels" 'BEGIN { printf "trace bytes per kernel:    %.3f\n", b / k }'
