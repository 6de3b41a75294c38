# Sourced by the callgrind benches of this folder.
# per_call FILE FUNCTION OBJECT_REGEX: inclusive instructions per call of
# FUNCTION (an awk regex) in the callgrind output FILE, among entries whose
# "file:function [object]" text matches OBJECT_REGEX, divided by $n (calls).
# callgrind_annotate lists an inlined function once per source file its code
# comes from (runtime.h, mpi_tracking.h, ...: each only that file's part), and
# the whole function (every part and its callees) once more: the largest entry
# is the whole call.
per_call() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    awk -v fn="$2" -v obj="$3" -v n="$n" '
      { name = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", name) }
      name ~ (":" fn "( |$)") && name ~ obj { gsub(",", "", $1); if ($1 > best) best = $1 }
      END { printf "%.0f", best / n }'
}
