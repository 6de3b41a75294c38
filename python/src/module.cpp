// rondo._rondo: the native part of the `rondo` Python module. It opens a trace
// with the format reader and hands the analyzer's results to Python as plain
// dicts, JSON text, column lists and numpy arrays; rondo/__init__.py turns the
// tables into pandas DataFrames. No statistic is computed here: everything comes
// from rondo::analyzer, as for the CLI.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/counters.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/report_json.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/analyzer/window_spec.h"
#include "rondo/analyzer/json_text.h"
#include "rondo/format/error.h"
#include "rondo/format/reader.h"

namespace py = pybind11;
using namespace rondo;

namespace {

using TracePtr = std::shared_ptr<format::TraceReader>;

analyzer::GroupBy parse_by(const py::object& by) {
  if (by.is_none()) return analyzer::GroupBy::None;
  std::string s = py::cast<std::string>(by);
  if (s == "rank") return analyzer::GroupBy::Rank;
  if (s == "thread") return analyzer::GroupBy::Thread;
  throw py::value_error("by must be None, \"rank\" or \"thread\", not \"" + s + "\"");
}

// A table as Python columns (name -> list), filled one row at a time;
// rondo/__init__.py makes a DataFrame of it. Every column exists, rows or not.
struct Columns {
  explicit Columns(const std::vector<const char*>& names) {
    for (const char* n : names) dict[n] = py::list();
  }
  template <typename T>
  void add(const char* column, T&& value) {
    py::reinterpret_borrow<py::list>(dict[column]).append(std::forward<T>(value));
  }
  py::dict dict;
};

// ---------------------------------------------------------------------------
// The trace as Python holds it: the reader, and the last few analyses made of it
// (one StatsReport per group-by, window and set of sections). Each call computes
// only the sections it returns (t.loops() computes no call tree); a report that
// holds a call's sections serves it, so t.stats() followed by t.loops() of the
// same window analyzes the trace once.

struct CachedReport {
  analyzer::GroupBy by;
  analyzer::TimeWindow window;
  analyzer::StatsReport report;
  nlohmann::ordered_json json;  // analyzer::stats_json(report)
  // `any_by`: the caller reads only parts that do not depend on the grouping.
  bool serves(analyzer::GroupBy b, const analyzer::TimeWindow& w, analyzer::Sections sections, bool any_by) const {
    return (any_by || by == b) && window.begin_ns == w.begin_ns && window.end_ns == w.end_ns &&
           (report.sections & sections) == sections;
  }
};

class NativeTrace {
 public:
  explicit NativeTrace(const std::string& dir) : reader_(std::make_shared<format::TraceReader>(dir)) {}

  const TracePtr& reader() const { return reader_; }

  // The trace's start on the common time axis: windows are relative to it.
  int64_t start_ns() {
    span();
    return start_ns_;
  }
  int64_t end_ns() {
    span();
    return end_ns_;
  }

  // The analysis of (by, window) holding `sections`: cached, or made now on `threads` threads.
  // `any_by`: the caller reads only parts that do not depend on the grouping
  // (call tree, imbalance, wait states), so a report of any grouping will do.
  // Called without the GIL (the analysis may take long and runs threads).
  std::shared_ptr<const CachedReport> report(analyzer::GroupBy by, const analyzer::TimeWindow& window,
                                             unsigned threads, bool any_by, analyzer::Sections sections) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < cache_.size(); ++i) {
      if (cache_[i]->serves(by, window, sections, any_by)) {
        std::shared_ptr<const CachedReport> hit = cache_[i];
        cache_.erase(cache_.begin() + static_cast<std::ptrdiff_t>(i));
        cache_.push_back(hit);  // most recently used last
        return hit;
      }
    }
    analyzer::AnalysisOptions options;
    options.by = by;
    options.window = window;
    options.threads = threads;
    options.sections = sections;
    auto made = std::make_shared<CachedReport>(CachedReport{by, window, analyzer::analyze(*reader_, options), {}});
    made->json = analyzer::stats_json(made->report);
    if (cache_.size() == kCacheSize) cache_.erase(cache_.begin());
    cache_.push_back(made);
    return made;
  }

  // Whether (by, window) is cached with `sections` (without computing it).
  bool cached(analyzer::GroupBy by, const analyzer::TimeWindow& window, analyzer::Sections sections) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& c : cache_)
      if (c->serves(by, window, sections, false)) return true;
    return false;
  }

 private:
  static constexpr size_t kCacheSize = 4;
  void span() {
    std::call_once(span_once_, [&] {
      analyzer::TraceInfo info = analyzer::trace_info(*reader_);
      start_ns_ = info.start_ns;
      end_ns_ = info.end_ns;
    });
  }

  TracePtr reader_;
  std::once_flag span_once_;
  int64_t start_ns_ = 0, end_ns_ = 0;
  std::mutex mutex_;
  std::vector<std::shared_ptr<const CachedReport>> cache_;
};

