#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/memory_available.h"

#include "rondo/analyzer/poll_folds.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/poll_folds.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/trace_summary.h"
#include "section_passes.h"

namespace rondo::analyzer {

using namespace rondo::format;

// ---------------------------------------------------------------------------
// Communicators

int32_t world_size(const TraceReader& trace) {
  int32_t n = 0;
  for (auto& p : trace.processes()) {
    n = std::max(n, p->defs().process.world_size);
    if (p->rank() >= 0) n = std::max(n, p->rank() + 1);
  }
  return n;
}

uint32_t CommunicatorTable::add(Identity id, CommunicatorInfo info) {
  auto [it, inserted] = by_identity_.emplace(std::move(id), static_cast<uint32_t>(comms_.size()));
  if (inserted) {
    comms_.push_back(std::move(info));
  } else if (comms_[it->second].name.empty()) {
    comms_[it->second].name = std::move(info.name);
  }
  return it->second;
}

uint32_t CommunicatorTable::index(size_t process, uint32_t local_id) const {
  if (process >= local_.size()) return kNone;
  if (local_id < local_[process].size()) return local_[process][local_id];
  auto it = extra_[process].find(local_id);
  return it == extra_[process].end() ? kNone : it->second;
}

uint32_t CommunicatorTable::resolve(size_t process, uint32_t local_id) {
  if (uint32_t i = index(process, local_id); i != kNone) return i;
  if (local_.size() <= process) {
    local_.resize(process + 1);
    extra_.resize(process + 1);
  }
  CommunicatorInfo info;
  Identity id;
  if (local_id == 0) {
    // MPI_COMM_WORLD by convention: the same identity a definition of it has.
    std::vector<int32_t> ranks(static_cast<size_t>(world_size_));
    std::iota(ranks.begin(), ranks.end(), 0);
    info.name = "MPI_COMM_WORLD";
    info.world_ranks = ranks;
    id = Identity{std::move(ranks), {}, 0, kNone};
  } else {
    info.name = "comm " + std::to_string(local_id);
    info.undefined = true;
    info.local_id = local_id;
    id = Identity{{}, {}, 0, local_id};
  }
  uint32_t index = add(std::move(id), std::move(info));
  // Ids come from records: never size a table by one.
  if (local_id < local_[process].size())
    local_[process][local_id] = index;
  else
    extra_[process][local_id] = index;
  return index;
}

CommunicatorTable communicator_table(const TraceReader& trace) {
  CommunicatorTable table;
  table.world_size_ = world_size(trace);
  table.local_.resize(trace.processes().size());
  table.extra_.resize(trace.processes().size());
  for (size_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessDefinitions& defs = trace.processes()[pi]->defs();
    auto& local = table.local_[pi];
    local.assign(defs.communicators.size(), CommunicatorTable::kNone);
    for (uint32_t c = 0; c < defs.communicators.size(); ++c) {
      const CommunicatorDef& def = defs.communicators[c];
      if (def.group >= defs.groups.size()) continue;  // resolved as undefined on use
      CommunicatorInfo info;
      info.name = defs.string(def.name);
      info.world_ranks = defs.groups[def.group].world_ranks;
      info.instance = def.instance;
      if (def.remote_group != UINT32_MAX) {
        if (def.remote_group >= defs.groups.size()) continue;
        info.remote_world_ranks = defs.groups[def.remote_group].world_ranks;
      }
      // The two sides of an intercommunicator see local and remote swapped; the
      // identity lists the lexicographically smaller side first so both agree.
      std::vector<int32_t> a = info.world_ranks, b = info.remote_world_ranks;
      if (!b.empty() && b < a) std::swap(a, b);
      local[c] = table.add({std::move(a), std::move(b), def.instance, CommunicatorTable::kNone}, std::move(info));
    }
  }
  return table;
}

// ---------------------------------------------------------------------------
// Scanning

namespace {

bool is_mpi_kind(EventKind k) {
  auto v = static_cast<uint8_t>(k);
  return v >= static_cast<uint8_t>(EventKind::MpiSend) && v <= static_cast<uint8_t>(EventKind::RmaSync);
}

bool is_mpi_region(const ProcessDefinitions& defs, uint32_t region) {
  return region < defs.regions.size() && defs.regions[region].role == RegionRole::Mpi;
}

bool valid_comm(int64_t id) { return id >= 0 && id < static_cast<int64_t>(CommunicatorTable::kNone); }

constexpr uint32_t kNoRawCall = MpiRawCall::kNone;

bool thread_has_mpi(const ThreadTrace& t, const ProcessDefinitions& defs) {
  for (const EventDef& e : t.events()) {
    if (is_mpi_kind(e.key.kind)) return true;
    if ((e.key.kind == EventKind::Enter || e.key.kind == EventKind::Polls) && is_mpi_region(defs, e.key.ref))
      return true;
  }
  return false;
}

// Stable sort of v[first..] by key(element), for vectors of large records: the
// keys are sorted with their positions (ties keep the original order), then each
// record moves once. Nothing moves when the records are in order already, which
// they usually are (one thread per process, receives completed as posted).
template <typename T, typename KeyOf>
void sort_records(std::vector<T>& v, size_t first, KeyOf key_of) {
  if (first + 2 > v.size()) return;
  using Key = decltype(key_of(v[first]));
  std::vector<std::pair<Key, size_t>> keys;
  keys.reserve(v.size() - first);
  for (size_t i = first; i < v.size(); ++i) keys.emplace_back(key_of(v[i]), i);
  auto by_key = [](const auto& a, const auto& b) { return a < b; };
  if (std::is_sorted(keys.begin(), keys.end(), by_key)) return;
  std::sort(keys.begin(), keys.end(), by_key);
  // Apply the order in place, one cycle of the permutation at a time: no second
  // vector of records (hundreds of MB of fresh pages for millions of receives).
  const size_t n = keys.size();
  std::vector<char> placed(n, 0);
  for (size_t start = 0; start < n; ++start) {
    if (placed[start]) continue;
    // Slot first+i receives the record now at keys[i].second.
    T held = std::move(v[first + start]);
    size_t slot = start;
    while (true) {
      placed[slot] = 1;
      const size_t from = keys[slot].second - first;
      if (from == start) {
        v[first + slot] = std::move(held);
        break;
      }
      v[first + slot] = std::move(v[first + from]);
      slot = from;
    }
  }
}

int64_t param(const Event& e, int i) { return e.def->key.params[static_cast<size_t>(i)]; }

bool is_p2p_record(EventKind k) {
  switch (k) {
    case EventKind::MpiSend: case EventKind::MpiIsend: case EventKind::MpiRecv: case EventKind::MpiIrecv:
    case EventKind::MpiIrecvRequest: case EventKind::MpiIsendComplete: case EventKind::MpiRequestCancelled:
      return true;
    default:
      return false;
  }
}

// How many point-to-point records the thread holds, from its data columns (one
// row per occurrence of an event with data): the scan reserves room once
// instead of growing a vector of millions of records (each growth a copy, and
// page faults on fresh memory).
size_t p2p_records_in_columns(const ThreadTrace& t) {
  size_t n = 0;
  for (uint32_t id = 0; id < t.events().size(); ++id) {
    const EventDef& e = t.events()[id];
    if (e.data > 0 && is_p2p_record(e.key.kind)) n += t.data_values(id).size() / e.data;
  }
  return n;
}

// The MPI scan's map over one thread: its MPI records and calls, from one
// replay of threads whose grammar has MPI events or regions.
class MpiScanPass final : public SectionPass<MpiThreadPartial> {
 public:
  MpiScanPass(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window) : p_(p) {
    out_.process = pi;
    out_.thread = ti;
    const ThreadTrace& t = p.thread(ti);
    if (!thread_has_mpi(t, p.defs())) return;
    out_.relevant = true;
    // Room for every record, and for a call per record (the most there can be
    // but for collectives): growing by doubling would copy millions of them
    // and touch twice the memory. Room never used is address space, not memory.
    const size_t records = p2p_records_in_columns(t);
    out_.p2p.reserve(records);
    out_.calls.reserve(records);
    ThreadMpiActivity& act = out_.activity;
    act.process = pi;
    act.thread = ti;
    act.truncated = t.truncated();
    w_ = tick_window(p, window, t.first_ticks(), t.last_ticks());
    if (t.event_count() > 0)
      act.duration_ns = duration_ns(p, static_cast<uint64_t>(std::max<int64_t>(
                                           0, w_.clip(t.first_ticks(), std::max(t.first_ticks(), t.last_ticks())))));
  }

