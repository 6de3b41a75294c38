// OTF2 import: one callback per OTF2 event record.
#include <fcntl.h>
#include <otf2/otf2.h>

#include <cstring>
#include <string>

#include "otf2/otf2_common.h"
#include "otf2/otf2_gpu.h"
#include "otf2/otf2_import_events.h"
#include "rondo/converters/otf2.h"

namespace rondo::converters::otf2_import {

namespace {

template <typename F>
OTF2_CallbackCode guarded(void* user, F&& body) {
  auto& s = *static_cast<LocationState*>(user);
  try {
    body(s);
  } catch (const std::exception& e) {
    s.error = e.what();
    return OTF2_CALLBACK_INTERRUPT;
  }
  if ((++*s.records_total & 0x3FFF) == 0) s.progress->update(*s.records_total, s.report->events);
  return OTF2_CALLBACK_SUCCESS;
}

#define ARGS OTF2_LocationRef, OTF2_TimeStamp time, uint64_t, void *user, OTF2_AttributeList *attrs
#define BODY(...)                              \
  return guarded(user, [&](LocationState& s) { \
    (void)attrs;                               \
    __VA_ARGS__;                               \
  })

std::string text_of(const GlobalDefs& g, OTF2_StringRef ref) {
  return ref == OTF2_UNDEFINED_STRING ? "UNDEFINED" : "\"" + g.string(ref) + "\"";
}
std::string num(uint64_t v) { return v == OTF2_UNDEFINED_UINT64 ? "UNDEFINED" : std::to_string(v); }
std::string num32(uint32_t v) { return v == OTF2_UNDEFINED_UINT32 ? "UNDEFINED" : std::to_string(v); }

OTF2_CallbackCode ev_unknown(ARGS) { BODY(s.keep("UNKNOWN", time)); }
OTF2_CallbackCode ev_buffer_flush(ARGS, OTF2_TimeStamp) { BODY(s.keep("BUFFER_FLUSH", time)); }
OTF2_CallbackCode ev_measurement(ARGS, OTF2_MeasurementMode mode) {
  BODY(s.keep("MEASUREMENT_ON_OFF", time, mode == OTF2_MEASUREMENT_ON ? "mode=ON" : "mode=OFF"));
}
// A call carrying the rondo::polls attributes is a run of folded polls exported
// by Rondo (FORMAT.md 7.2): it becomes a POLLS pair again, not a call.
OTF2_CallbackCode ev_enter(ARGS, OTF2_RegionRef region) {
  BODY(if (s.attribute(attrs, otf2::kAttrPolls)) s.polls_begin = time; else s.enter(s.process->region(region), time));
}
OTF2_CallbackCode ev_leave(ARGS, OTF2_RegionRef region) {
  BODY(if (auto polls = s.attribute(attrs, otf2::kAttrPolls); polls && *polls > 0) {
    s.folded_polls(s.process->region(region), time, static_cast<uint64_t>(*polls),
                   s.attribute(attrs, otf2::kAttrPollsInside).value_or(0));
  } else s.leave(s.process->region(region), time));
}

// The size is data (after the request id of MPI_ISEND/MPI_IRECV), not identity.
void p2p(LocationState& s, EventKind kind, uint64_t time, uint32_t peer, OTF2_CommRef comm, uint32_t tag,
         uint64_t bytes, std::optional<uint64_t> request = std::nullopt) {
  auto n = static_cast<int64_t>(bytes);
  std::initializer_list<int64_t> params = {s.process->world_rank(comm, peer), static_cast<int64_t>(tag),
                                           s.process->comm(comm)};
  if (request)
    s.event(kind, time, 0, params, {static_cast<int64_t>(*request), n});
  else
    s.event(kind, time, 0, params, {n});
}
OTF2_CallbackCode ev_send(ARGS, uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t length) {
  BODY(p2p(s, EventKind::MpiSend, time, receiver, comm, tag, length));
}
OTF2_CallbackCode ev_isend(ARGS, uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t length,
                           uint64_t request) {
  BODY(p2p(s, EventKind::MpiIsend, time, receiver, comm, tag, length, request));
}
OTF2_CallbackCode ev_recv(ARGS, uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t length) {
  BODY(p2p(s, EventKind::MpiRecv, time, sender, comm, tag, length));
}
OTF2_CallbackCode ev_irecv(ARGS, uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t length, uint64_t request) {
  BODY(p2p(s, EventKind::MpiIrecv, time, sender, comm, tag, length, request));
}
OTF2_CallbackCode ev_isend_complete(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiIsendComplete, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_irecv_request(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiIrecvRequest, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_request_test(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiRequestTest, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_request_cancelled(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiRequestCancelled, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_coll_begin(ARGS) { BODY(s.event(EventKind::MpiCollectiveBegin, time)); }
OTF2_CallbackCode ev_coll_end(ARGS, OTF2_CollectiveOp op, OTF2_CommRef comm, uint32_t root, uint64_t sent,
                              uint64_t received) {
  BODY({
    auto rondo_op = static_cast<uint32_t>(otf2::from_otf2(op));
    if (auto exact = s.attribute(attrs, otf2::kAttrCollectiveOp)) rondo_op = static_cast<uint32_t>(*exact);
    s.event(EventKind::MpiCollectiveEnd, time, rondo_op,
            {s.process->comm(comm), s.process->world_rank(comm, root)},
            {static_cast<int64_t>(sent), static_cast<int64_t>(received)});
  });
}
OTF2_CallbackCode ev_nb_coll_request(ARGS, uint64_t request) {
  BODY(s.keep("NON_BLOCKING_COLLECTIVE_REQUEST", time, "request=" + num(request)));
}
OTF2_CallbackCode ev_nb_coll_complete(ARGS, OTF2_CollectiveOp op, OTF2_CommRef, uint32_t, uint64_t, uint64_t,
                                      uint64_t) {
  BODY(s.keep("NON_BLOCKING_COLLECTIVE_COMPLETE", time,
              "operation=" + std::string(collective_name(otf2::from_otf2(op)))));
}
OTF2_CallbackCode ev_comm_create(ARGS, OTF2_CommRef comm) {
  BODY(s.keep(
      "COMM_CREATE", time,
      "communicator=" + text_of(*s.g, s.g->comms.count(comm) ? s.g->comms.at(comm).name : OTF2_UNDEFINED_STRING)));
}
OTF2_CallbackCode ev_comm_destroy(ARGS, OTF2_CommRef comm) {
  BODY(s.keep(
      "COMM_DESTROY", time,
      "communicator=" + text_of(*s.g, s.g->comms.count(comm) ? s.g->comms.at(comm).name : OTF2_UNDEFINED_STRING)));
}

// Threads (OpenMP, pthreads), including the deprecated Omp* records.
OTF2_CallbackCode ev_fork(ARGS, OTF2_Paradigm, uint32_t n) { BODY(s.event(EventKind::ThreadFork, time, 0, {n})); }
OTF2_CallbackCode ev_omp_fork(ARGS, uint32_t n) { BODY(s.event(EventKind::ThreadFork, time, 0, {n})); }
OTF2_CallbackCode ev_join(ARGS, OTF2_Paradigm) { BODY(s.event(EventKind::ThreadJoin, time)); }
OTF2_CallbackCode ev_omp_join(ARGS) { BODY(s.event(EventKind::ThreadJoin, time)); }
OTF2_CallbackCode ev_team_begin(ARGS, OTF2_CommRef team) {
  BODY({
    int64_t size = 0;
    if (auto a = s.attribute(attrs, otf2::kAttrTeamSize)) {
      size = *a;
    } else if (auto c = s.g->comms.find(team); c != s.g->comms.end()) {
      auto grp = s.g->member_groups.find(c->second.group);
      if (grp != s.g->member_groups.end()) size = static_cast<int64_t>(grp->second.members.size());
    }
    s.event(EventKind::ThreadTeamBegin, time, 0, {size});
  });
}
OTF2_CallbackCode ev_team_end(ARGS, OTF2_CommRef) { BODY(s.event(EventKind::ThreadTeamEnd, time)); }
void lock(LocationState& s, EventKind kind, uint64_t time, OTF2_AttributeList* attrs, uint32_t id) {
  int64_t lock_kind = s.attribute(attrs, otf2::kAttrLockKind).value_or(0);
  int64_t lock_id = s.attribute(attrs, otf2::kAttrLockId).value_or(id);
  s.event(kind, time, 0, {lock_kind}, {lock_id});
}
OTF2_CallbackCode ev_acquire(ARGS, OTF2_Paradigm, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadAcquireLock, time, attrs, id));
}
OTF2_CallbackCode ev_release(ARGS, OTF2_Paradigm, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadReleaseLock, time, attrs, id));
}
OTF2_CallbackCode ev_omp_acquire(ARGS, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadAcquireLock, time, attrs, id));
}
OTF2_CallbackCode ev_omp_release(ARGS, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadReleaseLock, time, attrs, id));
}
// Rondo's exporter sends the task id as an attribute; otherwise the pair
// (creating thread, generation number) makes the id.
int64_t task_id(const LocationState& s, OTF2_AttributeList* attrs, uint32_t creating_thread, uint32_t generation) {
  if (auto id = s.attribute(attrs, otf2::kAttrTaskId)) return *id;
  return static_cast<int64_t>((static_cast<uint64_t>(creating_thread) << 32) | generation);
}
OTF2_CallbackCode ev_task_create(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskCreate, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_task_switch(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskSwitch, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_task_complete(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskComplete, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_omp_task_create(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskCreate, time, 0, {}, {static_cast<int64_t>(id)}));
}
OTF2_CallbackCode ev_omp_task_switch(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskSwitch, time, 0, {}, {static_cast<int64_t>(id)}));
}
OTF2_CallbackCode ev_omp_task_complete(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskComplete, time, 0, {}, {static_cast<int64_t>(id)}));
}
// Create/Wait carry the contingent's sequence number, which Rondo's exporter
// sets to the created thread's index; Begin/End carry the thread's own.
OTF2_CallbackCode ev_thread_create(ARGS, OTF2_CommRef, uint64_t sequence) {
  BODY(s.event(EventKind::ThreadCreate, time, 0, {}, {static_cast<int64_t>(sequence)}));
}
OTF2_CallbackCode ev_thread_begin(ARGS, OTF2_CommRef, uint64_t) {
  BODY(s.event(EventKind::ThreadBegin, time, 0, {}, {s.attribute(attrs, otf2::kAttrCreator).value_or(-1)}));
}
OTF2_CallbackCode ev_thread_wait(ARGS, OTF2_CommRef, uint64_t sequence) {
  BODY(s.event(EventKind::ThreadWait, time, 0, {}, {static_cast<int64_t>(sequence)}));
}
OTF2_CallbackCode ev_thread_end(ARGS, OTF2_CommRef, uint64_t) { BODY(s.event(EventKind::ThreadEnd, time)); }

