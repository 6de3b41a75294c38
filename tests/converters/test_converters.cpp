// Converters against the real OTF2 library: import of a Score-P archive and of an
// archive EZTrace writes at test time, Rondo -> OTF2 -> otf2-print -> Rondo round
// trips, Chrome JSON, and bad input via the CLI.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#ifdef RONDO_TEST_ZLIB
#include <zlib.h>
#endif

#include <otf2/otf2.h>

#include "../common/otf2_test_archive.h"
#include "../common/private_mpi_session.h"
#include "../common/trace_check.h"
#include "rondo/analyzer/check.h"
#include "rondo/analyzer/messages.h"
#include "rondo/converters/chrome.h"
#include "rondo/converters/otf2.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;
using rondo::test::TempDir;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------
// Helpers

struct CommandResult {
  int status = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult run(const std::string& command) {
  TempDir tmp;
  std::string out = tmp.file("out"), err = tmp.file("err");
  int rc = std::system((command + " >" + quote(out) + " 2>" + quote(err)).c_str());
  CommandResult r;
  r.status = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

bool have_otf2_print() { return fs::exists(OTF2_PRINT); }

// Records per name in `otf2-print` output ("ENTER   0   1234  Region: ...").
std::map<std::string, uint64_t> otf2_print_counts(const std::string& out) {
  std::map<std::string, uint64_t> counts;
  static const std::regex line("^([A-Z][A-Z_0-9]*) +[0-9]+ +[0-9]+ ");
  std::istringstream in(out);
  std::string s;
  std::smatch m;
  while (std::getline(in, s))
    if (std::regex_search(s, m, line)) ++counts[m[1]];
  return counts;
}

// The name otf2-print gives the record each Rondo event kind is exported as.
std::string otf2_record_name(EventKind k) {
  switch (k) {
    case EventKind::Enter:
      return "ENTER";
    case EventKind::Leave:
      return "LEAVE";
    case EventKind::Marker:
      return "PARAMETER_STRING";
    case EventKind::MetricSample:
      return "METRIC";
    case EventKind::MpiSend:
      return "MPI_SEND";
    case EventKind::MpiRecv:
      return "MPI_RECV";
    case EventKind::MpiIsend:
      return "MPI_ISEND";
    case EventKind::MpiIsendComplete:
      return "MPI_ISEND_COMPLETE";
    case EventKind::MpiIrecvRequest:
      return "MPI_IRECV_REQUEST";
    case EventKind::MpiIrecv:
      return "MPI_IRECV";
    case EventKind::MpiRequestTest:
      return "MPI_REQUEST_TEST";
    case EventKind::MpiRequestCancelled:
      return "MPI_REQUEST_CANCELLED";
    case EventKind::MpiCollectiveBegin:
      return "MPI_COLLECTIVE_BEGIN";
    case EventKind::MpiCollectiveEnd:
      return "MPI_COLLECTIVE_END";
    case EventKind::RmaPut:
      return "RMA_PUT";
    case EventKind::RmaGet:
      return "RMA_GET";
    case EventKind::RmaAccumulate:
      return "RMA_ATOMIC";
    case EventKind::RmaSync:
      return "RMA_SYNC";
    case EventKind::ThreadFork:
      return "THREAD_FORK";
    case EventKind::ThreadJoin:
      return "THREAD_JOIN";
    case EventKind::ThreadTeamBegin:
      return "THREAD_TEAM_BEGIN";
    case EventKind::ThreadTeamEnd:
      return "THREAD_TEAM_END";
    case EventKind::ThreadAcquireLock:
      return "THREAD_ACQUIRE_LOCK";
    case EventKind::ThreadReleaseLock:
      return "THREAD_RELEASE_LOCK";
    case EventKind::ThreadTaskCreate:
      return "THREAD_TASK_CREATE";
    case EventKind::ThreadTaskSwitch:
      return "THREAD_TASK_SWITCH";
    case EventKind::ThreadTaskComplete:
      return "THREAD_TASK_COMPLETE";
    case EventKind::ThreadCreate:
      return "THREAD_CREATE";
    case EventKind::ThreadBegin:
      return "THREAD_BEGIN";
    case EventKind::ThreadEnd:
      return "THREAD_END";
    case EventKind::ThreadWait:
      return "THREAD_WAIT";
    case EventKind::IoCreateHandle:
      return "IO_CREATE_HANDLE";
    case EventKind::IoDestroyHandle:
      return "IO_DESTROY_HANDLE";
    default:
      return "PARAMETER_STRING";  // I/O begin/complete depend on the operation; see callers
  }
}

std::map<EventKind, uint64_t> kind_counts(const TraceReader& trace) {
  std::map<EventKind, uint64_t> counts;
  for (auto& p : trace.processes())
    for (size_t t = 0; t < p->thread_count(); ++t)
      for (const Event& e : test::replay(p->thread(t))) ++counts[e.kind()];
  return counts;
}

uint64_t total(const std::map<EventKind, uint64_t>& counts) {
  uint64_t n = 0;
  for (auto& [k, c] : counts) n += c;
  return n;
}

// A comparable view of an event: definitions by name, communicators by identity.
struct Flat {
  EventKind kind{};
  std::string ref;   // region name, marker text, metric name, file path, collective op, ...
  std::string comm;  // world ranks and instance of the communicator
  std::vector<int64_t> params, data;
  int64_t ns = 0;
  bool operator==(const Flat& o) const {
    return kind == o.kind && ref == o.ref && comm == o.comm && params == o.params && data == o.data;
  }
};

std::ostream& operator<<(std::ostream& os, const Flat& f) {
  os << kind_name(f.kind) << " ref=" << f.ref << " comm=" << f.comm << " p=";
  for (auto p : f.params) os << p << ",";
  os << " d=";
  for (auto d : f.data) os << d << ",";
  return os << " ns=" << f.ns;
}

std::string comm_identity(const ProcessDefinitions& d, int64_t id) {
  if (id < 0) return "null";
  if (static_cast<size_t>(id) >= d.communicators.size()) return "undefined " + std::to_string(id);
  const CommunicatorDef& c = d.communicators[id];
  std::string s = "[";
  if (c.group < d.groups.size())
    for (int32_t r : d.groups[c.group].world_ranks) s += std::to_string(r) + " ";
  s += "]";
  if (c.remote_group != UINT32_MAX && c.remote_group < d.groups.size()) {
    s += "/[";
    for (int32_t r : d.groups[c.remote_group].world_ranks) s += std::to_string(r) + " ";
    s += "]";
  }
  return s + "#" + std::to_string(c.instance);
}

// Every thread's events, per process (in the reader's order) and thread.
std::vector<std::vector<std::vector<Flat>>> flatten(const TraceReader& trace) {
  std::vector<std::vector<std::vector<Flat>>> out;
  for (auto& p : trace.processes()) {
    const ProcessDefinitions& d = p->defs();
    auto& threads = out.emplace_back();
    for (size_t t = 0; t < p->thread_count(); ++t) {
      auto& events = threads.emplace_back();
      for (const Event& e : test::replay(p->thread(t))) {
        const EventKey& k = e.def->key;
        Flat f;
        f.kind = k.kind;
        f.ns = p->to_ns(e.ticks);
        f.params.assign(k.params.begin(), k.params.begin() + e.def->params);
        f.data.assign(e.data, e.data + e.def->data);
        switch (k.kind) {
          case EventKind::Enter:
          case EventKind::Leave:
          case EventKind::GpuKernelLaunch:
            f.ref = d.region_name(k.ref);
            break;
          case EventKind::Marker:
            f.ref = d.string(k.ref);
            break;
          case EventKind::MetricSample:
            f.ref = d.string(d.metrics.at(k.ref).name);
            break;
          case EventKind::IoCreateHandle:
          case EventKind::IoDestroyHandle:
          case EventKind::IoOperationBegin:
          case EventKind::IoOperationComplete:
            f.ref = d.string(d.io_handles.at(k.ref).path);
            break;
          case EventKind::MpiSend:
          case EventKind::MpiRecv:
          case EventKind::MpiIsend:
          case EventKind::MpiIrecv:
          case EventKind::MpiProbe:
            f.comm = comm_identity(d, f.params[2]);
            f.params[2] = 0;
            break;
          case EventKind::MpiCollectiveEnd:
            f.ref = std::to_string(k.ref);
            f.comm = comm_identity(d, f.params[0]);
            f.params[0] = 0;
            break;
          default:
            f.ref = std::to_string(k.ref);
            break;
        }
        events.push_back(std::move(f));
      }
    }
  }
  return out;
}

int64_t first_ns(const TraceReader& trace) {
  int64_t first = INT64_MAX;
  for (auto& p : trace.processes())
    for (size_t t = 0; t < p->thread_count(); ++t)
      if (p->thread(t).event_count()) first = std::min(first, p->to_ns(p->thread(t).first_ticks()));
  return first;
}

// Same events in the same order; timestamps equal within 1 ns once both traces
// are measured from their first event (OTF2's global offset).
void expect_same_events(const TraceReader& a, const TraceReader& b) {
  auto fa = flatten(a), fb = flatten(b);
  const int64_t oa = first_ns(a), ob = first_ns(b);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t p = 0; p < fa.size(); ++p) {
    ASSERT_EQ(fa[p].size(), fb[p].size()) << "process " << p;
    for (size_t t = 0; t < fa[p].size(); ++t) {
      ASSERT_EQ(fa[p][t].size(), fb[p][t].size()) << "process " << p << " thread " << t;
      for (size_t i = 0; i < fa[p][t].size(); ++i) {
        ASSERT_EQ(fa[p][t][i], fb[p][t][i]) << "process " << p << " thread " << t << " event " << i;
        ASSERT_LE(std::llabs((fa[p][t][i].ns - oa) - (fb[p][t][i].ns - ob)), 1)
            << "process " << p << " thread " << t << " event " << i << ": " << fa[p][t][i];
      }
    }
  }
}

struct MessageKey {
  int32_t src, dst, tag;
  uint64_t bytes;
  int64_t send_ns, recv_ns;
  auto operator<=>(const MessageKey&) const = default;
};

std::multiset<MessageKey> message_keys(const analyzer::MessageMatching& m, int64_t origin) {
  std::multiset<MessageKey> keys;
  for (const analyzer::Message& msg : m.messages)
    if (msg.matched()) keys.insert({msg.src, msg.dst, msg.tag, msg.bytes, msg.send_ns - origin, msg.recv_ns - origin});
  return keys;
}

void expect_same_messages(const TraceReader& a, const TraceReader& b) {
  auto ma = analyzer::match_all_messages(a), mb = analyzer::match_all_messages(b);
  EXPECT_EQ(ma.matched, mb.matched);
  EXPECT_EQ(ma.unmatched_sends, mb.unmatched_sends);
  EXPECT_EQ(ma.unmatched_receives, mb.unmatched_receives);
  EXPECT_EQ(ma.cancelled, mb.cancelled);
  auto ka = message_keys(ma, first_ns(a)), kb = message_keys(mb, first_ns(b));
  ASSERT_EQ(ka.size(), kb.size());
  auto ia = ka.begin(), ib = kb.begin();
  for (; ia != ka.end(); ++ia, ++ib) {
    EXPECT_EQ(ia->src, ib->src);
    EXPECT_EQ(ia->dst, ib->dst);
    EXPECT_EQ(ia->tag, ib->tag);
    EXPECT_EQ(ia->bytes, ib->bytes);
    EXPECT_LE(std::llabs(ia->send_ns - ib->send_ns), 1);
    EXPECT_LE(std::llabs(ia->recv_ns - ib->recv_ns), 1);
  }
}

// ---------------------------------------------------------------------------
// Synthetic traces

EventKey key(EventKind kind, uint32_t ref = 0, std::array<int64_t, kMaxParams> params = {}) {
  EventKey k;
  k.kind = kind;
  k.ref = ref;
  k.params = params;
  return k;
}

constexpr int kRanks = 3;
constexpr int kIterations = 4;
enum MpiRegion : uint32_t {
  kMain,
  kCompute,
  kSend,
  kRecv,
  kIsend,
  kIrecv,
  kWait,
  kAllreduce,
  kBcast,
  kNeighbor,
  kPut,
  kCommFree,
  kRegions
};

// A 3-rank MPI program: ring sends, nonblocking exchanges, collectives on
// MPI_COMM_WORLD and on a sub-communicator of ranks 0 and 1, RMA, a cancelled
// receive. Clock: 1 tick = 1 ns; each rank has its own clock offset.
// The point-to-point messages write_mpi_trace() writes, counted from its code
// (not from the analyzer's matching, which the tests check against it): per
// iteration one ring message and one swap per rank, one on "sub" from rank 0
// to rank 1, and one on the intercommunicator at the end.
constexpr uint64_t kMpiTraceMessages = 3u * kIterations * 2 + kIterations + 1;

void write_mpi_trace(const std::string& dir) {
  for (int r = 0; r < kRanks; ++r) {
    test::MpiProcessSpec spec;
    spec.rank = r;
    spec.world_size = kRanks;
    spec.clock_offset_ns = 5 * r;
    spec.regions = {{"main", RegionRole::Function}, {"compute", RegionRole::User},
                    {"MPI_Send", RegionRole::Mpi},  {"MPI_Recv", RegionRole::Mpi},
                    {"MPI_Isend", RegionRole::Mpi}, {"MPI_Irecv", RegionRole::Mpi},
                    {"MPI_Wait", RegionRole::Mpi},  {"MPI_Allreduce", RegionRole::Mpi},
                    {"MPI_Bcast", RegionRole::Mpi}, {"MPI_Neighbor_allgather", RegionRole::Mpi},
                    {"MPI_Put", RegionRole::Mpi},   {"MPI_Comm_free", RegionRole::Mpi}};
    spec.groups = {{0, 1, 2}, {r}, {0, 1}, {1, 2}, {0}};
    spec.communicators = {{"MPI_COMM_WORLD", 0, 0, UINT32_MAX}, {"MPI_COMM_SELF", 1, 0, UINT32_MAX}};
    if (r < 2) spec.communicators.push_back({"sub", 2, 0, UINT32_MAX});
    // An intercommunicator between rank 0 and ranks 1, 2.
    const auto inter = static_cast<int64_t>(spec.communicators.size());
    spec.communicators.push_back({"inter", r == 0 ? 4u : 3u, 0, r == 0 ? 3u : 4u});
    const int right = (r + 1) % kRanks, left = (r + kRanks - 1) % kRanks;
    test::write_mpi_process(dir + "/host" + std::to_string(r) + ".rnd", spec, [&](int, ThreadWriter& w) {
      uint64_t t = 1000 + 7 * static_cast<uint64_t>(r);
      auto next = [&] { return t += 10; };
      auto ev = [&](EventKey k, std::initializer_list<int64_t> data = {}) {
        int64_t d[kMaxData] = {};
        size_t i = 0;
        for (int64_t v : data) d[i++] = v;
        w.event(k, next(), d);
      };
      w.enter(kMain, next());
      for (int i = 0; i < kIterations; ++i) {
        w.enter(kCompute, next());
        t += 100 * static_cast<uint64_t>(i);  // compute takes longer every iteration
        w.leave(kCompute, next());
        w.enter(kSend, next());
        // Sizes are data (FORMAT.md 7.2) and change every iteration.
        const int64_t ring = 1024 + 3 * i, swap = 2048 + 8 * i;
        ev(key(EventKind::MpiSend, 0, {right, 7, 0}), {ring});
        w.leave(kSend, next());
        w.enter(kRecv, next());
        ev(key(EventKind::MpiProbe, 0, {left, 7, 0}), {ring});  // as if MPI_Probe, then MPI_Recv
        ev(key(EventKind::MpiRecv, 0, {left, 7, 0}), {ring});
        w.leave(kRecv, next());
        w.enter(kIrecv, next());
        ev(key(EventKind::MpiIrecvRequest), {100 + i});
        w.leave(kIrecv, next());
        w.enter(kIsend, next());
        ev(key(EventKind::MpiIsend, 0, {left, 9, 0}), {200 + i, swap});
        w.leave(kIsend, next());
        w.enter(kWait, next());
        ev(key(EventKind::MpiRequestTest), {200 + i});
        ev(key(EventKind::MpiIrecv, 0, {right, 9, 0}), {100 + i, swap});
        ev(key(EventKind::MpiIsendComplete), {200 + i});
        w.leave(kWait, next());
        w.enter(kAllreduce, next());
        ev(key(EventKind::MpiCollectiveBegin));
        ev(key(EventKind::MpiCollectiveEnd, static_cast<uint32_t>(CollectiveOp::Allreduce), {0, -1}), {8 * (i + 1), 8 * (i + 1)});
        w.leave(kAllreduce, next());
        if (r < 2) {
          w.enter(kBcast, next());
          ev(key(EventKind::MpiCollectiveBegin));
          ev(key(EventKind::MpiCollectiveEnd, static_cast<uint32_t>(CollectiveOp::Bcast), {2, 0}),
             {r == 0 ? 64 : 0, r == 0 ? 0 : 64});
          w.leave(kBcast, next());
          w.enter(r == 0 ? kSend : kRecv, next());
          ev(key(r == 0 ? EventKind::MpiSend : EventKind::MpiRecv, 0, {r == 0 ? 1 : 0, 3, 2}), {512});
          w.leave(r == 0 ? kSend : kRecv, next());
        }
        w.enter(kNeighbor, next());
        ev(key(EventKind::MpiCollectiveBegin));
        ev(key(EventKind::MpiCollectiveEnd, static_cast<uint32_t>(CollectiveOp::NeighborAllgather), {0, -1}), {16, 32});
        w.leave(kNeighbor, next());
        w.enter(kPut, next());
        ev(key(EventKind::RmaPut, 0, {right, 0}), {64 + i});
        ev(key(EventKind::RmaGet, 0, {left, 0}), {32 + i});
        ev(key(EventKind::RmaAccumulate, 0, {right, 0}), {8 + i});
        ev(key(EventKind::RmaSync, 0, {0, 2}));
        w.leave(kPut, next());
      }
      if (r != 1) {
        w.enter(r == 0 ? kSend : kRecv, next());
        ev(key(r == 0 ? EventKind::MpiSend : EventKind::MpiRecv, 0, {r == 0 ? 2 : 0, 4, inter}), {100});
        w.leave(r == 0 ? kSend : kRecv, next());
      }
      w.enter(kIrecv, next());
      ev(key(EventKind::MpiIrecvRequest), {999});
      w.leave(kIrecv, next());
      ev(key(EventKind::MpiRequestCancelled), {999});
      w.enter(kCommFree, next());
      ev(key(EventKind::MpiCollectiveBegin));
      ev(key(EventKind::MpiCollectiveEnd, static_cast<uint32_t>(CollectiveOp::Destroy), {-1, -1}), {0, 0});
      w.leave(kCommFree, next());
      w.leave(kMain, next());
    });
  }
}

// One process, no MPI, three threads (one a GPU stream): markers, a metric,
// thread fork/join/teams/locks/tasks/create/wait, file I/O, GPU records.
void write_threads_trace(const std::string& dir) {
  ProcessFile file(dir + "/misc.77.rnd");
  std::vector<uint8_t> defs;
  ProcessDef p;
  p.pid = 77;
  p.host = "misc-host";
  p.command = "./misc";
  encode::process(defs, p);
  const char* strings[] = {"main",   "worker",        "kernel_a",      "hello, \"marker\"", "PAPI_TOT_CYC",
                           "cycles", "/tmp/data.bin", "worker thread", "second marker"};
  for (uint32_t i = 0; i < std::size(strings); ++i) encode::string(defs, i + 1, strings[i]);
  encode::region(defs, 0, RegionDef{1, 0, 0, RegionRole::Function});
  encode::region(defs, 1, RegionDef{2, 0, 0, RegionRole::User});
  encode::region(defs, 2, RegionDef{3, 0, 0, RegionRole::Cuda});
  encode::metric(defs, 0, MetricDef{5, 6, 0});
  encode::io_handle(defs, 0, IoHandleDef{7, 0});
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  clock.start_ticks = clock.start_ns = 500;
  encode::clock(defs, clock);
  encode::thread(defs, ThreadDef{0, 100, ThreadKind::Cpu, 0, UINT32_MAX});
  encode::thread(defs, ThreadDef{1, 101, ThreadKind::Cpu, 8, 0});
  encode::thread(defs, ThreadDef{2, 0, ThreadKind::GpuStream, 0, 0});
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  for (uint32_t thread = 0; thread < 3; ++thread) {
    ThreadWriter w(thread, [&](Batch&& b) {
      for (auto& c : encode_batch(b, 3)) file.append(c);
    });
    uint64_t t = 1000 + thread;
    auto next = [&] { return t += 10; };
    auto ev = [&](EventKey k, std::initializer_list<int64_t> data = {}) {
      int64_t d[kMaxData] = {};
      size_t i = 0;
      for (int64_t v : data) d[i++] = v;
      w.event(k, next(), d);
    };
    auto io = [&](EventKind kind, IoOperation op, std::initializer_list<int64_t> data) {
      ev(key(kind, 0, {static_cast<int64_t>(op)}), data);
    };
    if (thread == 0) {
      w.enter(0, next());
      ev(key(EventKind::ThreadCreate), {1});
      for (int i = 0; i < 3; ++i) {
        ev(key(EventKind::Marker, 4));
        ev(key(EventKind::MetricSample, 0), {12345 + 1000 * i});
        ev(key(EventKind::IoCreateHandle, 0, {O_WRONLY | O_CREAT | O_TRUNC}));
        io(EventKind::IoOperationBegin, IoOperation::Write, {4096, 4096 * i});
        io(EventKind::IoOperationComplete, IoOperation::Write, {4096});
        io(EventKind::IoOperationBegin, IoOperation::Read, {100, -1});
        io(EventKind::IoOperationComplete, IoOperation::Read, {-1});
        io(EventKind::IoOperationBegin, IoOperation::Sync, {0, -1});
        io(EventKind::IoOperationComplete, IoOperation::Sync, {0});
        io(EventKind::IoOperationBegin, IoOperation::Seek, {0, 8192});
        io(EventKind::IoOperationComplete, IoOperation::Seek, {8192});
        io(EventKind::IoOperationComplete, IoOperation::Write, {77});  // MPI-IO style: no begin
        ev(key(EventKind::IoDestroyHandle, 0));
        ev(key(EventKind::ThreadFork, 0, {4}));
        ev(key(EventKind::ThreadTeamBegin, 0, {4}));
        ev(key(EventKind::ThreadAcquireLock, 0, {1}), {0xdeadbeef});
        ev(key(EventKind::ThreadReleaseLock, 0, {1}), {0xdeadbeef});
        ev(key(EventKind::ThreadTaskCreate), {(int64_t{5} << 32) | (7 + i)});
        ev(key(EventKind::ThreadTaskSwitch), {(int64_t{5} << 32) | (7 + i)});
        ev(key(EventKind::ThreadTaskComplete), {(int64_t{5} << 32) | (7 + i)});
        ev(key(EventKind::ThreadTeamEnd));
        ev(key(EventKind::ThreadJoin));
        ev(key(EventKind::GpuKernelLaunch, 2, {2}), {99 + i});
        ev(key(EventKind::GpuMemcpy, 0, {1, 2}), {1 << 20, 100 + i});
      }
      ev(key(EventKind::ThreadWait), {1});
      ev(key(EventKind::Marker, 9));
      w.leave(0, next());
    } else if (thread == 1) {
      ev(key(EventKind::ThreadBegin), {0});
      w.enter(1, next());
      ev(key(EventKind::Marker, 9));
      w.leave(1, next());
      ev(key(EventKind::ThreadEnd));
    } else {
      for (int i = 0; i < 5; ++i) {
        w.enter(2, next());
        w.leave(2, next());
      }
    }
    w.flush(true);
  }
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

// Exports `trace` to OTF2 in `out`, checks otf2-print reads it without a
// warning, and that its record counts equal the trace's event counts.
void export_and_check_otf2(const TraceReader& trace, const std::string& out) {
  converters::ConvertReport r = converters::export_otf2(trace.dir(), out);
  auto counts = kind_counts(trace);
  EXPECT_EQ(r.events, total(counts));
  EXPECT_EQ(r.records, total(counts));  // every Rondo event is exactly one OTF2 record
  if (!have_otf2_print()) {
    GTEST_SKIP() << "otf2-print not found: archive not checked with it";
  }
  CommandResult p = run(std::string(OTF2_PRINT) + " -Werror " + quote(out + "/traces.otf2"));
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.err, "");
  auto printed = otf2_print_counts(p.out);
  std::map<std::string, uint64_t> expected;
  for (auto& [kind, n] : counts) expected[otf2_record_name(kind)] += n;
  // I/O operations: read/write/flush/sync are OTF2 I/O operations, the others parameters.
  for (auto& proc : trace.processes())
    for (size_t t = 0; t < proc->thread_count(); ++t)
      for (const Event& e : test::replay(proc->thread(t)))
        if (e.kind() == EventKind::IoOperationBegin || e.kind() == EventKind::IoOperationComplete) {
          auto op = static_cast<IoOperation>(e.def->key.params[0]);
          if (op == IoOperation::Read || op == IoOperation::Write || op == IoOperation::Flush ||
              op == IoOperation::Sync) {
            --expected["PARAMETER_STRING"];
            ++expected[e.kind() == EventKind::IoOperationBegin ? "IO_OPERATION_BEGIN" : "IO_OPERATION_COMPLETE"];
          }
        }
  std::erase_if(expected, [](auto& kv) { return kv.second == 0; });
  EXPECT_EQ(printed, expected);
  uint64_t printed_total = 0;
  for (auto& [name, n] : printed) printed_total += n;
  EXPECT_EQ(printed_total, total(counts));
}

// ---------------------------------------------------------------------------
// (a) Import of the Score-P ping-pong fixture.

TEST(Otf2Import, ScorePPingPongFixture) {
  const std::string anchor = std::string(RONDO_FIXTURES) + "/otf2/scorep-ping-pong/traces.otf2";
  if (!fs::exists(anchor)) GTEST_SKIP() << "fixture not found: " << anchor << " (see ../shared/fixtures/README.md)";
  TempDir out;
  converters::ConvertReport r = converters::import_otf2(anchor, out.str());
  EXPECT_EQ(r.processes, 2u);
  EXPECT_EQ(r.threads, 2u);
  EXPECT_EQ(r.records, 120u);  // 42 + 42 + 16 + 16 + 2 + 2
  EXPECT_EQ(r.events, 120u);
  EXPECT_EQ(r.kept_as_markers, (std::map<std::string, uint64_t>{{"PROGRAM_BEGIN", 2}, {"PROGRAM_END", 2}}));

  EXPECT_TRUE(test::trace_valid(out.str()));
  TraceReader trace(out.str());
  ASSERT_EQ(trace.processes().size(), 2u);
  EXPECT_FALSE(trace.truncated());
  EXPECT_TRUE(trace.problems().empty());
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(trace.processes()[r]->rank(), r);
    EXPECT_EQ(trace.processes()[r]->defs().process.world_size, 2);
    EXPECT_EQ(trace.processes()[r]->thread_count(), 1u);
  }
  auto counts = kind_counts(trace);
  EXPECT_EQ(counts[EventKind::Enter], 42u);
  EXPECT_EQ(counts[EventKind::Leave], 42u);
  EXPECT_EQ(counts[EventKind::MpiSend], 16u);
  EXPECT_EQ(counts[EventKind::MpiRecv], 16u);
  EXPECT_EQ(counts[EventKind::Marker], 4u);
  EXPECT_EQ(total(counts), 120u);

