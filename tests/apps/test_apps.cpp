// Real programs nobody on the project wrote (Debian packages: NetPIPE, LAMMPS,
// HPC Challenge, GROMACS), recorded with `rondo record` and no -t, so that the
// modules are chosen from the program alone (docs/real-programs.md has the
// recipes). For each: the program's own output is the same as in an untraced
// run, `rondo check` finds no violation, every message is matched, the MPI call
// counts are the ones the program's source and output imply, and the modules
// it needs were chosen.
//
// A test skips itself, with one line naming the package, when its program or
// mpirun is missing. Label `apps` (scripts/test.sh --apps).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../common/run_command.h"
#include "../common/trace_check.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rondo::test::CommandResult;
using rondo::test::run_command;

const std::string kRondo = RONDO_CLI;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The program `name` in PATH, or "".
std::string program(const std::string& name) {
  CommandResult r = run_command("command -v " + name);
  if (r.status != 0) return "";
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == ' ')) r.out.pop_back();
  return r.out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lines of `text` that match `pattern`, in order.
std::vector<std::string> lines_matching(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, re)) out.push_back(line);
  return out;
}

class Apps : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("rondo-apps-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_ / "plain");
    fs::create_directories(dir_ / "traced");
  }
  void TearDown() override {
    if (!getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }

  // Skips the test when `name` (from Debian package `package`) is not installed.
  std::string require(const std::string& name, const std::string& package) {
    std::string path = program(name);
    if (path.empty()) skip_ = name + " not found in PATH: install the Debian package " + package;
    return path;
  }
  // LAMMPS's melt example on a lattice of `lattice`^3 cells, `steps` steps
  // (skips the test when the example is not installed).
  std::string melt_input(int lattice, int steps) {
    std::string melt = slurp("/usr/share/lammps/examples/melt/in.melt");
    if (melt.empty()) skip_ = "/usr/share/lammps/examples/melt/in.melt missing: install lammps-examples";
    std::string n = std::to_string(lattice);
    melt = std::regex_replace(melt, std::regex("block 0 10 0 10 0 10"), "block 0 " + n + " 0 " + n + " 0 " + n);
    return std::regex_replace(melt, std::regex("\nrun[^\n]*"), "\nrun " + std::to_string(steps));
  }
  std::string mpirun(int ranks) {
    std::string path = require("mpirun", "openmpi-bin");
    std::string cmd = quote(path);
    if (geteuid() == 0) cmd += " --allow-run-as-root";
    return cmd + " --oversubscribe -np " + std::to_string(ranks);
  }

  std::string plain(const std::string& f = "") const { return (dir_ / "plain" / f).string(); }
  std::string traced(const std::string& f = "") const { return (dir_ / "traced" / f).string(); }
  std::string trace() const { return (dir_ / "trace").string(); }

  // Runs `command` in plain/ untraced, then in traced/ under `rondo record` (no
  // -t, or -t `modules`).
  void run_both(const std::string& command, const std::string& modules = "") {
    static const std::string guard = program("timeout").empty() ? "" : "timeout -k 10 300 ";
    CommandResult a = run_command("cd " + quote(plain()) + " && " + guard + command);
    ASSERT_EQ(a.status, 0) << command << "\n" << a.out;
    std::string rec =
        "cd " + quote(traced()) + " && " + guard + quote(kRondo) + " record -o " + quote(trace()) +
        (modules.empty() ? "" : " -t " + modules) + " -- " + command;
    recorded_ = run_command(rec);
    ASSERT_EQ(recorded_.status, 0) << rec << "\n" << recorded_.out;
  }

  json json_of(const std::string& command) {
    CommandResult r = run_command(command + " 2>/dev/null");
    EXPECT_EQ(r.status, 0) << command << "\n" << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << command << ": not JSON (" << e.what() << ")\n" << r.out;
      return json::object();
    }
  }

  // `rondo check` finds nothing, and every message has its partner.
  void expect_valid_trace() {
    EXPECT_TRUE(rondo::test::trace_valid(trace()));
    json c = json_of(quote(kRondo) + " check --json " + quote(trace()));
    EXPECT_EQ(c["clean"], true) << c.dump(2);
    EXPECT_EQ(c["checked"]["unmatched_sends"], 0) << c.dump(2);
    EXPECT_EQ(c["checked"]["unmatched_receives"], 0) << c.dump(2);
    stats_ = json_of(quote(kRondo) + " stats --json --by rank " + quote(trace()));
    // Without MPI (GROMACS uses thread-MPI): no ranks, only empty message totals.
    if (stats_["mpi"]["matrix_bytes"].empty()) return;
    const json& m = stats_["mpi"]["messages"];
    EXPECT_EQ(m["unmatched"], 0) << m.dump();
    EXPECT_EQ(m["incomplete_receives"], 0) << m.dump();
  }

  // Calls of region `name` on `rank` (from `rondo stats --json --by rank`).
  int64_t calls(int rank, const std::string& name) const {
    int64_t n = 0;
    for (const json& r : stats_["regions"])
      if (r["rank"] == rank && r["name"] == name) n += r["calls"].get<int64_t>();
    return n;
  }
  // The MPI module was chosen: every rank initialized and finalized MPI.
  void expect_mpi_recorded(int ranks) {
    EXPECT_EQ(stats_["mpi"]["ranks"], ranks) << recorded_.out;
    for (int r = 0; r < ranks; ++r) {
      EXPECT_EQ(calls(r, "MPI_Init") + calls(r, "MPI_Init_thread"), 1) << "rank " << r << "\n" << recorded_.out;
      EXPECT_EQ(calls(r, "MPI_Finalize"), 1) << "rank " << r;
    }
  }
  // Matched messages from `src` to `dst`.
  int64_t messages(int src, int dst) const {
    const json& m = stats_["mpi"]["matrix_count"];
    if (!m.is_array() || m.size() <= static_cast<size_t>(src)) return -1;
    return m[static_cast<size_t>(src)][static_cast<size_t>(dst)].get<int64_t>();
  }

  fs::path dir_;
  std::string skip_;
  CommandResult recorded_;
  json stats_;
};

