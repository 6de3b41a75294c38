# Sanitizer and fuzzing builds (README "Fuzzing and sanitizers").
#   -DRONDO_SANITIZE=address  ASan + UBSan (errors abort) for everything built
#   -DRONDO_SANITIZE=thread   TSan for everything built
#   -DRONDO_FUZZ=ON           clang only: libFuzzer harnesses of tests/fuzz, with
#                             ASan + UBSan and coverage on everything they link
# A sanitized preload library needs its sanitizer runtime loaded before anything
# else in programs that were not built with it: RONDO_SANITIZER_PRELOAD names that
# runtime (empty in a normal build) for the code that sets LD_PRELOAD.
set(RONDO_SANITIZE "" CACHE STRING "Sanitizers for the whole build: address (ASan+UBSan), thread (TSan) or empty")
set_property(CACHE RONDO_SANITIZE PROPERTY STRINGS "" address thread)
option(RONDO_FUZZ "Build the libFuzzer harnesses of tests/fuzz (needs clang)" OFF)

set(rondo_sanitizer_flags "")
set(rondo_sanitizer_runtime "")
if(RONDO_SANITIZE STREQUAL "address")
  set(rondo_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  # g++ 12 with ASan + UBSan at -O2 warns "may be used uninitialized" inside
  # <regex> (std::function in regex_automaton.h, test_openmp.cpp): a known false
  # positive of the instrumented code, which -Werror would turn into an error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  set(rondo_sanitizer_runtime libasan.so)
elseif(RONDO_SANITIZE STREQUAL "thread")
  set(rondo_sanitizer_flags -fsanitize=thread -fno-omit-frame-pointer)
  set(rondo_sanitizer_runtime libtsan.so)
elseif(NOT RONDO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "RONDO_SANITIZE=${RONDO_SANITIZE}: use address, thread or leave it empty")
endif()

if(RONDO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RONDO_FUZZ needs clang (libFuzzer): configure with -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT RONDO_SANITIZE STREQUAL "")
    message(FATAL_ERROR "RONDO_FUZZ brings its own sanitizers: leave RONDO_SANITIZE empty")
  endif()
  set(rondo_sanitizer_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
endif()

if(rondo_sanitizer_flags)
  add_compile_options(${rondo_sanitizer_flags})
  add_link_options(${rondo_sanitizer_flags})
endif()

set(RONDO_SANITIZER_PRELOAD "")
if(rondo_sanitizer_runtime)
  # gcc names the shared runtime libasan.so/libtsan.so; clang links its own statically.
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "RONDO_SANITIZE is set up for g++ (shared sanitizer runtimes): configure with g++")
  endif()
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${rondo_sanitizer_runtime}
                  OUTPUT_VARIABLE RONDO_SANITIZER_PRELOAD OUTPUT_STRIP_TRAILING_WHITESPACE)
  get_filename_component(RONDO_SANITIZER_PRELOAD "${RONDO_SANITIZER_PRELOAD}" REALPATH)
  add_compile_definitions(RONDO_SANITIZER_PRELOAD="${RONDO_SANITIZER_PRELOAD}")
  message(STATUS "Rondo: sanitizer ${RONDO_SANITIZE}, runtime preloaded before Rondo's libraries: ${RONDO_SANITIZER_PRELOAD}")
endif()
