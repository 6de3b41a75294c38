// Fortran bindings: mpif.h and `use mpi` (mpi_send, mpi_send_, mpi_send__,
// MPI_SEND) and `use mpi_f08` (mpi_send_f08_).
//
// Open MPI's Fortran entry points call the PMPI_* C functions, so the C wrappers
// never see a Fortran program's calls. Each wrapper here records the call under
// the C function's region ("MPI_Send"), computes the event data from the Fortran
// arguments (handles converted with PMPI_*_f2c), and runs the original Fortran
// function, found with dlsym(RTLD_NEXT, <its own name>): the library keeps
// handling everything Fortran-specific (MPI_IN_PLACE, MPI_BOTTOM, ierror,
// MPI_STATUS_IGNORE, LOGICAL values).
//
// mpi_f08 handles (TYPE(MPI_Comm), ...) hold one INTEGER and are passed by
// reference, and TYPE(MPI_Status) is as large as an mpif.h status, so both
// bindings share one ABI here. The only difference: ierror is OPTIONAL in mpi_f08
// (a null pointer when absent).
#include <dlfcn.h>

#include <atomic>
#include <string>
#include <vector>

#include <type_traits>

#include "collective_volume.h"
#include "handle_cache.h"
#include "wrap_common.h"

using namespace rondo::mpi;
using rondo::format::CollectiveOp;
namespace collective_volume = rondo::collective_volume;

namespace {

using F = MPI_Fint;

// A Fortran status is this many INTEGERs (MPI_STATUS_SIZE).
constexpr size_t kStatusInts = sizeof(MPI_Status) / sizeof(F);
static_assert(sizeof(MPI_Status) % sizeof(F) == 0, "a C status must fill whole Fortran INTEGERs");

// The original function of one exported name, looked up on first use.
struct Original {
  constexpr explicit Original(const char* n) : name(n) {}
  const char* name;
  std::atomic<void*> fn{nullptr};
};

// The original, or null after reporting that it is missing (then recording is off
// and the call fails with MPI_ERR_INTERN: calling PMPI_* instead would lose the
// Fortran semantics of the arguments).
template <typename Fn>
Fn resolve(Original& o) {
  void* p = o.fn.load(std::memory_order_acquire);
  if (__builtin_expect(p == nullptr, 0)) {
    p = dlsym(RTLD_NEXT, o.name);
    if (!p) {
      rondo::trace::disable(std::string("MPI Fortran function ") + o.name +
                            " not found after librondo-mpi.so (the MPI Fortran library must be loaded after it); the "
                            "call fails with MPI_ERR_INTERN");
      return nullptr;
    }
    o.fn.store(p, std::memory_order_release);
  }
  return reinterpret_cast<Fn>(p);
}

// Runs the original with an ierror the wrapper can read (mpi_f08 callers may pass
// none); returns the error code. `call` invokes the original with that ierror.
template <typename Fn, typename Invoke>
int run(Original& o, F* ierr, Invoke&& call) {
  F local = MPI_SUCCESS;
  F* e = ierr ? ierr : &local;
  Fn fn = resolve<Fn>(o);
  if (!fn) {
    *e = MPI_ERR_INTERN;
    return MPI_ERR_INTERN;
  }
  real([&] {
    call(fn, e);
    return 0;
  });
  return *e;
}

// Handle conversions. Open MPI's f2c gives a null pointer (not MPI_*_NULL) for
// an index it does not know; such handles are never looked at further. (MPICH's
// handles are integers: nothing to check there.)
template <typename Handle>
bool known(Handle h) {
  if constexpr (std::is_pointer_v<Handle>)
    return h != nullptr;
  else
    return true;
}
MPI_Comm comm_of(const F* c) { return PMPI_Comm_f2c(*c); }
bool valid(MPI_Comm c) { return known(c) && c != MPI_COMM_NULL; }
MPI_Datatype type_of(const F* t) { return PMPI_Type_f2c(*t); }
int64_t fbytes(const F* count, const F* type) {
  MPI_Datatype t = type_of(type);
  if (!known(t)) return 0;
  return bytes(static_cast<int>(*count), t);
}
// Bytes of the first `n` counts of a Fortran array, all of one datatype.
int64_t fsum(const F* counts, int n, const F* type) {
  MPI_Datatype t = type_of(type);
  if (!known(t)) return 0;
  MPI_Count total = 0;
  for (int i = 0; i < n; ++i) total += counts[i];
  return bytes(total, t);
}
// A Fortran request index (1-based, or MPI_UNDEFINED) as a 0-based position in
// an array of `n`, or -1 when it names none.
int position(F index, int n) {
  if (index == MPI_UNDEFINED || index < 1 || index > n) return -1;
  return static_cast<int>(index) - 1;
}

// A status the wrapper can read: the caller's, or a local one when the caller
// passed MPI_STATUS_IGNORE (the original then fills ours instead).
class FStatus {
 public:
  explicit FStatus(F* given) : ptr_(given == MPI_F_STATUS_IGNORE || given == nullptr ? local_ : given) {}
  F* get() { return ptr_; }
  MPI_Status c() const {
    MPI_Status s{};
    PMPI_Status_f2c(ptr_, &s);
    return s;
  }

