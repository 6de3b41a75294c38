#!/usr/bin/env bash
# Installs Rondo into a temporary prefix, then builds a consumer project with
# find_package(Rondo) and another with pkg-config, and records both with the
# installed `rondo` command.
#   test_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"

cmake -S "$source/tests/package/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/cfg.log"
cmake --build "$work/cmake-build" > "$work/build.log"

libdir=$(dirname "$(find "$work/prefix" -name librondo.so | head -n 1)")
export PKG_CONFIG_PATH="$libdir/pkgconfig"
g++ -std=c++17 "$source/tests/package/consumer/consumer.cpp" -o "$work/pc-consumer" $(pkg-config --cflags --libs rondo)

# Without `rondo record`: runs, records nothing.
out=$(LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer")
[ "$out" = "consumer done, recording=0" ] || { echo "unexpected output: $out"; exit 1; }

for program in "$work/cmake-build/consumer" "$work/pc-consumer"; do
  LD_LIBRARY_PATH="$libdir" "$work/prefix/bin/rondo" record -o "$work/trace" -- "$program" > "$work/record.log" 2>&1
  calls=$("$work/prefix/bin/rondo" stats --csv "$work/csv" "$work/trace" > /dev/null && grep '^consumer_work,' "$work/csv/regions.csv" | cut -d, -f2)
  [ "$calls" = "25" ] || { echo "$program: expected 25 calls of consumer_work, got '$calls'"; cat "$work/record.log"; exit 1; }
  rm -rf "$work/trace" "$work/csv"
done
"$work/prefix/bin/rondo" avail | grep -q "compiler .*available" || { echo "installed rondo does not find its modules"; exit 1; }
echo "package test passed: find_package(Rondo) and pkg-config consumers recorded 25 calls each"
