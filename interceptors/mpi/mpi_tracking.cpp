#include "mpi_tracking.h"

#include <unistd.h>

#include "clock_offsets.h"
#include "handle_cache.h"

#include <atomic>
#include <climits>
#include <cstring>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace rondo::mpi {

std::atomic<uint64_t> g_handle_generation{0};

using format::EventKey;
using format::EventKind;

namespace {

struct CommInfo {
  uint32_t id = 0;
  // World rank of each rank a peer argument can name: the local group for
  // intracommunicators, the remote group for intercommunicators. Shared with the
  // requests posted on it, which may complete after the communicator is freed.
  std::shared_ptr<const std::vector<int>> peers;
  bool inter = false;
};

struct RequestInfo {
  uint64_t id = 0;
  bool send = false;
  bool persistent = false;
  // What a (re)post records: for sends the whole message, for receives the
  // communicator (the source is known only at completion).
  int peer = -1;
  int tag = 0;
  uint32_t comm = 0;
  int64_t bytes = 0;
  std::shared_ptr<const std::vector<int>> peers;
  bool active = false;
  const void* slot = nullptr;  // the caller's request variable when it was bound
};

// The requests bound to one handle, oldest first (see mpi_tracking.h: a library
// may give one handle to several live requests). A handle's entry stays in the
// table when its list empties, keeping its capacity: libraries reuse a small
// pool of handles, so steady state allocates nothing.
using BoundRequests = std::vector<RequestInfo>;

struct State {
  std::shared_mutex comm_mutex;
  std::unordered_map<MPI_Comm, CommInfo> comms;
  std::map<std::vector<int>, uint32_t> instances;  // group signature -> communicators made with it
  MPI_Group world_group = MPI_GROUP_NULL;
  int world_rank = 0;
  int world_size = 1;

  std::mutex request_mutex;
  std::unordered_map<MPI_Request, BoundRequests> requests;
  // Drawn without request_mutex by a send before its real call (begin_send):
  // ids only need to be unique.
  std::atomic<uint64_t> next_request{1};
  // Requests whose completion cannot be seen: freed while active with
  // MPI_Request_free, or persistent ones started again before it was seen.
  uint64_t unseen_completions = 0;

  std::mutex misc_mutex;
  std::unordered_map<MPI_Win, uint32_t> windows;
  uint32_t next_window = 0;

  std::unordered_map<MPI_Request, std::pair<MPI_Comm, MPI_Comm>> pending_comms;  // idup request -> (parent, new)

