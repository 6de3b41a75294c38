#!/usr/bin/env bash
# OTF2 exports of real recordings (the loop, OpenMP and MPI examples) read with
# otf2-print -Werror (no error, no warning), with as many event records as
# `rondo info` counts events (one OTF2 record per Rondo event).
#   otf2_print_counts.sh RONDO NESTED_LOOPS MPI_HALO2D [OMP_TOUR]
set -euo pipefail
rondo=$1
loops=$2
halo=$3
omp=${4:-}
command -v otf2-print > /dev/null || { echo "otf2-print not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Open MPI's session directory of our own: jobs of other tests starting at the same moment
# (ctest -j) cannot race us to create the shared one.
export OMPI_MCA_orte_tmpdir_base="${OMPI_MCA_orte_tmpdir_base:-$work/ompi}"
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"

check() {  # name, then the command to record
  local name=$1
  shift
  "$rondo" record -o "$work/$name" -- "$@" > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
  "$rondo" export "$work/$name" --format otf2 -o "$work/$name.otf2" > /dev/null
  otf2-print -Werror "$work/$name.otf2/traces.otf2" > "$work/$name.txt" 2> "$work/$name.err" ||
    { echo "$name: otf2-print failed"; cat "$work/$name.err"; exit 1; }
  [ ! -s "$work/$name.err" ] || { echo "$name: otf2-print wrote to stderr"; cat "$work/$name.err"; exit 1; }
  local records events
  # Event lines start with the record name in capitals, then the location.
  records=$(awk '$1 ~ /^[A-Z_]+$/ && $2 ~ /^[0-9]+$/ {n++} END {print n + 0}' "$work/$name.txt")
  events=$("$rondo" info --json "$work/$name" | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
  [ "$records" = "$events" ] || { echo "$name: otf2-print shows $records records, rondo info $events events"; exit 1; }
  echo "$name: $records OTF2 records = $events Rondo events"
}

check loops "$loops" 2000
check halo mpirun $root --oversubscribe -np 4 "$halo" 100 64 10
if [ -n "$omp" ]; then OMP_NUM_THREADS=4 check openmp "$omp"; fi
