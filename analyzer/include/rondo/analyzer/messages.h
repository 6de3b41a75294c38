// MPI point-to-point messages of a trace: every send record paired with the
// receive record that got its data, plus the communicators they travelled on.
//
// Pairing follows MPI's non-overtaking rule. For one communicator, one sender,
// one receiver and one tag, the k-th send (in the sender's posting order) is
// received by the k-th receive (in the receiver's posting order). A blocking
// receive is positioned where it was called; a nonblocking one where it was
// posted (MPI_Irecv, MPI_Start), even though its source, tag and size are only
// known from its completion record. Receive records carry the actual source and
// tag (MPI_ANY_SOURCE / MPI_ANY_TAG resolved), so wildcards pair correctly.
//
// Communicator ids are process-local; across processes a communicator is the
// world ranks of its group (in group order) plus its `instance` (FORMAT.md,
// "Communicator"). The communicator table numbers these identities trace-wide.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/call_sites.h"
#include "rondo/analyzer/options.h"
#include "rondo/analyzer/record_vector.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

// One communicator of the trace, shared by every process that is a member.
struct CommunicatorInfo {
  std::string name;                     // as the first process that names it calls it
  std::vector<int32_t> world_ranks;     // members in group rank order (intercommunicators: one side)
  std::vector<int32_t> remote_world_ranks;  // intercommunicators: the other side; empty otherwise
  uint32_t instance = 0;
  // No usable definition (id never defined, or its group missing): the process-
  // local id is then assumed to mean the same communicator on every process.
  bool undefined = false;
  uint32_t local_id = 0;  // for undefined communicators: the id the records use
  size_t size() const { return world_ranks.size() + remote_world_ranks.size(); }
  bool intercommunicator() const { return !remote_world_ranks.empty(); }
};

class CommunicatorTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  const std::vector<CommunicatorInfo>& communicators() const { return comms_; }
  size_t size() const { return comms_.size(); }
  const CommunicatorInfo& operator[](uint32_t index) const { return comms_[index]; }
  // Trace-wide index of communicator `local_id` of process `process` (position in
  // TraceReader::processes()); kNone when that id has not been resolved.
  uint32_t index(size_t process, uint32_t local_id) const;
  // The same, adding an entry for an id the process never defined (or whose
  // group is missing): id 0 is MPI_COMM_WORLD; any other such id is assumed to
  // mean the same communicator on every process that uses it.
  uint32_t resolve(size_t process, uint32_t local_id);

 private:
  friend CommunicatorTable communicator_table(const format::TraceReader& trace);
  // (one side's ranks, other side's ranks, instance, local id when undefined else kNone)
  using Identity = std::tuple<std::vector<int32_t>, std::vector<int32_t>, uint32_t, uint32_t>;
  uint32_t add(Identity id, CommunicatorInfo info);
  std::vector<CommunicatorInfo> comms_;
  std::map<Identity, uint32_t> by_identity_;
  std::vector<std::vector<uint32_t>> local_;  // per process: defined local id -> index
  std::vector<std::map<uint32_t, uint32_t>> extra_;  // per process: ids beyond its definitions -> index
  int32_t world_size_ = 0;
};

// Builds the table from every process's definitions. Communicators used in
// records but never defined are added on demand by resolve().
CommunicatorTable communicator_table(const format::TraceReader& trace);

// The size of MPI_COMM_WORLD as the trace knows it: the largest world_size any
// process declares, at least one more than the largest rank. 0 without MPI ranks.
int32_t world_size(const format::TraceReader& trace);

// ---------------------------------------------------------------------------
// Raw MPI records of a trace, in the order matching needs them. One replay of
// every thread that recorded MPI events or MPI calls collects all of them; the
// message matching and the MPI statistics (mpi_stats.h) are both computed from it.

// Where a record sits: for ordering records of one process (time, then thread,
// then position in that thread).
struct RecordPosition {
  int64_t ns = 0;        // on the trace's common time axis
  uint32_t thread = 0;   // thread position in its process
  uint64_t index = 0;    // event index in that thread
  auto operator<=>(const RecordPosition&) const = default;
};

// The outermost MPI call (a region with RegionRole::Mpi; MPI calls made inside
// MPI calls belong to the outer one) in which a record was made, from its enter
// and leave events, and where the program called it from. Plain data, a few
// words (a scan holds millions): its names come from MpiScan::call_name() and
// MpiScan::caller_name().
struct MpiCallInfo {
  static constexpr uint32_t kNoRegion = UINT32_MAX;
  uint32_t region = kNoRegion;  // the call's region id in its process; kNoRegion: record made outside any MPI call
  // Its call site (`--callstack`): index + 1 into MpiScan::call_sites of its
  // process, 0: none recorded.
  uint32_t site = 0;
  int64_t enter_ns = -1;        // on the common time axis
  int64_t exit_ns = -1;         // -1: the call never returned (killed job) or there is no call
  uint32_t process = 0;         // position in TraceReader::processes()
  // The innermost region that is not an MPI region enclosing the call (a
  // compiler-instrumented function, a rondo_region, ...), a region id of the
  // process; kNoRegion at top level.
  uint32_t caller = kNoRegion;
  bool in_call() const { return region != kNoRegion; }
  bool complete() const { return in_call() && exit_ns >= enter_ns; }  // both ends known
};

