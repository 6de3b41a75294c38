#!/usr/bin/env bash
# ViTE (Debian's vite) opens an OTF2 export of a real MPI trace: it parses it with
# no error or warning and renders it to SVG (offscreen Qt platform).
#   vite_opens_export.sh RONDO MPI_HALO2D
# Exit 77 (skipped) when vite or mpirun is not installed.
set -euo pipefail
rondo=$1
halo=$2
command -v vite > /dev/null || { echo "vite not installed (apt-get install vite): skipped"; exit 77; }
command -v mpirun > /dev/null || { echo "mpirun not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Open MPI's session directory of our own: jobs of other tests starting at the same moment
# (ctest -j) cannot race us to create the shared one.
export OMPI_MCA_orte_tmpdir_base="${OMPI_MCA_orte_tmpdir_base:-$work/ompi}"
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
"$rondo" record -o "$work/trace" -- mpirun $root --oversubscribe -np 4 "$halo" 200 64 10 > "$work/record.log" 2>&1
"$rondo" export "$work/trace" --format otf2 -o "$work/otf2" > "$work/export.log" 2>&1
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$work" timeout 120 vite -f "$work/otf2/traces.otf2" -e "$work/out.svg" \
  > "$work/vite.log" 2>&1 || { cat "$work/vite.log"; exit 1; }
grep -q "0 errors and 0 warnings were found during parsing" "$work/vite.log" || { cat "$work/vite.log"; exit 1; }
# Messages are drawn as lines: 200 iterations x 4 ranks x 4 neighbours = 3200.
arrows=$(grep -o "<line" "$work/out.svg" | wc -l)
[ "$arrows" -ge 3200 ] || { echo "the SVG has $arrows lines, expected at least 3200 message arrows"; exit 1; }
echo "ViTE parsed the export with no error or warning and drew $arrows lines (3200 messages)"