 private:
  F local_[kStatusInts] = {};
  F* ptr_;
};

// Statuses of `n` requests, the caller's array or a local one for MPI_STATUSES_IGNORE.
class FStatuses {
 public:
  FStatuses(F* given, int n) {
    if (given == MPI_F_STATUSES_IGNORE || given == nullptr) {
      local_.assign(kStatusInts * static_cast<size_t>(n > 0 ? n : 1), 0);
      ptr_ = local_.data();
    } else {
      ptr_ = given;
    }
  }
  F* get() { return ptr_; }
  MPI_Status c(int i) const {
    MPI_Status s{};
    PMPI_Status_f2c(ptr_ + kStatusInts * static_cast<size_t>(i), &s);
    return s;
  }

 private:
  std::vector<F> local_;
  F* ptr_;
};

// The C handles of Fortran requests, taken before a completion call frees them.
std::vector<MPI_Request> snapshot(int n, const F* requests) {
  std::vector<MPI_Request> out;
  out.reserve(static_cast<size_t>(n > 0 ? n : 0));
  for (int i = 0; i < n; ++i) out.push_back(PMPI_Request_f2c(requests[i]));
  return out;
}

// Fortran's MPI_IN_PLACE is the address of a common block; Open MPI names it
// after the compiler's mangling, so look for each spelling.
bool fortran_in_place(const void* buf) {
  static const std::vector<const void*> addresses = [] {
    std::vector<const void*> a;
    for (const char* n : {"mpi_fortran_in_place_", "mpi_fortran_in_place", "mpi_fortran_in_place__",
                          "MPI_FORTRAN_IN_PLACE"})
      if (const void* p = dlsym(RTLD_DEFAULT, n)) a.push_back(p);
    return a;
  }();
  for (const void* p : addresses)
    if (p == buf) return true;
  return false;
}

using collective_volume::Volume;  // bytes sent, bytes received

// A collective, as the C wrappers record it: begin, the call, end with its volume
// (computed only when the call succeeded and its handles are valid).
template <typename Fn, typename Invoke, typename VolumeFn>
void collective(uint32_t region_id, Original& o, F* ierr, CollectiveOp op, const F* comm, int root, Invoke&& call,
                VolumeFn&& volume) {
  Call c(region_id);
  if (!c.on()) {
    run<Fn>(o, ierr, call);
    return;
  }
  collective_begin();
  int rc = run<Fn>(o, ierr, call);
  MPI_Comm cc = comm_of(comm);
  if (rc != MPI_SUCCESS || !valid(cc)) {
    collective_end(op, MPI_COMM_NULL, -1, 0, 0);
    return;
  }
  Volume v = volume(cc);
  collective_end(op, cc, root, v.first, v.second);
}

// A call that creates a communicator (as wrap_comm.cpp's `create`).
template <typename Fn, typename Invoke>
void create(uint32_t region_id, Original& o, F* ierr, const F* parent, const F* created, const char* how,
            Invoke&& call) {
  Call c(region_id);
  MPI_Comm parent_c = comm_of(parent);
  if (c.on()) collective_begin();
  int rc = run<Fn>(o, ierr, call);
  bool ok = rc == MPI_SUCCESS && valid(parent_c);
  if (ok) comm_created(parent_c, comm_of(created), how);
  if (c.on()) collective_end(CollectiveOp::Create, ok ? parent_c : MPI_COMM_NULL, -1, 0, 0);
}

// ---------------------------------------------------------------------------
// The wrappers, one function per MPI function; the exported names call them.

void f_init(Original& o, F* ierr) {
  RONDO_MPI_REGION("MPI_Init");
  Call c(rondo_region_id);
  using Fn = void (*)(F*);
  if (run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(e); }) == MPI_SUCCESS) after_init();
}

void f_init_thread(Original& o, F* required, F* provided, F* ierr) {
  RONDO_MPI_REGION("MPI_Init_thread");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*);
  if (run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(required, provided, e); }) == MPI_SUCCESS) after_init();
}

void f_finalize(Original& o, F* ierr) {
  RONDO_MPI_REGION("MPI_Finalize");
  Call c(rondo_region_id);
  before_finalize();
  using Fn = void (*)(F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(e); });
}

void f_abort(Original& o, F* comm, F* errorcode, F* ierr) {
  RONDO_MPI_REGION("MPI_Abort");
  {
    Call c(rondo_region_id);
  }
  // As in C: write everything now, with the call to MPI_Abort as the last event.
  before_abort();
  using Fn = void (*)(F*, F*, F*);
  F local = MPI_SUCCESS;
  F* e = ierr ? ierr : &local;
  if (Fn fn = resolve<Fn>(o))
    fn(comm, errorcode, e);
  else
    *e = MPI_ERR_INTERN;
}

void f_comm_rank(Original& o, F* comm, F* rank, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_rank");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, rank, e); });
}

void f_comm_size(Original& o, F* comm, F* size, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_size");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, size, e); });
}

// MPI_Send and its modes. Recorded before the call, as in C: the receiver may
// have the data before this call returns.
void blocking_send(uint32_t region_id, Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm,
                   F* ierr) {
  Call c(region_id, [&] {
    MPI_Comm cc = comm_of(comm);
    return valid(cc) ? send_record(*dest, *tag, cc, fbytes(count, type)) : MessageRecord{};
  });
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, dest, tag, comm, e); });
}

void f_send(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Send");
  blocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, ierr);
}

void f_ssend(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Ssend");
  blocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, ierr);
}

void f_bsend(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Bsend");
  blocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, ierr);
}

void f_rsend(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Rsend");
  blocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, ierr);
}