#define SKIP_IF_MISSING() \
  if (!skip_.empty()) GTEST_SKIP() << skip_

// ---------------------------------------------------------------------------
// NetPIPE: ping-pong between 2 ranks over message sizes 1..64 bytes. From its
// source (netpipe.c, mpi.c of NetPIPE 3.7): a latency warm-up of 100 round
// trips between two Syncs, then per message size (one line of its output file)
// one Sync, the repeat count sent by the transmitter (rank 0) to the receiver,
// and 3 trials of one Sync and -n round trips each. Data goes with MPI_Send and
// MPI_Recv, Sync is MPI_Barrier.
TEST_F(Apps, NetpipeCountsFollowFromItsArguments) {
  std::string np = require("NPopenmpi", "netpipe-openmpi");
  std::string launcher = mpirun(2);
  SKIP_IF_MISSING();
  constexpr int kRepeats = 50;
  run_both(launcher + " " + quote(np) + " -u 64 -n " + std::to_string(kRepeats) + " -o np.out > np.log 2>&1");
  // Its output: one line per message size (bytes, Mbps, seconds); times vary,
  // the sizes measured may not.
  auto sizes = [](const std::string& file) {
    std::vector<std::string> out;
    for (const std::string& line : lines_matching(slurp(file), "^ *[0-9]+ ")) out.push_back(line.substr(0, 8));
    return out;
  };
  std::vector<std::string> measured = sizes(plain("np.out"));
  ASSERT_FALSE(measured.empty()) << slurp(plain("np.log"));
  EXPECT_EQ(sizes(traced("np.out")), measured);
  expect_valid_trace();
  expect_mpi_recorded(2);

  const int64_t points = static_cast<int64_t>(measured.size()), trips = 100 + 3 * points * kRepeats;
  for (int rank : {0, 1}) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    int64_t repeat_counts = points;  // sent by rank 0, received by rank 1
    EXPECT_EQ(calls(rank, "MPI_Send"), trips + (rank == 0 ? repeat_counts : 0));
    EXPECT_EQ(calls(rank, "MPI_Recv"), trips + (rank == 1 ? repeat_counts : 0));
    EXPECT_EQ(calls(rank, "MPI_Barrier"), 2 + 4 * points);
  }
  EXPECT_EQ(messages(0, 1), trips + points);
  EXPECT_EQ(messages(1, 0), trips);
}