  // The messages as otf2-print shows them: rank 0 sends with tag 10, rank 1 answers
  // with tag 20; sizes double from 16384 to 2 MiB, each size once in each direction.
  std::multiset<std::tuple<int64_t, int64_t, int64_t>> sends;  // (rank, tag, bytes)
  for (auto& p : trace.processes())
    for (const Event& e : test::replay(p->thread(0)))
      if (e.kind() == EventKind::MpiSend || e.kind() == EventKind::MpiRecv) {
        const auto& k = e.def->key;
        EXPECT_EQ(k.params[0], 1 - p->rank());
        EXPECT_EQ(k.params[1], (e.kind() == EventKind::MpiSend) == (p->rank() == 0) ? 10 : 20);
        EXPECT_EQ(comm_identity(p->defs(), k.params[2]), "[0 1 ]#0");
        if (e.kind() == EventKind::MpiSend) sends.insert({p->rank(), k.params[1], transfer_bytes(*e.def, e.data).bytes});
      }
  std::multiset<std::tuple<int64_t, int64_t, int64_t>> expected;
  for (int64_t bytes = 16384; bytes <= 2097152; bytes *= 2) {
    expected.insert({0, 10, bytes});
    expected.insert({1, 20, bytes});
  }
  EXPECT_EQ(sends, expected);