// Metrics: one Rondo sample per member (the value's raw 64 bits).
OTF2_CallbackCode ev_metric(ARGS, OTF2_MetricRef metric, uint8_t n, const OTF2_Type* types,
                            const OTF2_MetricValue* values) {
  BODY({
    OTF2_MetricRef cls = metric;
    if (auto inst = s.g->metric_instances.find(metric); inst != s.g->metric_instances.end()) cls = inst->second;
    if (take_counters(s, cls, n, types, values)) return;
    auto members = s.g->metric_classes.find(cls);
    for (uint8_t i = 0; i < n; ++i) {
      OTF2_MetricMemberRef member = members != s.g->metric_classes.end() && i < members->second.size()
                                        ? members->second[i]
                                        : OTF2_UNDEFINED_METRIC_MEMBER;
      int64_t bits;
      std::memcpy(&bits, &values[i], sizeof bits);
      s.event(EventKind::MetricSample, time, s.process->metric(member), {}, {bits});
    }
    if (n > 1) s.report->notes["OTF2 metric records with several members (one Rondo sample each)"] += 1;
  });
}

void generic_event(LocationState& s, uint64_t time, OTF2_AttributeList* attrs, const std::string& text) {
  auto g = otf2::parse_generic(text);
  if (!g) {
    s.keep("PARAMETER_STRING", time, std::string(otf2::kEventParameter) + "=\"" + text + "\"");
    return;
  }
  EventKey k;
  k.kind = g->kind;
  k.ref = static_cast<uint32_t>(g->ref);
  auto v = static_cast<uint8_t>(g->kind);
  if (g->kind == EventKind::GpuKernelLaunch) k.ref = s.process->region(static_cast<OTF2_RegionRef>(g->ref));
  if (v >= static_cast<uint8_t>(EventKind::IoOperationBegin) && v <= static_cast<uint8_t>(EventKind::IoDestroyHandle))
    k.ref = s.process->io_handle(static_cast<OTF2_IoHandleRef>(g->ref));
  for (int i = 0; i < g->np; ++i) k.params[i] = g->params[i];
  // A probe's communicator is written as the archive's reference (p2): back to this process's id.
  if (g->kind == EventKind::MpiProbe && g->np > 2) k.params[2] = s.process->comm(static_cast<OTF2_CommRef>(g->params[2]));
  int64_t data[kMaxData] = {};
  for (int i = 0; i < g->nd; ++i) data[i] = s.attribute(attrs, otf2::kAttrData[i]).value_or(0);
  // Exports of version-1 traces wrote a probe's size as its fourth parameter:
  // it is data now (FORMAT.md 7.2).
  if (g->kind == EventKind::MpiProbe && g->np > 3) {
    data[0] = k.params[3];
    k.params[3] = 0;
  }
  s.writer->event(k, time, data);
}