using NativePtr = std::shared_ptr<NativeTrace>;

// One end of a (t0_ns, t1_ns) window: None (open), or nanoseconds from the
// trace's start (int, or float rounded).
bool window_end_ns(const py::handle& v, int64_t& out) {
  if (v.is_none()) return false;
  if (PyIndex_Check(v.ptr())) {  // int, numpy integers
    out = py::cast<int64_t>(py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr())));
  } else if (PyFloat_Check(v.ptr()) && std::isfinite(py::cast<double>(v))) {
    out = static_cast<int64_t>(std::llround(py::cast<double>(v)));
  } else {
    throw py::value_error("window time " + py::cast<std::string>(py::repr(v)) + " is not a number of ns");
  }
  if (out < 0) throw py::value_error("window time " + std::to_string(out) + " ns is before the trace's start");
  return true;
}

// A window with no instant of the trace in it would give empty tables as if
// the program had done nothing: ValueError, as `rondo stats` refuses it.
analyzer::TimeWindow inside_trace(NativeTrace& t, const analyzer::TimeWindow& w, const std::string& shown) {
  if (analyzer::window_fit(w, t.start_ns(), t.end_ns()) == analyzer::WindowFit::Outside)
    throw py::value_error(analyzer::window_fit_text(shown, w, t.start_ns(), t.end_ns()));
  return w;
}

// The window `window` asks for (see parse_window_arg), not yet checked against the trace.
analyzer::TimeWindow requested_window(NativeTrace& t, const py::object& window) {
  analyzer::TimeWindow w;
  if (window.is_none()) return w;
  if (py::isinstance<py::str>(window)) {
    try {
      return analyzer::parse_window(py::cast<std::string>(window), t.start_ns());
    } catch (const std::invalid_argument& e) {
      throw py::value_error(e.what());
    }
  }
  std::string shown = py::cast<std::string>(py::repr(window));
  if (!py::isinstance<py::tuple>(window) && !py::isinstance<py::list>(window))
    throw py::value_error("window must be \"T0:T1\" (example: \"1.5s:2s\") or (t0_ns, t1_ns), not " + shown);
  py::sequence s = py::reinterpret_borrow<py::sequence>(window);
  if (s.size() != 2) throw py::value_error("window " + shown + " is not (t0_ns, t1_ns)");
  int64_t from = 0, to = 0;
  bool has_from = window_end_ns(s[0], from), has_to = window_end_ns(s[1], to);
  if (has_from && has_to && to <= from) throw py::value_error("window " + shown + " ends before it begins");
  if (has_from) w.begin_ns = t.start_ns() + from;
  if (has_to) w.end_ns = t.start_ns() + to;
  return w;
}

// `window` as the analyzer takes it: None (whole trace), "T0:T1" (the syntax of
// `rondo stats --window`, analyzer/window_spec.h) or (t0_ns, t1_ns), both
// relative to the trace's start. Bad input, or a window after the trace's end:
// ValueError with the parser's message.
analyzer::TimeWindow parse_window_arg(NativeTrace& t, const py::object& window) {
  if (window.is_none()) return {};
  std::string shown = py::isinstance<py::str>(window) ? py::cast<std::string>(window)
                                                       : py::cast<std::string>(py::repr(window));
  return inside_trace(t, requested_window(t, window), shown);
}

