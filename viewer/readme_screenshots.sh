#!/bin/bash
# Regenerates the README's viewer screenshots with `rondo view --screenshot`
# (Qt's offscreen platform, no display): the halo example (4 ranks) whole and
# 3 ms in the middle of its halo exchanges, nested_loops 200000 whole and 20 us at 97 % of its run
# (its last phase, where single iterations show; the middle is one long call), and
# `rondo view A B` of nested_loops 200000 against 100000 on one time axis, and
# the last 12 ms of the CUDA stream pipeline recorded on an H200 (the trace kept
# in tests/gpu/fixtures: these machines have no GPU).
# Usage: viewer/readme_screenshots.sh BUILD_DIR [OUT_DIR (default docs/images)]
set -euo pipefail
build=$(cd "${1:?usage: readme_screenshots.sh BUILD_DIR [OUT_DIR]}" && pwd)
out=$(cd "${2:-$(dirname "$0")/../docs/images}" && pwd)
rondo=$build/cli/rondo
work=$(mktemp -d /tmp/rondo-screenshots.XXXXXX)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
root=$([ "$(id -u)" = 0 ] && echo --allow-run-as-root || true)
"$rondo" record -o "$work/halo.rondo" -- mpirun $root --oversubscribe -np 4 "$build/examples/mpi_halo2d" 10000 64 10 > /dev/null
"$rondo" record -o "$work/loops.rondo" -- "$build/examples/nested_loops" 200000 > /dev/null
"$rondo" record -o "$work/loops-short.rondo" -- "$build/examples/nested_loops" 100000 > /dev/null
# A window of TRACE, WIDTH_US wide, centred at FRACTION of its run, as --window
# takes it (us since the start).
window_at() {
  local ns
  ns=$("$rondo" stats --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["duration_ns"])')
  python3 -c "m=$ns*$3/1000; w=$2; print(f'{m - w/2:.3f}us:{m + w/2:.3f}us')"
}
"$rondo" view --screenshot "$out/viewer-halo2d.png" --size 1400x300 "$work/halo.rondo"
# 3 ms in the middle of the halo exchanges, which begin when rank 0's
# MPI_Init returns (a start-up of a few hundred ms on a busy machine).
halo_window() {
  PYTHONPATH="$build/python" python3 -c '
import sys, rondo
t = rondo.open(sys.argv[1])
ev = list(t.events(0, 0))
begin = next(e.time_ns for e in ev if e.kind == "LEAVE" and e.region == "MPI_Init")
mid = (begin + ev[-1].time_ns) / 2 / 1000
print(f"{mid - 1500:.3f}us:{mid + 1500:.3f}us")' "$1"
}
"$rondo" view --screenshot "$out/viewer-halo2d-zoom.png" --size 1400x300 --window "$(halo_window "$work/halo.rondo")" "$work/halo.rondo"
"$rondo" view --screenshot "$out/viewer-loops-far.png" --size 1400x200 "$work/loops.rondo"
"$rondo" view --screenshot "$out/viewer-loops-near.png" --size 1400x200 --window "$(window_at "$work/loops.rondo" 20 0.97)" "$work/loops.rondo"
# (from the work directory: the headers name the traces as given)
(cd "$work" && "$rondo" view --screenshot "$out/viewer-compare.png" --size 1400x260 loops.rondo loops-short.rondo)
"$rondo" view --screenshot "$out/viewer-cuda.png" --size 1400x230 --window 160ms:172ms \
  "$(dirname "$0")/../tests/gpu/fixtures/h200-stream-pipeline"