// ---------------------------------------------------------------------------
// LAMMPS: the Lennard-Jones melt on a 15^3 lattice (13,500 atoms), 200 steps,
// on 2 ranks. Its thermo lines (every 50 steps) must be identical.
TEST_F(Apps, LammpsMeltGivesTheSameThermoOutput) {
  std::string lmp = require("lmp", "lammps");
  std::string launcher = mpirun(2);
  std::string melt = melt_input(15, 200);
  SKIP_IF_MISSING();
  for (const std::string& d : {plain(), traced()}) std::ofstream(d + "/in.melt") << melt;
  run_both(launcher + " " + quote(lmp) + " -in in.melt -log run.log -screen none");

  const std::string thermo = "^ +[0-9]+ +[-0-9.e]+ ";
  std::string log = slurp(plain("run.log"));
  std::vector<std::string> expected = lines_matching(log, thermo);
  ASSERT_EQ(expected.size(), 5u) << log;  // steps 0, 50, ..., 200
  EXPECT_EQ(lines_matching(slurp(traced("run.log")), thermo), expected);
  EXPECT_EQ(lines_matching(slurp(traced("run.log")), "^(Neighbor list builds|Total # of neighbors)"),
            lines_matching(log, "^(Neighbor list builds|Total # of neighbors)"));
  expect_valid_trace();
  expect_mpi_recorded(2);

  // Exact counts from LAMMPS's CommBrick on a 1 by 1 by 2 grid (one swap each
  // way along z): every step forwards ghost positions and reverses ghost
  // forces (newton on), 2 swaps each, one MPI_Irecv + MPI_Send + MPI_Wait per
  // swap. A reneighbouring step, and the setup before step 0, replace the
  // forward swaps with exchange (migrating atoms: one MPI_Sendrecv of the
  // count, then one Irecv/Send/Wait) and borders (2 swaps of Sendrecv +
  // Irecv/Send/Wait). With S steps and B reneighbourings (its log says both):
  //   Irecv = Send = Wait = 4 S + B + 5,  Sendrecv = 3 (B + 1).
  ASSERT_EQ(lines_matching(log, "^ +1 by 1 by 2 MPI processor grid").size(), 1u) << log;
  std::vector<std::string> builds = lines_matching(log, "^Neighbor list builds = [0-9]+$");
  ASSERT_EQ(builds.size(), 1u) << log;
  const int64_t steps = 200, reneighbourings = std::stoll(builds[0].substr(builds[0].rfind(' ') + 1));
  EXPECT_EQ(reneighbourings, steps / 20);  // neigh_modify every 20 delay 0 check no
  for (int rank : {0, 1}) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    for (const char* call : {"MPI_Irecv", "MPI_Send", "MPI_Wait"})
      EXPECT_EQ(calls(rank, call), 4 * steps + reneighbourings + 5) << call;
    EXPECT_EQ(calls(rank, "MPI_Sendrecv"), 3 * (reneighbourings + 1));
    EXPECT_EQ(calls(rank, "MPI_Allreduce"), calls(1 - rank, "MPI_Allreduce"));
  }
  // One message each way per swap, and one per Sendrecv.
  EXPECT_EQ(messages(0, 1), 4 * steps + reneighbourings + 5 + 3 * (reneighbourings + 1));
  EXPECT_EQ(messages(1, 0), messages(0, 1));
}