  analyzer::MessageMatching m = analyzer::match_all_messages(trace);
  EXPECT_EQ(m.matched, 16u);
  EXPECT_EQ(m.unmatched_sends, 0u);
  EXPECT_EQ(m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);

  // Ticks are OTF2 timestamps: 2095197216 per second, origin the global offset
  // (PROGRAM_BEGIN of location 1), length 418210708 ticks.
  EXPECT_EQ(trace.processes()[1]->defs().clock.ticks_per_second, 2095197216u);
  EXPECT_EQ(first_ns(trace), 0);
  int64_t last = 0;
  for (auto& p : trace.processes()) last = std::max(last, p->to_ns(p->thread(0).last_ticks()));
  EXPECT_NEAR(static_cast<double>(last), 418210708.0 / 2.095197216, 1.0);
  std::set<std::string> names;
  for (auto& p : trace.processes())
    for (const Event& e : test::replay(p->thread(0)))
      if (e.kind() == EventKind::Marker) names.insert(p->defs().string(e.def->key.ref).substr(0, 13));
  EXPECT_EQ(names, (std::set<std::string>{"PROGRAM_BEGIN", "PROGRAM_END e"}));
}

TEST(Otf2Import, FixtureThroughTheCli) {
  const std::string anchor = std::string(RONDO_FIXTURES) + "/otf2/scorep-ping-pong/traces.otf2";
  if (!fs::exists(anchor)) GTEST_SKIP() << "fixture not found: " << anchor;
  TempDir out;
  CommandResult r = run(std::string(RONDO_CLI) + " import " + quote(anchor) + " -o " + quote(out.file("t")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");  // no progress bar: stderr is not a terminal
  EXPECT_NE(r.out.find("4 records kept as markers: PROGRAM_BEGIN 2, PROGRAM_END 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("events/s"), std::string::npos) << r.out;
  CommandResult info = run(std::string(RONDO_CLI) + " info --json " + quote(out.file("t")));
  ASSERT_EQ(info.status, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["events"], 120);
}

// ---------------------------------------------------------------------------
// (b) Round trips.

TEST(Otf2RoundTrip, MpiTrace) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), otf2_dir = dir.file("otf2"), back_dir = dir.file("back");
  fs::create_directories(trace_dir);
  write_mpi_trace(trace_dir);
  TraceReader original(trace_dir);
  ASSERT_EQ(original.processes().size(), 3u);
  auto original_messages = analyzer::match_all_messages(original);
  EXPECT_EQ(original_messages.matched, kMpiTraceMessages);
  EXPECT_EQ(original_messages.unmatched_sends + original_messages.unmatched_receives, 0u);
  EXPECT_EQ(original_messages.cancelled, 3u);
  // Sizes change every iteration but are data: each rank's iterations are one loop.
  for (auto& p : original.processes()) EXPECT_FALSE(p->thread(0).loops().empty()) << "rank " << p->rank();

  export_and_check_otf2(original, otf2_dir);
  if (HasFatalFailure()) return;

  converters::ConvertReport r = converters::import_otf2(otf2_dir + "/traces.otf2", back_dir);
  EXPECT_TRUE(r.kept_as_markers.empty());
  TraceReader back(back_dir);
  ASSERT_EQ(back.processes().size(), 3u);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(back.processes()[p]->rank(), p);
    EXPECT_EQ(back.processes()[p]->defs().process.world_size, 3);
  }
  expect_same_events(original, back);
  expect_same_messages(original, back);
  // Loops are found again while importing (4 identical iterations of the body).
  uint64_t loops = 0;
  for (auto& p : back.processes()) loops += p->thread(0).loops().size();
  EXPECT_GT(loops, 0u);
}

TEST(Otf2RoundTrip, ThreadsIoMetricsMarkers) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), otf2_dir = dir.file("otf2"), back_dir = dir.file("back");
  fs::create_directories(trace_dir);
  write_threads_trace(trace_dir);
  TraceReader original(trace_dir);
  export_and_check_otf2(original, otf2_dir);
  if (HasFatalFailure()) return;
  converters::ConvertReport r = converters::import_otf2(otf2_dir + "/traces.otf2", back_dir);
  EXPECT_TRUE(r.kept_as_markers.empty());
  TraceReader back(back_dir);
  ASSERT_EQ(back.processes().size(), 1u);
  EXPECT_EQ(back.processes()[0]->rank(), -1);
  const auto& threads = back.processes()[0]->defs().threads;
  ASSERT_EQ(threads.size(), 3u);
  EXPECT_EQ(threads[2].kind, ThreadKind::GpuStream);
  EXPECT_EQ(back.processes()[0]->defs().string(threads[1].name), "worker thread");
  expect_same_events(original, back);
}

