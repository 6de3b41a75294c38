#!/usr/bin/env bash
# Instructions per unsuccessful poll (MPI_Testany over 4 pending receives,
# MPI_Test, MPI_Iprobe), traced and untraced, from callgrind (repeatable on a
# loaded machine, unlike wall time):
#   bench/mpi/callgrind_polls.sh [BUILD_DIR] [BASELINE_LIB_DIR]
# One process posts 4 receives that nothing will match (as hpcc's
# MPIRandomAccess keeps receives posted while it polls) and polls N times with
# each call; every poll finds nothing, so the tracer folds it (FORMAT.md 7.2).
# The last column is the same with RONDO_POLL_TIMES=count (polls counted, not
# timed: no clock read).
# callgrind's inclusive cost of the wrapper per call is the traced cost, that
# of the library's PMPI_* the untraced one; their difference is the tracer's.
# BASELINE_LIB_DIR, when given, holds librondo-mpi.so and librondo.so.0 of
# another build (e.g. before a change): it is measured in the same run and
# printed as a further column, as callgrind_pingpong.sh does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
baseline="${2:-}"
work="${KEEP:-$(mktemp -d)}"; mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap "rm -rf $work" EXIT
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
cat > "$work/polls.c" <<'C'
#include <mpi.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]), index, flag;
  char buf[4];
  MPI_Request reqs[4];
  MPI_Init(&argc, &argv);
  for (int i = 0; i < 4; ++i) MPI_Irecv(&buf[i], 1, MPI_CHAR, 0, 100 + i, MPI_COMM_WORLD, &reqs[i]);
  for (int i = 0; i < n; ++i) MPI_Testany(4, reqs, &index, &flag, MPI_STATUS_IGNORE);
  for (int i = 0; i < n; ++i) MPI_Test(&reqs[0], &flag, MPI_STATUS_IGNORE);
  for (int i = 0; i < n; ++i) MPI_Iprobe(0, 7, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
  for (int i = 0; i < 4; ++i) {
    MPI_Cancel(&reqs[i]);
    MPI_Wait(&reqs[i], MPI_STATUS_IGNORE);
  }
  MPI_Finalize();
  return 0;
}
C
mpicc -O2 "$work/polls.c" -o "$work/polls"
n=20000
program=polls
. "$here/callgrind_common.sh"
mkdir -p "$work/new"
cp "$build/interceptors/mpi/librondo-mpi.so" "$build/libtrace/librondo.so.0" "$work/new/"
run plain "" &
run new "$work/new" &
run count "$work/new" RONDO_POLL_TIMES=count &
[ -n "$baseline" ] && run base "$baseline" &
wait
printf '%-12s %10s %12s %12s %20s\n' call untraced traced "tracer adds" "--poll-times count"
for fn in MPI_Testany MPI_Test MPI_Iprobe; do
  plain=$(per_call "$work/cg.plain" "P?$fn" "libmpi")
  traced=$(per_call "$work/cg.new" "$fn" "wrap_[a-z0-9]*[.]cpp:$fn .*librondo-mpi")
  counted=$(per_call "$work/cg.count" "$fn" "wrap_[a-z0-9]*[.]cpp:$fn .*librondo-mpi")
  printf '%-12s %10s %12s %12s %20s' "$fn" "$plain" "$traced" "$((traced - plain))" "adds $((counted - plain))"
  if [ -n "$baseline" ]; then
    base=$(per_call "$work/cg.base" "$fn" "wrap_[a-z0-9]*[.]cpp:$fn .*librondo-mpi")
    printf '   baseline traced %s (adds %s)' "$base" "$((base - plain))"
  fi
  echo
done
echo "(instructions per unsuccessful poll, callgrind inclusive, $n calls each)"
