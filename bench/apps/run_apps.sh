#!/usr/bin/env bash
# Real applications from Debian packages, untraced vs Rondo vs EZTrace, in one run.
#   bench/apps/run_apps.sh [BUILD_DIR] [ROUNDS]     (defaults: build, 3)
#   APPS="lammps hpcc" bench/apps/run_apps.sh       a subset (lammps gromacs hpcc netpipe)
#   POLL_COUNT_APPS="hpcc netpipe" ...              also run these with `rondo record --poll-times count`
#
# For each program (../../docs/real-programs.md has the recipes) the rounds
# alternate: untraced, traced by Rondo, traced by EZTrace, so that a slow
# moment of a shared machine hits all three alike. Printed per program:
#   - wall time of the whole run (best of the rounds) and its ratio to untraced;
#   - the program's own figures where it prints some (hpcc GUP/s and ring
#     latency, NetPIPE one-way latency, GROMACS ns/day), best of the rounds;
#   - trace sizes: Rondo's trace, EZTrace's OTF2 archive, and Rondo's own OTF2
#     export compressed with `zstd -3` (what an OTF2 user would archive);
#   - whether the program's deterministic output (docs/real-programs.md says
#     which lines) is identical untraced, under Rondo and under EZTrace.
# A program whose package is missing is skipped with its package's name; an
# EZTrace run that does not finish within EZTRACE_TIMEOUT seconds (default 300)
# is reported as such. Nothing here asserts: it prints ratios.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
rounds="${2:-3}"
apps="${APPS:-lammps gromacs hpcc netpipe}"
poll_count_apps="${POLL_COUNT_APPS:-hpcc}"
rondo="$build/cli/rondo"
ez_timeout="${EZTRACE_TIMEOUT:-300}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
have_eztrace=0
command -v eztrace > /dev/null && have_eztrace=1

now() { date +%s.%N; }
best() { sort -g | head -n 1; }
most() { sort -g | tail -n 1; }
bytes() { if [ -e "$1" ]; then du -sb "$1" | cut -f1; else echo 0; fi; }
human() { numfmt --to=iec --suffix=B --format=%.1f "$1" 2>/dev/null || echo "$1"; }

# run_variant APP VARIANT ROUND: runs the program once in $work/APP/VARIANT.ROUND,
# appends the wall time to $work/APP/VARIANT.time and leaves the program's output
# there. VARIANT is plain, rondo or eztrace. The command to run is "$@" after
# the three arguments (what `mpirun ...` or the program would run untraced).
# rondo-count is Rondo with `--poll-times count` (polls counted, not timed),
# run for the programs in POLL_COUNT_APPS (default: hpcc, which polls millions
# of times a second).
run_variant() {
  local app=$1 variant=$2 round=$3
  shift 3
  local dir="$work/$app/$variant.$round" t0 t1 rc
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$work/$app/input/." "$dir/"
  t0=$(now)
  case "$variant" in
    plain) (cd "$dir" && "$@" > stdout.txt 2> stderr.txt); rc=$? ;;
    rondo) (cd "$dir" && "$rondo" record -o "$dir/trace" -- "$@" > stdout.txt 2> stderr.txt); rc=$? ;;
    rondo-count)
      (cd "$dir" && "$rondo" record --poll-times count -o "$dir/trace" -- "$@" > stdout.txt 2> stderr.txt); rc=$? ;;
    eztrace)
      # EZTrace is put under each MPI rank (mpirun -np 2 eztrace -t openmpi prog) or
      # before the program itself; its modules come from EZ_MODULES.
      if [ "$1" = mpirun ]; then
        local np_args=("$1" "$2" "$3")
        shift 3
        (cd "$dir" && EZTRACE_TRACE_DIR="$dir/ez" timeout "$ez_timeout" "${np_args[@]}" \
           eztrace -t "$EZ_MODULES" "$@" > stdout.txt 2> stderr.txt); rc=$?
      else
        (cd "$dir" && EZTRACE_TRACE_DIR="$dir/ez" timeout "$ez_timeout" \
           eztrace -t "$EZ_MODULES" "$@" > stdout.txt 2> stderr.txt); rc=$?
      fi ;;
  esac
  t1=$(now)
  if [ "$rc" -eq 124 ]; then
    echo "timeout" >> "$work/$app/$variant.status"
  else
    echo "rc=$rc" >> "$work/$app/$variant.status"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$work/$app/$variant.time"
  fi
}