void f_recv(Original& o, void* buf, F* count, F* type, F* source, F* tag, F* comm, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Recv");
  Call c(rondo_region_id);
  FStatus st(status);
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, source, tag, comm, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS)
    if (MPI_Comm cc = comm_of(comm); valid(cc)) c.leave_with(recv_record(st.c(), cc));
}

// MPI_Isend and friends, MPI_Send_init: recorded before the call (the receiver
// may complete the message before it returns); the request id is bound to the
// handle afterwards. A persistent send is recorded at each MPI_Start instead.
void nonblocking_send(uint32_t region_id, Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm,
                      F* request, F* ierr, bool persistent) {
  Call c(region_id);
  MPI_Comm cc = comm_of(comm);
  bool record = c.on() && valid(cc);
  PendingSend pending;
  if (record) pending = begin_send(*dest, *tag, cc, fbytes(count, type), persistent, !persistent);
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, dest, tag, comm, request, e); });
  if (record && rc == MPI_SUCCESS) pending.bind(PMPI_Request_f2c(*request), request);
}

void f_isend(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Isend");
  nonblocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, request, ierr, false);
}

void f_issend(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Issend");
  nonblocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, request, ierr, false);
}

void f_send_init(Original& o, void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Send_init");
  nonblocking_send(rondo_region_id, o, buf, count, type, dest, tag, comm, request, ierr, true);
}

void f_irecv(Original& o, void* buf, F* count, F* type, F* source, F* tag, F* comm, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Irecv");
  Call c(rondo_region_id);
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, source, tag, comm, request, e); });
  if (c.on() && rc == MPI_SUCCESS)
    if (MPI_Comm cc = comm_of(comm); valid(cc)) post_recv(PMPI_Request_f2c(*request), request, *source, *tag, cc, false, true);
}

void f_wait(Original& o, F* request, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Wait");
  Call c(rondo_region_id);
  MPI_Request handle = PMPI_Request_f2c(*request);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(request, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS && known(handle)) completed(handle, st.c(), request);
}

void f_waitall(Original& o, F* count, F* requests, F* statuses, F* ierr) {
  RONDO_MPI_REGION("MPI_Waitall");
  Call c(rondo_region_id);
  int n = static_cast<int>(*count);
  auto handles = snapshot(n, requests);
  FStatuses st(statuses, n);
  using Fn = void (*)(F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(count, requests, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS)
    for (int i = 0; i < n; ++i)
      if (known(handles[static_cast<size_t>(i)])) completed(handles[static_cast<size_t>(i)], st.c(i), &requests[i]);
}

void f_test(Original& o, F* request, F* flag, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Test");
  PollCall c(rondo_region_id);
  MPI_Request handle = PMPI_Request_f2c(*request);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(request, flag, st.get(), e); });
  // flag is a LOGICAL: any non-zero value is true for the compilers Open MPI supports.
  if (c.found(rc != MPI_SUCCESS || *flag != 0) && rc == MPI_SUCCESS && known(handle)) completed(handle, st.c(), request);
}

void f_sendrecv(Original& o, void* sendbuf, F* sendcount, F* sendtype, F* dest, F* sendtag, void* recvbuf,
                F* recvcount, F* recvtype, F* source, F* recvtag, F* comm, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Sendrecv");
  Call c(rondo_region_id);
  MPI_Comm cc = comm_of(comm);
  bool record = c.on() && valid(cc);
  if (record) record_send(*dest, *sendtag, cc, fbytes(sendcount, sendtype));
  FStatus st(status);
  using Fn = void (*)(void*, F*, F*, F*, F*, void*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) {
    fn(sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag, comm, st.get(), e);
  });
  if (record && rc == MPI_SUCCESS) record_recv(st.c(), cc);
}

void f_barrier(Original& o, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Barrier");
  using Fn = void (*)(F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Barrier, comm, -1, [&](Fn fn, F* e) { fn(comm, e); },
      [](MPI_Comm) { return Volume(0, 0); });
}

void f_bcast(Original& o, void* buf, F* count, F* type, F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Bcast");
  using Fn = void (*)(void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Bcast, comm, *root,
      [&](Fn fn, F* e) { fn(buf, count, type, root, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::bcast(is_root(cc, *root), fbytes(count, type));
      });
}

void f_reduce(Original& o, void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Reduce");
  using Fn = void (*)(void*, void*, F*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Reduce, comm, *root,
      [&](Fn fn, F* e) { fn(sendbuf, recvbuf, count, type, op, root, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::reduce(is_root(cc, *root), fbytes(count, type));
      });
}

void f_allreduce(Original& o, void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Allreduce");
  using Fn = void (*)(void*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Allreduce, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, recvbuf, count, type, op, comm, e); },
      [&](MPI_Comm) {
        return collective_volume::symmetric(fbytes(count, type));
      });
}

void f_gather(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype,
              F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Gather");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Gather, comm, *root,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::gather(is_root(cc, *root), comm_size(cc), fortran_in_place(sendbuf),
                                         fbytes(sendcount, sendtype), fbytes(recvcount, recvtype));
      });
}

void f_scatter(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype,
               F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Scatter");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Scatter, comm, *root,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::scatter(is_root(cc, *root), comm_size(cc), fortran_in_place(recvbuf),
                                          fbytes(sendcount, sendtype), fbytes(recvcount, recvtype));
      });
}

