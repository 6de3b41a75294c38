#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages, as root), builds Rondo into build/,
# then records the example program and prints its statistics.
#   scripts/setup.sh            set up, build, run the demo
#   scripts/setup.sh --no-demo  set up and build only (used by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git
  libzstd-dev zstd
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libotf2-trace-dev otf2-tools
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing; run this script as root (sudo) to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake_args=(-S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${CI:-}" = "true" ]; then cmake_args+=(-DRONDO_WERROR=ON); fi
cmake "${cmake_args[@]}" > build-configure.log || { cat build-configure.log; exit 1; }
cmake --build build -j "$(nproc)"

if [ "${1:-}" = "--no-demo" ]; then exit 0; fi

echo
echo "== demo: recording examples/c_loops/nested_loops.c (built with -finstrument-functions)"
rm -rf demo.rondo
build/cli/rondo record -o demo.rondo -- build/examples/nested_loops 1000
echo
build/cli/rondo stats demo.rondo
echo
build/cli/rondo print --grammar demo.rondo
