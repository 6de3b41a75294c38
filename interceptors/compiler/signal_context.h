// Whether the calling thread runs a signal handler, for the -finstrument-functions
// hooks: the first call of a function has its name looked up (allocations, locks),
// which a handler must not do, since the code it interrupted may hold the same
// locks (malloc's, the definitions' lock of the runtime).
//
// The module wraps sigaction() and signal(): every handler the program installs
// runs through a trampoline that counts handlers running on the thread. Reading a
// disposition back gives the program's own handler and flags, not the trampoline.
// Not seen: handlers installed with sysv_signal/bsd_signal/sigset or a raw
// syscall (rare), and, under TSan, handlers TSan defers and calls itself at its
// own safe points (asynchronous signals; synchronous ones such as raise() run
// inside the trampoline).
#pragma once

namespace rondo::compiler {

// True while a handler installed through sigaction()/signal() runs on this
// thread, false once it returned or was left by a jump (siglongjmp out of the
// handler: detected from the stack, see signal_context.cpp). Async-signal-safe.
bool in_signal_handler();

}  // namespace rondo::compiler
