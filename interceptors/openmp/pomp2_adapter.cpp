// OPARI2-instrumented programs (`rondo instrument`): the events of the POMP2 API
// that the OpenMP runtimes do not show alike. gcc compiles static-schedule loops
// inline, so libgomp never sees them; OPARI2 wraps every loop in POMP2_For_enter
// and POMP2_For_exit, and this adapter records `omp for` from those, for every
// loop. The front ends (gomp_wrappers.cpp, ompt_tool.cpp) leave loops to it while
// t_pomp2.loops says the thread is in one.
//
// OPARI2 also adds `nowait` to worksharing constructs and puts an explicit barrier
// where their implicit one was (and at the end of every parallel region). Those
// barriers are recorded here: as `omp barrier` after a loop, sections or single,
// as `omp implicit barrier` at the end of a parallel region (combined `parallel
// for` included), which then already holds all the waiting: the front ends
// record no other closing barrier for it (t_pomp2.closing_barrier). The
// runtime's barrier call inside them is not recorded again (t_pomp2.barriers).
//
// Everything else (parallel regions, single, sections, critical, tasks, locks, ...)
// still reaches the runtime as before, and the front ends record it unchanged.
#include <cstring>

#include "omp_events.h"
#include "pomp2_bridge.h"

namespace rondo::omp {

constinit thread_local Pomp2State t_pomp2 __attribute__((tls_model("initial-exec")));

namespace {

// What a region handle holds: its kind (never a pointer, nothing to free).
enum Pomp2Kind : uintptr_t { kUnknown = 0, kLoop, kParallelLoop, kParallelOther, kWorkshare, kOther };

constexpr int kMaxPomp2Depth = 64;

// The ctc string reads "LEN*regionType=TYPE*key=value*...**".
Pomp2Kind kind_of(const char* ctc) {
  if (!ctc) return kUnknown;
  const char* type = std::strstr(ctc, "*regionType=");
  if (!type) return kOther;
  type += std::strlen("*regionType=");
  size_t n = std::strcspn(type, "*");
  auto is = [&](const char* name) { return std::strlen(name) == n && std::strncmp(type, name, n) == 0; };
  if (is("for") || is("do")) return kLoop;
  if (is("parallelfor") || is("paralleldo")) return kParallelLoop;
  if (is("parallel") || is("parallelsections") || is("parallelworkshare")) return kParallelOther;
  if (is("sections") || is("single") || is("workshare")) return kWorkshare;
  return kOther;
}

Pomp2Kind kind_of(void** handle) {
  return handle ? static_cast<Pomp2Kind>(__atomic_load_n(reinterpret_cast<uintptr_t*>(handle), __ATOMIC_RELAXED))
                : kUnknown;
}

void assign(void** handle, const char* ctc) {
  if (handle)
    __atomic_store_n(reinterpret_cast<uintptr_t*>(handle), static_cast<uintptr_t>(kind_of(ctc)), __ATOMIC_RELAXED);
}

bool test_bit(uint64_t mask, int depth) { return depth < kMaxPomp2Depth && ((mask >> depth) & 1); }
void set_bit(uint64_t& mask, int depth, bool on) {
  if (depth >= kMaxPomp2Depth) return;
  mask = on ? (mask | (1ull << depth)) : (mask & ~(1ull << depth));
}

void loop_enter() {
  Pomp2State& s = t_pomp2;
  int d = s.loops++;
  bool record = active() && d < kMaxPomp2Depth;
  set_bit(s.loop_open, d, record);
  if (record) enter(kFor);
}

// The loop's work is over: at its barrier, or at its end when it has none.
void loop_close() {
  Pomp2State& s = t_pomp2;
  int d = s.loops - 1;
  if (d < 0 || !test_bit(s.loop_open, d)) return;
  set_bit(s.loop_open, d, false);
  leave(kFor);
}

void loop_exit() {
  loop_close();
  if (t_pomp2.loops > 0) --t_pomp2.loops;
}

// `region`: kBarrier, kImplicitBarrier, or -1 for a barrier not recorded here.
void barrier_enter(int region) {
  Pomp2State& s = t_pomp2;
  int d = s.barriers++;
  bool record = region >= 0 && active() && d < kMaxPomp2Depth;
  set_bit(s.barrier_open, d, record);
  set_bit(s.barrier_closing, d, record && region == kImplicitBarrier);
  if (record) enter(static_cast<Region>(region));
}

void barrier_exit() {
  Pomp2State& s = t_pomp2;
  if (s.barriers == 0) return;
  int d = --s.barriers;
  if (!test_bit(s.barrier_open, d)) return;
  set_bit(s.barrier_open, d, false);
  if (test_bit(s.barrier_closing, d)) {
    set_bit(s.barrier_closing, d, false);
    leave(kImplicitBarrier);
    s.closing_barrier = true;  // the front ends record no other for this region
  } else {
    leave(kBarrier);
  }
}

}  // namespace

}  // namespace rondo::omp

using namespace rondo::omp;

extern "C" void rondo_pomp2_event(int event, void** handle, const char* ctc) {
  switch (event) {
    case RONDO_POMP2_ASSIGN: assign(handle, ctc); break;
    case RONDO_POMP2_FOR_ENTER:
      if (handle && kind_of(handle) == kUnknown) assign(handle, ctc);
      loop_enter();
      break;
    case RONDO_POMP2_FOR_EXIT: loop_exit(); break;
    case RONDO_POMP2_BARRIER_ENTER: barrier_enter(kBarrier); break;
    case RONDO_POMP2_BARRIER_EXIT: barrier_exit(); break;
    case RONDO_POMP2_IMPLICIT_BARRIER_ENTER: {
      Pomp2Kind kind = kind_of(handle);
      if (kind == kLoop || kind == kParallelLoop) loop_close();
      // The barrier ending a parallel region (combined `parallel for` included)
      // is its `omp implicit barrier`; an unknown region's barrier is left to
      // the front ends.
      // (not in a team of one thread, as the front ends: nothing to wait for)
      if (kind == kParallelLoop || kind == kParallelOther)
        barrier_enter(team_size() == 1 ? -1 : kImplicitBarrier);
      else if (kind != kUnknown)
        barrier_enter(kBarrier);
      break;
    }
    case RONDO_POMP2_IMPLICIT_BARRIER_EXIT:
      if (kind_of(handle) != kUnknown) barrier_exit();
      break;
    default: break;
  }
}