// The same melt with every module that can apply recorded (-t
// mpi,memory,io,pthread: every malloc, file and thread call of LAMMPS and Open
// MPI too), its stdout (the screen) kept: the thermo lines on screen and in the
// log, and the exit status, are the untraced ones. What LAMMPS prints about
// time (loop time, performance, the timing breakdown, "Total wall time") differs
// between any two runs by nature and is not compared.
// (-t memory once hung at MPI_Init: the first malloc the MPI module made while
// defining a region created the thread's recorder, which took the lock held.)
TEST_F(Apps, LammpsMeltGivesTheSameThermoOutputWithEveryModule) {
  std::string lmp = require("lmp", "lammps");
  std::string launcher = mpirun(2);
  std::string melt = melt_input(12, 100);
  SKIP_IF_MISSING();
  for (const std::string& d : {plain(), traced()}) std::ofstream(d + "/in.melt") << melt;
  run_both(launcher + " " + quote(lmp) + " -in in.melt -log run.log > screen.txt", "mpi,memory,io,pthread");

  const std::string thermo = "^ +[0-9]+ +[-0-9.e]+ ";
  std::vector<std::string> expected = lines_matching(slurp(plain("screen.txt")), thermo);
  ASSERT_EQ(expected.size(), 3u) << slurp(plain("screen.txt"));  // steps 0, 50, 100
  EXPECT_EQ(lines_matching(slurp(traced("screen.txt")), thermo), expected);
  EXPECT_EQ(lines_matching(slurp(traced("run.log")), thermo), lines_matching(slurp(plain("run.log")), thermo));
  // What the run did, not how fast: atoms, neighbour counts, dangerous builds.
  const std::string counts = "^(Created [0-9]+ atoms|Neighbor list builds|Total # of neighbors|Dangerous builds)";
  EXPECT_EQ(lines_matching(slurp(traced("screen.txt")), counts), lines_matching(slurp(plain("screen.txt")), counts));
  expect_valid_trace();
  expect_mpi_recorded(2);
  // The modules asked for recorded: LAMMPS allocates and writes its log.
  EXPECT_GT(calls(0, "malloc"), 0) << recorded_.out;
  EXPECT_GT(calls(0, "write") + calls(0, "fwrite") + calls(0, "fputs") + calls(0, "fprintf"), 0) << recorded_.out;
}

// ---------------------------------------------------------------------------
// LAMMPS's halo messages change size every step as atoms move. Sizes are data,
// not identity (FORMAT.md 4.3), so its time-step loop is one loop nest of the
// grammar: the top level of each rank stays short (1,224 tokens on rank 0 for
// 1000 steps before sizes were data, the loop cut into 156 pieces). A step is
// 4 halo swaps (MPI_Irecv, MPI_Send, MPI_Wait: forward and reverse, both ways
// along z) with nothing else to tell steps apart, so the inner loop counts
// swaps: 4 per step. It is cut only where a step differs: reneighbouring
// (every 20 steps: exchange and borders, with MPI_Sendrecv) and thermo output
// (every 50: MPI_Allreduce), which the grammar nests around it.
TEST_F(Apps, LammpsMeltTimeStepsAreOneLoop) {
  constexpr int64_t kSteps = 300;  // 4,000 atoms (10^3 cells): seconds
  std::string lmp = require("lmp", "lammps");
  std::string launcher = mpirun(2);
  std::string melt = melt_input(10, kSteps);
  SKIP_IF_MISSING();
  std::ofstream(traced("in.melt")) << melt;
  std::string rec = "cd " + quote(traced()) + " && " + quote(kRondo) + " record -o " + quote(trace()) + " -- " +
                    launcher + " " + quote(lmp) + " -in in.melt -log run.log -screen none";
  recorded_ = run_command(rec);
  ASSERT_EQ(recorded_.status, 0) << rec << "\n" << recorded_.out;
  expect_valid_trace();
  std::string log = slurp(traced("run.log"));
  ASSERT_EQ(lines_matching(log, "^ +1 by 1 by 2 MPI processor grid").size(), 1u) << log;

  for (int rank : {0, 1}) {
    CommandResult g = run_command(quote(kRondo) + " print --grammar --thread " + std::to_string(rank) + ":0 " +
                                  quote(trace()));
    ASSERT_EQ(g.status, 0) << g.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(g.out, m, std::regex("top level: ([0-9]+) tokens"))) << g.out;
    EXPECT_LE(std::stoll(m[1]), 100) << "rank " << rank << "\n" << g.out.substr(0, 4000);
  }
  // The swap loop (rows merged over ranks) holds at least 90% of the swaps of
  // both ranks, in one occurrence per stretch between reneighbouring or thermo steps.
  json merged = json_of(quote(kRondo) + " stats --json " + quote(trace()));
  json swaps;
  for (const json& l : merged["loops"])
    if (l["name"] == "MPI_Irecv, MPI_Send, MPI_Wait") swaps = l;
  ASSERT_FALSE(swaps.is_null()) << merged["loops"].dump(1).substr(0, 4000);
  const int64_t reneighbourings = kSteps / 20, thermo = kSteps / 50;
  EXPECT_GE(swaps["iterations"].get<int64_t>(), 2 * 4 * kSteps * 9 / 10) << swaps.dump(1);
  EXPECT_LE(swaps["iterations"].get<int64_t>(), 2 * (4 * kSteps + reneighbourings + 5)) << swaps.dump(1);
  EXPECT_LE(swaps["occurrences"].get<int64_t>(), 2 * (reneighbourings + thermo + 3)) << swaps.dump(1);
}