void f_allgather(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype,
                 F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Allgather");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Allgather, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::allgather(comm_size(cc), fortran_in_place(sendbuf), fbytes(sendcount, sendtype),
                                            fbytes(recvcount, recvtype));
      });
}

void f_alltoall(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype,
                F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Alltoall");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Alltoall, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::alltoall(comm_size(cc), fortran_in_place(sendbuf), fbytes(sendcount, sendtype),
                                           fbytes(recvcount, recvtype));
      });
}

void f_comm_split(Original& o, F* comm, F* color, F* key, F* newcomm, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_split");
  using Fn = void (*)(F*, F*, F*, F*, F*);
  create<Fn>(rondo_region_id, o, ierr, comm, newcomm, "MPI_Comm_split",
             [&](Fn fn, F* e) { fn(comm, color, key, newcomm, e); });
}

void f_comm_dup(Original& o, F* comm, F* newcomm, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_dup");
  using Fn = void (*)(F*, F*, F*);
  create<Fn>(rondo_region_id, o, ierr, comm, newcomm, "MPI_Comm_dup", [&](Fn fn, F* e) { fn(comm, newcomm, e); });
}

void f_cart_create(Original& o, F* comm, F* ndims, F* dims, F* periods, F* reorder, F* newcomm, F* ierr) {
  RONDO_MPI_REGION("MPI_Cart_create");
  using Fn = void (*)(F*, F*, F*, F*, F*, F*, F*);
  create<Fn>(rondo_region_id, o, ierr, comm, newcomm, "MPI_Cart_create",
             [&](Fn fn, F* e) { fn(comm, ndims, dims, periods, reorder, newcomm, e); });
}

void f_comm_free(Original& o, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_free");
  Call c(rondo_region_id);
  MPI_Comm handle = comm_of(comm);
  bool record = c.on() && valid(handle);
  uint32_t id = record ? comm_id(handle) : 0;  // before the call frees the handle
  if (record) collective_begin();
  using Fn = void (*)(F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, e); });
  if (record) comm_free_end(id);
  if (rc == MPI_SUCCESS && valid(handle)) comm_freed(handle);
}

// ---------------------------------------------------------------------------
// More point-to-point calls, requests and their completion.

void f_recv_init(Original& o, void* buf, F* count, F* type, F* source, F* tag, F* comm, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Recv_init");
  Call c(rondo_region_id);
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, source, tag, comm, request, e); });
  if (c.on() && rc == MPI_SUCCESS)
    if (MPI_Comm cc = comm_of(comm); valid(cc)) post_recv(PMPI_Request_f2c(*request), request, *source, *tag, cc, true, false);
}

void f_start(Original& o, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Start");
  Call c(rondo_region_id);
  // Before the call: the message may arrive before it returns.
  if (c.on())
    if (MPI_Request handle = PMPI_Request_f2c(*request); known(handle)) start(handle, request);
  using Fn = void (*)(F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(request, e); });
}

void f_startall(Original& o, F* count, F* requests, F* ierr) {
  RONDO_MPI_REGION("MPI_Startall");
  Call c(rondo_region_id);
  if (c.on())
    for (int i = 0; i < static_cast<int>(*count); ++i)
      if (MPI_Request handle = PMPI_Request_f2c(requests[i]); known(handle)) start(handle, &requests[i]);
  using Fn = void (*)(F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(count, requests, e); });
}

void f_request_free(Original& o, F* request, F* ierr) {
  RONDO_MPI_REGION("MPI_Request_free");
  Call c(rondo_region_id);
  MPI_Request handle = PMPI_Request_f2c(*request);
  using Fn = void (*)(F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(request, e); });
  if (rc == MPI_SUCCESS && known(handle)) request_freed(handle, request);
}

void f_sendrecv_replace(Original& o, void* buf, F* count, F* type, F* dest, F* sendtag, F* source, F* recvtag,
                        F* comm, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Sendrecv_replace");
  Call c(rondo_region_id);
  MPI_Comm cc = comm_of(comm);
  bool record = c.on() && valid(cc);
  if (record) record_send(*dest, *sendtag, cc, fbytes(count, type));
  FStatus st(status);
  using Fn = void (*)(void*, F*, F*, F*, F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(
      o, ierr, [&](Fn fn, F* e) { fn(buf, count, type, dest, sendtag, source, recvtag, comm, st.get(), e); });
  if (record && rc == MPI_SUCCESS) record_recv(st.c(), cc);
}

// Probes record the message they found (see MPI_Probe in wrap_p2p.cpp).
void f_probe(Original& o, F* source, F* tag, F* comm, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Probe");
  Call c(rondo_region_id);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(source, tag, comm, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS)
    if (MPI_Comm cc = comm_of(comm); valid(cc)) record_probe(st.c(), cc);
}

void f_iprobe(Original& o, F* source, F* tag, F* comm, F* flag, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Iprobe");
  PollCall c(rondo_region_id);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(source, tag, comm, flag, st.get(), e); });
  // flag is a LOGICAL (see f_test).
  if (c.found(rc != MPI_SUCCESS || *flag != 0) && rc == MPI_SUCCESS)
    if (MPI_Comm cc = comm_of(comm); valid(cc)) record_probe(st.c(), cc);
}

