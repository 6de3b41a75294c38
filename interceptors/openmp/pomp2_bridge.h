/* Between OPARI2-instrumented programs and the OpenMP module (C and C++).
 *
 * `rondo instrument` links librondo-pomp2.a (pomp2_bridge.c) into a program: it
 * defines the POMP2 API that OPARI2's code calls. When the program runs under
 * `rondo record` with the openmp module, librondo-openmp.so is loaded and exports
 * rondo_pomp2_event() (pomp2_adapter.cpp); the bridge passes it the events the
 * module needs. Without it, the bridge does nothing and the program runs as built.
 */
#ifndef RONDO_POMP2_BRIDGE_H
#define RONDO_POMP2_BRIDGE_H

enum RondoPomp2Event {
  RONDO_POMP2_ASSIGN,                 /* ctc: the region's description string */
  RONDO_POMP2_FOR_ENTER,              /* ctc given, may be used for a null handle */
  RONDO_POMP2_FOR_EXIT,
  RONDO_POMP2_BARRIER_ENTER,          /* an explicit `omp barrier` */
  RONDO_POMP2_BARRIER_EXIT,
  RONDO_POMP2_IMPLICIT_BARRIER_ENTER, /* OPARI2's barrier in place of an implicit one */
  RONDO_POMP2_IMPLICIT_BARRIER_EXIT
};

/* handle: the address of OPARI2's region handle (a void*). */
typedef void (*rondo_pomp2_event_fn)(int event, void** handle, const char* ctc);
#define RONDO_POMP2_EVENT_SYMBOL "rondo_pomp2_event"

#endif