# round_status APP VARIANT ROUND: "timeout" or "rc=N" for that round (run_variant's record).
round_status() { sed -n "${3}p" "$work/$1/$2.status" 2>/dev/null; }

# report APP FIGURE_FUNCTION DETERMINISTIC_FUNCTION: prints the row of one program.
report() {
  local app=$1 figures=$2 deterministic=$3 v
  local base
  base=$(best < "$work/$app/plain.time")
  echo
  echo "== $app (${rounds} alternating rounds, best wall time of each) =="
  for v in plain rondo rondo-count eztrace; do
    if [ ! -s "$work/$app/$v.time" ]; then
      if [ -s "$work/$app/$v.status" ]; then
        printf '  %-11s did not finish (%s)\n' "$v" "$(sort -u "$work/$app/$v.status" | paste -sd ' ')"
      fi
      continue
    fi
    awk -v n="$v" -v t="$(best < "$work/$app/$v.time")" -v b="$base" \
      'BEGIN { printf "  %-11s %8.2f s   %5.2fx untraced\n", n, t, t / b }'
    [ -n "$figures" ] && "$figures" "$app" "$v"
  done
  # Sizes from the last round; an EZTrace run cut short left no trace worth comparing.
  local last=$rounds rsize ezsize zsize ezshown
  rsize=$(bytes "$work/$app/rondo.$last/trace")
  ezsize=$(bytes "$work/$app/eztrace.$last/ez")
  ezshown=$(human "$ezsize")
  if [ "$(round_status "$app" eztrace "$last")" = timeout ]; then
    ezsize=0
    ezshown="none (did not finish)"
  fi
  "$rondo" export "$work/$app/rondo.$last/trace" --format otf2 -o "$work/$app/otf2" > /dev/null 2>&1
  zsize=$(tar -C "$work/$app" -cf - otf2 | zstd -3 -q -c | wc -c)
  echo "  trace sizes: Rondo $(human "$rsize"), EZTrace $ezshown, Rondo's OTF2 export + zstd -3 $(human "$zsize")"
  awk -v r="$rsize" -v e="$ezsize" -v z="$zsize" 'BEGIN {
    if (r > 0 && z > 0) printf "  Rondo is %.1fx smaller than its OTF2 export + zstd", z / r
    if (r > 0 && e > 0) printf ", %.1fx smaller than EZTrace", e / r
    print "" }'
  "$rondo" info "$work/$app/rondo.$last/trace" 2>/dev/null | grep -E '^ *(events|processes|threads)' | sed 's/^ */  rondo info: /'
  # Deterministic output, compared with the first untraced round.
  local ref="$work/$app/ref.txt" same
  "$deterministic" "$work/$app/plain.1" > "$ref"
  for v in plain rondo rondo-count eztrace; do
    [ -d "$work/$app/$v.1" ] || continue
    same=identical
    for ((r = 1; r <= rounds; r++)); do
      [ -d "$work/$app/$v.$r" ] || continue
      if [ "$(round_status "$app" "$v" "$r")" = timeout ]; then
        same="did not finish (round $r)"
        break
      fi
      "$deterministic" "$work/$app/$v.$r" | cmp -s - "$ref" || same="DIFFERENT (round $r)"
    done
    printf '  output %-11s %s (%s lines compared)\n' "$v" "$same" "$(wc -l < "$ref")"
  done
}

