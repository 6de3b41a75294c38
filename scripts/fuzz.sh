#!/usr/bin/env bash
# Runs one libFuzzer harness of tests/fuzz (tests/fuzz/fuzz_targets.h) for a while:
#   scripts/fuzz.sh TARGET SECONDS [more libFuzzer options]
#   TARGET: process_file, window_spec, name_filter, partials or otf2_import; `all` runs each in turn.
# Builds build-fuzz/ with clang (-DRONDO_FUZZ=ON: ASan + UBSan + coverage) first.
# Starts from the committed seeds (tests/fuzz/corpus/TARGET), the inputs that once
# failed (tests/fuzz/regressions/TARGET: replayed under ASan + UBSan) and what earlier runs
# found (build-fuzz/corpus/TARGET, not committed). A crash, hang (> 10 s), leak or
# memory blow-up (> 2 GB) stops the run with exit status 1 and leaves the input in
# build-fuzz/findings/TARGET/: fix the cause, then copy the input into
# tests/fuzz/regressions/TARGET/ so that the unit suite replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(process_file window_spec name_filter partials otf2_import)
usage() { echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options]; TARGET: ${targets[*]} or all" >&2; exit 2; }
[ $# -ge 2 ] || usage
target=$1 seconds=$2
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2; }
if [ "$target" = all ]; then
  for t in "${targets[@]}"; do "$0" "$t" "$seconds" "$@"; done
  exit 0
fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target '$target'" >&2; usage; }

if [ ! -f build-fuzz/CMakeCache.txt ]; then
  mkdir -p build-fuzz
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRONDO_FUZZ=ON \
    -DRONDO_BUILD_BENCH=OFF > build-fuzz/configure.log || { cat build-fuzz/configure.log; exit 1; }
fi
cmake --build build-fuzz -j "$(nproc)" --target "fuzz_$target" > build-fuzz/build.log || { cat build-fuzz/build.log; exit 1; }

corpus=build-fuzz/corpus/$target findings=build-fuzz/findings/$target
mkdir -p "$corpus" "$findings"
echo "fuzz.sh: $target for $seconds s (new inputs in $corpus, failures in $findings)"
build-fuzz/tests/fuzz/"fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$findings/" -print_final_stats=1 "$@" "$corpus" "tests/fuzz/corpus/$target" \
  $([ -d "tests/fuzz/regressions/$target" ] && echo "tests/fuzz/regressions/$target")
