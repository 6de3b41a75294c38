// Names for call sites (rondo/trace/call_sites.h): the resolver the modules
// that capture call sites (mpi, pthread, io, memory) register with the runtime.
// The function comes from the ELF symbol tables (the compiler module's
// SymbolResolver: works without debug information), file and line from the
// DWARF line table through libdw where the binary has one.
#pragma once

#pragma GCC visibility push(hidden)

namespace rondo::interpose {

// Registers the resolver with the runtime (idempotent; from a module's
// constructor, once the runtime has started).
void register_call_site_names();

}  // namespace rondo::interpose

#pragma GCC visibility pop
