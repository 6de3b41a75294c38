#!/usr/bin/env bash
# NetPIPE's small-message latency, untraced and traced by two builds of the
# MPI wrapper, in alternating rounds: a before/after comparison of a change to
# the recording path, in time (callgrind_pingpong.sh gives the instructions).
#
#   bench/mpi/netpipe_libs.sh BUILD_DIR BASELINE_LIB_DIR [ROUNDS]     (default 8 rounds)
#
# BASELINE_LIB_DIR holds librondo-mpi.so and librondo.so.0 of another build
# (e.g. copied before the change). Each round runs, 2 ranks on one machine,
# `NPopenmpi -u 64 -n 2000` untraced, under BUILD_DIR's `rondo record`, and
# under the same `rondo record` with RONDO_LIB_DIR=BASELINE_LIB_DIR; a run's
# figure is its median one-way latency over message sizes (1-67 bytes). Prints
# per variant the best and the median run and their excess over untraced.
# NetPIPE reports latencies to 10 ns. Asserts nothing.
set -euo pipefail
usage="usage: bench/mpi/netpipe_libs.sh BUILD_DIR BASELINE_LIB_DIR [ROUNDS]"
[ $# -ge 2 ] && [ -d "$1" ] && [ -d "$2" ] || { echo "rondo: netpipe_libs.sh: two directories needed ($usage)" >&2; exit 2; }
build="$(cd "$1" && pwd)"
baseline="$(cd "$2" && pwd)"
rounds="${3:-8}"
rondo="$build/cli/rondo"
command -v NPopenmpi > /dev/null || { echo "rondo: netpipe_libs.sh: NPopenmpi not found (apt-get install netpipe-openmpi)" >&2; exit 1; }
for lib in librondo-mpi.so librondo.so.0; do
  [ -f "$baseline/$lib" ] || { echo "rondo: netpipe_libs.sh: $baseline has no $lib" >&2; exit 1; }
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

netpipe=(mpirun -np 2 NPopenmpi -u 64 -n 2000 -o np.out)
# The median over sizes of the last run's one-way latency, in ns.
latency() { awk '{print $3 * 1e9}' np.out | sort -g | awk '{v[NR] = $1} END { if (NR) print v[int((NR + 1) / 2)] }'; }
run() {
  local variant=$1
  shift
  rm -rf np.out trace
  if "$@" > /dev/null 2>&1 && [ -s np.out ]; then
    echo "$variant $(latency)" >> figures
  else
    echo "rondo: netpipe_libs.sh: the $variant run failed" >&2
  fi
}
for ((r = 1; r <= rounds; r++)); do
  run untraced "${netpipe[@]}"
  run new "$rondo" record -o trace -- "${netpipe[@]}"
  run baseline env RONDO_LIB_DIR="$baseline" "$rondo" record -o trace -- "${netpipe[@]}"
done

echo "NetPIPE one-way latency, median over 1-67-byte messages, $rounds alternating rounds (load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-10s %8s %8s %14s %14s\n' variant best median "best - untr." "median - untr."
stat() { awk -v v="$1" '$1 == v {print $2}' figures | sort -g | awk -v which="$2" '{a[NR] = $1} END { if (!NR) exit; print which == "best" ? a[1] : a[int((NR + 1) / 2)] }'; }
untraced_best=$(stat untraced best)
untraced_median=$(stat untraced median)
for variant in untraced new baseline; do
  best=$(stat "$variant" best)
  median=$(stat "$variant" median)
  [ -n "$best" ] || continue
  printf '%-10s %6s ns %6s ns %11s ns %11s ns\n' "$variant" "$best" "$median" \
    "$(awk -v a="$best" -v b="$untraced_best" 'BEGIN {printf "%+d", a - b}')" \
    "$(awk -v a="$median" -v b="$untraced_median" 'BEGIN {printf "%+d", a - b}')"
done
echo "(new: $build; baseline: $baseline)"
