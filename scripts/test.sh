#!/usr/bin/env bash
# Runs the whole test suite: sets up and builds first (idempotent), then ctest.
#   scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-demo
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
