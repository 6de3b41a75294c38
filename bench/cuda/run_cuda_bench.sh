#!/bin/bash
# Cost of recording a kernel launch: a loop of empty kernels, untraced, under
# CUPTI alone with handlers that do nothing (cupti_floor.cu: the activity kinds
# and callback domains the cuda module enables, the floor under any CUPTI-based
# tracer), and under `rondo record`. Host ns per launch, median of ROUNDS runs of
# each, the three interleaved so that drift hits them alike; then what Rondo adds
# over untraced and over the floor, and the trace size per kernel. Needs a GPU:
# without one it says so and exits 0.
# Usage: bench/cuda/run_cuda_bench.sh [BUILD_DIR] [LAUNCHES] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
launches=${2:-100000}
rounds=${3:-7}
rondo=$build/cli/rondo
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
cuda=$(cd "$(dirname "$nvcc")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$nvcc" ]; then echo "run_cuda_bench: no nvcc ($nvcc): nothing measured"; exit 0; fi
"$nvcc" -O2 -cudart shared -o "$work/empty_kernels" "$here/empty_kernels.cu"
# CUPTI's headers and library: in the toolkit's include/ and lib*/, or in extras/CUPTI.
"$nvcc" -O2 -cudart shared -I"$cuda/include" -I"$cuda/extras/CUPTI/include" -o "$work/cupti_floor" \
  "$here/cupti_floor.cu" -L"$cuda/lib" -L"$cuda/lib64" -L"$cuda/extras/CUPTI/lib64" -lcupti
if ! "$work/empty_kernels" 10 > /dev/null 2>&1; then
  echo "run_cuda_bench: needs a GPU (no usable CUDA device here): nothing measured"
  exit 0
fi

: > "$work/untraced"; : > "$work/floor"; : > "$work/traced"
for _ in $(seq "$rounds"); do
  "$work/empty_kernels" "$launches" >> "$work/untraced"
  "$work/cupti_floor" "$launches" all 2> /dev/null | cut -d' ' -f1 >> "$work/floor"
  "$rondo" record --force -o "$work/t.rondo" -- "$work/empty_kernels" "$launches" 2> /dev/null >> "$work/traced"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
untraced=$(median "$work/untraced") floor=$(median "$work/floor") traced=$(median "$work/traced")
bytes=$(du -sb "$work/t.rondo" | cut -f1)
kernels=$("$rondo" stats --json "$work/t.rondo" | python3 -c 'import json,sys; print(sum(k["calls"] for k in json.load(sys.stdin)["gpu"]["kernels"]))')
echo "launches per run:             $launches (median of $rounds runs each)"
echo "untraced ns per launch:       $untraced   (runs: $(tr '\n' ' ' < "$work/untraced"))"
echo "CUPTI floor ns per launch:    $floor   (runs: $(tr '\n' ' ' < "$work/floor"))"
echo "rondo record ns per launch:   $traced   (runs: $(tr '\n' ' ' < "$work/traced"))"
awk -v u="$untraced" -v f="$floor" -v t="$traced" 'BEGIN {
  printf "CUPTI itself adds:            %.1f ns per launch (%.2fx)\n", f - u, f / u
  printf "rondo record adds:            %.1f ns per launch (%.2fx)\n", t - u, t / u
  printf "of which Rondo itself adds:   %.1f ns per launch (rondo record - CUPTI floor)\n", t - f }'
echo "kernels in the trace:         $kernels"
awk -v b="$bytes" -v k="$kernels" 'BEGIN { printf "trace bytes per kernel:       %.3f\n", b / k }'
