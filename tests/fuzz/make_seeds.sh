#!/usr/bin/env bash
# Remakes the seed corpora of tests/fuzz/corpus from real traces of the examples:
#   tests/fuzz/make_seeds.sh [BUILD_DIR]   (default build/, built with the examples)
# Process files are recorded uncompressed (RONDO_COMPRESSION=0) so that the fuzzer
# mutates the grammar and columns themselves rather than zstd streams; only small
# files are kept. Partials are those of the same traces (fuzz_seed_partials).
# The window and filter seeds are written here as text.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rondo=$build/cli/rondo
out=tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root_flags=(--allow-run-as-root --oversubscribe)
export RONDO_COMPRESSION=0

record() {  # NAME MODULES -- COMMAND...
  local name=$1 modules=$2
  shift 3
  "$rondo" record --force -t "$modules" -o "$work/$name" -- "$@" > /dev/null
}
record nested_loops compiler -- "$build/examples/nested_loops" 50
record ring mpi -- mpirun "${root_flags[@]}" -np 2 "$build/examples/mpi_ring" 20 64
record collectives mpi -- mpirun "${root_flags[@]}" -np 2 "$build/examples/mpi_collectives"
record producer_consumer pthread -- "$build/examples/producer_consumer" 2 2 50
record file_io io -- "$build/examples/file_io"
record omp_tour openmp -- "$build/examples/omp_tour"

rm -rf "$out/process_file" "$out/partials"
mkdir -p "$out/process_file" "$out/partials" "$out/window_spec" "$out/name_filter"
for trace in "$work"/*/; do
  name=$(basename "$trace")
  for f in "$trace"*.rnd; do
    # Small files only: the fuzzer mutates a few bytes per run of the whole file.
    if [ "$(stat -c %s "$f")" -le 65536 ]; then cp "$f" "$out/process_file/$name-$(basename "$f")"; fi
  done
  "$build/tests/fuzz/fuzz_seed_partials" "$trace" "$out/partials/$name"
done

# Window seeds: 8 bytes of trace start (little-endian ns), then the window text.
window() { { printf '%b' "$1"; printf '%s' "$2"; } > "$out/window_spec/$3"; }
window '\x00\xe4\x0b\x54\x02\x00\x00\x00' '1.5s:2s' seconds
window '\x00\x00\x00\x00\x00\x00\x00\x00' ':500ms' open_begin
window '\x00\x10\xa5\xd4\xe8\x00\x00\x00' '2s:' open_end
window '\x00\x00\x00\x00\x00\x00\x00\x00' '100ns:30us' units
window '\xff\xff\xff\xff\xff\xff\xff\x7f' '1e3ms:1.5e3ms' exponent
# Filter seeds: the spec, then names to match, separated by NUL bytes.
filter() { printf '%b' "$1" > "$out/name_filter/$2"; }
filter 'main,compute_*\0main\0compute_step\0other' allow_list
filter '-MPI_*,+MPI_Send\0MPI_Send\0MPI_Recv\0solve' exclude
filter 'a\\*b?,-*_internal\0a*bc\0x_internal\0ab' escape
echo "make_seeds: $(ls "$out/process_file" | wc -l) process files, $(ls "$out/partials" | wc -l) partials"