// Many events: the OTF2 writer flushes several chunks, the reader reads them back.
TEST(Otf2RoundTrip, ManyEventsAcrossChunks) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), otf2_dir = dir.file("otf2"), back_dir = dir.file("back");
  fs::create_directories(trace_dir);
  constexpr int kCalls = 100000;
  test::write_process(trace_dir + "/big.1.rnd", 1, 3, [&](int, ThreadWriter& w) {
    uint64_t t = 0;
    w.enter(0, t += 5);
    for (int i = 0; i < kCalls; ++i) {
      w.enter(1 + i % 2, t += 3 + i % 7);
      w.leave(1 + i % 2, t += 11);
    }
    w.leave(0, t += 5);
  });
  TraceReader original(trace_dir);
  converters::ConvertReport r = converters::export_otf2(trace_dir, otf2_dir);
  EXPECT_EQ(r.events, 2u * kCalls + 2);
  EXPECT_GT(fs::file_size(otf2_dir + "/traces/0.evt"), 1u << 20);  // more than one 1 MiB chunk
  converters::import_otf2(otf2_dir + "/traces.otf2", back_dir);
  TraceReader back(back_dir);
  expect_same_events(original, back);
  EXPECT_GT(back.processes()[0]->thread(0).loops().size(), 0u);
}

