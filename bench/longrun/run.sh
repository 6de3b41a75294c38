#!/usr/bin/env bash
# Long runs (issue 17, part 5): records EVENTS events (default 10^9) from an
# instrumented loop and samples the recording process's resident memory while
# it runs (it must stay flat: the recorder writes compressed batches as it
# goes), then opens the trace with `rondo info` and `rondo stats` under
# /usr/bin/time -v and prints their peak memory (bounded: the reader maps the
# file and decodes one timestamp chunk at a time, and statistics come from the
# thread summaries and a streaming replay).
#
#   bench/longrun/run.sh BUILD_DIR          # e.g. build (RelWithDebInfo)
#
# Environment: EVENTS (default 1000000000), WORK (a directory with room for the
# trace: about 1.5 bytes per event; default $TMPDIR), CC (default cc).
# Prints numbers and ratios; asserts nothing about time. One run takes about
# 2 minutes on a quiet machine (10^9 events at ~15 ns, then the replay).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/longrun/run.sh BUILD_DIR}" && pwd)"
events="${EVENTS:-1000000000}"
preload="$build/interceptors/compiler/librondo-compiler.so"
rondo="$build/cli/rondo"
for f in "$preload" "$rondo"; do
  [[ -f "$f" ]] || { echo "rondo: $f not found; build the rondo-compiler and rondo_cli targets in $build first" >&2; exit 1; }
done

work="$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/rondo-longrun-XXXXXX")"
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -finstrument-functions "$here/long_loop.c" -o "$work/long_loop"

# Steps for the number of events: 4 N + 2 ceil(N/7) + 2 ceil(N/13) + 2 = EVENTS.
steps=$(( (events - 2) * 91 / 404 ))
expected=$(( 4 * steps + 2 * ((steps + 6) / 7) + 2 * ((steps + 12) / 13) + 2 ))

# The recording run, with its VmRSS (KiB) sampled twice a second.
RONDO_TRACE_DIR="$work/trace" LD_PRELOAD="$preload" "$work/long_loop" "$steps" > "$work/out.txt" &
pid=$!
: > "$work/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null >> "$work/rss.txt" || true
  sleep 0.5
done
wait "$pid"

# Flat memory: the largest sample of the last quarter of the run against the
# largest of the second quarter (after start-up), and the overall peak.
awk -v events="$expected" '
  { rss[NR] = $1 }
  END {
    n = NR; if (n < 8) { printf "rss samples: %d (run too short to judge)\n", n; exit }
    for (i = int(n / 4) + 1; i <= int(n / 2); ++i) if (rss[i] > early) early = rss[i]
    for (i = int(3 * n / 4) + 1; i <= n; ++i) if (rss[i] > late) late = rss[i]
    for (i = 1; i <= n; ++i) if (rss[i] > peak) peak = rss[i]
    printf "recording: %d events, %d RSS samples\n", events, n
    printf "recorder RSS: second quarter max %.1f MiB, last quarter max %.1f MiB (ratio %.3f), peak %.1f MiB\n",
           early / 1024, late / 1024, late / early, peak / 1024
  }' "$work/rss.txt"

bytes=$(du -sb "$work/trace" | cut -f1)
printf "trace: %d bytes (%.3f bytes per event)\n" "$bytes" "$(bc -l <<<"$bytes / $expected")"

# Peak memory of the readers. `rondo info` reads the summaries only; `rondo stats`
# also replays every event (call tree, loops). The reader maps the process file:
# pages of the mapping it has touched count in the process's RSS but are the
# kernel's page cache (dropped under pressure, shared with other readers), so
# the anonymous part (RssAnon, sampled) is the memory the reader itself holds.
peak_of() {
  local what=$1; shift
  /usr/bin/time -v "$@" > "$work/$what.out" 2> "$work/$what.time" &
  local tpid=$! anon=0 a child
  while kill -0 "$tpid" 2>/dev/null; do
    child=$(pgrep -P "$tpid" | head -n 1 || true)
    if [[ -n "$child" ]]; then
      a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)
      (( ${a:-0} > anon )) && anon=$a
    fi
    sleep 0.2
  done
  wait "$tpid"
  local kib
  kib=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/$what.time")
  printf "%s: peak RSS %.1f MiB (%.3f of the trace's size), peak anonymous %.1f MiB, %s\n" "$what" \
    "$(bc -l <<<"$kib / 1024")" "$(bc -l <<<"$kib * 1024 / $bytes")" "$(bc -l <<<"$anon / 1024")" \
    "$(awk -F': ' '/Elapsed/ { print "wall " $2 }' "$work/$what.time")"
}
peak_of "rondo info" "$rondo" info --json "$work/trace"
recorded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$work/rondo info.out")
echo "rondo info events: $recorded (expected $expected)"
peak_of "rondo stats" "$rondo" stats --json "$work/trace"
python3 - "$work/rondo stats.out" "$steps" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
calls = {r["name"]: r["calls"] for r in stats["regions"]}
print("rondo stats calls: step %d (expected %s), work %d" % (calls.get("step", 0), sys.argv[2], calls.get("work", 0)))
PY