// Records name their MPI calls by index into MpiScan::calls, where each
// outermost call that made records is kept once: a blocking call's record
// refers to it twice (post and completion), a MPI_Waitall completing a hundred
// requests is one entry, and a record stays a few dozen bytes (a scan holds
// millions of them). Index 0 (kNoCall) is the empty MpiCallInfo: no call.
constexpr uint32_t kNoCall = 0;

struct SendRecord {
  uint32_t process = 0;   // position in TraceReader::processes()
  int32_t src = -1, dst = -1;  // world ranks
  int32_t tag = 0;
  uint32_t comm = 0;      // trace-wide communicator index
  uint32_t call = kNoCall;  // the call that posted the send (MPI_Send, MPI_Isend, MPI_Sendrecv, ...)
  // The call that completed it: `call` itself for a blocking send; for a
  // nonblocking one the MPI_Wait*/Test* call of its MpiIsendComplete record
  // (kNoCall when that was not recorded).
  uint32_t completion = kNoCall;
  bool nonblocking = false;
  uint64_t bytes = 0;
  RecordPosition position;  // the MpiSend / MpiIsend event
  int64_t complete_ns = -1;  // MpiIsendComplete (nonblocking), -1: not recorded
};

struct RecvRecord {
  uint32_t process = 0;
  int32_t src = -1, dst = -1;
  int32_t tag = 0;
  uint32_t comm = 0;
  // The call that posted the receive (MPI_Recv, MPI_Irecv, ...); nonblocking
  // receives whose post was not recorded: kNoCall.
  uint32_t call = kNoCall;
  uint32_t completion = kNoCall;  // blocking: `call`; nonblocking: the MPI_Wait*/Test* call of the MpiIrecv record
  bool nonblocking = false;
  uint64_t bytes = 0;
  RecordPosition position;  // blocking: the MpiRecv event; nonblocking: the MpiIrecvRequest post
  int64_t recv_ns = 0;      // when the data was there: MpiRecv / MpiIrecv
};

struct CollectiveRecord {
  uint32_t process = 0;
  int32_t rank = -1;  // world rank of the recording process
  format::CollectiveOp op = format::CollectiveOp::Other;
  // kNone: no communicator recorded (MPI_Comm_free in traces written before it
  // recorded the communicator it frees)
  uint32_t comm = CommunicatorTable::kNone;
  int32_t root = -1;  // world rank, -1: none
  uint64_t bytes_sent = 0, bytes_received = 0;
  int64_t begin_ns = -1;  // the matching MpiCollectiveBegin, -1: none recorded
  int64_t end_ns = 0;
  uint32_t thread = 0;  // thread position in its process
  uint32_t call = kNoCall;  // the call of the MpiCollectiveEnd record (MPI_Allreduce, MPI_Iallreduce, ...)
};

// One MPI function's calls on one thread (regions with RegionRole::Mpi).
struct MpiCallStats {
  uint32_t region = 0;  // region id in its process
  format::DurationStats inclusive;  // in ticks of its process
};

// MPI activity of one thread.
struct ThreadMpiActivity {
  uint32_t process = 0;
  uint32_t thread = 0;          // position in the process
  int64_t duration_ns = 0;      // first to last event
  int64_t mpi_ns = 0;           // inside outermost MPI calls (MPI calls nested in MPI calls count once)
  uint64_t mpi_calls = 0;       // outermost MPI calls
  std::vector<MpiCallStats> calls;  // per MPI region, nested calls included
  bool truncated = false;
};

// Per-thread partial of the scan (see profile.h for the map/reduce scheme): the
// thread's MPI records as recorded, communicators still process-local. Plain
// data, shipped between processes by the distributed analyzer.

// Records of a thread name the outermost MPI call they were made in by its
// position in MpiThreadPartial::calls; kNoThreadCall: made outside any.
constexpr uint32_t kNoThreadCall = UINT32_MAX;

// A point-to-point record as one thread recorded it (communicator still local).
// (Fields ordered for size: a scan holds millions of these.)
struct MpiRawP2p {
  int32_t peer = -1, tag = 0;
  int64_t comm = 0;
  uint64_t bytes = 0;
  int64_t request = 0;
  RecordPosition at;        // the event itself
  int64_t order_ns = 0;     // where it counts in the receiver's matching order (receives)
  uint32_t call = kNoThreadCall;  // in its thread's MpiThreadPartial::calls
  format::EventKind kind{};
};

