// Call sites (`rondo record --callstack N`, RONDO_CALLSTACK=N): where in the
// application an intercepted call was made, as the N innermost frames of
// application code (Rondo's own frames skipped), captured with libunwind's
// unw_backtrace (local unwinding).
//
// Each distinct stack is a CallSite definition (FORMAT.md 6.1, tag 11); the
// call's ENTER carries its id + 1 as p0, so a call repeated from the same place
// is the same event for the grammar and loops are still found. Addresses are
// turned into function, file and line once, when recording ends (a resolver
// the interceptors register: the ELF symbol tables, plus DWARF line tables
// where the binary has them), by replacing the definitions.
//
// Cost: a call from a known place costs one unw_backtrace plus a hash lookup in
// a per-thread table: no lock, no allocation, no system call. A new place takes
// the definitions' mutex once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rondo::trace {

// Frames captured per call (0: call sites are off). Set by start() from
// RONDO_CALLSTACK, at most kMaxCallStackDepth.
extern int g_callstack_depth;
constexpr int kMaxCallStackDepth = 32;

// The call site of the caller's caller chain, outside Rondo's libraries: its id
// + 1, or 0 when call sites are off, nothing could be captured, or the thread is
// not recorded. Call from a wrapper that records its call, before recording the
// enter (also from inside its own InterceptState::inside, as the MPI wrappers do).
uint32_t capture_call_site();

// One resolved frame.
struct ResolvedFrame {
  std::string function;  // demangled name, or empty when unknown
  std::string file;      // source file, or empty
  uint32_t line = 0;     // 0: unknown
};
// Resolves `address` (a return address: the call instruction ends just before
// it). Must be safe to call from stop(), i.e. at normal process exit.
using CallSiteResolver = ResolvedFrame (*)(uintptr_t address);
// Registers the resolver (the first registration wins; every module registers
// the same one).
void set_call_site_resolver(CallSiteResolver resolver);

// Internal (runtime.cpp): reads RONDO_CALLSTACK and prepares capture (start()),
// and writes the resolved definitions (stop()).
void init_call_sites();
void resolve_call_sites();

}  // namespace rondo::trace