  MPI_Comm clock_comm = MPI_COMM_NULL;
  bool initialized = false;
};

State& state() {
  static State* s = new State;  // never destroyed: wrappers may run during exit
  return *s;
}

std::vector<int> world_ranks_of(MPI_Group group) {
  int n = 0;
  PMPI_Group_size(group, &n);
  std::vector<int> local(static_cast<size_t>(n)), world(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) local[static_cast<size_t>(i)] = i;
  if (n > 0) PMPI_Group_translate_ranks(group, n, local.data(), state().world_group, world.data());
  return world;
}

// Defines `comm` (caller holds comm_mutex exclusively).
CommInfo& define_locked(MPI_Comm comm, uint32_t parent, const std::string& name) {
  State& s = state();
  int inter = 0;
  PMPI_Comm_test_inter(comm, &inter);
  MPI_Group group;
  PMPI_Comm_group(comm, &group);
  std::vector<int> local = world_ranks_of(group);
  PMPI_Group_free(&group);
  std::vector<int> remote;
  if (inter) {
    PMPI_Comm_remote_group(comm, &group);
    remote = world_ranks_of(group);
    PMPI_Group_free(&group);
  }
  std::vector<int> signature = local;
  if (inter) {
    signature.push_back(INT_MIN);  // keeps (A, B) and (A+B) apart
    signature.insert(signature.end(), remote.begin(), remote.end());
  }
  uint32_t instance = s.instances[signature]++;
  handles_freed();  // the handle's entry may replace one a thread has cached
  CommInfo info;
  info.inter = inter != 0;
  info.id = trace::define_communicator(name, local, parent, instance, inter ? &remote : nullptr);
  info.peers = std::make_shared<const std::vector<int>>(inter ? remote : local);
  return s.comms[comm] = std::move(info);
}

// Each thread's most recently used communicators (handle_cache.h). An entry
// points into State::comms: unordered_map elements keep their address across
// rehashing, and an entry is erased only by MPI_Comm_free of that communicator,
// which empties every thread's cache.
thread_local HandleCache<MPI_Comm, const CommInfo*, 3> t_comms __attribute__((tls_model("initial-exec")));

const CommInfo& lookup_shared(MPI_Comm comm);

// The communicator's entry, defined on first use. The reference stays valid
// until the communicator is freed (see above).
const CommInfo& lookup(MPI_Comm comm) {
  if (const CommInfo* const* cached = t_comms.find(comm)) return **cached;
  uint64_t seen = t_comms.generation();
  const CommInfo& info = lookup_shared(comm);
  t_comms.put(comm, &info, seen);
  return info;
}

const CommInfo& lookup_shared(MPI_Comm comm) {
  State& s = state();
  {
    std::shared_lock lock(s.comm_mutex);
    auto it = s.comms.find(comm);
    if (it != s.comms.end()) return it->second;
  }
  // A communicator made by a call we do not wrap: define it on first use.
  std::unique_lock lock(s.comm_mutex);
  auto it = s.comms.find(comm);
  if (it != s.comms.end()) return it->second;
  return define_locked(comm, UINT32_MAX, "communicator");
}

int translate(const std::vector<int>& peers, int rank) {
  if (rank == MPI_ANY_SOURCE) return -1;
  if (rank == MPI_PROC_NULL) return -2;
  return rank >= 0 && static_cast<size_t>(rank) < peers.size() ? peers[static_cast<size_t>(rank)] : -1;
}

// Records a point-to-point message of `bytes`; `request` (MPI_ISEND, MPI_IRECV)
// goes first in the data, as it did before sizes were data.
void record_message(EventKind kind, int peer_world, int tag, uint32_t comm, int64_t bytes,
                    const int64_t* request = nullptr) {
  const int64_t plain[1] = {bytes};
  const int64_t with_request[2] = {request ? *request : 0, bytes};
  record_in_call(detail::message_key(kind, peer_world, tag, comm), request ? with_request : plain);
}

// Whether the request was cancelled, by its status: as detail::received_bytes()
// (see there), from Open MPI's public field, about 25 instructions less than asking.
#if defined(OMPI_MAJOR_VERSION)
bool cancelled(const MPI_Status& status) { return status._cancelled != 0; }
#else
bool cancelled(const MPI_Status& status) {
  int flag = 0;
  PMPI_Test_cancelled(&status, &flag);
  return flag != 0;
}
#endif

}  // namespace

uint32_t region(const char* name) { return trace::define_region(name, format::RegionRole::Mpi); }

uint32_t comm_id(MPI_Comm comm) {
  if (comm == MPI_COMM_WORLD) return 0;
  return lookup(comm).id;
}

int world_rank(MPI_Comm comm, int rank) {
  if (comm == MPI_COMM_WORLD && rank >= 0) return rank;
  return translate(*lookup(comm).peers, rank);
}

namespace {
// A peer argument as a world rank, with the communicator's id: one lookup.
struct Peer {
  int world;
  uint32_t comm;
};
Peer peer_in(MPI_Comm comm, int rank) {
  if (comm == MPI_COMM_WORLD && rank >= 0) return {rank, 0};
  const CommInfo& c = lookup(comm);
  return {translate(*c.peers, rank), c.id};
}
}  // namespace

int comm_size(MPI_Comm comm) {
  int inter = 0, n = 0;
  PMPI_Comm_test_inter(comm, &inter);
  if (inter)
    PMPI_Comm_remote_size(comm, &n);
  else
    PMPI_Comm_size(comm, &n);
  return n;
}

bool is_root(MPI_Comm comm, int root) {
  int inter = 0;
  PMPI_Comm_test_inter(comm, &inter);
  if (inter) return root == MPI_ROOT;
  int rank = 0;
  PMPI_Comm_rank(comm, &rank);
  return rank == root;
}

void comm_created(MPI_Comm parent, MPI_Comm created, const char* how) {
  if (created == MPI_COMM_NULL || !state().initialized) return;
  uint32_t parent_id = parent == MPI_COMM_NULL ? UINT32_MAX : comm_id(parent);
  std::unique_lock lock(state().comm_mutex);
  define_locked(created, parent_id, how);
}

void pending_comm(MPI_Comm parent, MPI_Comm created, MPI_Request request) {
  std::lock_guard lock(state().request_mutex);
  state().pending_comms[request] = {parent, created};
}