std::shared_ptr<const CachedReport> report_for(NativeTrace& t, const py::object& by, const py::object& window,
                                               unsigned threads, bool any_by, analyzer::Sections sections) {
  analyzer::GroupBy group = parse_by(by);
  analyzer::TimeWindow w = parse_window_arg(t, window);
  py::gil_scoped_release unlocked;
  return t.report(group, w, threads, any_by, sections);
}

// The section that fills the key `key` of the stats document ("regions": the
// profile); every section for the whole document ("") or a key of no section.
analyzer::Sections sections_of_key(const std::string& key) {
  if (key == "regions") return analyzer::kSectionProfile;
  for (const analyzer::SectionName& s : analyzer::section_names())
    if (key == s.name) return s.section;
  return analyzer::kAllSections;
}

// `rondo stats --json [--by] [--window]` as text, or one of its keys ("call_tree",
// "loops", ...; "null" when the document has no such key). rondo/__init__.py parses it.
std::string stats_json(NativeTrace& t, const py::object& by, const py::object& window, unsigned threads,
                       const std::string& key, bool any_by) {
  auto r = report_for(t, by, window, threads, any_by, sections_of_key(key));
  if (key.empty()) return analyzer::json_text(r->json);
  auto it = r->json.find(key);
  return it == r->json.end() ? std::string("null") : it->dump();
}

std::string info_json(NativeTrace& t) { return analyzer::json_text(analyzer::info_json(*t.reader())); }

// A numpy column of `field` over `rows`, of the dtype the DataFrame shows:
// pandas takes it as it is, where a list of Python ints would need a
// conversion per column (astype cost more than the whole profile did).
template <typename T, typename Row, typename Field>
py::array_t<T> column_of(const std::vector<Row>& rows, Field field) {
  py::array_t<T> a(static_cast<py::ssize_t>(rows.size()));
  T* out = a.mutable_data();
  for (size_t i = 0; i < rows.size(); ++i) out[i] = static_cast<T>(field(rows[i]));
  return a;
}

// Counters (rondo record --counters): for the whole trace and regions merged
// over threads, columns "NAME_inclusive" and "NAME_exclusive" (uint64) per counter.
void add_counter_columns(NativeTrace& t, analyzer::GroupBy by, const analyzer::TimeWindow& w,
                         const std::vector<analyzer::RegionRow>& rows, py::dict& columns) {
  if (by != analyzer::GroupBy::None || !w.whole()) return;
  analyzer::CounterProfile p;
  {
    py::gil_scoped_release unlocked;
    p = analyzer::counter_profile(*t.reader());
  }
  for (size_t j = 0; j < p.counters.size(); ++j) {
    auto sums = [&](const analyzer::RegionRow& r) -> const analyzer::CounterSums* {
      auto found = p.regions.find(r.name);
      return found == p.regions.end() ? nullptr : &found->second.sums[j];
    };
    using Field = uint64_t analyzer::CounterSums::*;
    for (auto [suffix, field] : {std::pair<const char*, Field>{"_inclusive", &analyzer::CounterSums::inclusive},
                                 std::pair<const char*, Field>{"_exclusive", &analyzer::CounterSums::exclusive}}) {
      columns[py::str(p.counters[j] + suffix)] = column_of<uint64_t>(rows, [&](const analyzer::RegionRow& r) {
        const analyzer::CounterSums* s = sums(r);
        return s ? s->*field : 0;
      });
    }
  }
}

