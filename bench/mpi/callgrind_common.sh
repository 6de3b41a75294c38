# Sourced by the callgrind benches of this folder (they set $work, $root, $n
# and $program, a one-rank MPI program in $work taking the call count).

# run NAME LIBDIR [VAR=VALUE...]: $program under callgrind into $work/cg.NAME,
# traced with LIBDIR's librondo-mpi.so (and the recorder's variables given), or
# untraced when LIBDIR is empty.
run() {
  local env=() var
  [ -n "$2" ] && env=(-x "LD_PRELOAD=$2/librondo-mpi.so" -x "LD_LIBRARY_PATH=$2" -x "RONDO_TRACE_DIR=$work/trace.$1")
  for var in "${@:3}"; do env+=(-x "$var"); done
  mpirun $root --oversubscribe "${env[@]}" -np 1 valgrind --tool=callgrind \
    --callgrind-out-file="$work/cg.$1" "$work/$program" "$n" > /dev/null 2>&1
}

# per_call FILE FUNCTION OBJECT_REGEX: inclusive instructions per call of
# FUNCTION (an awk regex) in the callgrind output FILE, among entries whose
# "file:function [object]" text matches OBJECT_REGEX, divided by $n (calls).
# Run from $work: in a directory that prefixes the source paths (the repository
# root) callgrind_annotate shortens them and splits the wrapper's entry in two,
# the one carrying the library's name holding only part of the cost. The
# largest matching entry is the whole call; counts compare as numbers.
per_call() {
  (cd "$work" && callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$1" 2>/dev/null) |
    awk -v fn="$2" -v obj="$3" -v n="$n" '
      { name = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", name) }
      name ~ (":" fn "( |$)") && name ~ obj { v = $1; gsub(",", "", v); v += 0; if (v > best) best = v }
      END { printf "%.0f", best / n }'
}
