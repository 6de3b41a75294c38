// The slow side of the handshake between a thread that finishes other threads'
// recorders (stop() at exit, the flush after a signal) and those threads, which
// may still be recording.
//
// The finishing thread clears g_recording and then reads each recorder's busy
// flag; a recording thread sets its busy flag and then reads g_recording again
// (RecordGuard::acquire), backing off when recording has stopped. Each side
// stores, then loads the other's variable: correct only if neither load can be
// served before the same thread's store is visible. The recording side, run for
// every event, has only a compiler barrier there; fence_recording_threads()
// supplies the processor barrier on every other thread at once (Linux's
// membarrier), so that after it either the finishing thread sees the busy flag
// or the recording thread sees recording stopped. An event therefore costs no
// fence instruction, and no thread writes a recorder while it is finished.
#pragma once

namespace rondo::trace {

// Every other thread of the process passes a full memory barrier before this
// returns (membarrier PRIVATE_EXPEDITED, registering the process the first
// time; else the GLOBAL command). Where the kernel has neither (before 4.3, or
// a seccomp filter), it sleeps 2 ms, after which any event begun before the
// caller's store has ended unless its thread was descheduled inside it.
void fence_recording_threads();

}  // namespace rondo::trace