// The flat profile as columns (name -> list of str, the rest typed numpy
// arrays), in the DataFrame's order, rows sorted as the analyzer sorts them.
// The whole trace's comes from the thread summaries alone (no replay) unless
// the full analysis is at hand; a window needs the full analysis.
py::dict profile_columns(NativeTrace& t, const py::object& by_arg, const py::object& window) {
  analyzer::GroupBy by = parse_by(by_arg);
  analyzer::TimeWindow w = parse_window_arg(t, window);
  std::vector<analyzer::RegionRow> rows;
  {
    py::gil_scoped_release unlocked;
    if (w.whole() && !t.cached(by, w, analyzer::kSectionProfile)) rows = analyzer::flat_profile(*t.reader(), by);
    else rows = t.report(by, w, 0, false, analyzer::kSectionProfile)->report.profile.regions;
  }
  using Row = analyzer::RegionRow;
  py::dict c;
  py::list names;
  for (const Row& r : rows) names.append(r.name);
  c["name"] = names;
  if (by != analyzer::GroupBy::None) c["rank"] = column_of<int32_t>(rows, [](const Row& r) { return r.rank; });
  if (by == analyzer::GroupBy::Thread) c["thread"] = column_of<int32_t>(rows, [](const Row& r) { return r.thread; });
  c["calls"] = column_of<uint64_t>(rows, [](const Row& r) { return r.calls; });
  c["inclusive_ns"] = column_of<int64_t>(rows, [](const Row& r) { return r.inclusive_ns; });
  c["exclusive_ns"] = column_of<int64_t>(rows, [](const Row& r) { return r.exclusive_ns; });
  c["min_ns"] = column_of<int64_t>(rows, [](const Row& r) { return r.min_ns; });
  c["max_ns"] = column_of<int64_t>(rows, [](const Row& r) { return r.max_ns; });
  c["mean_ns"] = column_of<double>(rows, [](const Row& r) { return r.mean_ns(); });
  c["stddev_ns"] = column_of<double>(rows, [](const Row& r) { return r.stddev_ns; });
  c["cut_short"] = column_of<uint64_t>(rows, [](const Row& r) { return r.cut_short; });
  add_counter_columns(t, by, w, rows, c);
  return c;
}

template <typename T>
py::array_t<T> to_array(const std::vector<T>& v) {
  return column_of<T>(v, [](const T& x) { return x; });
}

// Every message (matched first, then unmatched sends and receives) as columns.
// Times in ns from the trace's start (as windows); a side that was not
// recorded has its time as -1.
py::dict message_columns(NativeTrace& t) {
  analyzer::MessageMatching m = analyzer::match_all_messages(*t.reader());
  int64_t origin = t.start_ns();
  size_t n = m.messages.size();
  std::vector<int32_t> src(n), dst(n), tag(n);
  std::vector<uint32_t> comm(n);
  std::vector<uint64_t> bytes(n), recv_bytes(n);
  std::vector<int64_t> send_ns(n), recv_ns(n);
  std::vector<uint8_t> matched(n);
  py::list comm_name;
  for (size_t i = 0; i < n; ++i) {
    const analyzer::Message& msg = m.messages[i];
    src[i] = msg.src;
    dst[i] = msg.dst;
    tag[i] = msg.tag;
    comm[i] = msg.comm;
    bytes[i] = msg.bytes;
    recv_bytes[i] = msg.recv_bytes;
    send_ns[i] = msg.has_send ? msg.send_ns - origin : -1;
    recv_ns[i] = msg.has_recv ? msg.recv_ns - origin : -1;
    matched[i] = msg.matched() ? 1 : 0;
    comm_name.append(msg.comm < m.communicators.size() ? m.communicators[msg.comm].name : std::string());
  }
  py::dict d;
  d["src"] = to_array(src);
  d["dst"] = to_array(dst);
  d["tag"] = to_array(tag);
  d["bytes"] = to_array(bytes);
  d["send_ns"] = to_array(send_ns);
  d["recv_ns"] = to_array(recv_ns);
  d["comm"] = to_array(comm);
  d["comm_name"] = comm_name;
  d["recv_bytes"] = to_array(recv_bytes);
  d["matched"] = to_array(matched).attr("astype")("bool");
  return d;
}

py::array_t<uint64_t> matrix_array(const std::vector<std::vector<uint64_t>>& m, int32_t ranks) {
  auto n = static_cast<py::ssize_t>(ranks > 0 ? ranks : 0);
  py::array_t<uint64_t> a({n, n});
  auto out = a.mutable_unchecked<2>();
  for (py::ssize_t i = 0; i < n; ++i)
    for (py::ssize_t j = 0; j < n; ++j) {
      size_t si = static_cast<size_t>(i), sj = static_cast<size_t>(j);
      out(i, j) = si < m.size() && sj < m[si].size() ? m[si][sj] : 0;
    }
  return a;
}

py::array_t<uint64_t> comm_matrix(NativeTrace& t) {
  analyzer::MpiStats s = analyzer::mpi_stats(*t.reader());
  return matrix_array(s.matrix_bytes(), s.ranks);
}