  bool needs_events() const override { return out_.relevant; }

  bool on_event(const Event& e, const EventCursor&) override {
    EventKind kind = e.kind();
    if (folds_.take(e, w_, polls_)) {
      // Folded MPI polls: calls with the exact time inside them; inside another
      // MPI call (never, with the reference recorder) they are part of its time.
      uint32_t region = e.def->key.ref;
      if (!is_mpi_region(p_.defs(), region)) return true;
      if (per_region_.size() <= region) per_region_.resize(region + 1);
      add_folded_calls(per_region_[region], polls_);
      if (mpi_stack_.empty()) {
        mpi_ticks_ += polls_.ticks;
        out_.activity.mpi_calls += polls_.calls;
      }
      return true;
    }
    if (kind == EventKind::Enter || kind == EventKind::Leave) {
      uint32_t region = e.def->key.ref;
      if (!is_mpi_region(p_.defs(), region)) {
        if (kind == EventKind::Enter) {
          caller_stack_.push_back(region);
        } else if (auto it = std::find(caller_stack_.rbegin(), caller_stack_.rend(), region);
                   it != caller_stack_.rend()) {
          caller_stack_.resize(static_cast<size_t>(caller_stack_.rend() - it) - 1);
        }
        return true;
      }
      if (kind == EventKind::Enter) {
        if (mpi_stack_.empty()) outer_caller_ = caller_stack_.empty() ? MpiCallInfo::kNoRegion : caller_stack_.back();
        mpi_stack_.push_back({region, e.ticks, e.def->params > 0 ? static_cast<uint32_t>(e.def->key.params[0]) : 0});
        return true;
      }
      auto it = std::find_if(mpi_stack_.rbegin(), mpi_stack_.rend(), [&](const Frame& f) { return f.region == region; });
      if (it == mpi_stack_.rend()) return true;  // leave without enter (recording started inside the call)
      mpi_stack_.resize(static_cast<size_t>(mpi_stack_.rend() - it));
      Frame f = mpi_stack_.back();
      mpi_stack_.pop_back();
      // The part of the call inside the window (all of it without one).
      int64_t inside = w_.clip(f.start, std::max(e.ticks, f.start));
      uint64_t d = static_cast<uint64_t>(std::max<int64_t>(0, inside));
      if (inside >= 0) {
        if (per_region_.size() <= region) per_region_.resize(region + 1);
        per_region_[region].add(d);
      }
      if (mpi_stack_.empty()) {
        mpi_ticks_ += d;
        if (inside >= 0) ++out_.activity.mpi_calls;
        if (current_call_ != kNoRawCall) out_.calls[current_call_].exit_ns = p_.to_ns(e.ticks);
        current_call_ = kNoRawCall;
      }
      return true;
    }
    if (!is_mpi_kind(kind)) return true;
    ++out_.mpi_records;
    int64_t ns = p_.to_ns(e.ticks);
    RecordPosition at{ns, out_.thread, e.index};
    if (current_call_ == kNoRawCall && !mpi_stack_.empty()) {
      // The first record of this call: remember the call (calls without
      // records are not kept).
      current_call_ = static_cast<uint32_t>(out_.calls.size());
      out_.calls.push_back(
          {mpi_stack_.front().region, outer_caller_, p_.to_ns(mpi_stack_.front().start), -1, mpi_stack_.front().site});
    }
    switch (kind) {
      case EventKind::MpiSend: case EventKind::MpiIsend: case EventKind::MpiRecv: case EventKind::MpiIrecv: {
        MpiRawP2p r;
        r.kind = kind;
        r.peer = static_cast<int32_t>(param(e, 0));
        r.tag = static_cast<int32_t>(param(e, 1));
        r.comm = param(e, 2);
        r.bytes = static_cast<uint64_t>(std::max<int64_t>(0, transfer_bytes(*e.def, e.data).bytes));
        r.request = kind == EventKind::MpiIsend || kind == EventKind::MpiIrecv ? e.data[0] : 0;
        r.at = at;
        r.order_ns = ns;
        r.call = current_call_;
        if (kind == EventKind::MpiRecv) {
          // A blocking receive is posted when its call begins; in one thread
          // nothing else is posted in between, across threads this is the
          // order MPI saw the receives in.
          if (!mpi_stack_.empty()) r.order_ns = p_.to_ns(mpi_stack_.back().start);
          r.order_ns = std::max(r.order_ns, last_order_ns_);
          last_order_ns_ = r.order_ns;
        }
        out_.p2p.push_back(r);
        break;
      }
      case EventKind::MpiIrecvRequest: case EventKind::MpiIsendComplete: case EventKind::MpiRequestCancelled: {
        MpiRawP2p r;
        r.kind = kind;
        r.request = e.data[0];
        r.at = at;
        r.order_ns = ns;
        r.call = current_call_;
        if (kind == EventKind::MpiIrecvRequest) {
          r.order_ns = std::max(r.order_ns, last_order_ns_);
          last_order_ns_ = r.order_ns;
        }
        out_.p2p.push_back(r);
        break;
      }
      case EventKind::MpiCollectiveBegin:
        pending_begin_ = ns;
        break;
      case EventKind::MpiCollectiveEnd: {
        MpiRawCollective c;
        c.op = static_cast<CollectiveOp>(e.def->key.ref);
        c.comm = param(e, 0);
        c.root = static_cast<int32_t>(param(e, 1));
        TransferBytes b = transfer_bytes(*e.def, e.data);
        c.sent = static_cast<uint64_t>(std::max<int64_t>(0, b.bytes));
        c.received = static_cast<uint64_t>(std::max<int64_t>(0, b.received));
        c.begin_ns = pending_begin_;
        c.end_ns = ns;
        c.call = current_call_;
        pending_begin_ = -1;
        out_.collectives.push_back(c);
        break;
      }
      default:
        break;  // RMA and request tests: counted, not analyzed here
    }
    return true;
  }