// With call sites (--callstack 1) the forward and the reverse swaps come from
// different places in LAMMPS, so a step is [2 forward swaps, 2 reverse swaps]
// and the grammar's loop counts steps: 285 of the 300 on each rank (the 15
// reneighbouring steps differ and sit in the loop around it, whose nest counts
// all the steps). The two swap loops inside a step are its parts, not steps:
// before the nest rule knew that, the step row claimed 4 times its steps.
TEST_F(Apps, LammpsMeltWithCallSitesShowsItsTimeStepLoop) {
  constexpr int64_t kSteps = 300;
  std::string lmp = require("lmp", "lammps");
  std::string launcher = mpirun(2);
  std::string melt = melt_input(10, kSteps);
  SKIP_IF_MISSING();
  std::ofstream(traced("in.melt")) << melt;
  std::string rec = "cd " + quote(traced()) + " && " + quote(kRondo) + " record --callstack 1 -o " + quote(trace()) +
                    " -- " + launcher + " " + quote(lmp) + " -in in.melt -log run.log -screen none";
  recorded_ = run_command(rec);
  ASSERT_EQ(recorded_.status, 0) << rec << "\n" << recorded_.out;
  expect_valid_trace();
  json loops = json_of(quote(kRondo) + " stats --json --sections loops " + quote(trace()))["loops"];
  const int64_t reneighbourings = kSteps / 20;
  json steps, nest;
  for (const json& l : loops) {
    // No row counts more iterations in its nest than the run made steps.
    EXPECT_LE(l["nest_iterations"].get<int64_t>(), 2 * kSteps) << l.dump(1);
    const int64_t n = l["iterations"].get<int64_t>();
    if (n >= 2 * (kSteps - reneighbourings - 10) && n <= 2 * kSteps) steps = l;
    if (l["nest_iterations"].get<int64_t>() >= 2 * kSteps * 95 / 100) nest = l;
  }
  ASSERT_FALSE(steps.is_null()) << "no loop of about one iteration per step\n" << loops.dump(1).substr(0, 4000);
  EXPECT_EQ(steps["nest_iterations"], 0) << steps.dump(1);
  EXPECT_EQ(steps["events_per_iteration"], 4 * 3 * 3) << steps.dump(1);  // 4 swaps of 3 calls, 3 events each
  ASSERT_FALSE(nest.is_null()) << "no nest holding the steps\n" << loops.dump(1).substr(0, 4000);
}

// ---------------------------------------------------------------------------
// HPC Challenge on a 1x2 grid: every test passes (Success=1) and the same tests
// ran, traced or not. RandomAccess cancels its receives still posted at the end.
TEST_F(Apps, HpccPassesTheSameTests) {
  std::string hpcc = require("hpcc", "hpcc");
  std::string launcher = mpirun(2);
  SKIP_IF_MISSING();
  std::string input = slurp("/usr/share/doc/hpcc/examples/_hpccinf.txt");
  if (input.empty()) GTEST_SKIP() << "/usr/share/doc/hpcc/examples/_hpccinf.txt missing: reinstall hpcc";
  // Line 11 (the P of the process grid): 1, for a 1x2 grid.
  std::istringstream in(input);
  std::string edited;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (++n == 11 && line.rfind("2 ", 0) == 0) line[0] = '1';
    edited += line + "\n";
  }
  for (const std::string& d : {plain(), traced()}) std::ofstream(d + "/hpccinf.txt") << edited;
  run_both(launcher + " " + quote(hpcc) + " > hpcc.log 2>&1");

  std::string plain_out = slurp(plain("hpccoutf.txt")), traced_out = slurp(traced("hpccoutf.txt"));
  std::vector<std::string> sections = lines_matching(plain_out, "^Begin of .* section\\.$");
  EXPECT_GE(sections.size(), 10u) << plain_out;
  EXPECT_EQ(lines_matching(traced_out, "^Begin of .* section\\.$"), sections);
  EXPECT_EQ(lines_matching(plain_out, "^Success="), std::vector<std::string>{"Success=1"});
  EXPECT_EQ(lines_matching(traced_out, "^Success="), std::vector<std::string>{"Success=1"}) << traced_out;
  // Problem sizes, updates, grids: what the tests computed, not how fast.
  const std::string sizes = "^(HPL_N|HPL_NB|HPL_nprow|HPL_npcol|PTRANS_n|MPIRandomAccess_N|MPIFFT_N|"
                            "StarSTREAM_VectorSize|CommWorldProcs)=";
  EXPECT_EQ(lines_matching(traced_out, sizes), lines_matching(plain_out, sizes));
  expect_valid_trace();
  expect_mpi_recorded(2);
  EXPECT_GT(messages(0, 1), 0);
  EXPECT_GT(messages(1, 0), 0);
}