void f_waitany(Original& o, F* count, F* requests, F* index, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Waitany");
  Call c(rondo_region_id);
  int n = static_cast<int>(*count);
  auto handles = snapshot(n, requests);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(count, requests, index, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS)
    if (int at = position(*index, n); at >= 0 && known(handles[static_cast<size_t>(at)]))
      completed(handles[static_cast<size_t>(at)], st.c(), &requests[at]);
}

void f_waitsome(Original& o, F* incount, F* requests, F* outcount, F* indices, F* statuses, F* ierr) {
  RONDO_MPI_REGION("MPI_Waitsome");
  Call c(rondo_region_id);
  int n = static_cast<int>(*incount);
  auto handles = snapshot(n, requests);
  FStatuses st(statuses, n);
  using Fn = void (*)(F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(incount, requests, outcount, indices, st.get(), e); });
  if (c.on() && rc == MPI_SUCCESS && *outcount != MPI_UNDEFINED)
    for (int i = 0; i < *outcount && i < n; ++i)
      if (int at = position(indices[i], n); at >= 0 && known(handles[static_cast<size_t>(at)]))
        completed(handles[static_cast<size_t>(at)], st.c(i), &requests[at]);
}

void f_testall(Original& o, F* count, F* requests, F* flag, F* statuses, F* ierr) {
  RONDO_MPI_REGION("MPI_Testall");
  PollCall c(rondo_region_id);
  int n = static_cast<int>(*count);
  auto handles = snapshot(n, requests);
  FStatuses st(statuses, n);
  using Fn = void (*)(F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(count, requests, flag, st.get(), e); });
  // flag is a LOGICAL (see f_test).
  if (c.found(rc != MPI_SUCCESS || *flag != 0) && rc == MPI_SUCCESS)
    for (int i = 0; i < n; ++i)
      if (known(handles[static_cast<size_t>(i)])) completed(handles[static_cast<size_t>(i)], st.c(i), &requests[i]);
}

void f_testany(Original& o, F* count, F* requests, F* index, F* flag, F* status, F* ierr) {
  RONDO_MPI_REGION("MPI_Testany");
  PollCall c(rondo_region_id);
  int n = static_cast<int>(*count);
  auto handles = snapshot(n, requests);
  FStatus st(status);
  using Fn = void (*)(F*, F*, F*, F*, F*, F*);
  int rc = run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(count, requests, index, flag, st.get(), e); });
  if (c.found(rc != MPI_SUCCESS || *flag != 0) && rc == MPI_SUCCESS)
    if (int at = position(*index, n); at >= 0 && known(handles[static_cast<size_t>(at)]))
      completed(handles[static_cast<size_t>(at)], st.c(), &requests[at]);
}

// ---------------------------------------------------------------------------
// More collectives; volumes as in wrap_collectives.cpp.

void f_gatherv(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcounts, F* displs,
               F* recvtype, F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Gatherv");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Gatherv, comm, *root,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm, e); },
      [&](MPI_Comm cc) {
        bool r = is_root(cc, *root);
        return collective_volume::gatherv(r, fortran_in_place(sendbuf), fbytes(sendcount, sendtype),
                                          r ? fsum(recvcounts, comm_size(cc), recvtype) : 0);
      });
}

void f_scatterv(Original& o, void* sendbuf, F* sendcounts, F* displs, F* sendtype, void* recvbuf, F* recvcount,
                F* recvtype, F* root, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Scatterv");
  using Fn = void (*)(void*, F*, F*, F*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Scatterv, comm, *root,
      [&](Fn fn, F* e) { fn(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root, comm, e); },
      [&](MPI_Comm cc) {
        bool r = is_root(cc, *root);
        return collective_volume::scatterv(r, fortran_in_place(recvbuf),
                                           r ? fsum(sendcounts, comm_size(cc), sendtype) : 0,
                                           fbytes(recvcount, recvtype));
      });
}

void f_allgatherv(Original& o, void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcounts, F* displs,
                  F* recvtype, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Allgatherv");
  using Fn = void (*)(void*, F*, F*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Allgatherv, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::allgatherv(fortran_in_place(sendbuf), fbytes(sendcount, sendtype),
                                             fsum(recvcounts, comm_size(cc), recvtype));
      });
}

void f_alltoallv(Original& o, void* sendbuf, F* sendcounts, F* sdispls, F* sendtype, void* recvbuf, F* recvcounts,
                 F* rdispls, F* recvtype, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Alltoallv");
  using Fn = void (*)(void*, F*, F*, F*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::Alltoallv, comm, -1,
      [&](Fn fn, F* e) {
        fn(sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm, e);
      },
      [&](MPI_Comm cc) {
        int n = comm_size(cc);
        bool in_place = fortran_in_place(sendbuf);
        return collective_volume::alltoallv(in_place, in_place ? 0 : fsum(sendcounts, n, sendtype),
                                            fsum(recvcounts, n, recvtype));
      });
}

void f_reduce_scatter(Original& o, void* sendbuf, void* recvbuf, F* recvcounts, F* type, F* op, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Reduce_scatter");
  using Fn = void (*)(void*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::ReduceScatter, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, recvbuf, recvcounts, type, op, comm, e); },
      [&](MPI_Comm cc) {
        int rank = 0;
        PMPI_Comm_rank(cc, &rank);
        return collective_volume::reduce_scatter(fsum(recvcounts, comm_size(cc), type), fbytes(&recvcounts[rank], type));
      });
}

