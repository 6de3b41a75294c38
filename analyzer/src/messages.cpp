#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/memory_available.h"

#include "rondo/analyzer/poll_folds.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/poll_folds.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/huge_pages.h"
#include "mpi_scan_arrays.h"
#include "request_pairing.h"
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

constexpr uint32_t kNoRawCall = kNoThreadCall;

bool thread_has_mpi(const ThreadTrace& t, const ProcessDefinitions& defs) {
  for (const EventDef& e : t.events()) {
    if (is_mpi_kind(e.key.kind)) return true;
    if ((e.key.kind == EventKind::Enter || e.key.kind == EventKind::Polls) && is_mpi_region(defs, e.key.ref))
      return true;
  }
  return false;
}

// Stable sort of v by key(element), for large records: the keys are sorted
// with their positions (ties keep the original order), then each record moves
// once. Nothing moves when the records are in order already, which they
// usually are (one thread per process, receives completed as posted).
template <typename T, typename KeyOf>
void sort_records(std::span<T> v, KeyOf key_of) {
  if (v.size() < 2) return;
  // In order already (the usual case): no key array is made (fresh pages for
  // millions of keys, only to find nothing to do).
  auto in_order = [&](const T& a, const T& b) { return key_of(a) < key_of(b); };
  if (std::is_sorted(v.begin(), v.end(), in_order)) return;
  using Key = decltype(key_of(v[0]));
  std::vector<std::pair<Key, size_t>> keys;
  keys.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) keys.emplace_back(key_of(v[i]), i);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a < b; });
  // Apply the order in place, one cycle of the permutation at a time: no second
  // array of records (hundreds of MB of fresh pages for millions of receives).
  const size_t n = keys.size();
  std::vector<char> placed(n, 0);
  for (size_t start = 0; start < n; ++start) {
    if (placed[start]) continue;
    // Slot i receives the record now at keys[i].second.
    T held = std::move(v[start]);
    size_t slot = start;
    while (true) {
      placed[slot] = 1;
      const size_t from = keys[slot].second;
      if (from == start) {
        v[slot] = std::move(held);
        break;
      }
      v[slot] = std::move(v[from]);
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

// How many records of the kinds `counted` accepts the thread holds, from its
// data columns (one row per occurrence of an event with data): the scan
// reserves room once instead of growing a vector of millions of records (each
// growth a copy, and page faults on fresh memory).
template <typename Kinds>
size_t records_in_columns(const ThreadTrace& t, Kinds counted) {
  size_t n = 0;
  for (uint32_t id = 0; id < t.events().size(); ++id) {
    const EventDef& e = t.events()[id];
    if (e.data > 0 && counted(e.key.kind)) n += t.data_value_count(id) / e.data;
  }
  return n;
}

size_t p2p_records_in_columns(const ThreadTrace& t) { return records_in_columns(t, is_p2p_record); }
size_t mpi_records_in_columns(const ThreadTrace& t) { return records_in_columns(t, is_mpi_kind); }

// Room for the thread's outermost MPI calls that make records: at most one per
// MPI record, and the columns count the records that have data (every kind but
// collective begins, which share their call with an end, and RMA
// synchronisations: a call that holds only those runs a slice past its room
// into its spill vector). The summary's count of MPI calls bounds them too, and
// is usually the tighter; it is never taken alone, since folded polls can make
// it billions where the records are few.
size_t mpi_call_room(const ThreadTrace& t, const ProcessDefinitions& defs) {
  const size_t records = mpi_records_in_columns(t);
  if (!t.has_summary()) return records;
  const ThreadSummary& summary = t.summary();
  uint64_t calls = summary.open_regions;
  for (uint32_t r = 0; r < summary.regions.size(); ++r)
    if (is_mpi_region(defs, r)) calls += summary.regions[r].inclusive.count;
  return static_cast<size_t>(std::min<uint64_t>(calls, records));
}
size_t sends_in_columns(const ThreadTrace& t) {
  return records_in_columns(t, [](EventKind k) { return k == EventKind::MpiSend || k == EventKind::MpiIsend; });
}
size_t receives_in_columns(const ThreadTrace& t) {
  return records_in_columns(t, [](EventKind k) { return k == EventKind::MpiRecv || k == EventKind::MpiIrecv; });
}

// Makes `array` n records long without writing them (record_vector.h), in
// memory advised for huge pages.
template <typename T>
void size_unwritten(RecordVector<T>& array, size_t n) {
  reserve_huge(array, n);
  array.resize(n);
}

// Whether thread `ti` pairs its own requests while it is read: it is the only
// thread of its process with MPI events or calls (a thread that cannot be read
// counts as having them), and the process has a rank, which its records carry
// (a process without one is labelled by the reduce, which sees every process:
// process_label()).
bool pairs_own_requests(const ProcessReader& p, uint32_t ti) {
  if (p.rank() < 0) return false;
  for (uint32_t k = 0; k < p.thread_count(); ++k) {
    if (k == ti) continue;
    try {
      if (thread_has_mpi(p.thread(k), p.defs())) return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

// What a thread that pairs its own records stores (MpiThreadPartial::paired).
struct LocalComm {
  uint32_t operator()(int64_t local) const { return static_cast<uint32_t>(local); }
};
struct LocalCall {
  uint32_t operator()(const MpiRawP2p& r) const { return r.call == kNoRawCall ? kNoCall : r.call + 1; }
};
using ThreadPairing = RequestPairing<LocalComm, LocalCall>;

// The MPI scan's map over one thread: its MPI records and calls, from one
// replay of threads whose grammar has MPI events or regions.
class MpiScanPass final : public SectionPass<MpiThreadPartial> {
 public:
  MpiScanPass(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window, P2pForm form,
              MpiScanArrays* arrays, size_t location)
      : p_(p) {
    out_.process = pi;
    out_.thread = ti;
    const ThreadTrace& t = p.thread(ti);
    if (!thread_has_mpi(t, p.defs())) return;
    out_.relevant = true;
    // Room for every record, and for a call per record (the most there can be
    // but for records without data columns): growing by doubling would copy
    // millions of them and touch twice the memory. Room never used is address
    // space, not memory.
    // (Arrays are laid out only when every MPI thread pairs its own requests.)
    const bool paired = form == P2pForm::PairedWhereAlone && (arrays != nullptr || pairs_own_requests(p, ti));
    if (paired && arrays != nullptr) {
      const MpiScanArrays::Region& r = arrays->regions[location];
      arrays_ = arrays;
      sends_ = RecordSlice<SendRecord>(arrays->sends.data() + r.sends, r.send_room, &out_.sends);
      recvs_ = RecordSlice<RecvRecord>(arrays->recvs.data() + r.recvs, r.recv_room, &out_.recvs);
      calls_ = RecordSlice<MpiCallInfo>(arrays->calls.data() + r.calls, r.call_room, &out_.calls);
    } else {
      calls_ = RecordSlice<MpiCallInfo>(out_.calls, mpi_call_room(t, p.defs()));
      if (paired) {
        sends_ = RecordSlice<SendRecord>(out_.sends, sends_in_columns(t));
        recvs_ = RecordSlice<RecvRecord>(out_.recvs, receives_in_columns(t));
      } else {
        reserve_huge(out_.p2p, p2p_records_in_columns(t));
      }
    }
    if (paired) {
      out_.paired = true;
      // (The pairing writes through sends_ and recvs_: the pass is never moved.)
      pairing_.emplace(pi, p.rank(), sends_, recvs_, LocalComm{}, LocalCall{});
    }
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
        if (current_call_ != kNoRawCall) calls_[current_call_].exit_ns = ns_of(e.ticks);
        current_call_ = kNoRawCall;
      }
      return true;
    }
    if (!is_mpi_kind(kind)) return true;
    ++out_.mpi_records;
    if (current_call_ == kNoRawCall && !mpi_stack_.empty()) {
      // The first record of this call: remember the call (calls without
      // records are not kept). (Its enter is converted before the record's
      // time, which the call's further records and its exit share.)
      current_call_ = static_cast<uint32_t>(calls_.size());
      MpiCallInfo call;
      call.region = mpi_stack_.front().region;
      call.site = mpi_stack_.front().site;
      call.enter_ns = ns_of(mpi_stack_.front().start);
      call.process = out_.process;
      call.caller = outer_caller_;
      calls_.push_back(call);
    }
    int64_t ns = ns_of(e.ticks);
    RecordPosition at{ns, out_.thread, e.index};
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
          if (mpi_stack_.size() == 1)
            r.order_ns = calls_[current_call_].enter_ns;  // the call's enter, converted already
          else if (!mpi_stack_.empty())
            r.order_ns = ns_of(mpi_stack_.back().start);
          r.order_ns = std::max(r.order_ns, last_order_ns_);
          last_order_ns_ = r.order_ns;
        }
        keep(r);
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
        keep(r);
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
    if (pairing_) pairing_->finish(out_.cancelled, out_.incomplete_receives, out_.incomplete_sends);
    settle_records();
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
  // ProcessReader::to_ns, remembered for the last ticks asked: a call and the
  // records made in it share their timestamps (a Waitall's completions all
  // have its exit's), so most conversions repeat the one before.
  int64_t ns_of(uint64_t ticks) {
    if (!converted_ || ticks != converted_ticks_) {
      converted_ = true;
      converted_ticks_ = ticks;
      converted_ns_ = p_.to_ns(ticks);
    }
    return converted_ns_;
  }

  // The records are all written: they stay in the region (out_.in_place) when
  // every slice kept to its room; otherwise all of them go to out_'s vectors.
  void settle_records() {
    sends_.finish();
    recvs_.finish();
    calls_.finish();
    if (arrays_ == nullptr) return;
    out_.in_place = !sends_.spilled() && !recvs_.spilled() && !calls_.spilled();
    if (out_.in_place) {
      out_.sends_in_place = sends_.size();
      out_.recvs_in_place = recvs_.size();
      out_.calls_in_place = calls_.size();
      return;
    }
    auto own = [](auto& slice, auto& vector) {
      if (!slice.spilled()) vector.assign(slice.written().begin(), slice.written().end());
    };
    own(sends_, out_.sends);
    own(recvs_, out_.recvs);
    own(calls_, out_.calls);
  }

  void keep(const MpiRawP2p& r) {
    if (pairing_)
      pairing_->add(r);
    else
      out_.p2p.push_back(r);
  }

  const ProcessReader& p_;
  MpiThreadPartial out_;
  MpiScanArrays* arrays_ = nullptr;  // set when the records go to a region of its arrays
  // Where the calls go, and a paired thread's sends and receives: the region,
  // or out_'s vectors.
  RecordSlice<SendRecord> sends_;
  RecordSlice<RecvRecord> recvs_;
  RecordSlice<MpiCallInfo> calls_;
  std::optional<ThreadPairing> pairing_;  // set when the thread pairs its own records
  bool converted_ = false;  // ns_of() has converted converted_ticks_ to converted_ns_
  uint64_t converted_ticks_ = 0;
  int64_t converted_ns_ = 0;
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

// A region's name, "" for kNoRegion or a process the scan does not know.
std::string_view region_name_of(const std::vector<const ProcessDefinitions*>& defs, uint32_t process,
                                uint32_t region) {
  if (region == MpiCallInfo::kNoRegion || process >= defs.size()) return {};
  return defs[process]->region_name(region);
}

}  // namespace

std::string_view MpiScan::call_name(const MpiCallInfo& c) const {
  return region_name_of(definitions, c.process, c.region);
}

std::string_view MpiScan::caller_name(const MpiCallInfo& c) const {
  return region_name_of(definitions, c.process, c.caller);
}

void sort_receives(std::span<RecvRecord> recvs) {
  sort_records(recvs, [](const RecvRecord& r) { return r.position; });
}

std::unique_ptr<SectionPass<MpiThreadPartial>> mpi_scan_pass(const ProcessReader& p, uint32_t pi, uint32_t ti,
                                                             const TimeWindow& window, P2pForm form,
                                                             MpiScanArrays* arrays, size_t location) {
  return std::make_unique<MpiScanPass>(p, pi, ti, window, form, arrays, location);
}

std::unique_ptr<SectionPass<MpiThreadPartial>> mpi_scan_pass(const ProcessReader& p, uint32_t pi, uint32_t ti,
                                                             const TimeWindow& window, P2pForm form) {
  return mpi_scan_pass(p, pi, ti, window, form, nullptr, 0);
}

MpiThreadPartial scan_mpi_thread(const ProcessReader& process, uint32_t pi, uint32_t ti, const TimeWindow& window,
                                 P2pForm form) {
  MpiScanPass pass(process, pi, ti, window, form, nullptr, 0);
  return run_alone<MpiThreadPartial>(pass, process, ti);
}

std::optional<MpiScanArrays> mpi_scan_arrays(const TraceReader& trace, const std::vector<Location>& locations,
                                             unsigned threads) {
  // Per location: whether it has MPI records, whether it pairs them itself, and its rooms.
  struct Counted {
    bool mpi = false, alone = false;
    MpiScanArrays::Region room;
  };
  std::vector<Counted> counted(locations.size());
  parallel_for(locations.size(), threads, [&](size_t i) {
    const ProcessReader& p = *trace.processes()[locations[i].process];
    Counted& c = counted[i];
    try {
      const ThreadTrace& t = p.thread(locations[i].thread);
      c.mpi = thread_has_mpi(t, p.defs());
      if (!c.mpi) return;
      c.alone = pairs_own_requests(p, locations[i].thread);
      c.room.send_room = sends_in_columns(t);
      c.room.recv_room = receives_in_columns(t);
      c.room.call_room = mpi_call_room(t, p.defs());
    } catch (const std::exception&) {
      c.mpi = true;  // the pass will say what is wrong; no region for it
    }
  });
  MpiScanArrays arrays;
  arrays.regions.resize(locations.size());
  size_t sends = 0, recvs = 0, calls = 1;  // calls[kNoCall]: the empty call
  for (size_t i = 0; i < locations.size(); ++i) {
    if (counted[i].mpi && !counted[i].alone) return std::nullopt;
    MpiScanArrays::Region& r = arrays.regions[i];
    r = counted[i].room;
    r.sends = sends;
    r.recvs = recvs;
    r.calls = calls;
    sends += r.send_room;
    recvs += r.recv_room;
    calls += r.call_room;
  }
  size_unwritten(arrays.sends, sends);
  size_unwritten(arrays.recvs, recvs);
  size_unwritten(arrays.calls, calls);
  arrays.calls[kNoCall] = MpiCallInfo{};
  return arrays;
}

MpiScan scan_mpi(const TraceReader& trace, const AnalysisOptions& options) {
  std::vector<Location> locations = all_locations(trace);
  std::optional<MpiScanArrays> arrays = mpi_scan_arrays(trace, locations, options.threads);
  MpiScanArrays* in = arrays ? &*arrays : nullptr;
  std::vector<MpiThreadPartial> records(locations.size());
  parallel_for(locations.size(), options.threads, [&](size_t i) {
    const ProcessReader& p = *trace.processes()[locations[i].process];
    MpiScanPass pass(p, locations[i].process, locations[i].thread, options.window, P2pForm::PairedWhereAlone, in, i);
    records[i] = run_alone<MpiThreadPartial>(pass, p, locations[i].thread);
  });
  return reduce_mpi_scan(trace, std::move(records), in);
}

uint64_t point_to_point_records(const TraceReader& trace, unsigned threads) {
  const std::vector<Location> locations = all_locations(trace);
  std::vector<uint64_t> counts(locations.size(), 0);
  parallel_for(locations.size(), threads, [&](size_t i) {
    try {
      counts[i] = p2p_records_in_columns(trace.processes()[locations[i].process]->thread(locations[i].thread));
    } catch (const std::exception&) {
      // A thread that cannot be read adds nothing to the scan either.
    }
  });
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

MpiMemoryEstimate estimate_mpi_memory(const TraceReader& trace, unsigned threads) {
  MpiMemoryEstimate e;
  e.records = point_to_point_records(trace, threads);
  e.bytes = e.records * kMpiAnalysisBytesPerRecord;
  e.available = memory_available();
  return e;
}

namespace {

// A partial's records of one kind: its region of the scan's arrays (`region`,
// from which it wrote `in_region`) when it wrote in place, else its own vector.
template <typename T>
std::span<const T> records_of(const MpiThreadPartial& r, const RecordVector<T>& own, const T* region,
                              uint64_t in_region) {
  return r.in_place ? std::span<const T>(region, in_region) : std::span<const T>(own);
}

// Puts `records` at array[at...]: they may be there already (a region that
// starts where the records before it end), or overlap (a region moving down).
template <typename T>
T* place(RecordVector<T>& array, size_t at, std::span<const T> records) {
  T* to = array.data() + at;
  if (!records.empty() && records.data() != to) std::memmove(to, records.data(), records.size_bytes());
  return to;
}

}  // namespace

MpiScan reduce_mpi_scan(const TraceReader& trace, std::vector<MpiThreadPartial> records) {
  return reduce_mpi_scan(trace, std::move(records), nullptr);
}

MpiScan reduce_mpi_scan(const TraceReader& trace, std::vector<MpiThreadPartial> records, MpiScanArrays* arrays) {
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

  // When every thread with records wrote them in its region of `arrays`, those
  // become the scan's arrays and the regions only move down to close the gaps.
  // Otherwise the scan's arrays are new, sized to an upper bound (the records
  // the reduce pairs are at most its raw ones), and every partial is copied in.
  const bool in_place = arrays != nullptr && std::all_of(records.begin(), records.end(), [](const auto& r) {
                          return !r.relevant || r.in_place;
                        });
  if (in_place) {
    scan.sends = std::move(arrays->sends);
    scan.recvs = std::move(arrays->recvs);
    scan.calls = std::move(arrays->calls);
  } else {
    size_t sends = 0, recvs = 0, calls = 1;
    for (const MpiThreadPartial& r : records) {
      sends += (r.in_place ? r.sends_in_place : r.sends.size()) + r.p2p.size();
      recvs += (r.in_place ? r.recvs_in_place : r.recvs.size()) + r.p2p.size();
      calls += r.in_place ? r.calls_in_place : r.calls.size();
    }
    size_unwritten(scan.sends, sends);
    size_unwritten(scan.recvs, recvs);
    size_unwritten(scan.calls, calls);
    scan.calls[kNoCall] = MpiCallInfo{};
  }
  // The regions: moved into the scan, or still the arrays' (then copied).
  const SendRecord* send_regions = nullptr;
  const RecvRecord* recv_regions = nullptr;
  const MpiCallInfo* call_regions = nullptr;
  if (arrays != nullptr) {
    send_regions = in_place ? scan.sends.data() : arrays->sends.data();
    recv_regions = in_place ? scan.recvs.data() : arrays->recvs.data();
    call_regions = in_place ? scan.calls.data() : arrays->calls.data();
  }
  auto region = [&](size_t location) -> const MpiScanArrays::Region& { return arrays->regions[location]; };
  size_t sends_end = 0, recvs_end = 0, calls_end = 1;  // the scan's records so far

  // Per process, in event order across its threads: pair request ids with their
  // posts and completions, then order receives by when they were posted.
  size_t j = 0;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    int32_t rank = process_label(trace, pi);
    const ProcessDefinitions& defs = trace.processes()[pi]->defs();
    scan.definitions.push_back(&defs);
    scan.call_sites.push_back(call_site_frames(defs));
    const size_t first_job = j;  // records[first_job + t]: thread t of this process
    // Each thread's calls join the scan's call table; a call index i < count[t]
    // of thread t is call_base[t] + i there.
    std::vector<uint32_t> call_base, call_count;
    auto call_of = [&](const MpiRawP2p& r) {
      const size_t t = r.at.thread;
      return t < call_base.size() && r.call < call_count[t] ? call_base[t] + r.call : kNoCall;
    };
    std::vector<const std::vector<MpiRawP2p>*> thread_records;
    for (; j < jobs.size() && jobs[j].process == pi; ++j) {
      MpiThreadPartial& r = records[j];
      const size_t t = j - first_job;
      if (call_base.size() <= t) {
        call_base.resize(t + 1, kNoCall);
        call_count.resize(t + 1, 0);
      }
      if (!r.relevant) continue;
      const std::span<const MpiCallInfo> calls =
          records_of(r, r.calls, r.in_place ? call_regions + region(j).calls : nullptr, r.calls_in_place);
      call_base[t] = static_cast<uint32_t>(calls_end);
      call_count[t] = static_cast<uint32_t>(calls.size());
      place(scan.calls, calls_end, calls);
      calls_end += calls.size();
      scan.mpi_records += r.mpi_records;
      if (!r.paired) thread_records.push_back(&r.p2p);
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
        out.call = c.call < calls.size() ? call_base[t] + c.call : kNoCall;
        scan.collectives.push_back(out);
      }
      scan.threads.push_back(std::move(r.activity));
    }
    // Threads that paired their own records (the only MPI thread of their
    // process): their records join, then take trace-wide communicators and calls
    // where they stand. Consecutive records mostly share a communicator.
    for (size_t k = first_job; k < j; ++k) {
      MpiThreadPartial& r = records[k];
      if (!r.relevant || !r.paired) continue;
      const uint32_t base = call_base[k - first_job] - 1;  // paired calls are 1 + a raw index
      const uint32_t count = call_count[k - first_job];
      auto global_call = [&](uint32_t c) { return c == kNoCall || c > count ? kNoCall : base + c; };
      uint32_t local_comm = CommunicatorTable::kNone, global_comm = CommunicatorTable::kNone;
      auto globalize = [&](auto& record) {
        if (record.comm != local_comm) {
          local_comm = record.comm;
          global_comm = scan.communicators.resolve(pi, record.comm);
        }
        record.comm = global_comm;
        record.call = global_call(record.call);
        record.completion = global_call(record.completion);
      };
      const std::span<const SendRecord> sends =
          records_of(r, r.sends, r.in_place ? send_regions + region(k).sends : nullptr, r.sends_in_place);
      const std::span<const RecvRecord> recvs =
          records_of(r, r.recvs, r.in_place ? recv_regions + region(k).recvs : nullptr, r.recvs_in_place);
      for (SendRecord& s : std::span<SendRecord>(place(scan.sends, sends_end, sends), sends.size())) globalize(s);
      for (RecvRecord& v : std::span<RecvRecord>(place(scan.recvs, recvs_end, recvs), recvs.size())) globalize(v);
      sends_end += sends.size();
      recvs_end += recvs.size();
      scan.cancelled += r.cancelled;
      scan.incomplete_receives += r.incomplete_receives;
      scan.incomplete_sends += r.incomplete_sends;
    }
    if (!thread_records.empty()) {
      // Never in place (a thread that does not pair its records writes none in
      // place), so the arrays were sized here to a bound: the raw records.
      RecordSlice<SendRecord> sends(scan.sends.data() + sends_end, scan.sends.size() - sends_end, nullptr);
      RecordSlice<RecvRecord> recvs(scan.recvs.data() + recvs_end, scan.recvs.size() - recvs_end, nullptr);
      auto resolve = [&](int64_t local) { return scan.communicators.resolve(pi, static_cast<uint32_t>(local)); };
      RequestPairing pairing(pi, rank, sends, recvs, resolve, call_of);
      for (const MpiRawP2p* record : in_event_order(thread_records)) pairing.add(*record);
      pairing.finish(scan.cancelled, scan.incomplete_receives, scan.incomplete_sends);
      sends_end += sends.size();
      recvs_end += recvs.size();
    }
    // This process's raw records are consumed: give their memory back before
    // the next process's records are made (peak memory is one copy, not two).
    for (size_t k = first_job; k < j; ++k) {
      records[k].p2p = {};
      records[k].sends = {};
      records[k].recvs = {};
      records[k].calls = {};
      records[k].collectives = {};
    }
  }
  scan.sends.resize(sends_end);
  scan.recvs.resize(recvs_end);
  scan.calls.resize(calls_end);
  return scan;
}

// Matching: message_matching.cpp

MessageMatching match_all_messages(const TraceReader& trace) { return match_messages(scan_mpi(trace)); }

std::vector<Message> match_messages(const TraceReader& trace) { return match_all_messages(trace).messages; }


// ---------------------------------------------------------------------------
// Shipping partials (arrays rather than objects: they are bulk data).

namespace {

// A paired partial's sends and receives: the fields both have, then the one
// each has of its own (complete_ns, recv_ns).
template <typename Record>
nlohmann::json paired_json(const Record& r, int64_t own_ns) {
  return {r.process, r.src,         r.dst,         r.tag,           r.comm, r.call, r.completion, r.nonblocking,
          r.bytes,   r.position.ns, r.position.thread, r.position.index, own_ns};
}

template <typename Record>
int64_t paired_from_json(const nlohmann::json& j, Record& r) {
  r.process = j.at(0).get<uint32_t>();
  r.src = j.at(1).get<int32_t>();
  r.dst = j.at(2).get<int32_t>();
  r.tag = j.at(3).get<int32_t>();
  r.comm = j.at(4).get<uint32_t>();
  r.call = j.at(5).get<uint32_t>();
  r.completion = j.at(6).get<uint32_t>();
  r.nonblocking = j.at(7).get<bool>();
  r.bytes = j.at(8).get<uint64_t>();
  r.position = {j.at(9).get<int64_t>(), j.at(10).get<uint32_t>(), j.at(11).get<uint64_t>()};
  return j.at(12).get<int64_t>();
}

}  // namespace

void to_json(nlohmann::json& j, const MpiThreadPartial& p) {
  // Its records are in the arrays of the process that scanned it.
  if (p.in_place) throw std::logic_error("rondo: an MPI partial written in place cannot be shipped");
  nlohmann::json p2p = nlohmann::json::array(), colls = nlohmann::json::array(), calls = nlohmann::json::array(),
                 per_region = nlohmann::json::array();
  for (const MpiRawP2p& r : p.p2p)
    p2p.push_back({static_cast<int>(r.kind), r.peer, r.tag, r.comm, r.bytes, r.request, r.at.ns, r.at.thread,
                   r.at.index, r.order_ns, r.call});
  for (const MpiRawCollective& c : p.collectives)
    colls.push_back({static_cast<int>(c.op), c.comm, c.root, c.sent, c.received, c.begin_ns, c.end_ns, c.call});
  for (const MpiCallInfo& c : p.calls) calls.push_back({c.region, c.caller, c.enter_ns, c.exit_ns, c.site});
  const ThreadMpiActivity& a = p.activity;
  for (const MpiCallStats& c : a.calls)
    per_region.push_back({c.region, c.inclusive.count, c.inclusive.sum, c.inclusive.min, c.inclusive.max});
  j = {{"process", p.process}, {"thread", p.thread}, {"relevant", p.relevant}, {"mpi_records", p.mpi_records},
       {"p2p", p2p}, {"collectives", colls}, {"calls", calls},
       {"activity", {a.process, a.thread, a.duration_ns, a.mpi_ns, a.mpi_calls, a.truncated, per_region}}};
  if (p.paired) {
    nlohmann::json sends = nlohmann::json::array(), recvs = nlohmann::json::array();
    for (const SendRecord& s : p.sends) sends.push_back(paired_json(s, s.complete_ns));
    for (const RecvRecord& r : p.recvs) recvs.push_back(paired_json(r, r.recv_ns));
    j["paired"] = {{"sends", sends}, {"recvs", recvs},
                   {"requests", {p.cancelled, p.incomplete_receives, p.incomplete_sends}}};
  }
}

void from_json(const nlohmann::json& j, MpiThreadPartial& p) {
  p = MpiThreadPartial{};
  p.process = j.at("process").get<uint32_t>();
  p.thread = j.at("thread").get<uint32_t>();
  p.relevant = j.at("relevant").get<bool>();
  p.mpi_records = j.at("mpi_records").get<uint64_t>();
  if (auto paired = j.find("paired"); paired != j.end()) {
    p.paired = true;
    for (auto& r : paired->at("sends")) {
      SendRecord& s = p.sends.emplace_back(SendRecord{});
      s.complete_ns = paired_from_json(r, s);
    }
    for (auto& r : paired->at("recvs")) {
      RecvRecord& v = p.recvs.emplace_back(RecvRecord{});
      v.recv_ns = paired_from_json(r, v);
    }
    const auto& requests = paired->at("requests");
    p.cancelled = requests.at(0).get<uint64_t>();
    p.incomplete_receives = requests.at(1).get<uint64_t>();
    p.incomplete_sends = requests.at(2).get<uint64_t>();
  }
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
  for (auto& c : j.at("calls")) {
    MpiCallInfo& call = p.calls.emplace_back(MpiCallInfo{});
    call.region = c.at(0).get<uint32_t>();
    call.caller = c.at(1).get<uint32_t>();
    call.enter_ns = c.at(2).get<int64_t>();
    call.exit_ns = c.at(3).get<int64_t>();
    call.site = c.size() > 4 ? c.at(4).get<uint32_t>() : 0;
    call.process = p.process;
  }
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
