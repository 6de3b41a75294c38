#!/usr/bin/env bash
# Overhead of the OpenMP module: an empty `#pragma omp parallel` on 2 threads and
# an omp_set_lock/omp_unset_lock pair, untraced and under `rondo record -t openmp`.
# Usage: run_openmp_bench.sh [BUILD_DIR] [ROUNDS PARALLELS LOCKS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build-dev}
shift || true
args=("$@")
rondo=$build/cli/rondo
[ -x "$rondo" ] || { echo "no rondo at $rondo (build it first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-gcc} -O2 -fopenmp "$here/omp_bench.c" -o "$work/omp_bench"
export OMP_NUM_THREADS=2

plain=$("$work/omp_bench" "${args[@]}")
traced=$("$rondo" record -t openmp -o "$work/trace" "$work/omp_bench" "${args[@]}" 2>/dev/null | grep -E '^(parallel|lock)_ns')
value() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }
printf '%-10s %12s %12s %8s\n' operation "untraced ns" "traced ns" ratio
for k in parallel lock; do
  u=$(value ${k}_ns "$plain")
  t=$(value ${k}_ns "$traced")
  printf '%-10s %12s %12s %8s\n' "$k" "$u" "$t" "$(awk -v a="$t" -v b="$u" 'BEGIN { printf "%.2f", a / b }')"
done
"$rondo" stats "$work/trace" | head -1
