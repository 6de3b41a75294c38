// Point-to-point communication, requests and their completion.
#include <mutex>
#include <unordered_map>

#include "wrap_common.h"

using namespace rondo::mpi;

namespace {

// Matched probes hand out message handles that do not name their communicator;
// remember it for MPI_Mrecv / MPI_Imrecv.
std::mutex g_message_mutex;
std::unordered_map<MPI_Message, MPI_Comm>& message_comms() {
  static auto* m = new std::unordered_map<MPI_Message, MPI_Comm>;
  return *m;
}
void remember_message(MPI_Message m, MPI_Comm comm) {
  if (m == MPI_MESSAGE_NULL || m == MPI_MESSAGE_NO_PROC) return;
  std::lock_guard lock(g_message_mutex);
  message_comms()[m] = comm;
}
MPI_Comm take_message(MPI_Message m) {
  std::lock_guard lock(g_message_mutex);
  auto it = message_comms().find(m);
  if (it == message_comms().end()) return MPI_COMM_NULL;
  MPI_Comm c = it->second;
  message_comms().erase(it);
  return c;
}

using SendFn = int (*)(const void*, int, MPI_Datatype, int, int, MPI_Comm);
// Inlined into each wrapper: a call of its own would pass eight arguments on a
// latency-bound program's critical path.
__attribute__((always_inline)) inline int blocking_send(uint32_t region_id, SendFn fn, const void* buf, int count,
                                                        MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  Call call(region_id, [&] { return send_record(dest, tag, comm, bytes(count, type)); });
  return real([&] { return fn(buf, count, type, dest, tag, comm); });
}

using IsendFn = int (*)(const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*);
int nonblocking_send(uint32_t region_id, IsendFn fn, const void* buf, int count, MPI_Datatype type, int dest, int tag,
                     MPI_Comm comm, MPI_Request* request, bool persistent) {
  Call call(region_id);
  PendingSend pending;
  if (call.on()) pending = begin_send(dest, tag, comm, bytes(count, type), persistent, !persistent);
  int rc = real([&] { return fn(buf, count, type, dest, tag, comm, request); });
  if (call.on() && rc == MPI_SUCCESS) pending.bind(*request, request);
  return rc;
}

}  // namespace

extern "C" {

int MPI_Send(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Send");
  return blocking_send(rondo_region_id, PMPI_Send, buf, count, type, dest, tag, comm);
}
int MPI_Bsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Bsend");
  return blocking_send(rondo_region_id, PMPI_Bsend, buf, count, type, dest, tag, comm);
}
int MPI_Ssend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Ssend");
  return blocking_send(rondo_region_id, PMPI_Ssend, buf, count, type, dest, tag, comm);
}
int MPI_Rsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Rsend");
  return blocking_send(rondo_region_id, PMPI_Rsend, buf, count, type, dest, tag, comm);
}

int MPI_Recv(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Recv");
  Call call(rondo_region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Recv(buf, count, type, source, tag, comm, st); });
  if (call.on() && rc == MPI_SUCCESS) call.leave_with(recv_record(*st, comm));
  return rc;
}

int MPI_Isend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Isend");
  return nonblocking_send(rondo_region_id, PMPI_Isend, buf, count, type, dest, tag, comm, req, false);
}
int MPI_Ibsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ibsend");
  return nonblocking_send(rondo_region_id, PMPI_Ibsend, buf, count, type, dest, tag, comm, req, false);
}
int MPI_Issend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Issend");
  return nonblocking_send(rondo_region_id, PMPI_Issend, buf, count, type, dest, tag, comm, req, false);
}
int MPI_Irsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Irsend");
  return nonblocking_send(rondo_region_id, PMPI_Irsend, buf, count, type, dest, tag, comm, req, false);
}

int MPI_Irecv(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Irecv");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Irecv(buf, count, type, source, tag, comm, req); });
  if (call.on() && rc == MPI_SUCCESS) post_recv(*req, req, source, tag, comm, false, true);
  return rc;
}

int MPI_Sendrecv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf,
                 int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Sendrecv");
  Call call(rondo_region_id, [&] { return send_record(dest, sendtag, comm, bytes(sendcount, sendtype)); });
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] {
    return PMPI_Sendrecv(sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag,
                         comm, st);
  });
  if (call.on() && rc == MPI_SUCCESS) call.leave_with(recv_record(*st, comm));
  return rc;
}