  void on_damaged(std::exception_ptr) override { out_.activity.truncated = true; }  // keep what was read

  MpiThreadPartial take() override {
    if (!out_.relevant) return std::move(out_);
    out_.activity.mpi_ns = duration_ns(p_, mpi_ticks_);
    for (uint32_t r = 0; r < per_region_.size(); ++r)
      if (per_region_[r].count > 0) out_.activity.calls.push_back({r, per_region_[r]});
    return std::move(out_);
  }

 private:
  struct Frame {
    uint32_t region;
    uint64_t start;
    uint32_t site;  // the ENTER's call-site parameter (id + 1), 0: none
  };
  const ProcessReader& p_;
  MpiThreadPartial out_;
  TickWindow w_;
  std::vector<Frame> mpi_stack_;
  std::vector<uint32_t> caller_stack_;  // non-MPI regions entered and not left
  uint32_t current_call_ = kNoRawCall;  // the outermost MPI call being replayed, once it has records
  uint32_t outer_caller_ = MpiCallInfo::kNoRegion;  // the caller of the outermost MPI call being replayed
  std::vector<DurationStats> per_region_;
  uint64_t mpi_ticks_ = 0;
  int64_t last_order_ns_ = INT64_MIN;
  int64_t pending_begin_ = -1;
  PollFoldReader folds_;
  FoldedCalls polls_;
};

// The point-to-point records of one process's threads, ordered by where they
// were made (time, thread, event index), without copying them: each thread's
// records are in that order already, so one thread needs no sort at all.
std::vector<const MpiRawP2p*> in_event_order(const std::vector<const std::vector<MpiRawP2p>*>& threads) {
  size_t total = 0;
  for (const auto* t : threads) total += t->size();
  std::vector<const MpiRawP2p*> order;
  order.reserve(total);
  for (const auto* t : threads)
    for (const MpiRawP2p& r : *t) order.push_back(&r);
  // One thread's records are in event order as recorded: only several threads
  // need their records read to be interleaved.
  auto before = [](const MpiRawP2p* a, const MpiRawP2p* b) { return a->at < b->at; };
  if (threads.size() > 1 && !std::is_sorted(order.begin(), order.end(), before))
    std::stable_sort(order.begin(), order.end(), before);
  return order;
}

MpiCallInfo call_info(const ProcessDefinitions& defs, const MpiRawCall& c) {
  MpiCallInfo info;
  info.region = c.region;
  info.enter_ns = c.enter_ns;
  info.exit_ns = c.exit_ns;
  info.name = defs.region_name(c.region);
  info.site = c.site;
  if (c.caller != MpiCallInfo::kNoRegion) info.caller = defs.region_name(c.caller);
  return info;
}

}  // namespace

std::unique_ptr<SectionPass<MpiThreadPartial>> mpi_scan_pass(const ProcessReader& p, uint32_t pi, uint32_t ti,
                                                             const TimeWindow& window) {
  return std::make_unique<MpiScanPass>(p, pi, ti, window);
}

MpiThreadPartial scan_mpi_thread(const ProcessReader& process, uint32_t pi, uint32_t ti, const TimeWindow& window) {
  MpiScanPass pass(process, pi, ti, window);
  return run_alone<MpiThreadPartial>(pass, process.thread(ti));
}

MpiScan scan_mpi(const TraceReader& trace, const AnalysisOptions& options) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<MpiThreadPartial> records(locations.size());
  parallel_for(locations.size(), options.threads, [&](size_t i) {
    records[i] = scan_mpi_thread(*trace.processes()[locations[i].process], locations[i].process,
                                 locations[i].thread, options.window);
  });
  return reduce_mpi_scan(trace, std::move(records));
}

