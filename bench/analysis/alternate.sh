#!/usr/bin/env bash
# Two rondo binaries on the same command, alternating: a before/after comparison of an analyzer change
# (bench/analysis/README.md, "Before and after").
#
#   bench/analysis/alternate.sh BASE_RONDO NEW_RONDO [RUNS] -- ARGS...
#
# Runs `BASE_RONDO ARGS` and `NEW_RONDO ARGS` in turn RUNS times (default 6), output discarded, and prints
# for each binary the mean and the best wall time, the mean CPU time (user + system) and the mean peak
# resident memory, then NEW/BASE of the means: alternating puts both under the same load, which on a shared
# 2-vCPU VM changes from minute to minute. Asserts nothing.
#   e.g. bench/analysis/alternate.sh /tmp/rondo.before build/cli/rondo 6 -- stats --json --sections mpi T.rondo
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n 4,9p "$0" >&2; exit 2; }
base="$1" new="$2"
shift 2
runs=6
if [[ "$1" != "--" ]]; then runs="$1"; shift; fi
[[ "${1:-}" == "--" ]] || { echo "alternate.sh: expected -- before the rondo arguments" >&2; exit 2; }
shift
for b in "$base" "$new"; do [[ -x "$b" ]] || { echo "alternate.sh: $b is not executable" >&2; exit 2; }; done
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
for ((i = 0; i < runs; ++i)); do
  for which in base new; do
    bin="$base"; [[ "$which" == new ]] && bin="$new"
    /usr/bin/time -f "$which %e %U %S %M" -a -o "$times" "$bin" "$@" >/dev/null 2>&1 ||
      { echo "alternate.sh: $bin $* failed" >&2; exit 1; }
  done
done
awk -v runs="$runs" '
  { n[$1]++; wall[$1] += $2; cpu[$1] += $3 + $4; mem[$1] += $5
    if (!($1 in best) || $2 < best[$1]) best[$1] = $2 }
  END {
    printf "%-5s %10s %10s %10s %12s   (%d runs each, alternating)\n", "", "wall mean", "wall best", "CPU mean", "peak MiB", runs
    for (k = 1; k <= 2; ++k) {
      w = k == 1 ? "base" : "new"
      printf "%-5s %9.3fs %9.3fs %9.3fs %12.1f\n", w, wall[w] / n[w], best[w], cpu[w] / n[w], mem[w] / n[w] / 1024
    }
    printf "new/base  wall %s  CPU %s  memory %s\n", ratio(wall["new"], wall["base"]), ratio(cpu["new"], cpu["base"]), ratio(mem["new"], mem["base"])
  }
  # (Below the resolution of time(1), 10 ms, there is no ratio to print.)
  function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }' "$times"