int MPI_Sendrecv_replace(void* buf, int count, MPI_Datatype type, int dest, int sendtag, int source, int recvtag,
                         MPI_Comm comm, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Sendrecv_replace");
  Call call(rondo_region_id, [&] { return send_record(dest, sendtag, comm, bytes(count, type)); });
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Sendrecv_replace(buf, count, type, dest, sendtag, source, recvtag, comm, st); });
  if (call.on() && rc == MPI_SUCCESS) call.leave_with(recv_record(*st, comm));
  return rc;
}

// Persistent requests: created inactive; every MPI_Start posts them again.
int MPI_Send_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Send_init");
  return nonblocking_send(rondo_region_id, PMPI_Send_init, buf, count, type, dest, tag, comm, req, true);
}
int MPI_Bsend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Bsend_init");
  return nonblocking_send(rondo_region_id, PMPI_Bsend_init, buf, count, type, dest, tag, comm, req, true);
}
int MPI_Ssend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ssend_init");
  return nonblocking_send(rondo_region_id, PMPI_Ssend_init, buf, count, type, dest, tag, comm, req, true);
}
int MPI_Rsend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Rsend_init");
  return nonblocking_send(rondo_region_id, PMPI_Rsend_init, buf, count, type, dest, tag, comm, req, true);
}
int MPI_Recv_init(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Recv_init");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Recv_init(buf, count, type, source, tag, comm, req); });
  if (call.on() && rc == MPI_SUCCESS) post_recv(*req, req, source, tag, comm, true, false);
  return rc;
}

int MPI_Start(MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Start");
  Call call(rondo_region_id);
  if (call.on()) start(*req, req);  // before: the message may arrive before PMPI_Start returns
  return real([&] { return PMPI_Start(req); });
}

int MPI_Startall(int n, MPI_Request* reqs) {
  RONDO_MPI_REGION("MPI_Startall");
  Call call(rondo_region_id);
  if (call.on())
    for (int i = 0; i < n; ++i) start(reqs[i], &reqs[i]);
  return real([&] { return PMPI_Startall(n, reqs); });
}

// Probes record the message they found (MpiProbe) at their exit; the caller
// may pass MPI_STATUS_IGNORE, so the wrappers read a status of their own then.
int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Probe");
  Call call(rondo_region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Probe(source, tag, comm, st); });
  if (call.on() && rc == MPI_SUCCESS) record_probe(*st, comm);
  return rc;
}

int MPI_Iprobe(int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Iprobe");
  PollCall call(rondo_region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Iprobe(source, tag, comm, flag, st); });
  if (call.found(rc != MPI_SUCCESS || *flag) && rc == MPI_SUCCESS) record_probe(*st, comm);
  return rc;
}

int MPI_Mprobe(int source, int tag, MPI_Comm comm, MPI_Message* message, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Mprobe");
  Call call(rondo_region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Mprobe(source, tag, comm, message, st); });
  if (rc == MPI_SUCCESS) {
    remember_message(*message, comm);
    if (call.on()) record_probe(*st, comm);
  }
  return rc;
}

int MPI_Improbe(int source, int tag, MPI_Comm comm, int* flag, MPI_Message* message, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Improbe");
  PollCall call(rondo_region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Improbe(source, tag, comm, flag, message, st); });
  bool recorded = call.found(rc != MPI_SUCCESS || *flag);
  if (rc == MPI_SUCCESS && *flag) {
    remember_message(*message, comm);
    if (recorded) record_probe(*st, comm);
  }
  return rc;
}

int MPI_Mrecv(void* buf, int count, MPI_Datatype type, MPI_Message* message, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Mrecv");
  Call call(rondo_region_id);
  MPI_Comm comm = take_message(*message);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Mrecv(buf, count, type, message, st); });
  if (call.on() && rc == MPI_SUCCESS && comm != MPI_COMM_NULL) record_recv(*st, comm);
  return rc;
}

int MPI_Imrecv(void* buf, int count, MPI_Datatype type, MPI_Message* message, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Imrecv");
  Call call(rondo_region_id);
  MPI_Comm comm = take_message(*message);
  int rc = real([&] { return PMPI_Imrecv(buf, count, type, message, req); });
  if (call.on() && rc == MPI_SUCCESS && comm != MPI_COMM_NULL) post_recv(*req, req, MPI_ANY_SOURCE, MPI_ANY_TAG, comm, false, true);
  return rc;
}