void comm_freed(MPI_Comm comm) {
  std::unique_lock lock(state().comm_mutex);
  state().comms.erase(comm);  // the handle may be reused for a new communicator
  handles_freed();            // threads may have cached the erased entry
}

namespace detail {

thread_local HandleCache<MPI_Datatype, int, 4> t_type_sizes __attribute__((tls_model("initial-exec")));

// type_size() when the thread's cache does not know `type`: asked, then cached.
int64_t type_size_uncached(MPI_Datatype type) {
  uint64_t seen = t_type_sizes.generation();
  int size = 0;
  if (type == MPI_DATATYPE_NULL || PMPI_Type_size(type, &size) != MPI_SUCCESS || size == MPI_UNDEFINED) size = 0;
  t_type_sizes.put(type, size, seen);
  return size;
}

#if !defined(OMPI_MAJOR_VERSION)
int64_t received_bytes(const MPI_Status& status) {
  int n = 0;
  PMPI_Get_count(&status, MPI_BYTE, &n);
  return n == MPI_UNDEFINED ? 0 : n;
}
#endif

}  // namespace detail

namespace {
using detail::message_record;
using detail::received_bytes;

void record(const MessageRecord& r) {
  if (r.present) record_in_call(r.key, r.data);
}

// A message as a status describes it (receives and probes): source as a world
// rank, tag, communicator, bytes. MPI_PROC_NULL: no message, nothing recorded.
MessageRecord status_record(EventKind kind, const MPI_Status& status, MPI_Comm comm) {
  if (status.MPI_SOURCE == MPI_PROC_NULL) return {};
  Peer peer = peer_in(comm, status.MPI_SOURCE);
  return message_record(kind, peer.world, status.MPI_TAG, peer.comm, received_bytes(status));
}
}  // namespace

namespace detail {
MessageRecord send_record_elsewhere(int dest, int tag, MPI_Comm comm, int64_t n) {
  Peer peer = peer_in(comm, dest);
  if (peer.world == -2) return {};  // MPI_PROC_NULL: no message
  return message_record(EventKind::MpiSend, peer.world, tag, peer.comm, n);
}
MessageRecord recv_record_elsewhere(const MPI_Status& status, MPI_Comm comm) {
  return status_record(EventKind::MpiRecv, status, comm);
}
}  // namespace detail

void record_send(int dest, int tag, MPI_Comm comm, int64_t n) { record(send_record(dest, tag, comm, n)); }
void record_recv(const MPI_Status& status, MPI_Comm comm) { record(recv_record(status, comm)); }
void record_probe(const MPI_Status& status, MPI_Comm comm) { record(status_record(EventKind::MpiProbe, status, comm)); }

namespace {
void record_post(const RequestInfo& r) {
  auto id = static_cast<int64_t>(r.id);
  if (r.send) {
    record_message(EventKind::MpiIsend, r.peer, r.tag, r.comm, r.bytes, &id);
  } else {
    EventKey k;
    k.kind = EventKind::MpiIrecvRequest;
    record_in_call(k, &id);
  }
}
}  // namespace

PendingSend begin_send(int dest, int tag, MPI_Comm comm, int64_t n, bool persistent, bool record_now) {
  PendingSend p;
  Peer peer = peer_in(comm, dest);
  p.peer = peer.world;
  if (p.peer == -2) return p;  // MPI_PROC_NULL: completes at once, no message
  p.tag = tag;
  p.comm = peer.comm;
  p.bytes = n;
  p.persistent = persistent;
  p.id = state().next_request.fetch_add(1, std::memory_order_relaxed);
  if (record_now) {
    auto id = static_cast<int64_t>(p.id);
    record_message(EventKind::MpiIsend, p.peer, p.tag, p.comm, p.bytes, &id);
  }
  return p;
}

