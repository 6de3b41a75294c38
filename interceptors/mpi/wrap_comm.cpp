// Communicator and group management. Every call that creates communicators is
// collective over the new communicator's members, so each member defines it in
// the same order, which gives it the same identity everywhere.
#include "wrap_common.h"

using namespace rondo::mpi;
using rondo::format::CollectiveOp;

namespace {

// Runs a communicator-creating call as a collective operation and defines what
// it created.
template <typename F>
int create(uint32_t region_id, MPI_Comm parent, MPI_Comm* created, const char* how, F&& fn) {
  Call call(region_id);
  if (call.on()) collective_begin();
  int rc = real(fn);
  if (rc == MPI_SUCCESS) comm_created(parent, *created, how);
  if (call.on()) collective_end(CollectiveOp::Create, parent, -1, 0, 0);
  return rc;
}

}  // namespace

extern "C" {

RONDO_MPI_PLAIN(MPI_Comm_rank, (MPI_Comm comm, int* rank), (comm, rank))
RONDO_MPI_PLAIN(MPI_Comm_size, (MPI_Comm comm, int* size), (comm, size))
RONDO_MPI_PLAIN(MPI_Comm_group, (MPI_Comm comm, MPI_Group* group), (comm, group))
RONDO_MPI_PLAIN(MPI_Group_incl, (MPI_Group group, int n, const int ranks[], MPI_Group* out), (group, n, ranks, out))
RONDO_MPI_PLAIN(MPI_Group_excl, (MPI_Group group, int n, const int ranks[], MPI_Group* out), (group, n, ranks, out))
RONDO_MPI_PLAIN(MPI_Group_free, (MPI_Group * group), (group))
RONDO_MPI_PLAIN(MPI_Cart_coords, (MPI_Comm comm, int rank, int maxdims, int coords[]), (comm, rank, maxdims, coords))
RONDO_MPI_PLAIN(MPI_Cart_rank, (MPI_Comm comm, const int coords[], int* rank), (comm, coords, rank))
RONDO_MPI_PLAIN(MPI_Cart_shift, (MPI_Comm comm, int direction, int disp, int* source, int* dest),
                (comm, direction, disp, source, dest))

int MPI_Comm_dup(MPI_Comm comm, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_dup");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_dup", [&] { return PMPI_Comm_dup(comm, newcomm); });
}

int MPI_Comm_dup_with_info(MPI_Comm comm, MPI_Info info, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_dup_with_info");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_dup_with_info",
                [&] { return PMPI_Comm_dup_with_info(comm, info, newcomm); });
}

int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_split");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_split",
                [&] { return PMPI_Comm_split(comm, color, key, newcomm); });
}

int MPI_Comm_split_type(MPI_Comm comm, int type, int key, MPI_Info info, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_split_type");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_split_type",
                [&] { return PMPI_Comm_split_type(comm, type, key, info, newcomm); });
}

int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_create");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_create",
                [&] { return PMPI_Comm_create(comm, group, newcomm); });
}

int MPI_Comm_create_group(MPI_Comm comm, MPI_Group group, int tag, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Comm_create_group");
  return create(rondo_region_id, comm, newcomm, "MPI_Comm_create_group",
                [&] { return PMPI_Comm_create_group(comm, group, tag, newcomm); });
}

int MPI_Cart_create(MPI_Comm comm, int ndims, const int dims[], const int periods[], int reorder, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Cart_create");
  return create(rondo_region_id, comm, newcomm, "MPI_Cart_create",
                [&] { return PMPI_Cart_create(comm, ndims, dims, periods, reorder, newcomm); });
}

int MPI_Cart_sub(MPI_Comm comm, const int remain_dims[], MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Cart_sub");
  return create(rondo_region_id, comm, newcomm, "MPI_Cart_sub",
                [&] { return PMPI_Cart_sub(comm, remain_dims, newcomm); });
}

int MPI_Graph_create(MPI_Comm comm, int nnodes, const int index[], const int edges[], int reorder,
                     MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Graph_create");
  return create(rondo_region_id, comm, newcomm, "MPI_Graph_create",
                [&] { return PMPI_Graph_create(comm, nnodes, index, edges, reorder, newcomm); });
}

int MPI_Dist_graph_create_adjacent(MPI_Comm comm, int indegree, const int sources[], const int sourceweights[],
                                   int outdegree, const int destinations[], const int destweights[], MPI_Info info,
                                   int reorder, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Dist_graph_create_adjacent");
  return create(rondo_region_id, comm, newcomm, "MPI_Dist_graph_create_adjacent", [&] {
    return PMPI_Dist_graph_create_adjacent(comm, indegree, sources, sourceweights, outdegree, destinations,
                                           destweights, info, reorder, newcomm);
  });
}

int MPI_Dist_graph_create(MPI_Comm comm, int n, const int sources[], const int degrees[], const int destinations[],
                          const int weights[], MPI_Info info, int reorder, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Dist_graph_create");
  return create(rondo_region_id, comm, newcomm, "MPI_Dist_graph_create", [&] {
    return PMPI_Dist_graph_create(comm, n, sources, degrees, destinations, weights, info, reorder, newcomm);
  });
}

// MPI_Comm_idup: the new communicator exists only once the request completes,
// but its handle is valid (and collective order fixed) at the call.
int MPI_Comm_idup(MPI_Comm comm, MPI_Comm* newcomm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Comm_idup");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Comm_idup(comm, newcomm, req); });
  if (rc == MPI_SUCCESS) pending_comm(comm, *newcomm, *req);
  return rc;
}

int MPI_Intercomm_create(MPI_Comm local_comm, int local_leader, MPI_Comm peer_comm, int remote_leader, int tag,
                         MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Intercomm_create");
  return create(rondo_region_id, local_comm, newcomm, "MPI_Intercomm_create", [&] {
    return PMPI_Intercomm_create(local_comm, local_leader, peer_comm, remote_leader, tag, newcomm);
  });
}

int MPI_Intercomm_merge(MPI_Comm intercomm, int high, MPI_Comm* newcomm) {
  RONDO_MPI_REGION("MPI_Intercomm_merge");
  return create(rondo_region_id, intercomm, newcomm, "MPI_Intercomm_merge",
                [&] { return PMPI_Intercomm_merge(intercomm, high, newcomm); });
}

int MPI_Comm_free(MPI_Comm* comm) {
  RONDO_MPI_REGION("MPI_Comm_free");
  Call call(rondo_region_id);
  MPI_Comm handle = *comm;
  bool record = call.on() && handle != MPI_COMM_NULL;
  uint32_t id = record ? comm_id(handle) : 0;  // before the call frees the handle
  if (record) collective_begin();
  int rc = real([&] { return PMPI_Comm_free(comm); });
  if (record) comm_free_end(id);
  if (rc == MPI_SUCCESS) comm_freed(handle);
  return rc;
}

}  // extern "C"