TEST(Otf2RoundTrip, CliCountsMatchRondoInfo) {
  if (!have_otf2_print()) GTEST_SKIP() << "otf2-print not found";
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), otf2_dir = dir.file("otf2");
  fs::create_directories(trace_dir);
  write_mpi_trace(trace_dir);
  CommandResult e =
      run(std::string(RONDO_CLI) + " export " + quote(trace_dir) + " --format otf2 -o " + quote(otf2_dir));
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(e.err, "");
  EXPECT_NE(e.out.find("events/s"), std::string::npos) << e.out;
  CommandResult info = run(std::string(RONDO_CLI) + " info --json " + quote(trace_dir));
  ASSERT_EQ(info.status, 0) << info.err;
  CommandResult p = run(std::string(OTF2_PRINT) + " -Werror " + quote(otf2_dir + "/traces.otf2"));
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.err, "");
  uint64_t printed = 0;
  for (auto& [name, n] : otf2_print_counts(p.out)) printed += n;
  EXPECT_EQ(printed, nlohmann::json::parse(info.out)["events"].get<uint64_t>());
  // A second export into the same directory replaces the archive.
  CommandResult again =
      run(std::string(RONDO_CLI) + " export " + quote(trace_dir) + " --format otf2 -o " + quote(otf2_dir));
  EXPECT_EQ(again.status, 0) << again.err;
}

// OpenMP regions get their OTF2 roles by construct, not by prefix: `omp fork`
// is no loop, `omp taskgroup` no task; `omp implicit barrier` is OTF2's.
TEST(Otf2Export, OpenMpRegionRoles) {
  if (!have_otf2_print()) GTEST_SKIP() << "otf2-print not found";
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), otf2_dir = dir.file("otf2");
  fs::create_directories(trace_dir);
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"omp parallel", "PARALLEL"},  {"omp implicit barrier", "IMPLICIT_BARRIER"}, {"omp barrier", "BARRIER"},
      {"omp for", "LOOP"},           {"omp fork", "FUNCTION"},                      {"omp join", "FUNCTION"},
      {"omp task", "TASK"},          {"omp taskgroup", "FUNCTION"},                 {"omp taskwait", "TASK_WAIT"},
      {"omp for @ a.c:3", "LOOP"}};
  test::MpiProcessSpec spec;
  for (auto& [name, role] : roles) spec.regions.push_back({name, RegionRole::OpenMp});
  test::write_mpi_process(trace_dir + "/p.rnd", spec, [&](int, ThreadWriter& w) {
    for (uint32_t r = 0; r < roles.size(); ++r) {
      w.enter(r, 10 * r + 1);
      w.leave(r, 10 * r + 5);
    }
  });
  CommandResult e =
      run(std::string(RONDO_CLI) + " export " + quote(trace_dir) + " --format otf2 -o " + quote(otf2_dir));
  ASSERT_EQ(e.status, 0) << e.err;
  CommandResult p = run(std::string(OTF2_PRINT) + " -G " + quote(otf2_dir + "/traces.otf2"));
  ASSERT_EQ(p.status, 0) << p.err;
  for (auto& [name, role] : roles) {
    std::regex line("REGION +[0-9]+ +Name: \"" + std::regex_replace(name, std::regex("[.@:]"), "\\$&") +
                    "\".*Role: ([A-Z_0-9]+),");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(p.out, m, line)) << name;
    EXPECT_EQ(m[1], role) << name;
  }
}