# alternate APP CMD...: the rounds of one program.
alternate() {
  local app=$1 r v
  shift
  for ((r = 1; r <= rounds; r++)); do
    for v in plain rondo rondo-count eztrace; do
      [ "$v" = eztrace ] && [ "$have_eztrace" -eq 0 ] && continue
      [ "$v" = rondo-count ] && [[ " $poll_count_apps " != *" $app "* ]] && continue
      run_variant "$app" "$v" "$r" "$@"
    done
  done
}

# --- LAMMPS: melt on a 15^3 lattice, 1000 steps, 2 ranks ---------------------------
lammps_deterministic() { grep -E '^ +[0-9]+ +[-0-9.e]+ ' "$1/run.log" 2>/dev/null; }
bench_lammps() {
  if ! command -v lmp > /dev/null || [ ! -f /usr/share/lammps/examples/melt/in.melt ]; then
    echo; echo "== lammps: skipped (apt-get install lammps lammps-examples) =="; return
  fi
  mkdir -p "$work/lammps/input"
  sed -e 's/block 0 10 0 10 0 10/block 0 15 0 15 0 15/' -e 's/^run.*/run 1000/' \
    /usr/share/lammps/examples/melt/in.melt > "$work/lammps/input/in.melt"
  EZ_MODULES=openmpi alternate lammps mpirun -np 2 lmp -in in.melt -log run.log -screen none
  report lammps "" lammps_deterministic
  local trace="$work/lammps/rondo.$rounds/trace"
  echo "  rank 0: $("$rondo" print --grammar --thread 0:0 "$trace" 2>/dev/null | grep -m1 'top level' | sed 's/^ *//')"
  "$rondo" stats --json "$trace" 2>/dev/null | python3 -c '
import json, sys
loops = json.load(sys.stdin).get("loops", [])
if loops:
    top = max(loops, key=lambda l: l.get("nest_iterations") or l.get("iterations", 0))
    its = top.get("nest_iterations") or top.get("iterations", 0)
    print("  time-step loop: %s, %.0f steps per rank" % (top.get("label", "?"), its / max(top.get("ranks", 1), 1)))'
}

# --- GROMACS: a water box, minimised, then 500 MD steps with 2 OpenMP threads -----
gromacs_figures() {
  local app=$1 v=$2
  local f
  f=$(for d in "$work/$app/$v".*; do grep -E '^Performance:' "$d/run.log" 2>/dev/null | awk '{print $2}'; done | most)
  [ -n "$f" ] && printf '           %s ns/day (best)\n' "$f"
}
# The energies mdrun logs every 100 steps: with -reprod they are bitwise reproducible.
gromacs_deterministic() {
  grep -E '^ +-?[0-9]\.[0-9]+e[-+][0-9]+( +-?[0-9]\.[0-9]+e[-+][0-9]+)* *$' "$1/run.log" 2>/dev/null
}
bench_gromacs() {
  if ! command -v gmx > /dev/null; then
    echo; echo "== gromacs: skipped (apt-get install gromacs) =="; return
  fi
  local in="$work/gromacs/input"
  mkdir -p "$in"
  # A freshly solvated box has overlapping molecules that make MD blow up within
  # a few steps (SETTLE errors, then a crash): minimise its energy first.
  (
    cd "$in" || exit 1
    gmx -quiet solvate -cs spc216.gro -box 3 3 3 -o water.gro
    n=$(grep -c OW water.gro)
    printf '#include "oplsaa.ff/forcefield.itp"\n#include "oplsaa.ff/spce.itp"\n[ system ]\nwater\n[ molecules ]\nSOL %s\n' "$n" > topol.top
    printf 'integrator = steep\nnsteps = 500\ncutoff-scheme = Verlet\ncoulombtype = PME\nrcoulomb = 1.0\nrvdw = 1.0\n' > em.mdp
    gmx -quiet grompp -f em.mdp -c water.gro -p topol.top -o em.tpr -maxwarn 5
    gmx -quiet mdrun -s em.tpr -nt 2 -ntmpi 1 -ntomp 2 -nb cpu -deffnm em
    printf 'integrator = md\nnsteps = 500\ndt = 0.002\ncutoff-scheme = Verlet\ncoulombtype = PME\nrcoulomb = 1.0\nrvdw = 1.0\nconstraints = h-bonds\nnstlog = 100\nnstenergy = 100\n' > md.mdp
    gmx -quiet grompp -f md.mdp -c em.gro -p topol.top -o md.tpr -maxwarn 5
    find . -mindepth 1 ! -name md.tpr -delete
  ) > "$work/gromacs/setup.log" 2>&1
  if [ ! -f "$in/md.tpr" ]; then
    echo; echo "== gromacs: set-up failed ($(tail -n 1 "$work/gromacs/setup.log")) =="; return
  fi
  EZ_MODULES="openmp pthread" alternate gromacs gmx -quiet mdrun -s md.tpr -nt 2 -ntmpi 1 -ntomp 2 -nb cpu -reprod -deffnm run
  report gromacs gromacs_figures gromacs_deterministic
}

