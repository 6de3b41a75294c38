#include "rondo/format/run_identity.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

namespace rondo::format {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string host_name() {
  char h[256] = {};
  gethostname(h, sizeof h - 1);
  return h;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since
// boot. With the pid it names one process, even after pids wrap around.
std::string start_time_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "0";
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
  }
  return field.empty() ? "0" : field;
}

// A Slurm job step of several tasks. A step of one task is often an interactive
// shell (`srun --pty bash`) in which one run follows another under the same
// step id: there the id names no run.
bool slurm_job_step() {
  std::string tasks = env("SLURM_STEP_NUM_TASKS");
  return !env("SLURM_JOB_ID").empty() && !env("SLURM_STEP_ID").empty() && std::atoi(tasks.c_str()) > 1;
}

}  // namespace

std::string launcher_run_id() {
  if (std::string ns = env("PMIX_NAMESPACE"); !ns.empty()) return "pmix:" + ns;
  if (std::string job = env("OMPI_MCA_ess_base_jobid"); !job.empty()) return "ompi:" + job;
  if (slurm_job_step()) return "slurm:" + env("SLURM_JOB_ID") + "." + env("SLURM_STEP_ID");
  // Hydra starts the ranks of a node through one proxy: its pid and start time.
  if (!env("PMI_RANK").empty()) {
    pid_t proxy = getppid();
    return "hydra:" + host_name() + ":" + std::to_string(proxy) + ":" + start_time_of(proxy);
  }
  return "";
}

int launcher_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (std::string v = env(var); !v.empty()) return std::atoi(v.c_str());
  if (slurm_job_step() && !env("SLURM_PROCID").empty()) return std::atoi(env("SLURM_PROCID").c_str());
  return -1;
}

std::string new_run_id() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%lld.%09ld", static_cast<long long>(now.tv_sec), now.tv_nsec);
  return "run:" + host_name() + ":" + std::to_string(getpid()) + ":" + stamp;
}

std::string current_run_id() {
  if (std::string id = env(kRunIdVariable); !id.empty()) return id;
  if (std::string id = launcher_run_id(); !id.empty()) return id;
  return new_run_id();
}

}  // namespace rondo::format