namespace {

// The request of `bound` that a completion, free or start from `slot` refers
// to, among those `usable` for it: the one bound at that address, else the oldest.
template <typename Usable>
BoundRequests::iterator pick(BoundRequests& bound, const void* slot, Usable usable) {
  auto oldest = bound.end();
  for (auto it = bound.begin(); it != bound.end(); ++it) {
    if (!usable(*it)) continue;
    if (it->slot == slot) return it;
    if (oldest == bound.end()) oldest = it;
  }
  return oldest;
}
bool any_request(const RequestInfo&) { return true; }

// Binds `r` to `handle` (caller holds request_mutex).
void bind_locked(MPI_Request handle, RequestInfo r) { state().requests[handle].push_back(std::move(r)); }

void record_completion(const RequestInfo& r, const MPI_Status* status) {
  auto id = static_cast<int64_t>(r.id);
  EventKey k;
  if (status && cancelled(*status)) {
    k.kind = EventKind::MpiRequestCancelled;
    record_in_call(k, &id);
  } else if (r.send) {
    k.kind = EventKind::MpiIsendComplete;
    record_in_call(k, &id);
  } else if (status && status->MPI_SOURCE != MPI_PROC_NULL) {
    int peer = r.peers ? translate(*r.peers, status->MPI_SOURCE) : status->MPI_SOURCE;
    record_message(EventKind::MpiIrecv, peer, status->MPI_TAG, r.comm, received_bytes(*status), &id);
  }
}

}  // namespace

void PendingSend::bind(MPI_Request request, const void* slot) const {
  if (id == 0) return;
  RequestInfo r;
  r.id = id;
  r.send = true;
  r.persistent = persistent;
  r.peer = peer;
  r.tag = tag;
  r.comm = comm;
  r.bytes = bytes;
  r.active = !persistent;  // a persistent request becomes active at MPI_Start
  r.slot = slot;
  if (request == MPI_REQUEST_NULL) {
    // Completed inside the call (a library may do so for eager sends): the
    // send was recorded, so its completion must be too.
    if (!persistent) record_completion(r, nullptr);
    return;
  }
  std::lock_guard lock(state().request_mutex);
  bind_locked(request, std::move(r));
}

void post_recv(MPI_Request request, const void* slot, int source, int tag, MPI_Comm comm, bool persistent,
               bool record_now) {
  if (source == MPI_PROC_NULL || request == MPI_REQUEST_NULL) return;
  const CommInfo& c = lookup(comm);
  RequestInfo r;
  r.send = false;
  r.persistent = persistent;
  r.tag = tag;
  r.comm = c.id;
  r.peers = c.peers;
  r.active = record_now;
  r.slot = slot;
  {
    std::lock_guard lock(state().request_mutex);
    r.id = state().next_request.fetch_add(1, std::memory_order_relaxed);
    bind_locked(request, r);
  }
  if (record_now) record_post(r);
}

void start(MPI_Request request, const void* slot) {
  RequestInfo r;
  {
    std::lock_guard lock(state().request_mutex);
    auto bound = state().requests.find(request);
    if (bound == state().requests.end()) return;
    auto it = pick(bound->second, slot, [](const RequestInfo& r) { return r.persistent; });
    if (it == bound->second.end()) return;
    // Each start of a persistent request is a new message: give it a new id.
    if (it->active) ++state().unseen_completions;  // started again before its last start completed
    it->id = state().next_request.fetch_add(1, std::memory_order_relaxed);
    it->active = true;
    r = *it;
  }
  record_post(r);
}

void completed(MPI_Request handle, const MPI_Status& status, const void* slot) {
  if (handle == MPI_REQUEST_NULL) return;
  RequestInfo r;
  State& s = state();
  {
    std::unique_lock lock(s.request_mutex);
    // MPI_Comm_idup is rare: no lookup while none is pending.
    if (!s.pending_comms.empty()) {
      auto pending = s.pending_comms.find(handle);
      if (pending != s.pending_comms.end()) {
        auto [parent, created] = pending->second;
        s.pending_comms.erase(pending);
        lock.unlock();
        comm_created(parent, created, "MPI_Comm_idup");
        return;
      }
    }
    auto bound = s.requests.find(handle);
    if (bound == s.requests.end()) return;
    auto it = pick(bound->second, slot, [](const RequestInfo& r) { return r.active; });
    if (it == bound->second.end()) return;
    if (it->persistent) {
      r = *it;
      it->active = false;
    } else {
      r = std::move(*it);  // no reference count taken and dropped on the peers table
      bound->second.erase(it);
    }
  }
  record_completion(r, &status);
}

void request_freed(MPI_Request handle, const void* slot) {
  std::lock_guard lock(state().request_mutex);
  auto bound = state().requests.find(handle);
  if (bound == state().requests.end()) return;
  auto it = pick(bound->second, slot, any_request);
  if (it == bound->second.end()) return;
  if (it->active) ++state().unseen_completions;
  bound->second.erase(it);
}

