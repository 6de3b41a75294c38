#!/usr/bin/env bash
# Memory of the MPI analysis per point-to-point message (issue 17, part 5):
#   bench/analysis/mpi_memory.sh [BUILD_DIR]      (default build/, configured with examples)
# Records examples/mpi/ring on 2 ranks for each lap count in LAPS (default
# "100000 1000000"; 2 messages per lap) and prints the peak resident memory of
# `rondo stats` with the flat profile only (the baseline: summaries, no
# replay), with the MPI sections (mpi, wait_states), with every section, and of
# `rondo check`, each with its ratio to the baseline and the memory above the
# baseline per message. The MPI sections pair every send with its receive and
# so hold every message's records; the other sections stay bounded.
# Prints numbers only; asserts nothing (memory under load is indicative).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$repo/build}"
rondo="$build/cli/rondo"
ring="$build/examples/mpi_ring"
[[ -x "$rondo" && -x "$ring" ]] || { echo "mpi_memory.sh: build $build with examples first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpirun_args=(--oversubscribe)
[[ "$(id -u)" == 0 ]] && mpirun_args=(--allow-run-as-root "${mpirun_args[@]}")

peak_mib() {  # COMMAND...: its maximum resident set size in MiB
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@" > /dev/null
  awk '{ printf "%.1f", $1 / 1024 }' "$work/time.txt"
}

printf "%9s %9s %12s %22s %22s %22s\n" laps messages "profile MiB" "mpi,wait_states MiB" "every section MiB" \
  "rondo check MiB"
for laps in ${LAPS:-100000 1000000}; do
  trace="$work/ring$laps.rondo"
  "$rondo" record -o "$trace" -- mpirun "${mpirun_args[@]}" -np 2 "$ring" "$laps" 8 > /dev/null 2>&1
  messages=$((2 * laps))
  base=$(peak_mib "$rondo" stats --sections profile "$trace")
  row=("$laps" "$messages" "$base")
  for cmd in "stats --sections mpi,wait_states" "stats --json" "check"; do
    # shellcheck disable=SC2086  # the sub-command and its options are words
    mib=$(peak_mib "$rondo" $cmd "$trace")
    row+=("$(awk -v m="$mib" -v b="$base" -v n="$messages" \
      'BEGIN { printf "%.1f %.1fx %dB/msg", m, m / b, (m - b) * 1048576 / n }')")
  done
  printf "%9s %9s %12s %22s %22s %22s\n" "${row[@]}"
done