int MPI_Wait(MPI_Request* req, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Wait");
  Call call(rondo_region_id);
  MPI_Request handle = *req;
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Wait(req, st); });
  if (call.on() && rc == MPI_SUCCESS) completed(handle, *st, req);
  return rc;
}

int MPI_Waitall(int n, MPI_Request reqs[], MPI_Status statuses[]) {
  RONDO_MPI_REGION("MPI_Waitall");
  Call call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  StatusArray st(statuses, n);
  int rc = real([&] { return PMPI_Waitall(n, reqs, st.get()); });
  if (call.on() && rc == MPI_SUCCESS)
    for (int i = 0; i < n; ++i) completed(handles[i], st[i], &reqs[i]);
  return rc;
}

int MPI_Waitany(int n, MPI_Request reqs[], int* index, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Waitany");
  Call call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Waitany(n, reqs, index, st); });
  if (call.on() && rc == MPI_SUCCESS && *index != MPI_UNDEFINED) completed(handles[*index], *st, &reqs[*index]);
  return rc;
}

int MPI_Waitsome(int n, MPI_Request reqs[], int* outcount, int indices[], MPI_Status statuses[]) {
  RONDO_MPI_REGION("MPI_Waitsome");
  Call call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  StatusArray st(statuses, n);
  int rc = real([&] { return PMPI_Waitsome(n, reqs, outcount, indices, st.get()); });
  if (call.on() && rc == MPI_SUCCESS && *outcount != MPI_UNDEFINED)
    for (int i = 0; i < *outcount; ++i) completed(handles[indices[i]], st[i], &reqs[indices[i]]);
  return rc;
}

int MPI_Test(MPI_Request* req, int* flag, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Test");
  PollCall call(rondo_region_id);
  MPI_Request handle = *req;
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Test(req, flag, st); });
  if (call.found(rc != MPI_SUCCESS || *flag) && rc == MPI_SUCCESS) completed(handle, *st, req);
  return rc;
}

int MPI_Testall(int n, MPI_Request reqs[], int* flag, MPI_Status statuses[]) {
  RONDO_MPI_REGION("MPI_Testall");
  PollCall call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  StatusArray st(statuses, n);
  int rc = real([&] { return PMPI_Testall(n, reqs, flag, st.get()); });
  if (call.found(rc != MPI_SUCCESS || *flag) && rc == MPI_SUCCESS)
    for (int i = 0; i < n; ++i) completed(handles[i], st[i], &reqs[i]);
  return rc;
}

int MPI_Testany(int n, MPI_Request reqs[], int* index, int* flag, MPI_Status* status) {
  RONDO_MPI_REGION("MPI_Testany");
  PollCall call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  int rc = real([&] { return PMPI_Testany(n, reqs, index, flag, st); });
  // A flag set with no index: no active request at all, which is no poll.
  if (call.found(rc != MPI_SUCCESS || *flag) && rc == MPI_SUCCESS && *flag && *index != MPI_UNDEFINED)
    completed(handles[*index], *st, &reqs[*index]);
  return rc;
}

int MPI_Testsome(int n, MPI_Request reqs[], int* outcount, int indices[], MPI_Status statuses[]) {
  RONDO_MPI_REGION("MPI_Testsome");
  PollCall call(rondo_region_id);
  RequestSnapshot handles(n, reqs);
  StatusArray st(statuses, n);
  int rc = real([&] { return PMPI_Testsome(n, reqs, outcount, indices, st.get()); });
  // MPI_UNDEFINED: no active request at all, which is no poll.
  if (call.found(rc != MPI_SUCCESS || *outcount != 0) && rc == MPI_SUCCESS && *outcount != MPI_UNDEFINED)
    for (int i = 0; i < *outcount; ++i) completed(handles[indices[i]], st[i], &reqs[indices[i]]);
  return rc;
}

int MPI_Cancel(MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Cancel");
  Call call(rondo_region_id);
  return real([&] { return PMPI_Cancel(req); });
}

int MPI_Request_free(MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Request_free");
  Call call(rondo_region_id);
  MPI_Request handle = *req;
  int rc = real([&] { return PMPI_Request_free(req); });
  if (rc == MPI_SUCCESS) request_freed(handle, req);
  return rc;
}

}  // extern "C"