// ---------------------------------------------------------------------------
// GROMACS: a box of 221 SPC/E waters, 50 steps with 2 OpenMP threads (libgomp
// reached through libgromacs.so only). With -reprod its results are bitwise
// reproducible: the final coordinates and the energies in its log must match.
TEST_F(Apps, GromacsWaterBoxGivesTheSameResultsWithOpenMpRecorded) {
  std::string gmx = require("gmx", "gromacs");
  SKIP_IF_MISSING();
  std::string setup =
      "cd " + quote(plain()) + " && " + quote(gmx) + " solvate -cs spc216.gro -box 2 2 2 -o water.gro" +
      " && n=$(grep -c OW water.gro)" +
      " && printf '#include \"oplsaa.ff/forcefield.itp\"\\n#include \"oplsaa.ff/spce.itp\"\\n[ system ]\\nwater\\n"
      "[ molecules ]\\nSOL %s\\n' \"$n\" > topol.top" +
      " && printf 'integrator = md\\nnsteps = 50\\ndt = 0.002\\ncutoff-scheme = Verlet\\ncoulombtype = PME\\n"
      "rcoulomb = 0.9\\nrvdw = 0.9\\nconstraints = h-bonds\\nnstlog = 10\\nnstenergy = 10\\ngen-vel = yes\\n"
      "gen-seed = 1234\\ngen-temp = 300\\n' > md.mdp" +
      " && " + quote(gmx) + " grompp -f md.mdp -c water.gro -p topol.top -o md.tpr -maxwarn 5" +
      " && cp md.tpr " + quote(traced());
  CommandResult s = run_command(setup);
  ASSERT_EQ(s.status, 0) << s.out;
  run_both(quote(gmx) + " mdrun -s md.tpr -nt 2 -ntmpi 1 -ntomp 2 -nb cpu -reprod -deffnm run > mdrun.log 2>&1");

  std::string gro = slurp(plain("run.gro"));
  ASSERT_FALSE(gro.empty()) << slurp(plain("mdrun.log"));
  EXPECT_TRUE(gro == slurp(traced("run.gro"))) << "final coordinates differ";
  auto energies = [](const std::string& log) {
    return lines_matching(log, "^ +-?[0-9]\\.[0-9]+e[-+][0-9]+( +-?[0-9]\\.[0-9]+e[-+][0-9]+)* *$");
  };
  std::vector<std::string> expected = energies(slurp(plain("run.log")));
  EXPECT_GE(expected.size(), 2u * 6) << "energies of steps 0, 10, ..., 50";
  EXPECT_EQ(energies(slurp(traced("run.log"))), expected);
  expect_valid_trace();
  // The OpenMP module was chosen without -t: both threads ran OpenMP regions.
  json by_thread = json_of(quote(kRondo) + " stats --json --by thread " + quote(trace()));
  std::map<int, int64_t> parallel_calls;
  for (const json& r : by_thread["regions"])
    if (r["name"].get<std::string>().rfind("omp parallel", 0) == 0)
      parallel_calls[r["thread"].get<int>()] += r["calls"].get<int64_t>();
  EXPECT_GE(parallel_calls.size(), 2u) << recorded_.out;
  for (const auto& [thread, n] : parallel_calls) EXPECT_GT(n, 0) << "thread " << thread;
}

}  // namespace