uint64_t requests_never_completed() {
  std::lock_guard lock(state().request_mutex);
  uint64_t n = state().unseen_completions;
  for (const auto& [handle, bound] : state().requests)
    for (const RequestInfo& r : bound) n += r.active ? 1 : 0;
  return n;
}

void collective_begin() {
  EventKey k;
  k.kind = EventKind::MpiCollectiveBegin;
  record_in_call(k);
}

namespace {
void record_collective_end(CollectiveOp op, int64_t comm, int64_t root_world, int64_t sent, int64_t received) {
  EventKey k;
  k.kind = EventKind::MpiCollectiveEnd;
  k.ref = static_cast<uint32_t>(op);
  k.params = {comm, root_world, 0, 0};
  const int64_t bytes[2] = {sent, received};  // data, not identity (FORMAT.md 7.2)
  record_in_call(k, bytes);
}
}  // namespace

void collective_end(CollectiveOp op, MPI_Comm comm, int root, int64_t sent, int64_t received) {
  int64_t root_world = -1, id = -1;
  if (comm != MPI_COMM_NULL) {
    Peer root_peer = peer_in(comm, root >= 0 ? root : MPI_ANY_SOURCE);
    id = root_peer.comm;
    if (root >= 0) root_world = root_peer.world;
  }
  record_collective_end(op, id, root_world, sent, received);
}

void comm_free_end(uint32_t comm_id) { record_collective_end(CollectiveOp::Destroy, comm_id, -1, 0, 0); }

uint32_t window_id(MPI_Win win) {
  std::lock_guard lock(state().misc_mutex);
  auto [it, inserted] = state().windows.try_emplace(win, state().next_window);
  if (inserted) ++state().next_window;
  return it->second;
}

void window_created(MPI_Win win) { window_id(win); }

void record_rma(EventKind kind, int target, MPI_Win win, int64_t n) {
  if (target == MPI_PROC_NULL) return;
  int world = target;
  MPI_Group group;
  if (PMPI_Win_get_group(win, &group) == MPI_SUCCESS) {
    PMPI_Group_translate_ranks(group, 1, &target, state().world_group, &world);
    PMPI_Group_free(&group);
  }
  EventKey k;
  k.kind = kind;
  k.params = {world, window_id(win), 0, 0};
  record_in_call(k, &n);  // the size is data, not identity (FORMAT.md 7.2)
}

void after_init() {
  State& s = state();
  PMPI_Comm_group(MPI_COMM_WORLD, &s.world_group);
  PMPI_Comm_rank(MPI_COMM_WORLD, &s.world_rank);
  PMPI_Comm_size(MPI_COMM_WORLD, &s.world_size);
  {
    std::unique_lock lock(s.comm_mutex);
    define_locked(MPI_COMM_WORLD, UINT32_MAX, "MPI_COMM_WORLD");  // id 0
    define_locked(MPI_COMM_SELF, UINT32_MAX, "MPI_COMM_SELF");    // id 1
  }
  s.initialized = true;
  int64_t offset = 0;
  if (every_rank_has_module(s.world_rank, s.world_size)) {  // clock_offsets.h: never wait for untraced ranks
    PMPI_Comm_dup(MPI_COMM_WORLD, &s.clock_comm);
    offset = measure_clock_offset(s.clock_comm, s.world_rank, s.world_size);
  }
  trace::update_process([&](format::ProcessDef& p) {
    p.rank = s.world_rank;
    p.world_size = s.world_size;
    p.clock_offset_ns = offset;
  });
}

void before_finalize() {
  State& s = state();
  if (uint64_t n = requests_never_completed(); n > 0)
    trace::inform("rank " + std::to_string(s.world_rank) + ": " + std::to_string(n) +
                      " nonblocking requests never completed (pending at MPI_Finalize or freed while active); "
                      "the trace holds their start without a completion",
                  false);
  if (s.clock_comm == MPI_COMM_NULL) return;
  int64_t offset = measure_clock_offset(s.clock_comm, s.world_rank, s.world_size);
  PMPI_Comm_free(&s.clock_comm);
  trace::update_process([&](format::ProcessDef& p) {
    p.clock_offset_end_ns = offset;
    p.has_end_offset = true;
  });
}

void before_abort() { trace::stop(); }

}  // namespace rondo::mpi
