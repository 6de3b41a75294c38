// The bytes a collective operation moves for one process, as MPI_COLLECTIVE_END
// records them (FORMAT.md, "Collectives"): what this process sends from its send
// buffers and what lands in its receive buffers. One set of rules for the C and
// the Fortran wrappers (which differ only in how they read counts, datatypes and
// MPI_IN_PLACE); no MPI types here, so the rules stand on their own.
//
// Arguments are byte counts the wrapper computed: `block` one rank's block,
// `total` the sum over a v-variant's counts; `root` whether this process is the
// operation's root (is_root in mpi_tracking.h), `ranks` the communicator's size
// (the remote group's for intercommunicators), `in_place` whether the buffer the
// rule names was MPI_IN_PLACE.
#pragma once

#include <cstdint>
#include <utility>

namespace rondo::collective_volume {

using Volume = std::pair<int64_t, int64_t>;  // bytes sent, bytes received

inline Volume bcast(bool root, int64_t n) { return root ? Volume(n, 0) : Volume(0, n); }
inline Volume reduce(bool root, int64_t n) { return Volume(n, root ? n : 0); }
// Allreduce, scan, exscan: every process contributes and receives the same size.
inline Volume symmetric(int64_t n) { return Volume(n, n); }

// In place (sendbuf), the root's own block stays in its receive buffer.
inline Volume gather(bool root, int ranks, bool in_place, int64_t send, int64_t block) {
  return Volume(in_place ? block : send, root ? block * ranks : 0);
}
// In place (recvbuf), the root keeps its own block in its send buffer.
inline Volume scatter(bool root, int ranks, bool in_place, int64_t block, int64_t recv) {
  return Volume(root ? block * ranks : 0, in_place ? block : recv);
}
inline Volume gatherv(bool root, bool in_place, int64_t send, int64_t total) {
  return Volume(in_place ? 0 : send, root ? total : 0);
}
inline Volume scatterv(bool root, bool in_place, int64_t total, int64_t recv) {
  return Volume(root ? total : 0, in_place ? 0 : recv);
}
inline Volume allgather(int ranks, bool in_place, int64_t send, int64_t block) {
  return Volume(in_place ? block : send, block * ranks);
}
inline Volume allgatherv(bool in_place, int64_t send, int64_t total) { return Volume(in_place ? 0 : send, total); }
// In place, every block sent is one received.
inline Volume alltoall(int ranks, bool in_place, int64_t send_block, int64_t recv_block) {
  return Volume(in_place ? recv_block * ranks : send_block * ranks, recv_block * ranks);
}
inline Volume alltoallv(bool in_place, int64_t send_total, int64_t recv_total) {
  return Volume(in_place ? recv_total : send_total, recv_total);
}
inline Volume reduce_scatter(int64_t total, int64_t mine) { return Volume(total, mine); }
inline Volume reduce_scatter_block(int ranks, int64_t n) { return Volume(n * ranks, n); }

}  // namespace rondo::collective_volume