uint64_t point_to_point_records(const TraceReader& trace) {
  uint64_t n = 0;
  for (const auto& p : trace.processes()) {
    for (size_t t = 0; t < p->thread_count(); ++t) {
      try {
        n += p2p_records_in_columns(p->thread(t));
      } catch (const std::exception&) {
        // A thread that cannot be read adds nothing to the scan either.
      }
    }
  }
  return n;
}

MpiMemoryEstimate estimate_mpi_memory(const TraceReader& trace) {
  MpiMemoryEstimate e;
  e.records = point_to_point_records(trace);
  e.bytes = e.records * kMpiAnalysisBytesPerRecord;
  e.available = memory_available();
  return e;
}

MpiScan reduce_mpi_scan(const TraceReader& trace, std::vector<MpiThreadPartial> records) {
  MpiScan scan;
  scan.communicators = communicator_table(trace);
  scan.world_size = world_size(trace);
  for (auto& p : trace.processes())
    if (p->rank() >= 0) scan.recorded_ranks.push_back(p->rank());
  std::sort(scan.recorded_ranks.begin(), scan.recorded_ranks.end());
  scan.recorded_ranks.erase(std::unique(scan.recorded_ranks.begin(), scan.recorded_ranks.end()),
                            scan.recorded_ranks.end());
  struct Job {
    uint32_t process, thread;
  };
  std::vector<Job> jobs;
  for (const MpiThreadPartial& r : records) jobs.push_back({r.process, r.thread});

  // Room for every record at once: these vectors reach millions of entries.
  // (An upper bound each: reading every record's kind to count exactly would be
  // a pass over hundreds of MB; room reserved and never used costs address
  // space, not memory.)
  size_t sends_and_recvs = 0, calls = 1;
  for (const MpiThreadPartial& r : records) {
    sends_and_recvs += r.p2p.size();
    calls += r.calls.size();
  }
  scan.sends.reserve(sends_and_recvs / 2 + 16);
  scan.recvs.reserve(sends_and_recvs / 2 + 16);
  scan.calls.reserve(calls);

  // Per process, in event order across its threads: pair request ids with their
  // posts and completions, then order receives by when they were posted.
  size_t j = 0;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    int32_t rank = process_label(trace, pi);
    const ProcessDefinitions& defs = trace.processes()[pi]->defs();
    scan.call_sites.push_back(call_site_frames(defs));
    const size_t first_job = j;  // records[first_job + t]: thread t of this process
    // Each thread's calls join the scan's call table; a raw call index of
    // thread t is call_base[t] + index there.
    std::vector<uint32_t> call_base;
    auto call_of = [&](const MpiRawP2p& r) {
      const size_t t = r.at.thread;
      return t < call_base.size() && r.call < records[first_job + t].calls.size() ? call_base[t] + r.call : kNoCall;
    };
    std::vector<const std::vector<MpiRawP2p>*> thread_records;
    for (; j < jobs.size() && jobs[j].process == pi; ++j) {
      MpiThreadPartial& r = records[j];
      const size_t t = j - first_job;
      if (call_base.size() <= t) call_base.resize(t + 1, kNoCall);
      if (!r.relevant) continue;
      call_base[t] = static_cast<uint32_t>(scan.calls.size());
      for (const MpiRawCall& c : r.calls) scan.calls.push_back(call_info(defs, c));
      scan.mpi_records += r.mpi_records;
      thread_records.push_back(&r.p2p);
      for (const MpiRawCollective& c : r.collectives) {
        CollectiveRecord out;
        out.process = pi;
        out.rank = rank;
        out.op = c.op;
        if (valid_comm(c.comm)) out.comm = scan.communicators.resolve(pi, static_cast<uint32_t>(c.comm));
        out.root = c.root;
        out.bytes_sent = c.sent;
        out.bytes_received = c.received;
        out.begin_ns = c.begin_ns;
        out.end_ns = c.end_ns;
        out.thread = jobs[j].thread;
        out.call = c.call < r.calls.size() ? call_base[t] + c.call : kNoCall;
        scan.collectives.push_back(out);
      }
      scan.threads.push_back(std::move(r.activity));
    }
    const std::vector<const MpiRawP2p*> events = in_event_order(thread_records);

    std::unordered_map<int64_t, size_t> open_isends;  // request -> index in scan.sends
    struct Post {
      RecordPosition at;
      uint32_t call;
    };
    std::unordered_map<int64_t, Post> open_irecvs;
    std::vector<char> send_cancelled;
    size_t first_send = scan.sends.size(), first_recv = scan.recvs.size();
    for (const MpiRawP2p* record : events) {
      const MpiRawP2p& r = *record;
      switch (r.kind) {
        case EventKind::MpiSend: case EventKind::MpiIsend: {
          if (r.peer < 0 || !valid_comm(r.comm)) break;  // MPI_PROC_NULL: no message
          SendRecord s;
          s.process = pi;
          s.src = rank;
          s.dst = r.peer;
          s.tag = r.tag;
          s.comm = scan.communicators.resolve(pi, static_cast<uint32_t>(r.comm));
          s.bytes = r.bytes;
          s.position = r.at;
          s.nonblocking = r.kind == EventKind::MpiIsend;
          s.call = call_of(r);
          if (!s.nonblocking) s.completion = s.call;
          if (s.nonblocking) open_isends[r.request] = scan.sends.size();
          scan.sends.push_back(s);
          send_cancelled.push_back(0);
          break;
        }
        case EventKind::MpiIsendComplete: {
          auto it = open_isends.find(r.request);
          if (it == open_isends.end()) break;
          scan.sends[it->second].complete_ns = r.at.ns;
          scan.sends[it->second].completion = call_of(r);
          open_isends.erase(it);
          break;
        }
        case EventKind::MpiIrecvRequest: {
          Post post{{r.order_ns, r.at.thread, r.at.index}, call_of(r)};
          auto [it, inserted] = open_irecvs.try_emplace(r.request, post);
          if (!inserted) {
            // The same request posted again (persistent request) before its
            // previous post completed: that one's completion was not recorded.
            ++scan.incomplete_receives;
            it->second = post;
          }
          break;
        }
        case EventKind::MpiRecv: case EventKind::MpiIrecv: {
          RecordPosition order{r.order_ns, r.at.thread, r.at.index};
          uint32_t completion = call_of(r), posted = kNoCall;
          if (r.kind == EventKind::MpiIrecv) {
            auto it = open_irecvs.find(r.request);
            if (it != open_irecvs.end()) {
              order = it->second.at;
              posted = it->second.call;
              open_irecvs.erase(it);
            }
          } else {
            posted = completion;
          }
          if (r.peer < 0 || !valid_comm(r.comm)) break;
          RecvRecord v;
          v.process = pi;
          v.src = r.peer;
          v.dst = rank;
          v.tag = r.tag;
          v.comm = scan.communicators.resolve(pi, static_cast<uint32_t>(r.comm));
          v.bytes = r.bytes;
          v.position = order;
          v.recv_ns = r.at.ns;
          v.nonblocking = r.kind == EventKind::MpiIrecv;
          v.call = posted;
          v.completion = completion;
          scan.recvs.push_back(v);
          break;
        }
        case EventKind::MpiRequestCancelled: {
          if (open_irecvs.erase(r.request)) {
            ++scan.cancelled;
          } else if (auto it = open_isends.find(r.request); it != open_isends.end()) {
            send_cancelled[it->second - first_send] = 1;
            open_isends.erase(it);
            ++scan.cancelled;
          }
          break;
        }
        default:
          break;
      }
    }
    scan.incomplete_receives += open_irecvs.size();
    scan.incomplete_sends += open_isends.size();
    // This process's raw records are consumed: give their memory back before
    // the next process's records are made (peak memory is one copy, not two).
    for (size_t k = first_job; k < j; ++k) {
      records[k].p2p = {};
      records[k].calls = {};
      records[k].collectives = {};
    }
    size_t kept = first_send;
    for (size_t s = first_send; s < scan.sends.size(); ++s)
      if (!send_cancelled[s - first_send]) scan.sends[kept++] = scan.sends[s];
    scan.sends.resize(kept);
    sort_records(scan.recvs, first_recv, [](const RecvRecord& r) { return r.position; });
  }
  return scan;
}

