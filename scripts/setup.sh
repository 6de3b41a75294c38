#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages, as root), builds Rondo into build/,
# installs it into /usr/local (as root; otherwise says how to put it on PATH),
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
  openmpi-bin libopenmpi-dev gfortran netpipe-openmpi
  clang libomp-14-dev zlib1g-dev
  libpapi-dev papi-tools                # counters (rondo record --counters)
  libclang-rt-14-dev                    # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh; only recommended by clang)
  opari2 libpomp2-dev
  libmpich-dev mpich eztrace vite
  pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest
  lammps lammps-examples gromacs hpcc   # the real programs of the `apps` test label
  qt6-base-dev                          # the viewer (rondo view)
  libunwind-dev libdw-dev               # call sites (--callstack): unwinding, and file:line from DWARF
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

# `rondo` as a command: installed into /usr/local (bin/ is on PATH) when we may,
# otherwise the one line that puts the build on PATH.
if [ "$(id -u)" -eq 0 ]; then
  cmake --install build --prefix /usr/local > build/install.log || { cat build/install.log; exit 1; }
  echo "setup: installed rondo into /usr/local: \`rondo\` now works as a command"
  rondo=rondo
else
  echo "setup: to use \`rondo\` as a command, run: export PATH=\"$PWD/build/cli:\$PATH\"  (or install as root: cmake --install build --prefix /usr/local)"
  rondo=build/cli/rondo
fi

echo
echo "== demo: recording examples/mpi/halo2d.c on 4 ranks (2-D halo exchange, 1000 iterations)"
root_flag=""
if [ "$(id -u)" -eq 0 ]; then root_flag="--allow-run-as-root"; fi
$rondo record --force -o demo.rondo -- mpirun $root_flag --oversubscribe -np 4 build/examples/mpi_halo2d 1000 256 10
echo
$rondo stats demo.rondo
echo
$rondo print --grammar --thread 0:0 demo.rondo
