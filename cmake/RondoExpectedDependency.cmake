# rondo_missing_dependency(WHAT HINT): a part of the build or of the test suite
# (WHAT) is left out because a dependency was not found (HINT says which and
# how to install it). Outside CI that is a status line: Rondo builds with what
# the machine has. Under CI=true (set by CI runners and by .ci/run) it is a
# configuration error, since scripts/setup.sh installs every such dependency
# there: a suite that vanished silently would let CI pass without running it.
function(rondo_missing_dependency what hint)
  if("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "Rondo: ${what} cannot be built: ${hint}. Under CI=true every dependency that "
                        "scripts/setup.sh installs must be found; run scripts/setup.sh, or unset CI to build without it.")
  else()
    message(STATUS "Rondo: ${what} not built: ${hint}")
  endif()
endfunction()