// ---------------------------------------------------------------------------
// (c) Chrome JSON.

struct ChromeCounts {
  std::map<std::string, uint64_t> phases;
  std::map<std::string, uint64_t> metadata;
  std::set<int64_t> flow_ids_s, flow_ids_f;
};

ChromeCounts chrome_counts(const nlohmann::json& j) {
  ChromeCounts c;
  for (const auto& e : j.at("traceEvents")) {
    std::string ph = e.at("ph");
    ++c.phases[ph];
    if (ph == "M") ++c.metadata[e.at("name").get<std::string>()];
    if (ph == "s") c.flow_ids_s.insert(e.at("id").get<int64_t>());
    if (ph == "f") {
      c.flow_ids_f.insert(e.at("id").get<int64_t>());
      EXPECT_EQ(e.at("bp"), "e");
    }
    if (ph != "M") {
      EXPECT_TRUE(e.at("ts").is_number());
    }
    EXPECT_TRUE(e.contains("pid"));
  }
  return c;
}

TEST(ChromeExport, MpiTraceJson) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), json = dir.file("trace.json");
  fs::create_directories(trace_dir);
  write_mpi_trace(trace_dir);
  TraceReader trace(trace_dir);
  auto counts = kind_counts(trace);
  const uint64_t matched = kMpiTraceMessages;  // one flow arrow (s, then f) per message
  ASSERT_EQ(analyzer::match_all_messages(trace).matched, matched);

  converters::ConvertReport r = converters::export_chrome(trace_dir, json);
  EXPECT_EQ(r.events, total(counts));
  nlohmann::json j = nlohmann::json::parse(read_file(json));
  ChromeCounts c = chrome_counts(j);
  EXPECT_EQ(c.phases["X"], counts[EventKind::Enter]);
  EXPECT_EQ(c.phases["X"], counts[EventKind::Leave]);
  EXPECT_EQ(c.phases["B"], 0u);
  EXPECT_EQ(c.phases["E"], 0u);
  EXPECT_EQ(c.metadata["process_name"], 3u);
  EXPECT_EQ(c.metadata["thread_name"], 3u);
  EXPECT_EQ(c.phases["s"] + c.phases["f"], 2 * matched);
  EXPECT_EQ(c.phases["s"], matched);
  EXPECT_EQ(c.flow_ids_s, c.flow_ids_f);
  EXPECT_EQ(c.flow_ids_s.size(), matched) << "one id per arrow";
  std::set<std::string> process_names;
  for (const auto& e : j["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "process_name") process_names.insert(e["args"]["name"].get<std::string>());
  EXPECT_EQ(process_names, (std::set<std::string>{"rank 0", "rank 1", "rank 2"}));

  // Durations: the first compute call of rank 0 lasts 10 ns = 0.01 us.
  bool found = false;
  for (const auto& e : j["traceEvents"])
    if (e["ph"] == "X" && e["name"] == "compute" && e["pid"] == 0 && !found) {
      EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 0.01);
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST(ChromeExport, MarkersCountersOpenCalls) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), json = dir.file("trace.json");
  fs::create_directories(trace_dir);
  write_threads_trace(trace_dir);
  // A second process whose thread ends inside a call and has a leave without an enter.
  test::write_process(trace_dir + "/open.2.rnd", 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 100);
    w.enter(1, 110);
    w.leave(1, 120);
  });
  TraceReader trace(trace_dir);
  auto counts = kind_counts(trace);
  converters::export_chrome(trace_dir, json);
  ChromeCounts c = chrome_counts(nlohmann::json::parse(read_file(json)));
  EXPECT_EQ(c.phases["i"], counts[EventKind::Marker]);
  EXPECT_EQ(c.phases["C"], counts[EventKind::MetricSample]);
  EXPECT_EQ(c.phases["X"], counts[EventKind::Leave]);
  EXPECT_EQ(c.phases["B"], 1u);  // main of the second process never returns
  EXPECT_EQ(c.metadata["process_name"], 2u);
  EXPECT_EQ(c.metadata["thread_name"], 4u);
  EXPECT_EQ(c.phases["s"], 0u);
}

