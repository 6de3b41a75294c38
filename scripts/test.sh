#!/usr/bin/env bash
# Runs the whole test suite: sets up and builds first (idempotent), then ctest.
#   scripts/test.sh [extra ctest arguments, e.g. -L unit]   every label
#   scripts/test.sh --apps [extra ctest arguments]          only the label `apps`
#   scripts/test.sh --sanitize address|thread [ctest args]  the unit tests (readers,
#       analyzer, runtime) and the threads tests (pthread, I/O, memory and, under
#       ASan, OpenMP modules) built with ASan+UBSan into build-asan/, or with TSan
#       into build-tsan/; any sanitizer report fails the test that caused it
#   scripts/test.sh --fuzz SECONDS                          every fuzz target for
#       SECONDS each (scripts/fuzz.sh, clang build in build-fuzz/)
# `apps`: real programs from Debian packages (NetPIPE, LAMMPS, hpcc, GROMACS;
# docs/real-programs.md), each recorded and compared with an untraced run, one
# at a time; about 1.5 minutes on 2 shared cores. A test whose package is
# missing skips, naming the package.
# Under CI=true the plain run also runs each fuzz target for 3,000 inputs from
# a fixed seed (README "Fuzzing and sanitizers"): the same inputs on every run
# of the same code, so a CI failure can be reproduced; open-ended fuzzing is
# `scripts/fuzz.sh TARGET SECONDS`. Then it runs the recording runtime's tests
# (test_runtime) under TSan and under ASan + UBSan, built at -O1 with line
# tables only (ci_sanitized_run): what fits in CI's time next to the plain run
# (README says what is left out).
set -euo pipefail
cd "$(dirname "$0")/.."

# The test programs a sanitized run builds and runs (their `unit` tests): the
# readers and the analyzer (format, analyzer, thread/wait/loop statistics,
# check, the fuzzers' regression inputs) and the recording runtime with real
# threaded programs (test_runtime: API, compiler, pthread, I/O and memory
# modules, crashes and fork/exec), and the threads tests of `rondo record` with
# the pthread, I/O, memory and OpenMP modules preloaded into real programs
# (test_openmp, test_full_disk). Only these and what they need are built.
sanitized_targets=(test_format test_analyzer test_thread_stats test_wait_states_unit test_wait_root_causes
  test_loop_stats test_check test_fuzz_regressions test_runtime test_openmp test_full_disk)
# Tests a sanitized run leaves out, and why (ctest -E):
#  - MPI jobs (Hybrid...): Open MPI is not built with the sanitizer and its own
#    leaks and races are not Rondo's; the mpi label covers them unsanitized.
#  - GROMACS: a Debian program, not ours.
#  - TSan only, OpenMP: libgomp and libomp are not built with TSan, so TSan sees
#    none of their synchronisation and reports every parallel region as a race
#    (clang's Archer would need the program, libomp and Rondo all built by clang
#    with one TSan runtime; Rondo's sanitized builds use g++'s shared runtimes).
#    The pthread tests cover Rondo's threads against application threads.
#  - python_module, vite_*, otf2_print_*: they run the Python module, ViTE and
#    otf2-print on what targets a sanitized run does not build (the Python
#    module, the converters) produce; they are the plain run's.
#  - TSan only, Jump.OutOfAnInterruptedRead: it siglongjmp()s out of an
#    asynchronous handler that interrupted read(), a path TSan does not follow
#    (its signal state and mask are not restored: llvm-project issues 94207 and
#    215833); now and then (3 runs in 25 at -O2) TSan's reporter then deadlocks
#    with the main thread's pthread_create. The plain and ASan runs have it
#    (docs/sanitizers.md, "What is left out").
sanitize_excluded='^package_|_NOT_BUILT$|Hybrid|Gromacs|^python_module$|^vite_|^otf2_print_'
sanitize_excluded_thread='|OpenMp|ScriptWrapper|Jump\.OutOfAnInterruptedRead'
# Extra cmake arguments of a sanitized build (ci_sanitized_run sets them).
sanitize_cmake_args=()
# Extra tests a sanitized run leaves out (ci_sanitized_run sets them).
sanitize_excluded_extra=''