void f_reduce_scatter_block(Original& o, void* sendbuf, void* recvbuf, F* recvcount, F* type, F* op, F* comm,
                            F* ierr) {
  RONDO_MPI_REGION("MPI_Reduce_scatter_block");
  using Fn = void (*)(void*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      rondo_region_id, o, ierr, CollectiveOp::ReduceScatterBlock, comm, -1,
      [&](Fn fn, F* e) { fn(sendbuf, recvbuf, recvcount, type, op, comm, e); },
      [&](MPI_Comm cc) {
        return collective_volume::reduce_scatter_block(comm_size(cc), fbytes(recvcount, type));
      });
}

// MPI_Scan and MPI_Exscan: as many bytes sent as received.
void scan(uint32_t region_id, CollectiveOp kind, Original& o, void* sendbuf, void* recvbuf, F* count, F* type, F* op,
          F* comm, F* ierr) {
  using Fn = void (*)(void*, void*, F*, F*, F*, F*, F*);
  collective<Fn>(
      region_id, o, ierr, kind, comm, -1, [&](Fn fn, F* e) { fn(sendbuf, recvbuf, count, type, op, comm, e); },
      [&](MPI_Comm) {
        return collective_volume::symmetric(fbytes(count, type));
      });
}

void f_scan(Original& o, void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Scan");
  scan(rondo_region_id, CollectiveOp::Scan, o, sendbuf, recvbuf, count, type, op, comm, ierr);
}

void f_exscan(Original& o, void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr) {
  RONDO_MPI_REGION("MPI_Exscan");
  scan(rondo_region_id, CollectiveOp::Exscan, o, sendbuf, recvbuf, count, type, op, comm, ierr);
}

// ---------------------------------------------------------------------------
// More communicators, groups and topologies.

void f_comm_create(Original& o, F* comm, F* group, F* newcomm, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_create");
  using Fn = void (*)(F*, F*, F*, F*);
  create<Fn>(rondo_region_id, o, ierr, comm, newcomm, "MPI_Comm_create",
             [&](Fn fn, F* e) { fn(comm, group, newcomm, e); });
}

void f_cart_sub(Original& o, F* comm, F* remain_dims, F* newcomm, F* ierr) {
  RONDO_MPI_REGION("MPI_Cart_sub");
  using Fn = void (*)(F*, F*, F*, F*);
  create<Fn>(rondo_region_id, o, ierr, comm, newcomm, "MPI_Cart_sub",
             [&](Fn fn, F* e) { fn(comm, remain_dims, newcomm, e); });
}

void f_comm_group(Original& o, F* comm, F* group, F* ierr) {
  RONDO_MPI_REGION("MPI_Comm_group");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, group, e); });
}

void f_cart_shift(Original& o, F* comm, F* direction, F* disp, F* source, F* dest, F* ierr) {
  RONDO_MPI_REGION("MPI_Cart_shift");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*, F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, direction, disp, source, dest, e); });
}

void f_cart_coords(Original& o, F* comm, F* rank, F* maxdims, F* coords, F* ierr) {
  RONDO_MPI_REGION("MPI_Cart_coords");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, rank, maxdims, coords, e); });
}

void f_cart_rank(Original& o, F* comm, F* coords, F* rank, F* ierr) {
  RONDO_MPI_REGION("MPI_Cart_rank");
  Call c(rondo_region_id);
  using Fn = void (*)(F*, F*, F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(comm, coords, rank, e); });
}

// MPI_Type_free is no region; the original may call PMPI_Type_free, which the
// C wrapper does not see, so the per-thread datatype sizes are invalidated here
// (handle_cache.h).
void f_type_free(Original& o, F* type, F* ierr) {
  handles_freed();
  using Fn = void (*)(F*, F*);
  run<Fn>(o, ierr, [&](Fn fn, F* e) { fn(type, e); });
  handles_freed();
}

}  // namespace