// ---------------------------------------------------------------------------
// One thread's events.

// The process with MPI rank (or trace position) `rank` and its thread `thread`.
std::pair<const format::ProcessReader*, const format::ThreadTrace*> find_thread(const TracePtr& trace, int32_t rank,
                                                                                int32_t thread) {
  const auto& procs = trace->processes();
  for (size_t i = 0; i < procs.size(); ++i) {
    if (analyzer::process_label(*trace, i) != rank) continue;
    const format::ProcessReader& p = *procs[i];
    if (thread < 0 || static_cast<size_t>(thread) >= p.thread_count())
      throw py::index_error("rank " + std::to_string(rank) + " has no thread " + std::to_string(thread) + " (" +
                            std::to_string(p.thread_count()) + " threads)");
    return {&p, &p.thread(static_cast<size_t>(thread))};
  }
  throw py::index_error("the trace has no rank " + std::to_string(rank));
}

// ENTER / LEAVE / POLLS (folded polls: the polled call): the region's name;
// other kinds: None.
py::object region_of(const format::ProcessReader& process, const format::EventKey& k) {
  if (k.kind == format::EventKind::Enter || k.kind == format::EventKind::Leave || k.kind == format::EventKind::Polls)
    return py::str(process.defs().region_name(k.ref));
  return py::none();
}

bool moves_bytes(format::EventKind k) {
  using format::EventKind;
  switch (k) {
    case EventKind::MpiSend: case EventKind::MpiRecv: case EventKind::MpiIsend: case EventKind::MpiIrecv:
    case EventKind::MpiProbe: case EventKind::MpiCollectiveEnd: case EventKind::RmaPut: case EventKind::RmaGet:
    case EventKind::RmaAccumulate:
      return true;
    default:
      return false;
  }
}

py::tuple params_of(const format::EventDef& def) {
  py::tuple params(def.params);
  for (size_t i = 0; i < def.params; ++i) params[i] = def.key.params[i];
  return params;
}

// One event as Python sees it.
struct PyEvent {
  int64_t time_ns = 0;  // from the trace's start
  std::string kind;
  py::object region;  // region name for ENTER / LEAVE / POLLS, else None
  py::tuple params, data;
  // Bytes moved by a message, probe or RMA transfer; a collective's bytes sent
  // (and received in `received`); None for other kinds. Read from either file
  // layout (sizes are data since format version 2).
  py::object bytes = py::none(), received = py::none();
  uint64_t index = 0;
};

// Replays one thread; keeps the trace alive while iterating. `origin_ns`: the
// trace's start on the common axis (times are given from it).
class EventIterator {
 public:
  EventIterator(TracePtr trace, const format::ProcessReader& process, const format::ThreadTrace& thread,
                int64_t origin_ns)
      : trace_(std::move(trace)), process_(&process), cursor_(thread), origin_ns_(origin_ns) {}

  PyEvent next() {
    format::Event e;
    if (!cursor_.next(e)) throw py::stop_iteration();
    PyEvent out;
    out.index = e.index;
    out.time_ns = process_->to_ns(e.ticks) - origin_ns_;
    const format::EventKey& k = e.def->key;
    out.kind = std::string(format::kind_name(k.kind));
    out.region = region_of(*process_, k);
    out.params = params_of(*e.def);
    py::tuple data(e.def->data);
    for (size_t i = 0; i < e.def->data; ++i) data[i] = e.data[i];
    out.data = data;
    if (moves_bytes(k.kind)) {
      format::TransferBytes b = format::transfer_bytes(*e.def, e.data);
      out.bytes = py::int_(b.bytes);
      if (k.kind == format::EventKind::MpiCollectiveEnd) out.received = py::int_(b.received);
    }
    return out;
  }

 private:
  TracePtr trace_;
  const format::ProcessReader* process_;
  format::EventCursor cursor_;
  int64_t origin_ns_;
};

EventIterator events(NativeTrace& t, int32_t rank, int32_t thread) {
  auto [p, th] = find_thread(t.reader(), rank, thread);
  return EventIterator(t.reader(), *p, *th, t.start_ns());
}