# Builds into build-asan/ or build-tsan/ and runs those tests there.
sanitized_run() {
  local kind=$1 dir
  shift
  case "$kind" in
    address) dir=${sanitize_build_dir:-build-asan} ;;
    thread) dir=${sanitize_build_dir:-build-tsan} ;;
    *) echo "test.sh: --sanitize takes address or thread, not '$kind'" >&2; exit 2 ;;
  esac
  local args=(-S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRONDO_SANITIZE="$kind" -DRONDO_BUILD_BENCH=OFF
    -DRONDO_VIEWER=OFF -DRONDO_CUDA=OFF "${sanitize_cmake_args[@]}")
  if [ "${CI:-}" = "true" ]; then args+=(-DRONDO_WERROR=ON); fi
  mkdir -p "$dir"
  cmake "${args[@]}" > "$dir/configure.log" || { cat "$dir/configure.log"; exit 1; }
  cmake --build "$dir" -j "$(nproc)" --target "${sanitized_targets[@]}"
  # Errors stop the program (exit status != 0) with a stack trace. Traced programs
  # keep their recorders until exit on purpose, and most of the suite runs real
  # MPI and OpenMP libraries that do the same: leaks are the fuzzers' to find.
  # The crash tests raise SIGSEGV, SIGBUS and SIGFPE on purpose for Rondo's own
  # handlers: ASan and TSan must leave those signals to the program.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0"
  # Tests of programs not built here register as *_NOT_BUILT: not this run's.
  local excluded=$sanitize_excluded
  if [ "$kind" = thread ]; then excluded+=$sanitize_excluded_thread; fi
  excluded+=$sanitize_excluded_extra
  (cd "$dir" && ctest --output-on-failure -j "$(nproc)" -L '^(unit|openmp)$' -E "$excluded" "$@")
}

# CI's sanitized runs: only test_runtime (the runtime's own threads against
# real threaded programs, crashes, fork/exec, the compiler hooks and signals),
# under TSan and then under ASan + UBSan, each at -O1 with line tables (-g1):
# 55-68% of the compile CPU time of -O2 -g (three files measured, 2026-12-04),
# and reports still name files and lines (format/ keeps its own -O3). Each has
# its own build directory (its own flags: not those of `--sanitize`). Measured
# without a compiler cache on the shared 2-core machine (README "Fuzzing and
# sanitizers"): about 5 minutes (TSan) and 3 (ASan + UBSan) on CI's two cores.
# Left out of the ASan run: the tests that fork() while the parent runs threads
# (Rondo's writer and flusher at least: the Fork cases, the Exit cases of a
# forked child, a shell running commands), which now and then hang in the child on a
# lock of ASan's allocator that another thread held at fork() (g++ 12's
# libasan does not take it around fork(); 2026-12-04: 1 of 3 full runs each for
# the last two); the plain run covers them, TSan skips them. ASan + UBSan of the readers is
# what CI's fuzzing runs; the rest is `--sanitize address|thread`.
ci_sanitized_run() {
  local kind=$1
  sanitized_targets=(test_runtime)
  sanitize_cmake_args=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
  sanitize_excluded_extra=''
  case "$kind" in
    thread) sanitize_build_dir=build-tsan-ci ;;
    address)
      sanitize_build_dir=build-asan-ci
      sanitize_excluded_extra='|Fork\.ParentAndChildEachWriteTheirOwnFile|Exit\.AForkedChild|Exec\.AShellThatExecsItsLastCommand'
      ;;
  esac
  sanitized_run "$kind"
}

# The least number of tests each label must have once built (ctest -N): fewer
# means a suite vanished, e.g. a dependency not found at configure time. Raise
# a minimum when tests are added; lower it only with the tests' removal.
# (Each is the number of TEST, TEST_F and TEST_P in the label's sources on
# 2026-12-03; parametrized tests make the real counts higher.)
label_minimums=(unit=231 mpi=45 openmp=32 apps=6)
# Counts the tests of each label: under CI=true a label below its minimum fails
# the run before any test runs; elsewhere it is a warning (a machine may lack
# MPI or clang, and Rondo builds without them).
check_label_counts() {
  local entry label minimum count short=0
  for entry in "${label_minimums[@]}"; do
    label=${entry%%=*}
    minimum=${entry#*=}
    count=$(cd build && ctest -N -L "^${label}\$" | sed -n 's/^Total Tests: //p')
    if [ "${count:-0}" -lt "$minimum" ]; then
      echo "test.sh: label $label has ${count:-0} tests, fewer than its minimum $minimum: a suite vanished (a dependency not found at configure time? see the 'Rondo:' lines of cmake)" >&2
      short=1
    fi
  done
  if [ $short -ne 0 ] && [ "${CI:-}" = "true" ]; then exit 1; fi
  return 0
}

case "${1:-}" in
  --sanitize)
    [ $# -ge 2 ] || { echo "test.sh: --sanitize takes address or thread" >&2; exit 2; }
    kind=$2
    shift 2
    sanitized_run "$kind" "$@"
    exit 0
    ;;
  --fuzz)
    [ $# -ge 2 ] || { echo "test.sh: --fuzz takes a number of seconds per target" >&2; exit 2; }
    exec scripts/fuzz.sh all "$2"
    ;;
esac

labels=()
if [ "${1:-}" = "--apps" ]; then
  shift
  labels=(-L apps)
fi
scripts/setup.sh --no-demo
check_label_counts
(cd build && ctest --output-on-failure -j "$(nproc)" "${labels[@]}" "$@")
if [ "${CI:-}" = "true" ] && [ ${#labels[@]} -eq 0 ] && [ $# -eq 0 ]; then
  scripts/fuzz.sh all 120 -seed=1 -runs=3000
  ci_sanitized_run thread
  ci_sanitized_run address
fi
