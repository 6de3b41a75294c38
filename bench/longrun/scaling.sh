#!/usr/bin/env bash
# Bounded reader memory (issue 17, part 5): runs bench/longrun/run.sh at 10^7,
# 10^8 and 10^9 events and prints, per size, the recorder's peak RSS and the
# peak anonymous memory (what the process itself holds, not the mapped trace's
# page cache) of `rondo info` and `rondo stats`, each with its ratio to the
# smallest size. Bounded memory shows as ratios near 1 while events grow 100x.
#
#   bench/longrun/scaling.sh BUILD_DIR
#
# Environment: SIZES (default "10000000 100000000 1000000000"), WORK, CC (see run.sh).
# Prints numbers and ratios only; asserts nothing (memory under load is indicative).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: bench/longrun/scaling.sh BUILD_DIR}"
sizes=(${SIZES:-10000000 100000000 1000000000})

printf "%14s %14s %14s %14s\n" events "recorder MiB" "info anon MiB" "stats anon MiB"
base=()
for n in "${sizes[@]}"; do
  out="$(EVENTS="$n" "$here/run.sh" "$build")"
  recorder=$(sed -n 's/^recorder RSS: .*peak \([0-9.]*\) MiB$/\1/p' <<<"$out")
  info=$(sed -n 's/^rondo info: .*peak anonymous \([0-9.]*\) MiB.*/\1/p' <<<"$out")
  stats=$(sed -n 's/^rondo stats: .*peak anonymous \([0-9.]*\) MiB.*/\1/p' <<<"$out")
  recorder=${recorder:-0} info=${info:-0} stats=${stats:-0}
  [[ ${#base[@]} -eq 0 ]] && base=("$recorder" "$info" "$stats")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'; }
  printf "%14s %8s %5s %8s %5s %8s %5s\n" "$n" "$recorder" "$(ratio "$recorder" "${base[0]}")" \
    "$info" "$(ratio "$info" "${base[1]}")" "$stats" "$(ratio "$stats" "${base[2]}")"
  grep -E '^(rondo (info|stats) (events|calls)|trace:)' <<<"$out" | sed 's/^/    /'
done
