#!/usr/bin/env bash
# Instructions per 0-byte MPI_Send and MPI_Recv, traced and untraced, from
# callgrind (repeatable on a loaded machine, unlike wall time):
#   bench/mpi/callgrind_pingpong.sh [BUILD_DIR] [BASELINE_LIB_DIR]
# One process sends N 0-byte messages to itself on MPI_COMM_WORLD and receives
# each (no partner spinning beside valgrind). callgrind's inclusive cost of the
# MPI_Send / MPI_Recv wrappers divided by N is the traced cost per call; the
# same for the library's own MPI_Send / MPI_Recv (PMPI_*) is the untraced
# cost; their difference is the tracer's. BASELINE_LIB_DIR, when given, holds
# librondo-mpi.so and librondo.so.0 of another build (e.g. before a change):
# it is measured in the same run and printed as a third column.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
baseline="${2:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
cat > "$work/self.c" <<'C'
#include <mpi.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  char d = 0;
  MPI_Init(&argc, &argv);
  for (int i = 0; i < n; ++i) {
    MPI_Send(&d, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD);
    MPI_Recv(&d, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  MPI_Finalize();
  return 0;
}
C
mpicc -O2 "$work/self.c" -o "$work/self"
n=20000
program=self
. "$here/callgrind_common.sh"
mkdir -p "$work/new"
cp "$build/interceptors/mpi/librondo-mpi.so" "$build/libtrace/librondo.so.0" "$work/new/"
run plain "" &
run new "$work/new" &
[ -n "$baseline" ] && run base "$baseline" &
wait
printf '%-10s %10s %12s %12s\n' call untraced traced "tracer adds"
for fn in MPI_Send MPI_Recv; do
  plain=$(per_call "$work/cg.plain" "P?$fn" "libmpi")
  traced=$(per_call "$work/cg.new" "$fn" "wrap_p2p.cpp:$fn .*librondo-mpi")
  printf '%-10s %10s %12s %12s' "$fn" "$plain" "$traced" "$((traced - plain))"
  if [ -n "$baseline" ]; then
    base=$(per_call "$work/cg.base" "$fn" "wrap_p2p.cpp:$fn .*librondo-mpi")
    printf '   baseline traced %s (adds %s)' "$base" "$((base - plain))"
  fi
  echo
done
echo "(instructions per call, callgrind inclusive, $n calls each)"
# The whole process, every thread (the background writer included) and start-up:
# traced minus untraced instructions per MPI_Send + MPI_Recv pair.
total() { sed -n 's/^totals: //p' "$1"; }
printf 'whole process, traced - untraced, per send+recv pair: %s' "$(( ($(total "$work/cg.new") - $(total "$work/cg.plain")) / n ))"
[ -n "$baseline" ] && printf '   baseline %s' "$(( ($(total "$work/cg.base") - $(total "$work/cg.plain")) / n ))"
echo
