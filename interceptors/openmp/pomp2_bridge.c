/* librondo-pomp2.a: the POMP2 API for programs instrumented by OPARI2 (linked in
 * by `rondo instrument`). See pomp2_bridge.h: the events the OpenMP module uses
 * go to rondo_pomp2_event() when librondo-openmp.so is in the process; the lock
 * routines call the program's OpenMP runtime (where the module's wrappers see
 * them as usual); everything else is recorded by the module from the runtime and
 * needs nothing here. Without Rondo the program runs as built. */
#include <dlfcn.h>
#include <opari2/pomp2_lib.h>

#include "pomp2_bridge.h"

/* Generated at link time by `rondo instrument` (opari2-config); weak, so that a
 * program linked without it still runs (its region handles stay unknown). */
extern void POMP2_Init_regions(void) __attribute__((weak));

static rondo_pomp2_event_fn g_event; /* null: nothing to tell */

static void tell(int event, POMP2_Region_handle* handle, const char* ctc) {
  if (g_event) g_event(event, handle, ctc);
}

/* Before main (and after the constructors of the preloaded module). */
__attribute__((constructor)) static void rondo_pomp2_start(void) {
  g_event = (rondo_pomp2_event_fn)dlsym(RTLD_DEFAULT, RONDO_POMP2_EVENT_SYMBOL);
  if (g_event && POMP2_Init_regions) POMP2_Init_regions();
}

void POMP2_Assign_handle(POMP2_Region_handle* h, const char ctc[]) { tell(RONDO_POMP2_ASSIGN, h, ctc); }

POMP2_Task_handle POMP2_Get_new_task_handle(void) {
  static POMP2_Task_handle next;
  return __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED);
}

/* Loops and barriers: what the module records from here. */
void POMP2_For_enter(POMP2_Region_handle* h, const char ctc[]) { tell(RONDO_POMP2_FOR_ENTER, h, ctc); }
void POMP2_For_exit(POMP2_Region_handle* h) { tell(RONDO_POMP2_FOR_EXIT, h, 0); }
void POMP2_Barrier_enter(POMP2_Region_handle* h, POMP2_Task_handle* old_task, const char ctc[]) {
  *old_task = 0;
  tell(RONDO_POMP2_BARRIER_ENTER, h, ctc);
}
void POMP2_Barrier_exit(POMP2_Region_handle* h, POMP2_Task_handle old_task) {
  (void)old_task;
  tell(RONDO_POMP2_BARRIER_EXIT, h, 0);
}
void POMP2_Implicit_barrier_enter(POMP2_Region_handle* h, POMP2_Task_handle* old_task) {
  *old_task = 0;
  tell(RONDO_POMP2_IMPLICIT_BARRIER_ENTER, h, 0);
}
void POMP2_Implicit_barrier_exit(POMP2_Region_handle* h, POMP2_Task_handle old_task) {
  (void)old_task;
  tell(RONDO_POMP2_IMPLICIT_BARRIER_EXIT, h, 0);
}

/* Seen by the module in the runtime: nothing to do here. */
#define POMP2_NOTHING(name) \
  void name(POMP2_Region_handle* h) { (void)h; }
#define POMP2_NOTHING_CTC(name) \
  void name(POMP2_Region_handle* h, const char ctc[]) { (void)h, (void)ctc; }
#define POMP2_NOTHING_TASK(name) \
  void name(POMP2_Region_handle* h, POMP2_Task_handle task) { (void)h, (void)task; }