// Every wrapped function under the five names compilers and Open MPI use: plain,
// one and two trailing underscores, upper case (mpif.h / use mpi), and the
// mpi_f08 name. Each name forwards to the original of that same name.
#define RONDO_F_EXPAND(...) __VA_ARGS__
#define RONDO_F_ONE(exported, impl, params, args)       \
  extern "C" void exported params {                     \
    static Original original{#exported};                \
    impl(original, RONDO_F_EXPAND args);                \
  }
#define RONDO_FORTRAN(lower, upper, impl, params, args) \
  RONDO_F_ONE(lower, impl, params, args)                \
  RONDO_F_ONE(lower##_, impl, params, args)             \
  RONDO_F_ONE(lower##__, impl, params, args)            \
  RONDO_F_ONE(upper, impl, params, args)                \
  RONDO_F_ONE(lower##_f08_, impl, params, args)

RONDO_FORTRAN(mpi_init, MPI_INIT, f_init, (F * ierr), (ierr))
RONDO_FORTRAN(mpi_init_thread, MPI_INIT_THREAD, f_init_thread, (F * required, F* provided, F* ierr),
              (required, provided, ierr))
RONDO_FORTRAN(mpi_finalize, MPI_FINALIZE, f_finalize, (F * ierr), (ierr))
RONDO_FORTRAN(mpi_abort, MPI_ABORT, f_abort, (F * comm, F* errorcode, F* ierr), (comm, errorcode, ierr))
RONDO_FORTRAN(mpi_comm_rank, MPI_COMM_RANK, f_comm_rank, (F * comm, F* rank, F* ierr), (comm, rank, ierr))
RONDO_FORTRAN(mpi_comm_size, MPI_COMM_SIZE, f_comm_size, (F * comm, F* size, F* ierr), (comm, size, ierr))
RONDO_FORTRAN(mpi_send, MPI_SEND, f_send, (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr),
              (buf, count, type, dest, tag, comm, ierr))
RONDO_FORTRAN(mpi_recv, MPI_RECV, f_recv,
              (void* buf, F* count, F* type, F* source, F* tag, F* comm, F* status, F* ierr),
              (buf, count, type, source, tag, comm, status, ierr))
RONDO_FORTRAN(mpi_isend, MPI_ISEND, f_isend,
              (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr),
              (buf, count, type, dest, tag, comm, request, ierr))
RONDO_FORTRAN(mpi_irecv, MPI_IRECV, f_irecv,
              (void* buf, F* count, F* type, F* source, F* tag, F* comm, F* request, F* ierr),
              (buf, count, type, source, tag, comm, request, ierr))
RONDO_FORTRAN(mpi_wait, MPI_WAIT, f_wait, (F * request, F* status, F* ierr), (request, status, ierr))
RONDO_FORTRAN(mpi_waitall, MPI_WAITALL, f_waitall, (F * count, F* requests, F* statuses, F* ierr),
              (count, requests, statuses, ierr))
RONDO_FORTRAN(mpi_test, MPI_TEST, f_test, (F * request, F* flag, F* status, F* ierr), (request, flag, status, ierr))
RONDO_FORTRAN(mpi_sendrecv, MPI_SENDRECV, f_sendrecv,
              (void* sendbuf, F* sendcount, F* sendtype, F* dest, F* sendtag, void* recvbuf, F* recvcount,
               F* recvtype, F* source, F* recvtag, F* comm, F* status, F* ierr),
              (sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag, comm,
               status, ierr))
RONDO_FORTRAN(mpi_barrier, MPI_BARRIER, f_barrier, (F * comm, F* ierr), (comm, ierr))
RONDO_FORTRAN(mpi_bcast, MPI_BCAST, f_bcast, (void* buf, F* count, F* type, F* root, F* comm, F* ierr),
              (buf, count, type, root, comm, ierr))
RONDO_FORTRAN(mpi_reduce, MPI_REDUCE, f_reduce,
              (void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* root, F* comm, F* ierr),
              (sendbuf, recvbuf, count, type, op, root, comm, ierr))
RONDO_FORTRAN(mpi_allreduce, MPI_ALLREDUCE, f_allreduce,
              (void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr),
              (sendbuf, recvbuf, count, type, op, comm, ierr))
RONDO_FORTRAN(mpi_gather, MPI_GATHER, f_gather,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype, F* root, F* comm,
               F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, ierr))
RONDO_FORTRAN(mpi_scatter, MPI_SCATTER, f_scatter,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype, F* root, F* comm,
               F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, ierr))
RONDO_FORTRAN(mpi_allgather, MPI_ALLGATHER, f_allgather,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype, F* comm, F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, ierr))
RONDO_FORTRAN(mpi_alltoall, MPI_ALLTOALL, f_alltoall,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcount, F* recvtype, F* comm, F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, ierr))
RONDO_FORTRAN(mpi_comm_split, MPI_COMM_SPLIT, f_comm_split, (F * comm, F* color, F* key, F* newcomm, F* ierr),
              (comm, color, key, newcomm, ierr))
RONDO_FORTRAN(mpi_comm_dup, MPI_COMM_DUP, f_comm_dup, (F * comm, F* newcomm, F* ierr), (comm, newcomm, ierr))
RONDO_FORTRAN(mpi_comm_free, MPI_COMM_FREE, f_comm_free, (F * comm, F* ierr), (comm, ierr))
RONDO_FORTRAN(mpi_cart_create, MPI_CART_CREATE, f_cart_create,
              (F * comm, F* ndims, F* dims, F* periods, F* reorder, F* newcomm, F* ierr),
              (comm, ndims, dims, periods, reorder, newcomm, ierr))
RONDO_FORTRAN(mpi_ssend, MPI_SSEND, f_ssend, (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr),
              (buf, count, type, dest, tag, comm, ierr))
RONDO_FORTRAN(mpi_bsend, MPI_BSEND, f_bsend, (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr),
              (buf, count, type, dest, tag, comm, ierr))
RONDO_FORTRAN(mpi_rsend, MPI_RSEND, f_rsend, (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* ierr),
              (buf, count, type, dest, tag, comm, ierr))
RONDO_FORTRAN(mpi_issend, MPI_ISSEND, f_issend,
              (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr),
              (buf, count, type, dest, tag, comm, request, ierr))
RONDO_FORTRAN(mpi_send_init, MPI_SEND_INIT, f_send_init,
              (void* buf, F* count, F* type, F* dest, F* tag, F* comm, F* request, F* ierr),
              (buf, count, type, dest, tag, comm, request, ierr))
RONDO_FORTRAN(mpi_recv_init, MPI_RECV_INIT, f_recv_init,
              (void* buf, F* count, F* type, F* source, F* tag, F* comm, F* request, F* ierr),
              (buf, count, type, source, tag, comm, request, ierr))
