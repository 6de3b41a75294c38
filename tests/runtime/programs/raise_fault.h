// The faults the crash tests make a traced program suffer, each raised for real
// (not with raise(), except SIGINT): shared by the API and the instrumented test
// programs. `how`: segv, abort, bus, fpe, sigterm, sigint; anything else exits 30.
// Returns only when a signal was sent that another thread may handle (sigterm).
#pragma once

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

// Not instrumented: the instrumented program's crash tests count the events
// before the fault, which happens inside the caller's own (instrumented) frame.
// Not sanitized: the null store and the division by zero are the faults wanted,
// which UBSan would otherwise stop before the signal (scripts/test.sh --sanitize).
__attribute__((no_instrument_function, no_sanitize("undefined"))) inline void raise_fault(const char* how) {
  if (std::strcmp(how, "segv") == 0) {
    // Both volatile: the compiler can neither see the null (and emit a trap instead)
    // nor drop the store.
    volatile int* volatile address = nullptr;
    *address = 1;
  } else if (std::strcmp(how, "abort") == 0) {
    std::abort();
  } else if (std::strcmp(how, "bus") == 0) {
    // A real SIGBUS: a store to a mapped page beyond the end of its (empty) file.
    FILE* file = std::tmpfile();
    void* page = file ? mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(file), 0) : MAP_FAILED;
    if (page != MAP_FAILED) *static_cast<volatile char*>(page) = 1;
  } else if (std::strcmp(how, "fpe") == 0) {
    // A real SIGFPE: integer division by zero. Both operands volatile: nothing
    // is folded, and no "1 / x" is turned into a comparison without a division.
    volatile int dividend = 7, zero = 0;
    volatile int quotient = dividend / zero;
    (void)quotient;
  } else if (std::strcmp(how, "sigterm") == 0) {
    kill(getpid(), SIGTERM);
  } else if (std::strcmp(how, "sigint") == 0) {
    raise(SIGINT);
  } else {
    std::_Exit(30);
  }
}