POMP2_NOTHING_CTC(POMP2_Atomic_enter)
POMP2_NOTHING(POMP2_Atomic_exit)
POMP2_NOTHING_CTC(POMP2_Flush_enter)
POMP2_NOTHING(POMP2_Flush_exit)
POMP2_NOTHING(POMP2_Critical_begin)
POMP2_NOTHING(POMP2_Critical_end)
POMP2_NOTHING_CTC(POMP2_Critical_enter)
POMP2_NOTHING(POMP2_Critical_exit)
POMP2_NOTHING_CTC(POMP2_Master_begin)
POMP2_NOTHING(POMP2_Master_end)
POMP2_NOTHING(POMP2_Parallel_begin)
POMP2_NOTHING(POMP2_Parallel_end)
POMP2_NOTHING_TASK(POMP2_Parallel_join)
POMP2_NOTHING_CTC(POMP2_Section_begin)
POMP2_NOTHING(POMP2_Section_end)
POMP2_NOTHING_CTC(POMP2_Sections_enter)
POMP2_NOTHING(POMP2_Sections_exit)
POMP2_NOTHING(POMP2_Single_begin)
POMP2_NOTHING(POMP2_Single_end)
POMP2_NOTHING_CTC(POMP2_Single_enter)
POMP2_NOTHING(POMP2_Single_exit)
POMP2_NOTHING_CTC(POMP2_Workshare_enter)
POMP2_NOTHING(POMP2_Workshare_exit)
POMP2_NOTHING(POMP2_Ordered_begin)
POMP2_NOTHING(POMP2_Ordered_end)
POMP2_NOTHING_CTC(POMP2_Ordered_enter)
POMP2_NOTHING(POMP2_Ordered_exit)
POMP2_NOTHING_TASK(POMP2_Task_create_end)
POMP2_NOTHING_TASK(POMP2_Task_begin)
POMP2_NOTHING(POMP2_Task_end)
POMP2_NOTHING_TASK(POMP2_Untied_task_create_end)
POMP2_NOTHING_TASK(POMP2_Untied_task_begin)
POMP2_NOTHING(POMP2_Untied_task_end)
POMP2_NOTHING_TASK(POMP2_Taskwait_end)

void POMP2_Parallel_fork(POMP2_Region_handle* h, int if_clause, int num_threads, POMP2_Task_handle* old_task,
                         const char ctc[]) {
  (void)h, (void)if_clause, (void)num_threads, (void)ctc;
  *old_task = 0;
}
void POMP2_Task_create_begin(POMP2_Region_handle* h, POMP2_Task_handle* new_task, POMP2_Task_handle* old_task,
                             int if_clause, const char ctc[]) {
  (void)h, (void)if_clause, (void)ctc;
  *new_task = POMP2_Get_new_task_handle();
  *old_task = 0;
}
void POMP2_Untied_task_create_begin(POMP2_Region_handle* h, POMP2_Task_handle* new_task,
                                    POMP2_Task_handle* old_task, int if_clause, const char ctc[]) {
  POMP2_Task_create_begin(h, new_task, old_task, if_clause, ctc);
}
void POMP2_Taskwait_begin(POMP2_Region_handle* h, POMP2_Task_handle* old_task, const char ctc[]) {
  (void)h, (void)ctc;
  *old_task = 0;
}

/* The OpenMP routines OPARI2 replaces: the program's runtime does the work. */
int POMP2_Lib_get_max_threads(void) { return omp_get_max_threads(); }
void POMP2_Init_lock(omp_lock_t* s) { omp_init_lock(s); }
void POMP2_Destroy_lock(omp_lock_t* s) { omp_destroy_lock(s); }
void POMP2_Set_lock(omp_lock_t* s) { omp_set_lock(s); }
void POMP2_Unset_lock(omp_lock_t* s) { omp_unset_lock(s); }
int POMP2_Test_lock(omp_lock_t* s) { return omp_test_lock(s); }
void POMP2_Init_nest_lock(omp_nest_lock_t* s) { omp_init_nest_lock(s); }
void POMP2_Destroy_nest_lock(omp_nest_lock_t* s) { omp_destroy_nest_lock(s); }
void POMP2_Set_nest_lock(omp_nest_lock_t* s) { omp_set_nest_lock(s); }
void POMP2_Unset_nest_lock(omp_nest_lock_t* s) { omp_unset_nest_lock(s); }
int POMP2_Test_nest_lock(omp_nest_lock_t* s) { return omp_test_nest_lock(s); }