OTF2_CallbackCode ev_parameter_string(ARGS, OTF2_ParameterRef parameter, OTF2_StringRef value) {
  BODY({
    auto p = s.g->parameters.find(parameter);
    std::string name = p != s.g->parameters.end() ? s.g->string(p->second) : "";
    const std::string& text = s.g->string(value);
    if (name == otf2::kMarkerParameter)
      s.marker(time, text);
    else if (name == otf2::kEventParameter)
      generic_event(s, time, attrs, text);
    else
      s.keep("PARAMETER_STRING", time, name + "=\"" + text + "\"");
  });
}
std::string parameter_name(const LocationState& s, OTF2_ParameterRef parameter) {
  auto p = s.g->parameters.find(parameter);
  return p != s.g->parameters.end() ? s.g->string(p->second) : "parameter " + std::to_string(parameter);
}
OTF2_CallbackCode ev_parameter_int(ARGS, OTF2_ParameterRef parameter, int64_t value) {
  BODY(s.keep("PARAMETER_INT", time, parameter_name(s, parameter) + "=" + std::to_string(value)));
}
OTF2_CallbackCode ev_parameter_uint(ARGS, OTF2_ParameterRef parameter, uint64_t value) {
  BODY(s.keep("PARAMETER_UNSIGNED_INT", time, parameter_name(s, parameter) + "=" + std::to_string(value)));
}