// Matching: message_matching.cpp

MessageMatching match_all_messages(const TraceReader& trace) { return match_messages(scan_mpi(trace)); }

std::vector<Message> match_messages(const TraceReader& trace) { return match_all_messages(trace).messages; }


// ---------------------------------------------------------------------------
// Shipping partials (arrays rather than objects: they are bulk data).

void to_json(nlohmann::json& j, const MpiThreadPartial& p) {
  nlohmann::json p2p = nlohmann::json::array(), colls = nlohmann::json::array(), calls = nlohmann::json::array(),
                 per_region = nlohmann::json::array();
  for (const MpiRawP2p& r : p.p2p)
    p2p.push_back({static_cast<int>(r.kind), r.peer, r.tag, r.comm, r.bytes, r.request, r.at.ns, r.at.thread,
                   r.at.index, r.order_ns, r.call});
  for (const MpiRawCollective& c : p.collectives)
    colls.push_back({static_cast<int>(c.op), c.comm, c.root, c.sent, c.received, c.begin_ns, c.end_ns, c.call});
  for (const MpiRawCall& c : p.calls) calls.push_back({c.region, c.caller, c.enter_ns, c.exit_ns, c.site});
  const ThreadMpiActivity& a = p.activity;
  for (const MpiCallStats& c : a.calls)
    per_region.push_back({c.region, c.inclusive.count, c.inclusive.sum, c.inclusive.min, c.inclusive.max});
  j = {{"process", p.process}, {"thread", p.thread}, {"relevant", p.relevant}, {"mpi_records", p.mpi_records},
       {"p2p", p2p}, {"collectives", colls}, {"calls", calls},
       {"activity", {a.process, a.thread, a.duration_ns, a.mpi_ns, a.mpi_calls, a.truncated, per_region}}};
}

