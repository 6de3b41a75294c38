#!/usr/bin/env bash
# Runs the whole test suite: sets up and builds first (idempotent), then ctest.
#   scripts/test.sh [extra ctest arguments, e.g. -L unit]   every label
#   scripts/test.sh --apps [extra ctest arguments]          only the label `apps`
# `apps`: real programs from Debian packages (NetPIPE, LAMMPS, hpcc, GROMACS;
# docs/real-programs.md), each recorded and compared with an untraced run, one
# at a time; about 1.5 minutes on 2 shared cores. A test whose package is
# missing skips, naming the package.
set -euo pipefail
cd "$(dirname "$0")/.."
labels=()
if [ "${1:-}" = "--apps" ]; then
  shift
  labels=(-L apps)
fi
scripts/setup.sh --no-demo
cd build
ctest --output-on-failure -j "$(nproc)" "${labels[@]}" "$@"
