/* Rondo instrumentation API.
 *
 * Mark regions of your own code so that they appear in Rondo traces, next to the
 * MPI, OpenMP and I/O calls that Rondo intercepts by itself:
 *
 *     static rondo_region_t solve = 0;
 *     if (!solve) solve = rondo_region("solve");
 *     rondo_enter(solve); ... rondo_leave(solve);
 *
 * or, in C++, RONDO_SCOPE("solve"); for the enclosing block.
 *
 * Contract:
 *  - A program linked with the API but not run under `rondo record` records
 *    nothing: each call costs a function call and one predictable branch.
 *  - rondo_region() may be called from any thread; the same name always gives the
 *    same handle. Handles are process-local and never 0.
 *  - Every rondo_enter() must be matched by rondo_leave() of the same region on the
 *    same thread, innermost first. An unmatched leave is recorded as a plain event.
 *  - None of these functions fail, block or allocate on the steady-state path; an
 *    internal error disables tracing with one message on stderr.
 *
 * Link with -lrondo (CMake: find_package(Rondo) and Rondo::api; pkg-config: rondo).
 */
#ifndef RONDO_RONDO_H
#define RONDO_RONDO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t rondo_region_t;

/* Registers (or looks up) a region by name. Thread-safe. */
rondo_region_t rondo_region(const char *name);
/* Records entering / leaving a region on the calling thread. */
void rondo_enter(rondo_region_t region);
void rondo_leave(rondo_region_t region);
/* Records a point event with a text (e.g. "checkpoint written"). */
void rondo_marker(const char *text);
/* Nonzero when this process is being recorded. */
int rondo_is_recording(void);

#ifdef __cplusplus
} /* extern "C" */

namespace rondo {
/* Records the enclosing scope as a region: RONDO_SCOPE("name"). The region is
 * registered once per call site. */
class Scope {
 public:
  explicit Scope(rondo_region_t region) : region_(region) { rondo_enter(region_); }
  ~Scope() { rondo_leave(region_); }
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

 private:
  rondo_region_t region_;
};
}  // namespace rondo

#define RONDO_CONCAT_INNER(a, b) a##b
#define RONDO_CONCAT(a, b) RONDO_CONCAT_INNER(a, b)
#define RONDO_SCOPE(name)                                                          \
  static const rondo_region_t RONDO_CONCAT(rondo_region_, __LINE__) = rondo_region(name); \
  ::rondo::Scope RONDO_CONCAT(rondo_scope_, __LINE__)(RONDO_CONCAT(rondo_region_, __LINE__))
#endif /* __cplusplus */

#endif /* RONDO_RONDO_H */