void from_json(const nlohmann::json& j, MpiThreadPartial& p) {
  p = MpiThreadPartial{};
  p.process = j.at("process").get<uint32_t>();
  p.thread = j.at("thread").get<uint32_t>();
  p.relevant = j.at("relevant").get<bool>();
  p.mpi_records = j.at("mpi_records").get<uint64_t>();
  for (auto& r : j.at("p2p")) {
    MpiRawP2p x;
    x.kind = static_cast<EventKind>(r.at(0).get<int>());
    x.peer = r.at(1).get<int32_t>();
    x.tag = r.at(2).get<int32_t>();
    x.comm = r.at(3).get<int64_t>();
    x.bytes = r.at(4).get<uint64_t>();
    x.request = r.at(5).get<int64_t>();
    x.at = {r.at(6).get<int64_t>(), r.at(7).get<uint32_t>(), r.at(8).get<uint64_t>()};
    x.order_ns = r.at(9).get<int64_t>();
    x.call = r.at(10).get<uint32_t>();
    p.p2p.push_back(x);
  }
  for (auto& c : j.at("collectives")) {
    MpiRawCollective x;
    x.op = static_cast<CollectiveOp>(c.at(0).get<int>());
    x.comm = c.at(1).get<int64_t>();
    x.root = c.at(2).get<int32_t>();
    x.sent = c.at(3).get<uint64_t>();
    x.received = c.at(4).get<uint64_t>();
    x.begin_ns = c.at(5).get<int64_t>();
    x.end_ns = c.at(6).get<int64_t>();
    x.call = c.at(7).get<uint32_t>();
    p.collectives.push_back(x);
  }
  for (auto& c : j.at("calls"))
    p.calls.push_back({c.at(0).get<uint32_t>(), c.at(1).get<uint32_t>(), c.at(2).get<int64_t>(), c.at(3).get<int64_t>(),
                       c.size() > 4 ? c.at(4).get<uint32_t>() : 0});
  auto& a = j.at("activity");
  p.activity.process = a.at(0).get<uint32_t>();
  p.activity.thread = a.at(1).get<uint32_t>();
  p.activity.duration_ns = a.at(2).get<int64_t>();
  p.activity.mpi_ns = a.at(3).get<int64_t>();
  p.activity.mpi_calls = a.at(4).get<uint64_t>();
  p.activity.truncated = a.at(5).get<bool>();
  for (auto& c : a.at(6)) {
    MpiCallStats stats;
    stats.region = c.at(0).get<uint32_t>();
    stats.inclusive.count = c.at(1).get<uint64_t>();
    stats.inclusive.sum = c.at(2).get<uint64_t>();
    stats.inclusive.min = c.at(3).get<uint64_t>();
    stats.inclusive.max = c.at(4).get<uint64_t>();
    p.activity.calls.push_back(stats);
  }
}

}  // namespace rondo::analyzer