// One thread's columns as numpy arrays. The grammar's columns (loop counts, event
// data) are views of the decoded thread, read-only, with this object as their
// base (it keeps the trace open); timestamps and event ids are decoded once, in
// one pass over the thread, into arrays this object keeps.
class ThreadColumns {
 public:
  // `origin_ns`: the trace's start on the common axis (timestamps are given from it).
  ThreadColumns(TracePtr trace, int32_t rank, int32_t thread, int64_t origin_ns)
      : trace_(std::move(trace)), rank_(rank), origin_ns_(origin_ns) {
    auto [p, th] = find_thread(trace_, rank, thread);
    process_ = p;
    thread_ = th;
  }

  int32_t rank() const { return rank_; }
  uint32_t thread() const { return thread_->index(); }
  uint64_t event_count() const { return thread_->event_count(); }
  size_t loop_count() const { return thread_->loops().size(); }
  size_t event_def_count() const { return thread_->events().size(); }

  // Trip count of each occurrence of loop `loop_id`, in replay order.
  py::array loop_counts(const py::object& /*self: a copy needs no owner*/, uint32_t loop_id) const {
    if (loop_id >= thread_->loops().size())
      throw py::index_error("no loop " + std::to_string(loop_id) + " (" + std::to_string(thread_->loops().size()) +
                            " loops)");
    // A copy: the counts are read from the file on request (loop_count_column.h).
    std::vector<uint32_t> v = thread_->loop_counts(loop_id);
    py::array_t<uint32_t> a(static_cast<py::ssize_t>(v.size()), v.data());
    a.attr("setflags")(py::arg("write") = false);  // read-only like the views
    return a;
  }

  // Data values of event `event_id`: occurrences x EventDef::data (a view).
  py::array data(const py::object& self, uint32_t event_id) const {
    check_event(event_id);
    const std::vector<int64_t>& v = thread_->data_values(event_id);
    auto width = static_cast<py::ssize_t>(thread_->events()[event_id].data);
    auto rows = width ? static_cast<py::ssize_t>(v.size()) / width : 0;
    return view<int64_t>(self, v.data(), {rows, width});
  }

  // What each event id stands for: id, kind, region (ENTER / LEAVE), params, data width.
  py::dict event_defs() const {
    Columns c({"id", "kind", "region", "params", "data"});
    const auto& defs = thread_->events();
    for (size_t i = 0; i < defs.size(); ++i) {
      c.add("id", i);
      c.add("kind", std::string(format::kind_name(defs[i].key.kind)));
      c.add("region", region_of(*process_, defs[i].key));
      c.add("params", params_of(defs[i]));
      c.add("data", defs[i].data);
    }
    return c.dict;
  }

  py::array timestamps() {
    decode();
    return timestamps_;
  }
  py::array event_ids() {
    decode();
    return event_ids_;
  }

 private:
  void check_event(uint32_t event_id) const {
    if (event_id >= thread_->events().size())
      throw py::index_error("no event id " + std::to_string(event_id) + " (" +
                            std::to_string(thread_->events().size()) + " event definitions)");
  }

  // A read-only array over `data`, owned by `self` (this object, which owns the trace).
  template <typename T>
  static py::array view(const py::object& self, const T* data, std::vector<py::ssize_t> shape) {
    std::vector<py::ssize_t> strides(shape.size(), static_cast<py::ssize_t>(sizeof(T)));
    if (shape.size() == 2) strides[0] = shape[1] * static_cast<py::ssize_t>(sizeof(T));
    static const T empty{};
    py::array a(py::dtype::of<T>(), shape, strides, data ? data : &empty, self);
    a.attr("setflags")(py::arg("write") = false);
    return a;
  }

  // Timestamps (ns from the trace's start) and event ids of the whole thread, one replay.
  void decode() {
    if (decoded_) return;
    auto n = static_cast<py::ssize_t>(thread_->event_count());
    py::array_t<int64_t> times(n);
    py::array_t<uint32_t> ids(n);
    int64_t* t = times.mutable_data();
    uint32_t* id = ids.mutable_data();
    py::ssize_t count = 0;
    {
      py::gil_scoped_release unlocked;
      format::EventCursor cursor(*thread_);
      format::Event e;
      while (count < n && cursor.next(e)) {
        t[count] = process_->to_ns(e.ticks) - origin_ns_;
        id[count] = e.id;
        ++count;
      }
    }
    if (count < n) {  // fewer events readable than counted (damaged thread)
      times = py::array_t<int64_t>(times[py::slice(0, count, 1)].attr("copy")());
      ids = py::array_t<uint32_t>(ids[py::slice(0, count, 1)].attr("copy")());
    }
    times.attr("setflags")(py::arg("write") = false);
    ids.attr("setflags")(py::arg("write") = false);
    timestamps_ = times;
    event_ids_ = ids;
    decoded_ = true;
  }

