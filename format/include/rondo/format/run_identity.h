// The identity of one run (FORMAT.md 6.1, `Process.run_id`): every process of
// one recorded run carries the same id, different runs carry different ids, so
// that a reader never merges two runs into one trace.
#pragma once

#include <string>

namespace rondo::format {

// The variable through which `rondo record` hands the run id to the processes it
// starts (and a process started without one hands its own to its children).
inline constexpr const char* kRunIdVariable = "RONDO_RUN_ID";

// Set to "1" by `rondo record -- LAUNCHER ...` for every application context:
// every rank of the job is started with the modules, so the MPI module may make
// collective calls of its own (interceptors/mpi/clock_offsets.h).
inline constexpr const char* kEveryRankVariable = "RONDO_EVERY_RANK";

// The job id of the parallel launcher that started this process as one rank of a
// job, as a run id: "pmix:<namespace>" (Open MPI, PMIx), "ompi:<jobid>",
// "slurm:<job>.<step>" (a step of several tasks), or for MPICH's Hydra (which exports no job id)
// "hydra:<host>:<proxy pid>:<proxy start time>". Empty when no launcher is seen.
// All ranks of one job on one node agree; Hydra ranks on different nodes do not
// (their proxies differ), which is why `rondo record -- mpiexec ...` passes its
// own id instead.
std::string launcher_run_id();

// This process's rank in its launcher's job (OMPI_COMM_WORLD_RANK, PMI_RANK,
// PMIX_RANK, SLURM_PROCID in a step of several tasks), or -1 when not started
// as a rank.
int launcher_rank();

// A fresh run id for a run started here: host, process id and the current time,
// unique across hosts and runs.
std::string new_run_id();

// The run id of this process: RONDO_RUN_ID when set, else the launcher's job id,
// else a fresh one.
std::string current_run_id();

}  // namespace rondo::format
