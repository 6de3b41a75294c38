#!/bin/bash
# Instructions per timeline frame (callgrind, repeatable on a loaded machine) at
# several zoom levels, for frame_profile and, optionally, a baseline build of it
# measured in the same run (ratios printed). Each zoom: REPEAT frames of that
# window after the first frame (as the viewer draws them one after the other).
# Usage: bench/viewer/callgrind_frames.sh TRACE FRAME_PROFILE [BASELINE_FRAME_PROFILE] [REPEAT]
set -euo pipefail
trace=${1:?usage: callgrind_frames.sh TRACE FRAME_PROFILE [BASELINE_FRAME_PROFILE] [REPEAT]}
new=${2:?frame_profile binary}
base=${3:-}
repeat=${4:-3}
work=$(mktemp -d /tmp/rondo-callgrind-frames.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Instructions inside draw_measured_frames, per frame.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out" --toggle-collect='*draw_measured_frames*' \
    "$1" "$trace" "$2" "$3" "$repeat" > /dev/null 2>&1
  callgrind_annotate "$work/out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print int($1 / '"$repeat"') }'
}
printf '%-22s %16s %16s %8s\n' "window (at 0.5)" "instr/frame" "baseline" "ratio"
for fraction in 1 0.1 0.01 0.001 0.0001 0.00001; do
  at=0.5
  n=$(count "$new" "$fraction" "$at")
  if [ -n "$base" ]; then
    b=$(count "$base" "$fraction" "$at")
    printf '%-22s %16s %16s %8.3f\n' "1/$(awk "BEGIN{print 1/$fraction}")" "$n" "$b" "$(awk "BEGIN{print $n/$b}")"
  else
    printf '%-22s %16s\n' "1/$(awk "BEGIN{print 1/$fraction}")" "$n"
  fi
done