  TracePtr trace_;
  int32_t rank_;
  int64_t origin_ns_;
  const format::ProcessReader* process_ = nullptr;
  const format::ThreadTrace* thread_ = nullptr;
  bool decoded_ = false;
  py::array timestamps_, event_ids_;
};

py::list ranks(NativeTrace& t) {
  py::list out;
  for (size_t i = 0; i < t.reader()->processes().size(); ++i) out.append(analyzer::process_label(*t.reader(), i));
  return out;
}

}  // namespace

PYBIND11_MODULE(_rondo, m) {
  m.doc() = "Native part of the rondo module: trace reading and analysis.";
  py::register_exception<format::FormatError>(m, "TraceError", PyExc_OSError);

  py::class_<PyEvent>(m, "Event")
      .def_readonly("time_ns", &PyEvent::time_ns)
      .def_readonly("kind", &PyEvent::kind)
      .def_readonly("region", &PyEvent::region)
      .def_readonly("params", &PyEvent::params)
      .def_readonly("data", &PyEvent::data)
      .def_readonly("bytes", &PyEvent::bytes)
      .def_readonly("received", &PyEvent::received)
      .def_readonly("index", &PyEvent::index)
      .def("__repr__", [](const PyEvent& e) {
        std::string s = "<Event " + std::to_string(e.time_ns) + " ns " + e.kind;
        if (!e.region.is_none()) s += " " + py::cast<std::string>(e.region);
        return s + ">";
      });

  py::class_<EventIterator>(m, "EventIterator")
      .def("__iter__", [](EventIterator& it) -> EventIterator& { return it; })
      .def("__next__", &EventIterator::next);

  py::class_<ThreadColumns>(m, "ThreadColumns")
      .def_property_readonly("rank", &ThreadColumns::rank)
      .def_property_readonly("thread", &ThreadColumns::thread)
      .def_property_readonly("event_count", &ThreadColumns::event_count)
      .def_property_readonly("loop_count", &ThreadColumns::loop_count)
      .def_property_readonly("event_def_count", &ThreadColumns::event_def_count)
      .def(
          "loop_counts",
          [](py::object self, uint32_t id) { return self.cast<const ThreadColumns&>().loop_counts(self, id); },
          py::arg("loop_id"))
      .def(
          "data",
          [](py::object self, uint32_t id) { return self.cast<const ThreadColumns&>().data(self, id); },
          py::arg("event_id"))
      .def("event_defs", &ThreadColumns::event_defs)
      .def("timestamps", &ThreadColumns::timestamps)
      .def("event_ids", &ThreadColumns::event_ids);

  py::class_<NativeTrace, NativePtr>(m, "Trace")
      .def(py::init<const std::string&>(), py::arg("dir"))
      .def_property_readonly("dir", [](NativeTrace& t) { return t.reader()->dir(); })
      .def("info_json", &info_json)
      .def("ranks", &ranks)
      .def("profile_columns", &profile_columns, py::arg("by") = py::none(), py::arg("window") = py::none())
      .def("message_columns", &message_columns)
      .def("comm_matrix", &comm_matrix)
      .def("stats_json", &stats_json, py::arg("by") = py::none(), py::arg("window") = py::none(),
           py::arg("threads") = 0, py::arg("key") = "", py::arg("any_by") = false)
      .def("events", &events, py::arg("rank") = 0, py::arg("thread") = 0)
      .def(
          "thread",
          [](NativeTrace& t, int32_t rank, int32_t thread) {
            return ThreadColumns(t.reader(), rank, thread, t.start_ns());
          },
          py::arg("rank") = 0, py::arg("thread") = 0);
}
