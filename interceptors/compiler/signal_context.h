// Whether the calling thread runs a signal handler, for the -finstrument-functions
// hooks: the first call of a function has its name looked up (allocations, locks),
// which a handler must not do, since the code it interrupted may hold the same
// locks (malloc's, the definitions' lock of the runtime).
//
// The module wraps sigaction() and signal(): every handler the program installs
// runs through a trampoline that counts handlers running on the thread. Reading a
// disposition back gives the program's own handler and flags, not the trampoline.
// Handlers that run outside the trampoline (under TSan, the asynchronous signals
// TSan defers and delivers itself) are told by the signal mask: a signal the
// program handles is blocked while its handler runs. Not seen: handlers
// installed with sysv_signal/bsd_signal/sigset or a raw system call (rare).
#pragma once

namespace rondo::compiler {

// True while a handler installed through sigaction()/signal() runs on this
// thread, false once it returned or was left by a jump (siglongjmp out of the
// handler: detected from the stack, see signal_context.cpp); also true while
// this thread blocks a signal that has such a handler (one system call, only
// once the program installed a handler). Async-signal-safe.
bool in_signal_handler();

}  // namespace rondo::compiler
