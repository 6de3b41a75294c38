// Clock offsets between ranks (DESIGN.md "Time"): each rank's offset to rank 0,
// measured at MPI_Init and again at MPI_Finalize (drift).
//
// The measurement needs collective calls of the module's own (a duplicate of
// MPI_COMM_WORLD, a broadcast), which every rank must make. A rank started
// without the module (`mpirun -np 1 rondo record ./app : -np 1 ./app`) never
// makes them, and the traced ranks would wait for it forever, or worse, meet
// the application's own collectives. Hence the measurement runs only when the
// launch guarantees that every rank has the module; otherwise offsets stay 0
// (exact for ranks on rank 0's host) and rank 0 says once why.
#pragma once

#include <mpi.h>

#include <cstdint>

namespace rondo::mpi {

// Whether every rank of the job runs with this module, decided from the
// environment alone, identically on every rank that has it: RONDO_EVERY_RANK
// (`rondo record -- mpirun ...`), or a single application context (Open MPI's
// OMPI_NUM_APP_CTX=1: every rank runs the same command as this one). Without
// either, and when the job spans more than one host, rank 0 prints one
// `rondo:` line.
bool every_rank_has_module(int world_rank, int world_size);

// Offset of rank 0's CLOCK_MONOTONIC minus this rank's, in ns, over `comm`
// (collective over it).
int64_t measure_clock_offset(MPI_Comm comm, int rank, int size);

}  // namespace rondo::mpi