struct MpiRawCollective {
  format::CollectiveOp op{};
  int64_t comm = -1;  // -1: MPI_COMM_NULL
  int32_t root = -1;
  uint64_t sent = 0, received = 0;
  int64_t begin_ns = -1, end_ns = 0;
  uint32_t call = kNoThreadCall;
};

struct MpiThreadPartial {
  uint32_t process = 0, thread = 0;  // the location
  std::vector<MpiRawP2p> p2p;  // as recorded, in event order (empty when `paired`)
  // Paired by the scan (P2pForm::PairedWhereAlone, for the only thread of its
  // process with MPI records): the thread's sends and completed receives as
  // MpiScan holds them, receives in posting order, except that `comm` is the
  // process-local communicator id and `call`/`completion` are 1 + an index in
  // `calls` (0: none); and the thread's share of MpiScan's request counts.
  bool paired = false;
  RecordVector<SendRecord> sends;
  RecordVector<RecvRecord> recvs;
  uint64_t cancelled = 0, incomplete_receives = 0, incomplete_sends = 0;
  std::vector<MpiRawCollective> collectives;
  // The outermost MPI calls in which records were made (`process` is the
  // partial's).
  RecordVector<MpiCallInfo> calls;
  // Written into the scan's final arrays (analyze() and scan_mpi() give a
  // paired thread a region of them to fill): `sends`, `recvs` and `calls` are
  // then empty, and the region holds this many of each. Such a partial is not
  // shipped between processes.
  bool in_place = false;
  uint64_t sends_in_place = 0, recvs_in_place = 0, calls_in_place = 0;
  ThreadMpiActivity activity;
  uint64_t mpi_records = 0;
  bool relevant = false;  // the thread recorded MPI calls or records
};
void to_json(nlohmann::json& j, const MpiThreadPartial& p);
void from_json(const nlohmann::json& j, MpiThreadPartial& p);

struct MpiScan {
  CommunicatorTable communicators;
  int32_t world_size = 0;
  // The ranks that have a process file, ascending: the rows of per-rank tables
  // (world_size is what the processes declared; a damaged one must not size memory).
  std::vector<int32_t> recorded_ranks;
  // Every outermost MPI call that made records, once; [kNoCall] is the empty call.
  RecordVector<MpiCallInfo> calls = RecordVector<MpiCallInfo>(1, MpiCallInfo{});
  const MpiCallInfo& call(uint32_t index) const { return calls[index]; }
  // Per process (position in TraceReader::processes()): its definitions, which
  // name the calls; they belong to the TraceReader, which must outlive the scan.
  std::vector<const format::ProcessDefinitions*> definitions;
  // The call's region name ("MPI_Recv"), "" without a call.
  std::string_view call_name(const MpiCallInfo& c) const;
  // The name of the region that made the call, "" at top level.
  std::string_view caller_name(const MpiCallInfo& c) const;
  RecordVector<SendRecord> sends;       // sorted by (process, position)
  RecordVector<RecvRecord> recvs;       // completed receives, sorted by (process, position)
  std::vector<CollectiveRecord> collectives;
  std::vector<ThreadMpiActivity> threads;  // threads that recorded any MPI call or record
  uint64_t mpi_records = 0;          // MPI event records of any kind (kinds 10..23)
  uint64_t cancelled = 0;            // requests cancelled (no message)
  uint64_t incomplete_receives = 0;  // nonblocking receives posted, never completed or cancelled
  uint64_t incomplete_sends = 0;     // nonblocking sends posted, never completed or cancelled
  // Per process (position in TraceReader::processes()): its call sites'
  // innermost frames, by call-site id (MpiCallInfo::site - 1).
  std::vector<std::vector<CallSiteFrameText>> call_sites;
  bool any_mpi() const { return mpi_records > 0 || !threads.empty(); }
};

// How a thread's point-to-point records leave the scan. AsRecorded: every
// record (what `rondo check` inspects). PairedWhereAlone: a thread that is the
// only one of its process with MPI records, in a process with a rank, pairs its
// requests' posts with their completions itself (MpiThreadPartial::paired), so
// a message costs one record instead of two or three; other threads' records
// stay as recorded.
enum class P2pForm { AsRecorded, PairedWhereAlone };

// With a window, ThreadMpiActivity times are clipped to it; records are all
// kept (pairing needs every send and receive), analyses filter them by time.
MpiThreadPartial scan_mpi_thread(const format::ProcessReader& process, uint32_t process_index, uint32_t thread_index,
                                 const TimeWindow& window, P2pForm form = P2pForm::AsRecorded);
