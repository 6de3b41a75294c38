#!/bin/bash
# Records a loop-heavy trace (nested_loops, STEPS steps: 11,000,000 give about
# 10^8 events) and a 4-rank MPI trace (halo2d), exports both to OTF2 and runs
# bench_viewer on each. Usage: bench/viewer/run_viewer_bench.sh BUILD_DIR [STEPS]
set -euo pipefail
build=$(cd "${1:?usage: run_viewer_bench.sh BUILD_DIR [STEPS]}" && pwd)
steps=${2:-11000000}
work=$(mktemp -d /tmp/rondo-viewer-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rondo=$build/cli/rondo
"$rondo" record -o "$work/loops.rondo" -- "$build/examples/nested_loops" "$steps" > /dev/null
"$rondo" export --format otf2 -o "$work/loops.otf2" "$work/loops.rondo" > /dev/null
"$build/bench/viewer/bench_viewer" "$work/loops.rondo" "$work/loops.otf2/traces.otf2"
# The whole program, as a user starts it: Qt, the trace, the first paint of the
# window (timeline and overview strip) and the PNG.
TIMEFORMAT="rondo view --screenshot (1750x300: 1600 px of timeline; whole process): %R s"
time QT_QPA_PLATFORM=offscreen "$rondo" view --screenshot "$work/loops.png" --size 1750x300 "$work/loops.rondo" > /dev/null 2>&1
root=$([ "$(id -u)" = 0 ] && echo --allow-run-as-root || true)
"$rondo" record -o "$work/halo.rondo" -- mpirun $root --oversubscribe -np 4 "$build/examples/mpi_halo2d" 20000 256 10 > /dev/null
"$rondo" export --format otf2 -o "$work/halo.otf2" "$work/halo.rondo" > /dev/null
"$build/bench/viewer/bench_viewer" "$work/halo.rondo" "$work/halo.otf2/traces.otf2"