// RMA: transfers and synchronisation map; window management and locks are kept as markers.
int64_t rma_target(LocationState& s, OTF2_RmaWinRef win, uint32_t remote) {
  auto w = s.g->windows.find(win);
  return s.process->world_rank(w != s.g->windows.end() ? w->second : OTF2_UNDEFINED_COMM, remote);
}
// A copy on an accelerator stream (otf2_gpu.h): GPU_MEMCPY inside its region,
// opened here (and closed at its completion) when the archive has none around it.
void gpu_copy(LocationState& s, uint64_t time, OTF2_AttributeList* attrs, bool put, OTF2_RmaWinRef win,
              uint32_t remote, uint64_t bytes) {
  bool self = false;
  if (auto w = s.g->windows.find(win); w != s.g->windows.end())
    if (auto c = s.g->comms.find(w->second); c != s.g->comms.end())
      if (auto m = s.g->member_groups.find(c->second.group); m != s.g->member_groups.end())
        self = remote < m->second.members.size() && m->second.members[remote] == s.location;
  auto copy = otf2::gpu_copy_from_rma(put, self, bytes, s.thread_index, s.attribute(attrs, otf2::kAttrGpuCopyDirection),
                                      s.attribute(attrs, otf2::kAttrGpuCorrelation));
  if (s.open_calls.empty()) s.enter(*(s.gpu_copy_region = s.process->region_named(copy.region, RegionRole::Cuda)), time);
  s.writer->event(copy.key, time, copy.data);
}
OTF2_CallbackCode ev_rma_put(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t bytes, uint64_t) {
  BODY(if (s.gpu_stream) gpu_copy(s, time, attrs, true, win, remote, bytes);
       else s.event(EventKind::RmaPut, time, 0, {rma_target(s, win, remote), s.process->window(win)},
                    {static_cast<int64_t>(bytes)}));
}
OTF2_CallbackCode ev_rma_get(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t bytes, uint64_t) {
  BODY(if (s.gpu_stream) gpu_copy(s, time, attrs, false, win, remote, bytes);
       else s.event(EventKind::RmaGet, time, 0, {rma_target(s, win, remote), s.process->window(win)},
                    {static_cast<int64_t>(bytes)}));
}
OTF2_CallbackCode ev_rma_atomic(ARGS, OTF2_RmaWinRef win, uint32_t remote, OTF2_RmaAtomicType type, uint64_t sent,
                                uint64_t, uint64_t) {
  BODY({
    if (type == OTF2_RMA_ATOMIC_TYPE_ACCUMULATE || type == OTF2_RMA_ATOMIC_TYPE_FETCH_AND_ACCUMULATE)
      s.event(EventKind::RmaAccumulate, time, 0,
              {rma_target(s, win, remote), s.process->window(win)}, {static_cast<int64_t>(sent)});
    else
      s.keep("RMA_ATOMIC", time, "type=" + std::to_string(type) + " remote=" + num32(remote));
  });
}
OTF2_CallbackCode ev_rma_sync(ARGS, OTF2_RmaWinRef win, uint32_t, OTF2_RmaSyncType type) {
  BODY(s.event(EventKind::RmaSync, time, 0,
               {s.process->window(win), s.attribute(attrs, otf2::kAttrSyncKind).value_or(type)}));
}
OTF2_CallbackCode ev_rma_win(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WIN_CREATE", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_win_destroy(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WIN_DESTROY", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_coll_begin(ARGS) { BODY(s.keep("RMA_COLLECTIVE_BEGIN", time)); }
OTF2_CallbackCode ev_rma_coll_end(ARGS, OTF2_CollectiveOp op, OTF2_RmaSyncLevel, OTF2_RmaWinRef win, uint32_t, uint64_t,
                                  uint64_t) {
  BODY(s.keep("RMA_COLLECTIVE_END", time,
              "operation=" + std::string(collective_name(otf2::from_otf2(op))) + " window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_group_sync(ARGS, OTF2_RmaSyncLevel, OTF2_RmaWinRef win, OTF2_GroupRef) {
  BODY(s.keep("RMA_GROUP_SYNC", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_request_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_REQUEST_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_acquire_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_ACQUIRE_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_try_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_TRY_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_release_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t) {
  BODY(s.keep("RMA_RELEASE_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_wait_change(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WAIT_CHANGE", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_blocking(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(if (s.gpu_stream) {  // a GPU copy's end: its region's end too when the region was opened here
    if (s.gpu_copy_region) s.leave(*s.gpu_copy_region, time);
    s.gpu_copy_region.reset();
  } else s.keep("RMA_OP_COMPLETE_BLOCKING", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_nonblocking(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_COMPLETE_NON_BLOCKING", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_test(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_TEST", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_remote(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_COMPLETE_REMOTE", time, "window=" + std::to_string(win)));
}

OTF2_CallbackCode ev_cc_enter(ARGS, OTF2_CallingContextRef cc, uint32_t) {
  BODY(s.keep("CALLING_CONTEXT_ENTER", time, "context=" + std::to_string(cc)));
}
OTF2_CallbackCode ev_cc_leave(ARGS, OTF2_CallingContextRef cc) {
  BODY(s.keep("CALLING_CONTEXT_LEAVE", time, "context=" + std::to_string(cc)));
}
OTF2_CallbackCode ev_cc_sample(ARGS, OTF2_CallingContextRef cc, uint32_t, OTF2_InterruptGeneratorRef) {
  BODY(s.keep("CALLING_CONTEXT_SAMPLE", time, "context=" + std::to_string(cc)));
}

// I/O.
int64_t otf2_to_open_flags(OTF2_IoAccessMode mode, OTF2_IoCreationFlag creation, OTF2_IoStatusFlag status) {
  int64_t f = mode == OTF2_IO_ACCESS_MODE_WRITE_ONLY   ? O_WRONLY
              : mode == OTF2_IO_ACCESS_MODE_READ_WRITE ? O_RDWR
                                                       : O_RDONLY;
  if (creation & OTF2_IO_CREATION_FLAG_CREATE) f |= O_CREAT;
  if (creation & OTF2_IO_CREATION_FLAG_TRUNCATE) f |= O_TRUNC;
  if (creation & OTF2_IO_CREATION_FLAG_EXCLUSIVE) f |= O_EXCL;
  if (creation & OTF2_IO_CREATION_FLAG_DIRECTORY) f |= O_DIRECTORY;
  if (creation & OTF2_IO_CREATION_FLAG_NO_FOLLOW) f |= O_NOFOLLOW;
  if (status & OTF2_IO_STATUS_FLAG_APPEND) f |= O_APPEND;
  if (status & OTF2_IO_STATUS_FLAG_NON_BLOCKING) f |= O_NONBLOCK;
  if (status & OTF2_IO_STATUS_FLAG_CLOSE_ON_EXEC) f |= O_CLOEXEC;
  if (status & OTF2_IO_STATUS_FLAG_SYNC) f |= O_SYNC;
  return f;
}
OTF2_CallbackCode ev_io_create(ARGS, OTF2_IoHandleRef handle, OTF2_IoAccessMode mode, OTF2_IoCreationFlag creation,
                               OTF2_IoStatusFlag status) {
  BODY({
    int64_t flags = s.attribute(attrs, otf2::kAttrOpenFlags).value_or(otf2_to_open_flags(mode, creation, status));
    s.event(EventKind::IoCreateHandle, time, s.process->io_handle(handle), {flags});
  });
}
OTF2_CallbackCode ev_io_destroy(ARGS, OTF2_IoHandleRef handle) {
  BODY(s.event(EventKind::IoDestroyHandle, time, s.process->io_handle(handle)));
}
OTF2_CallbackCode ev_io_begin(ARGS, OTF2_IoHandleRef handle, OTF2_IoOperationMode mode, OTF2_IoOperationFlag,
                              uint64_t bytes, uint64_t matching) {
  BODY({
    int64_t op = mode == OTF2_IO_OPERATION_MODE_READ    ? static_cast<int64_t>(IoOperation::Read)
                 : mode == OTF2_IO_OPERATION_MODE_WRITE ? static_cast<int64_t>(IoOperation::Write)
                                                        : static_cast<int64_t>(IoOperation::Flush);
    op = s.attribute(attrs, otf2::kAttrIoOperation).value_or(op);
    s.io_operations[matching] = op;
    s.event(EventKind::IoOperationBegin, time, s.process->io_handle(handle), {op},
            {static_cast<int64_t>(bytes), s.attribute(attrs, otf2::kAttrOffset).value_or(-1)});
  });
}
OTF2_CallbackCode ev_io_complete(ARGS, OTF2_IoHandleRef handle, uint64_t bytes, uint64_t matching) {
  BODY({
    int64_t op = 0;
    if (auto it = s.io_operations.find(matching); it != s.io_operations.end()) {
      op = it->second;
      s.io_operations.erase(it);
    }
    op = s.attribute(attrs, otf2::kAttrIoOperation).value_or(op);
    s.event(EventKind::IoOperationComplete, time, s.process->io_handle(handle), {op}, {static_cast<int64_t>(bytes)});
  });
}
OTF2_CallbackCode ev_io_duplicate(ARGS, OTF2_IoHandleRef from, OTF2_IoHandleRef to, OTF2_IoStatusFlag) {
  BODY(s.keep("IO_DUPLICATE_HANDLE", time, "from=" + std::to_string(from) + " to=" + std::to_string(to)));
}
OTF2_CallbackCode ev_io_seek(ARGS, OTF2_IoHandleRef handle, int64_t, OTF2_IoSeekOption, uint64_t) {
  BODY(s.keep("IO_SEEK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_status(ARGS, OTF2_IoHandleRef handle, OTF2_IoStatusFlag) {
  BODY(s.keep("IO_CHANGE_STATUS_FLAGS", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_delete(ARGS, OTF2_IoParadigmRef, OTF2_IoFileRef file) {
  BODY(s.keep("IO_DELETE_FILE", time,
              "file=" + text_of(*s.g, s.g->io_files.count(file) ? s.g->io_files.at(file) : OTF2_UNDEFINED_STRING)));
}
OTF2_CallbackCode ev_io_test(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_TEST", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_issued(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_ISSUED", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_cancelled(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_CANCELLED", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_acquire(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_ACQUIRE_LOCK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_release(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_RELEASE_LOCK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_try(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_TRY_LOCK", time, "handle=" + std::to_string(handle)));
}

OTF2_CallbackCode ev_program_begin(ARGS, OTF2_StringRef name, uint32_t argc, const OTF2_StringRef*) {
  BODY({
    if (auto pid = s.attribute(attrs, "ProcessId")) s.pid = static_cast<uint32_t>(*pid);
    s.keep("PROGRAM_BEGIN", time, "name=" + text_of(*s.g, name) + " arguments=" + std::to_string(argc));
  });
}
OTF2_CallbackCode ev_program_end(ARGS, int64_t status) {
  BODY(s.keep("PROGRAM_END", time,
              "exit_status=" + (status == static_cast<int64_t>(OTF2_UNDEFINED_INT64) ? std::string("UNDEFINED")
                                                                                     : std::to_string(status))));
}

#undef ARGS
#undef BODY

}  // namespace

OTF2_EvtReaderCallbacks* make_event_callbacks() {
  OTF2_EvtReaderCallbacks* c = OTF2_EvtReaderCallbacks_New();
  if (!c) throw ConversionError("OTF2_EvtReaderCallbacks_New failed");
  OTF2_EvtReaderCallbacks_SetUnknownCallback(c, ev_unknown);
  OTF2_EvtReaderCallbacks_SetBufferFlushCallback(c, ev_buffer_flush);
  OTF2_EvtReaderCallbacks_SetMeasurementOnOffCallback(c, ev_measurement);
  OTF2_EvtReaderCallbacks_SetEnterCallback(c, ev_enter);
  OTF2_EvtReaderCallbacks_SetLeaveCallback(c, ev_leave);
  OTF2_EvtReaderCallbacks_SetMpiSendCallback(c, ev_send);
  OTF2_EvtReaderCallbacks_SetMpiIsendCallback(c, ev_isend);
  OTF2_EvtReaderCallbacks_SetMpiIsendCompleteCallback(c, ev_isend_complete);
  OTF2_EvtReaderCallbacks_SetMpiIrecvRequestCallback(c, ev_irecv_request);
  OTF2_EvtReaderCallbacks_SetMpiRecvCallback(c, ev_recv);
  OTF2_EvtReaderCallbacks_SetMpiIrecvCallback(c, ev_irecv);
  OTF2_EvtReaderCallbacks_SetMpiRequestTestCallback(c, ev_request_test);
  OTF2_EvtReaderCallbacks_SetMpiRequestCancelledCallback(c, ev_request_cancelled);
  OTF2_EvtReaderCallbacks_SetMpiCollectiveBeginCallback(c, ev_coll_begin);
  OTF2_EvtReaderCallbacks_SetMpiCollectiveEndCallback(c, ev_coll_end);
  OTF2_EvtReaderCallbacks_SetOmpForkCallback(c, ev_omp_fork);
  OTF2_EvtReaderCallbacks_SetOmpJoinCallback(c, ev_omp_join);
  OTF2_EvtReaderCallbacks_SetOmpAcquireLockCallback(c, ev_omp_acquire);
  OTF2_EvtReaderCallbacks_SetOmpReleaseLockCallback(c, ev_omp_release);
  OTF2_EvtReaderCallbacks_SetOmpTaskCreateCallback(c, ev_omp_task_create);
  OTF2_EvtReaderCallbacks_SetOmpTaskSwitchCallback(c, ev_omp_task_switch);
  OTF2_EvtReaderCallbacks_SetOmpTaskCompleteCallback(c, ev_omp_task_complete);
  OTF2_EvtReaderCallbacks_SetMetricCallback(c, ev_metric);
  OTF2_EvtReaderCallbacks_SetParameterStringCallback(c, ev_parameter_string);
  OTF2_EvtReaderCallbacks_SetParameterIntCallback(c, ev_parameter_int);
  OTF2_EvtReaderCallbacks_SetParameterUnsignedIntCallback(c, ev_parameter_uint);
  OTF2_EvtReaderCallbacks_SetRmaWinCreateCallback(c, ev_rma_win);
  OTF2_EvtReaderCallbacks_SetRmaWinDestroyCallback(c, ev_rma_win_destroy);
  OTF2_EvtReaderCallbacks_SetRmaCollectiveBeginCallback(c, ev_rma_coll_begin);
  OTF2_EvtReaderCallbacks_SetRmaCollectiveEndCallback(c, ev_rma_coll_end);
  OTF2_EvtReaderCallbacks_SetRmaGroupSyncCallback(c, ev_rma_group_sync);
  OTF2_EvtReaderCallbacks_SetRmaRequestLockCallback(c, ev_rma_request_lock);
  OTF2_EvtReaderCallbacks_SetRmaAcquireLockCallback(c, ev_rma_acquire_lock);
  OTF2_EvtReaderCallbacks_SetRmaTryLockCallback(c, ev_rma_try_lock);
  OTF2_EvtReaderCallbacks_SetRmaReleaseLockCallback(c, ev_rma_release_lock);
  OTF2_EvtReaderCallbacks_SetRmaSyncCallback(c, ev_rma_sync);
  OTF2_EvtReaderCallbacks_SetRmaWaitChangeCallback(c, ev_rma_wait_change);
  OTF2_EvtReaderCallbacks_SetRmaPutCallback(c, ev_rma_put);
  OTF2_EvtReaderCallbacks_SetRmaGetCallback(c, ev_rma_get);
  OTF2_EvtReaderCallbacks_SetRmaAtomicCallback(c, ev_rma_atomic);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteBlockingCallback(c, ev_rma_complete_blocking);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteNonBlockingCallback(c, ev_rma_complete_nonblocking);
  OTF2_EvtReaderCallbacks_SetRmaOpTestCallback(c, ev_rma_test);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteRemoteCallback(c, ev_rma_complete_remote);
  OTF2_EvtReaderCallbacks_SetThreadForkCallback(c, ev_fork);
  OTF2_EvtReaderCallbacks_SetThreadJoinCallback(c, ev_join);
  OTF2_EvtReaderCallbacks_SetThreadTeamBeginCallback(c, ev_team_begin);
  OTF2_EvtReaderCallbacks_SetThreadTeamEndCallback(c, ev_team_end);
  OTF2_EvtReaderCallbacks_SetThreadAcquireLockCallback(c, ev_acquire);
  OTF2_EvtReaderCallbacks_SetThreadReleaseLockCallback(c, ev_release);
  OTF2_EvtReaderCallbacks_SetThreadTaskCreateCallback(c, ev_task_create);
  OTF2_EvtReaderCallbacks_SetThreadTaskSwitchCallback(c, ev_task_switch);
  OTF2_EvtReaderCallbacks_SetThreadTaskCompleteCallback(c, ev_task_complete);
  OTF2_EvtReaderCallbacks_SetThreadCreateCallback(c, ev_thread_create);
  OTF2_EvtReaderCallbacks_SetThreadBeginCallback(c, ev_thread_begin);
  OTF2_EvtReaderCallbacks_SetThreadWaitCallback(c, ev_thread_wait);
  OTF2_EvtReaderCallbacks_SetThreadEndCallback(c, ev_thread_end);
  OTF2_EvtReaderCallbacks_SetCallingContextEnterCallback(c, ev_cc_enter);
  OTF2_EvtReaderCallbacks_SetCallingContextLeaveCallback(c, ev_cc_leave);
  OTF2_EvtReaderCallbacks_SetCallingContextSampleCallback(c, ev_cc_sample);
  OTF2_EvtReaderCallbacks_SetIoCreateHandleCallback(c, ev_io_create);
  OTF2_EvtReaderCallbacks_SetIoDestroyHandleCallback(c, ev_io_destroy);
  OTF2_EvtReaderCallbacks_SetIoDuplicateHandleCallback(c, ev_io_duplicate);
  OTF2_EvtReaderCallbacks_SetIoSeekCallback(c, ev_io_seek);
  OTF2_EvtReaderCallbacks_SetIoChangeStatusFlagsCallback(c, ev_io_status);
  OTF2_EvtReaderCallbacks_SetIoDeleteFileCallback(c, ev_io_delete);
  OTF2_EvtReaderCallbacks_SetIoOperationBeginCallback(c, ev_io_begin);
  OTF2_EvtReaderCallbacks_SetIoOperationTestCallback(c, ev_io_test);
  OTF2_EvtReaderCallbacks_SetIoOperationIssuedCallback(c, ev_io_issued);
  OTF2_EvtReaderCallbacks_SetIoOperationCompleteCallback(c, ev_io_complete);
  OTF2_EvtReaderCallbacks_SetIoOperationCancelledCallback(c, ev_io_cancelled);
  OTF2_EvtReaderCallbacks_SetIoAcquireLockCallback(c, ev_io_acquire);
  OTF2_EvtReaderCallbacks_SetIoReleaseLockCallback(c, ev_io_release);
  OTF2_EvtReaderCallbacks_SetIoTryLockCallback(c, ev_io_try);
  OTF2_EvtReaderCallbacks_SetProgramBeginCallback(c, ev_program_begin);
  OTF2_EvtReaderCallbacks_SetProgramEndCallback(c, ev_program_end);
  OTF2_EvtReaderCallbacks_SetNonBlockingCollectiveRequestCallback(c, ev_nb_coll_request);
  OTF2_EvtReaderCallbacks_SetNonBlockingCollectiveCompleteCallback(c, ev_nb_coll_complete);
  OTF2_EvtReaderCallbacks_SetCommCreateCallback(c, ev_comm_create);
  OTF2_EvtReaderCallbacks_SetCommDestroyCallback(c, ev_comm_destroy);
  return c;
}
}  // namespace rondo::converters::otf2_import