RONDO_FORTRAN(mpi_start, MPI_START, f_start, (F * request, F* ierr), (request, ierr))
RONDO_FORTRAN(mpi_startall, MPI_STARTALL, f_startall, (F * count, F* requests, F* ierr), (count, requests, ierr))
RONDO_FORTRAN(mpi_request_free, MPI_REQUEST_FREE, f_request_free, (F * request, F* ierr), (request, ierr))
RONDO_FORTRAN(mpi_sendrecv_replace, MPI_SENDRECV_REPLACE, f_sendrecv_replace,
              (void* buf, F* count, F* type, F* dest, F* sendtag, F* source, F* recvtag, F* comm, F* status, F* ierr),
              (buf, count, type, dest, sendtag, source, recvtag, comm, status, ierr))
RONDO_FORTRAN(mpi_probe, MPI_PROBE, f_probe, (F * source, F* tag, F* comm, F* status, F* ierr),
              (source, tag, comm, status, ierr))
RONDO_FORTRAN(mpi_iprobe, MPI_IPROBE, f_iprobe, (F * source, F* tag, F* comm, F* flag, F* status, F* ierr),
              (source, tag, comm, flag, status, ierr))
RONDO_FORTRAN(mpi_waitany, MPI_WAITANY, f_waitany, (F * count, F* requests, F* index, F* status, F* ierr),
              (count, requests, index, status, ierr))
RONDO_FORTRAN(mpi_waitsome, MPI_WAITSOME, f_waitsome,
              (F * incount, F* requests, F* outcount, F* indices, F* statuses, F* ierr),
              (incount, requests, outcount, indices, statuses, ierr))
RONDO_FORTRAN(mpi_testall, MPI_TESTALL, f_testall, (F * count, F* requests, F* flag, F* statuses, F* ierr),
              (count, requests, flag, statuses, ierr))
RONDO_FORTRAN(mpi_testany, MPI_TESTANY, f_testany, (F * count, F* requests, F* index, F* flag, F* status, F* ierr),
              (count, requests, index, flag, status, ierr))
RONDO_FORTRAN(mpi_gatherv, MPI_GATHERV, f_gatherv,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcounts, F* displs, F* recvtype,
               F* root, F* comm, F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm, ierr))
RONDO_FORTRAN(mpi_scatterv, MPI_SCATTERV, f_scatterv,
              (void* sendbuf, F* sendcounts, F* displs, F* sendtype, void* recvbuf, F* recvcount, F* recvtype,
               F* root, F* comm, F* ierr),
              (sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root, comm, ierr))
RONDO_FORTRAN(mpi_allgatherv, MPI_ALLGATHERV, f_allgatherv,
              (void* sendbuf, F* sendcount, F* sendtype, void* recvbuf, F* recvcounts, F* displs, F* recvtype,
               F* comm, F* ierr),
              (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm, ierr))
RONDO_FORTRAN(mpi_alltoallv, MPI_ALLTOALLV, f_alltoallv,
              (void* sendbuf, F* sendcounts, F* sdispls, F* sendtype, void* recvbuf, F* recvcounts, F* rdispls,
               F* recvtype, F* comm, F* ierr),
              (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm, ierr))
RONDO_FORTRAN(mpi_reduce_scatter, MPI_REDUCE_SCATTER, f_reduce_scatter,
              (void* sendbuf, void* recvbuf, F* recvcounts, F* type, F* op, F* comm, F* ierr),
              (sendbuf, recvbuf, recvcounts, type, op, comm, ierr))
RONDO_FORTRAN(mpi_reduce_scatter_block, MPI_REDUCE_SCATTER_BLOCK, f_reduce_scatter_block,
              (void* sendbuf, void* recvbuf, F* recvcount, F* type, F* op, F* comm, F* ierr),
              (sendbuf, recvbuf, recvcount, type, op, comm, ierr))
RONDO_FORTRAN(mpi_scan, MPI_SCAN, f_scan, (void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr),
              (sendbuf, recvbuf, count, type, op, comm, ierr))
RONDO_FORTRAN(mpi_exscan, MPI_EXSCAN, f_exscan,
              (void* sendbuf, void* recvbuf, F* count, F* type, F* op, F* comm, F* ierr),
              (sendbuf, recvbuf, count, type, op, comm, ierr))
RONDO_FORTRAN(mpi_comm_create, MPI_COMM_CREATE, f_comm_create, (F * comm, F* group, F* newcomm, F* ierr),
              (comm, group, newcomm, ierr))
RONDO_FORTRAN(mpi_comm_group, MPI_COMM_GROUP, f_comm_group, (F * comm, F* group, F* ierr), (comm, group, ierr))
RONDO_FORTRAN(mpi_cart_shift, MPI_CART_SHIFT, f_cart_shift,
              (F * comm, F* direction, F* disp, F* source, F* dest, F* ierr),
              (comm, direction, disp, source, dest, ierr))
RONDO_FORTRAN(mpi_cart_sub, MPI_CART_SUB, f_cart_sub, (F * comm, F* remain_dims, F* newcomm, F* ierr),
              (comm, remain_dims, newcomm, ierr))
RONDO_FORTRAN(mpi_cart_coords, MPI_CART_COORDS, f_cart_coords, (F * comm, F* rank, F* maxdims, F* coords, F* ierr),
              (comm, rank, maxdims, coords, ierr))
RONDO_FORTRAN(mpi_cart_rank, MPI_CART_RANK, f_cart_rank, (F * comm, F* coords, F* rank, F* ierr),
              (comm, coords, rank, ierr))
RONDO_FORTRAN(mpi_type_free, MPI_TYPE_FREE, f_type_free, (F * type, F* ierr), (type, ierr))