#ifdef RONDO_TEST_ZLIB
TEST(ChromeExport, Gzip) {
  ASSERT_TRUE(converters::chrome_gzip_supported());
  TempDir dir;
  const std::string trace_dir = dir.file("trace"), gz = dir.file("trace.json.gz");
  fs::create_directories(trace_dir);
  write_mpi_trace(trace_dir);
  converters::export_chrome(trace_dir, gz);
  gzFile f = gzopen(gz.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  gzclose(f);
  ChromeCounts c = chrome_counts(nlohmann::json::parse(text));
  EXPECT_EQ(c.phases["s"], kMpiTraceMessages);
  EXPECT_GT(c.phases["X"], 0u);
}
#endif

// ---------------------------------------------------------------------------
// (c2) Import of an archive written by EZTrace 2.0 (Debian package eztrace),
// traced at test time: 4 ranks of examples/mpi_ring, a known number of laps.

// Full path of `name` found in PATH, or "".
std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

TEST(Otf2Import, EzTraceMpiRing) {
  const std::string eztrace = find_in_path("eztrace"), mpirun = find_in_path("mpirun");
  if (eztrace.empty()) GTEST_SKIP() << "eztrace not found in PATH (Debian: apt-get install eztrace)";
  if (mpirun.empty()) GTEST_SKIP() << "mpirun not found in PATH";
  const fs::path ring = fs::path(RONDO_CLI).parent_path().parent_path() / "examples" / "mpi_ring";
  if (!fs::exists(ring)) GTEST_SKIP() << "example not built: " << ring << " (target mpi_ring)";
  // EZTrace's MPI module is named after the MPI implementation ("openmpi" or "mpich");
  // a module name it does not know ("mpi") makes every rank crash.
  CommandResult avail = run(find_in_path("eztrace_avail").empty() ? "false" : "eztrace_avail");
  std::string module;
  for (const char* m : {"openmpi", "mpich", "mpi"})
    if (module.empty() && std::regex_search(avail.out, std::regex(std::string("(^|\n)") + m + "\t")))
      module = m;
  if (module.empty()) GTEST_SKIP() << "eztrace_avail lists no MPI module: " << avail.out << avail.err;
  CommandResult version = run(quote(mpirun) + " --version");
  if (version.out.find("Open MPI") != std::string::npos && module == "mpich")
    GTEST_SKIP() << "eztrace has no module for Open MPI";

  constexpr int kRanks = 4, kLaps = 25, kBytes = 200;
  TempDir dir;
  std::string command = find_in_path("timeout").empty() ? "" : "timeout 300 ";
  command += quote(mpirun) + (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np " +
             std::to_string(kRanks) + " " + quote(eztrace) + " -t " + module + " -o " + quote(dir.file("ez")) + " " +
             quote(ring.string()) + " " + std::to_string(kLaps) + " " + std::to_string(kBytes);
  CommandResult traced = run(command);
  ASSERT_EQ(traced.status, 0) << command << "\n" << traced.out << traced.err;
  // EZTrace writes <dir>/<program>_trace/eztrace_log.otf2.
  std::string anchor;
  for (const auto& entry : fs::recursive_directory_iterator(dir.file("ez")))
    if (entry.path().extension() == ".otf2") anchor = entry.path().string();
  ASSERT_FALSE(anchor.empty()) << "no .otf2 anchor file under " << dir.file("ez") << "\n" << traced.err;

  CommandResult imported = run(std::string(RONDO_CLI) + " import " + quote(anchor) + " -o " + quote(dir.file("t")));
  ASSERT_EQ(imported.status, 0) << imported.err;
  // On ranks 1-3 EZTrace enters "EZTrace finalize" inside "Working" and leaves
  // "Working" first: the import closes "EZTrace finalize" there and drops its late leave.
  const std::string nesting = "rondo: import: 3 leaves did not match the innermost open call: they closed the 3 "
                              "calls still open inside them at their time, and 3 later leaves of calls no longer "
                              "open were dropped\n";
  ASSERT_EQ(imported.err.rfind(nesting, 0), 0u) << imported.err;
  // EZTrace writes no ClockOffsets and each rank's clock starts at its own
  // initialisation: how many messages then seem received before their send
  // depends on when the ranks started. The import says how many; `rondo check`
  // must report exactly those as clock violations, and nothing else.
  std::smatch clock_line;
  uint64_t early = 0;
  std::string rest = imported.err.substr(nesting.size());
  if (!rest.empty()) {
    ASSERT_TRUE(std::regex_match(rest, clock_line,
                                 std::regex("rondo: import: ([0-9]+) messages received before they were sent: the "
                                            "OTF2 archive carries no clock offsets\n")))
        << rest;
    early = std::stoull(clock_line[1]);
  }
  {
    TraceReader trace(dir.file("t"));
    analyzer::CheckOptions options;
    options.max_per_location = 1000;
    analyzer::CheckReport check = analyzer::check_trace(trace, options);
    EXPECT_EQ(check.omitted, 0u);
    EXPECT_EQ(check.count(analyzer::Invariant::Clock), early);
    EXPECT_EQ(check.violations.size(), early)
        << (check.violations.empty() ? "" : analyzer::violation_text(check.violations[0]));
    EXPECT_EQ(check.messages, static_cast<uint64_t>(kRanks * kLaps));
  }
  // Every EZTrace record has a Rondo event: none is kept as a marker.
  EXPECT_EQ(imported.out.find("kept as markers"), std::string::npos) << imported.out;

  // Per rank: THREAD_BEGIN / THREAD_END, the "Working" and "EZTrace finalize" regions,
  // and per lap one MPI_Send (enter, MPI_SEND, leave) and one MPI_Recv (enter, MPI_RECV, leave).
  CommandResult info = run(std::string(RONDO_CLI) + " info --json " + quote(dir.file("t")));
  ASSERT_EQ(info.status, 0) << info.err;
  nlohmann::json i = nlohmann::json::parse(info.out);
  EXPECT_EQ(i["processes"], kRanks);
  EXPECT_EQ(i["threads"], kRanks);
  EXPECT_EQ(i["events"], kRanks * (6 * kLaps + 6));
  std::set<int> ranks;
  for (const auto& p : i["process_list"]) {
    ranks.insert(p["rank"].get<int>());
    EXPECT_EQ(p["events"], 6 * kLaps + 6);
  }
  EXPECT_EQ(ranks, (std::set<int>{0, 1, 2, 3}));

  CommandResult stats = run(std::string(RONDO_CLI) + " stats --json " + quote(dir.file("t")));
  ASSERT_EQ(stats.status, 0) << stats.err;
  nlohmann::json st = nlohmann::json::parse(stats.out);
  std::map<std::string, uint64_t> calls;
  for (const auto& r : st["regions"]) calls[r["name"].get<std::string>()] = r["calls"].get<uint64_t>();
  EXPECT_EQ(calls, (std::map<std::string, uint64_t>{{"MPI_Send", kRanks * kLaps},
                                                    {"MPI_Recv", kRanks * kLaps},
                                                    {"Working", kRanks},
                                                    {"EZTrace finalize", kRanks}}));
  const nlohmann::json& messages = st["mpi"]["messages"];
  EXPECT_EQ(messages["count"], kRanks * kLaps);
  EXPECT_EQ(messages["bytes"], kRanks * kLaps * kBytes);
  EXPECT_EQ(messages["unmatched"], 0);
  EXPECT_EQ(messages["unmatched_sends"], 0);
  EXPECT_EQ(messages["unmatched_receives"], 0);
  EXPECT_EQ(messages["bytes_mismatched"], 0);
  // EZTrace leaves the regions' paradigm unknown: MPI_* names still count as MPI.
  for (const auto& rank : st["mpi"]["time_per_rank"]) EXPECT_EQ(rank["mpi_calls"], 2 * kLaps) << rank.dump();
  // The token goes around the ring: kLaps messages from each rank to the next.
  const nlohmann::json& matrix = st["mpi"]["matrix_count"];
  ASSERT_EQ(matrix.size(), static_cast<size_t>(kRanks));
  for (int from = 0; from < kRanks; ++from)
    for (int to = 0; to < kRanks; ++to)
      EXPECT_EQ(matrix[from][to], to == (from + 1) % kRanks ? kLaps : 0) << from << " -> " << to;
}

// ---------------------------------------------------------------------------
// An archive written here with the OTF2 writer, as a foreign tool would: a
// 1 MHz timer with a global offset, ClockOffset definitions with drift on both
// locations, and a leave out of nesting order (EZTrace's pattern).

// `stray_leave_only`: location 0 instead holds A and then a leave of B, which
// was never entered (nothing out of order, one leave to drop).
void write_foreign_archive(const std::string& dir, bool stray_leave_only = false) {
  OTF2_Archive* a = rondo::test::open_otf2_archive(dir);
  ASSERT_NE(a, nullptr);
  enum : OTF2_RegionRef { A, B, C };
  // Location 0: A, then B inside it, then A's leave before B's.
  OTF2_EvtWriter* w = OTF2_Archive_GetEvtWriter(a, 0);
  OTF2_EvtWriter_Enter(w, nullptr, 1000, A);
  if (!stray_leave_only) OTF2_EvtWriter_Enter(w, nullptr, 1500, B);
  OTF2_EvtWriter_Leave(w, nullptr, 1600, A);
  OTF2_EvtWriter_Leave(w, nullptr, 1700, B);
  OTF2_Archive_CloseEvtWriter(a, w);
  w = OTF2_Archive_GetEvtWriter(a, 1);
  OTF2_EvtWriter_Enter(w, nullptr, 1500, C);
  OTF2_EvtWriter_Leave(w, nullptr, 2000, C);
  OTF2_Archive_CloseEvtWriter(a, w);
  ASSERT_EQ(OTF2_Archive_CloseEvtFiles(a), OTF2_SUCCESS);
  // Global time = local time + offset, the offset interpolated linearly between
  // the ClockOffsets (here: measured at local times 1000 and 2000).
  ASSERT_EQ(OTF2_Archive_OpenDefFiles(a), OTF2_SUCCESS);
  const int64_t offsets[2][2] = {{0, 100}, {-500, -300}};
  for (OTF2_LocationRef loc : {0, 1}) {
    OTF2_DefWriter* d = OTF2_Archive_GetDefWriter(a, loc);
    OTF2_DefWriter_WriteClockOffset(d, 1000, offsets[loc][0], 0.0);
    OTF2_DefWriter_WriteClockOffset(d, 2000, offsets[loc][1], 0.0);
    OTF2_Archive_CloseDefWriter(a, d);
  }
  ASSERT_EQ(OTF2_Archive_CloseDefFiles(a), OTF2_SUCCESS);
  OTF2_GlobalDefWriter* g = OTF2_Archive_GetGlobalDefWriter(a);
  OTF2_GlobalDefWriter_WriteClockProperties(g, 1000000, 1000, 1000, OTF2_UNDEFINED_TIMESTAMP);
  const char* strings[] = {"", "A", "B", "C", "machine", "P0", "P1", "T0", "T1"};
  for (OTF2_StringRef i = 0; i < std::size(strings); ++i) OTF2_GlobalDefWriter_WriteString(g, i, strings[i]);
  for (OTF2_RegionRef r : {A, B, C})
    OTF2_GlobalDefWriter_WriteRegion(g, r, r + 1, r + 1, 0, OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_USER, 0, 0, 0,
                                     0);
  OTF2_GlobalDefWriter_WriteSystemTreeNode(g, 0, 4, 4, OTF2_UNDEFINED_SYSTEM_TREE_NODE);
  for (uint32_t i : {0u, 1u}) {
    OTF2_GlobalDefWriter_WriteLocationGroup(g, i, 5 + i, OTF2_LOCATION_GROUP_TYPE_PROCESS, 0,
                                            OTF2_UNDEFINED_LOCATION_GROUP);
    OTF2_GlobalDefWriter_WriteLocation(g, i, 7 + i, OTF2_LOCATION_TYPE_CPU_THREAD, i == 0 ? 4 : 2, i);
  }
  ASSERT_EQ(OTF2_Archive_Close(a), OTF2_SUCCESS);
}

// A repair of one kind only is said without the other's zero counts.
TEST(Otf2Import, AStrayLeaveAloneIsSaidAlone) {
  TempDir dir;
  write_foreign_archive(dir.file("a"), true);
  CommandResult imported =
      run(std::string(RONDO_CLI) + " import " + quote(dir.file("a") + "/traces.otf2") + " -o " + quote(dir.file("t")));
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_EQ(imported.err, "rondo: import: 1 leaves of calls that were not open were dropped\n");
}

TEST(Otf2Import, ForeignNestingAndClockOffsets) {
  TempDir dir;
  write_foreign_archive(dir.file("a"));
  CommandResult imported =
      run(std::string(RONDO_CLI) + " import " + quote(dir.file("a") + "/traces.otf2") + " -o " + quote(dir.file("t")));
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_EQ(imported.err,
            "rondo: import: 1 leaves did not match the innermost open call: they closed the 1 calls still open "
            "inside them at their time, and 1 later leaves of calls no longer open were dropped\n");

  converters::ConvertReport report = converters::import_otf2(dir.file("a") + "/traces.otf2", dir.file("t2"));
  EXPECT_EQ(report.clock_offsets, 4u);
  EXPECT_EQ(report.leaves_out_of_order, 1u);
  EXPECT_EQ(report.calls_closed_early, 1u);
  EXPECT_EQ(report.leaves_dropped, 1u);

  // ns since the global offset (tick 1000), 1 tick = 1 us, after the offsets:
  // location 0: offset(t) = (t - 1000) / 10; location 1: -500 + (t - 1000) / 5.
  TraceReader trace(dir.file("t"));
  ASSERT_EQ(trace.processes().size(), 2u);
  std::vector<std::string> seen;
  for (const auto& p : trace.processes())
    for (const Event& e : test::replay(p->thread(0)))
      seen.push_back(std::string(e.kind() == EventKind::Enter ? "enter " : "leave ") +
                     p->defs().region_name(e.def->key.ref) + " " + std::to_string(p->to_ns(e.ticks)));
  EXPECT_EQ(seen, (std::vector<std::string>{"enter A 0", "enter B 550000", "leave B 660000", "leave A 660000",
                                            "enter C 100000", "leave C 700000"}));
  analyzer::CheckReport check = analyzer::check_trace(trace);
  EXPECT_TRUE(check.clean()) << (check.violations.empty() ? "" : analyzer::violation_text(check.violations[0]));
}

// ---------------------------------------------------------------------------
// (d) Bad input: one clear line on stderr, non-zero exit.

void expect_one_line_error(const CommandResult& r, const std::string& needle) {
  EXPECT_NE(r.status, 0);
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
  EXPECT_EQ(r.err.rfind("rondo: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(ConverterErrors, MissingAnchorFile) {
  TempDir dir;
  CommandResult r = run(std::string(RONDO_CLI) + " import " + quote(dir.file("nothing/traces.otf2")) + " -o " +
                        quote(dir.file("out")));
  expect_one_line_error(r, "No such file or directory");
}

TEST(ConverterErrors, NotAnOtf2File) {
  TempDir dir;
  std::ofstream(dir.file("traces.otf2")) << "this is not an OTF2 anchor file\n";
  CommandResult r =
      run(std::string(RONDO_CLI) + " import " + quote(dir.file("traces.otf2")) + " -o " + quote(dir.file("out")));
  expect_one_line_error(r, "OTF2");
  EXPECT_FALSE(fs::exists(dir.file("out")));
  // A directory is not an anchor file either.
  CommandResult d = run(std::string(RONDO_CLI) + " import " + quote(dir.str()) + " -o " + quote(dir.file("out")));
  expect_one_line_error(d, "anchor");
}

TEST(ConverterErrors, UnwritableOutput) {
  TempDir dir;
  const std::string trace_dir = dir.file("trace");
  fs::create_directories(trace_dir);
  write_mpi_trace(trace_dir);
  std::ofstream(dir.file("plain-file")) << "x";
  const std::string below_file = dir.file("plain-file") + "/out";
  expect_one_line_error(
      run(std::string(RONDO_CLI) + " export " + quote(trace_dir) + " --format otf2 -o " + quote(below_file)),
      "cannot create directory");
  expect_one_line_error(run(std::string(RONDO_CLI) + " export " + quote(trace_dir) + " --format chrome -o " +
                            quote(below_file + ".json")),
                        "cannot write");
  const std::string anchor = std::string(RONDO_FIXTURES) + "/otf2/scorep-ping-pong/traces.otf2";
  if (fs::exists(anchor)) {
    expect_one_line_error(run(std::string(RONDO_CLI) + " import " + quote(anchor) + " -o " + quote(below_file)),
                          "cannot create directory");
    // Importing into an existing Rondo trace would mix two traces.
    expect_one_line_error(run(std::string(RONDO_CLI) + " import " + quote(anchor) + " -o " + quote(trace_dir)),
                          "already holds a Rondo trace");
  }
}

TEST(ConverterErrors, NotARondoTrace) {
  TempDir dir;
  CommandResult r =
      run(std::string(RONDO_CLI) + " export " + quote(dir.str()) + " --format otf2 -o " + quote(dir.file("o")));
  expect_one_line_error(r, "not a Rondo trace");
  CommandResult f =
      run(std::string(RONDO_CLI) + " export " + quote(dir.str()) + " --format pdf -o " + quote(dir.file("o")));
  EXPECT_NE(f.status, 0);
}

}  // namespace