# --- hpcc: its example input on a 1x2 grid, 2 ranks --------------------------------
hpcc_value() { grep "^$2=" "$1/hpccoutf.txt" 2>/dev/null | head -n 1 | cut -d= -f2; }
hpcc_figures() {
  local app=$1 v=$2 d name
  for name in MPIRandomAccess_GUPs RandomlyOrderedRingLatency_usec PTRANS_GBs MPIFFT_Gflops; do
    local vals
    vals=$(for d in "$work/$app/$v".*; do hpcc_value "$d" "$name"; done)
    [ -z "$vals" ] && continue
    if [ "$name" = RandomlyOrderedRingLatency_usec ]; then
      printf '           %-32s %s (best)\n' "$name" "$(echo "$vals" | best)"
    else
      printf '           %-32s %s (best)\n' "$name" "$(echo "$vals" | most)"
    fi
  done
}
# The verification verdicts hpcc prints for each test (its timings vary by nature).
hpcc_deterministic() { grep -E '^(Success|Failure|HPL_.*_NB|PTRANS_n|MPIFFT_N|MPIRandomAccess_N)=' "$1/hpccoutf.txt" 2>/dev/null; }
bench_hpcc() {
  if ! command -v hpcc > /dev/null || [ ! -f /usr/share/doc/hpcc/examples/_hpccinf.txt ]; then
    echo; echo "== hpcc: skipped (apt-get install hpcc) =="; return
  fi
  mkdir -p "$work/hpcc/input"
  sed -e '11s/^2 /1 /' /usr/share/doc/hpcc/examples/_hpccinf.txt > "$work/hpcc/input/hpccinf.txt"
  EZ_MODULES=openmpi alternate hpcc mpirun -np 2 hpcc
  report hpcc hpcc_figures hpcc_deterministic
}

# --- NetPIPE: 1..67-byte messages, 2 ranks -----------------------------------------
netpipe_figures() {
  local app=$1 v=$2 d
  local lat
  lat=$(for d in "$work/$app/$v".*; do
    awk '{print $3 * 1e9}' "$d/np.out" 2>/dev/null | sort -n | awk '{v[NR] = $1} END { if (NR) print v[int((NR + 1) / 2)] }'
  done | best)
  [ -n "$lat" ] && printf '           one-way latency %.0f ns (median over sizes, best run)\n' "$lat"
}
netpipe_deterministic() { awk '{print $1}' "$1/np.out" 2>/dev/null; }
bench_netpipe() {
  if ! command -v NPopenmpi > /dev/null; then
    echo; echo "== netpipe: skipped (apt-get install netpipe-openmpi) =="; return
  fi
  mkdir -p "$work/netpipe/input"
  EZ_MODULES=openmpi alternate netpipe mpirun -np 2 NPopenmpi -u 64 -n 2000 -o np.out
  report netpipe netpipe_figures netpipe_deterministic
}

echo "Real applications: untraced vs Rondo vs EZTrace ($rounds alternating rounds)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$have_eztrace" -eq 1 ] || echo "eztrace: not installed (apt-get install eztrace), its columns are left out"
for app in $apps; do
  "bench_$app"
done
