#!/usr/bin/env bash
# Instructions per 0-byte MPI_Send/MPI_Recv message, traced and untraced, from
# callgrind (repeatable on a loaded machine, unlike wall time):
#   bench/mpi/callgrind_pingpong.sh [BUILD_DIR]
# Rank 0 runs under callgrind twice per mode, with N and 2N round trips; the
# difference divided by the 2N extra messages removes start-up and MPI_Init.
# Also prints the instructions spent in the tracer's own objects per message.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
cat > "$work/pp.c" <<'C'
#include <mpi.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int rank, n = atoi(argv[1]);
  char d = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int i = 0; i < n; ++i) {
    if (rank == 0) {
      MPI_Send(&d, 0, MPI_CHAR, 1, 7, MPI_COMM_WORLD);
      MPI_Recv(&d, 0, MPI_CHAR, 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(&d, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(&d, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD);
    }
  }
  MPI_Finalize();
  return 0;
}
C
mpicc -O2 "$work/pp.c" -o "$work/pp"
preload="$build/interceptors/mpi/librondo-mpi.so"
n=2000
# total instructions of rank 0 and those in objects whose name matches librondo
measure() {  # $1: traced|plain, $2: round trips
  local out="$work/cg.$1.$2"
  local env=()
  if [ "$1" = traced ]; then
    rm -rf "$work/trace"
    env=(-x "LD_PRELOAD=$preload" -x "RONDO_TRACE_DIR=$work/trace")
  fi
  mpirun $root --oversubscribe "${env[@]}" -np 1 valgrind --tool=callgrind --callgrind-out-file="$out" "$work/pp" "$2" : \
    -np 1 "$work/pp" "$2" > /dev/null 2>&1
  local total tracer
  total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  tracer=$(callgrind_annotate --inclusive=no "$out" 2>/dev/null | awk '/librondo|rondo::/ {gsub(",", "", $1); s += $1} END {print s + 0}')
  echo "$total $tracer"
}
for mode in plain traced; do
  read -r a ta <<< "$(measure $mode $n)"
  read -r b tb <<< "$(measure $mode $((3 * n)))"
  awk -v m=$mode -v a="$a" -v b="$b" -v ta="$ta" -v tb="$tb" -v n=$n \
    'BEGIN { printf "%-7s instructions per message (rank 0): %.0f total, %.0f in the tracer\n", m, (b - a) / (4 * n), (tb - ta) / (4 * n) }'
done