// `partials`: one per thread of the trace, in location order.
MpiScan reduce_mpi_scan(const format::TraceReader& trace, std::vector<MpiThreadPartial> partials);
MpiScan scan_mpi(const format::TraceReader& trace, const AnalysisOptions& options = {});

// How many point-to-point records (sends, receives, and the posts and
// completions of nonblocking requests) the trace holds, counted from the
// threads' data columns without replaying any event: what the MPI scan will
// hold, so that its memory can be estimated before it runs. Damaged threads
// count what their columns still hold. Decodes the threads (the analysis that
// follows finds them decoded) on `threads` threads, 0: every core.
uint64_t point_to_point_records(const format::TraceReader& trace, unsigned threads = 0);
// The peak memory of the MPI sections (scan, matching, wait states) per such
// record, an upper estimate from measurements (README, "Not bounded: MPI
// messages": 0.35-0.8 KB per message, two to four records each).
constexpr uint64_t kMpiAnalysisBytesPerRecord = 320;

// The MPI scan's estimated peak (point_to_point_records x
// kMpiAnalysisBytesPerRecord) against the memory this process has left
// (memory_available.h): checked before a scan starts, because on Linux an
// allocation that does not fit usually ends the process by the OOM killer
// rather than failing.
struct MpiMemoryEstimate {
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::optional<uint64_t> available;  // nullopt: unknown
  bool fits() const { return !available || bytes <= *available; }
};
MpiMemoryEstimate estimate_mpi_memory(const format::TraceReader& trace, unsigned threads = 0);

// ---------------------------------------------------------------------------
// Messages.

struct Message {
  int32_t src = -1, dst = -1;  // world ranks
  int32_t tag = 0;
  uint32_t comm = 0;           // index in the communicator table
  uint64_t bytes = 0;          // as sent (the receive's count when there is no send)
  uint64_t recv_bytes = 0;     // as received (0 without a receive)
  int64_t send_ns = 0;         // send posted (MpiSend / MpiIsend)
  int64_t send_complete_ns = -1;  // nonblocking send completed, -1: unknown
  int64_t recv_post_ns = 0;    // receive posted (blocking: completion time)
  int64_t recv_ns = 0;         // data received (MpiRecv / MpiIrecv)
  uint32_t send_thread = 0, recv_thread = 0;  // thread positions in their processes
  // Indices of the records in MpiScan::sends / MpiScan::recvs of the scan the
  // matching was made from; kNoRecord for the side the message lacks.
  static constexpr uint64_t kNoRecord = UINT64_MAX;
  uint64_t send_record = kNoRecord, recv_record = kNoRecord;
  bool has_send = false, has_recv = false;
  bool nonblocking_send = false, nonblocking_recv = false;
  bool matched() const { return has_send && has_recv; }
  bool bytes_differ() const { return matched() && bytes != recv_bytes; }
};

// A message as the indices of its records in the scan it was matched from:
// 8 bytes where a Message takes 96, for statistics that have the scan at hand
// (MatchForm::Pairs).
struct MessagePair {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t send = kNone, recv = kNone;  // index in MpiScan::sends / MpiScan::recvs; kNone: no such side
};

// What match_messages() lists the messages as: MessageMatching::messages, or
// MessageMatching::pairs (messages stays empty).
enum class MatchForm { Messages, Pairs };

struct MessageMatching {
  // Matched messages, then unmatched sends (has_recv false) and receives
  // (has_send false), each ordered by the time of the side they have.
  std::vector<Message> messages;
  // The same messages in the same order as record indices, made instead of
  // `messages` with MatchForm::Pairs.
  std::vector<MessagePair> pairs;
  CommunicatorTable communicators;
  int32_t world_size = 0;
  uint64_t matched = 0;
  uint64_t unmatched_sends = 0, unmatched_receives = 0;
  uint64_t bytes_mismatched = 0;       // matched pairs whose send and receive byte counts differ
  uint64_t received_before_sent = 0;   // matched pairs with recv_ns < send_ns (clock problem)
  uint64_t cancelled = 0, incomplete_receives = 0, incomplete_sends = 0;
};

// `threads`: the most threads the matching may keep busy (0: every core).
// With more than one it takes a helper thread while it fills the message
// array (format/prefault.h); the result is the same for any number. `form`:
// Message structs, or only the record indices (MessagePair), which
// mpi_stats() and wait_states() take as well with the same scan.
MessageMatching match_messages(const MpiScan& scan, unsigned threads = 0, MatchForm form = MatchForm::Messages);
MessageMatching match_all_messages(const format::TraceReader& trace);
// Every message of the trace, unmatched sends and receives included.
std::vector<Message> match_messages(const format::TraceReader& trace);

}  // namespace rondo::analyzer
