// rondo._rondo: the native part of the `rondo` Python module. It opens a trace
// with the format reader and hands the analyzer's results to Python as plain
// dicts, column lists and numpy arrays; rondo/__init__.py turns the tables into
// pandas DataFrames. No statistic is computed here: everything comes from
// rondo::analyzer, as for the CLI.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/report_json.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/encoding.h"
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

// `rondo info --json` and `rondo stats --json`, as text: the analyzer builds both
// documents for the CLI and for Python alike; rondo/__init__.py parses them.
std::string info_json(const TracePtr& trace) { return analyzer::info_json(*trace).dump(); }
std::string stats_json(const TracePtr& trace, const py::object& by) {
  return analyzer::stats_json(*trace, parse_by(by)).dump();
}

// The flat profile as columns (name -> list), rows sorted as the analyzer sorts them.
py::dict profile_columns(const TracePtr& trace, const py::object& by_arg) {
  analyzer::GroupBy by = parse_by(by_arg);
  std::vector<analyzer::RegionRow> rows = analyzer::flat_profile(*trace, by);
  py::list name, rank, thread, calls, incl, excl, mn, mx, mean;
  for (const auto& r : rows) {
    name.append(r.name);
    rank.append(r.rank);
    thread.append(r.thread);
    calls.append(r.calls);
    incl.append(r.inclusive_ns);
    excl.append(r.exclusive_ns);
    mn.append(r.min_ns);
    mx.append(r.max_ns);
    mean.append(r.mean_ns());
  }
  py::dict d;
  d["name"] = name;
  if (by != analyzer::GroupBy::None) d["rank"] = rank;
  if (by == analyzer::GroupBy::Thread) d["thread"] = thread;
  d["calls"] = calls;
  d["inclusive_ns"] = incl;
  d["exclusive_ns"] = excl;
  d["min_ns"] = mn;
  d["max_ns"] = mx;
  d["mean_ns"] = mean;
  return d;
}

template <typename T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  T* out = a.mutable_data();
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i];
  return a;
}

// Every message (matched first, then unmatched sends and receives) as columns.
// A side that was not recorded has its time as -1.
py::dict message_columns(const TracePtr& trace) {
  analyzer::MessageMatching m = analyzer::match_all_messages(*trace);
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
    send_ns[i] = msg.has_send ? msg.send_ns : -1;
    recv_ns[i] = msg.has_recv ? msg.recv_ns : -1;
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

py::array_t<uint64_t> comm_matrix(const TracePtr& trace) {
  analyzer::MpiStats s = analyzer::mpi_stats(*trace);
  return matrix_array(s.matrix_bytes(), s.ranks);
}

// One event as Python sees it.
struct PyEvent {
  int64_t time_ns = 0;
  std::string kind;
  py::object region;  // region name for ENTER / LEAVE, else None
  py::tuple params, data;
  uint64_t index = 0;
};

// Replays one thread; keeps the trace alive while iterating.
class EventIterator {
 public:
  EventIterator(TracePtr trace, const format::ProcessReader& process, const format::ThreadTrace& thread)
      : trace_(std::move(trace)), process_(&process), cursor_(thread) {}

  PyEvent next() {
    format::Event e;
    if (!cursor_.next(e)) throw py::stop_iteration();
    PyEvent out;
    out.index = e.index;
    out.time_ns = process_->to_ns(e.ticks);
    const format::EventKey& k = e.def->key;
    out.kind = std::string(format::kind_name(k.kind));
    if (k.kind == format::EventKind::Enter || k.kind == format::EventKind::Leave)
      out.region = py::str(process_->defs().region_name(k.ref));
    else
      out.region = py::none();
    py::tuple params(e.def->params);
    for (size_t i = 0; i < e.def->params; ++i) params[i] = k.params[i];
    out.params = params;
    py::tuple data(e.def->data);
    for (size_t i = 0; i < e.def->data; ++i) data[i] = e.data[i];
    out.data = data;
    return out;
  }

 private:
  TracePtr trace_;
  const format::ProcessReader* process_;
  format::EventCursor cursor_;
};

EventIterator events(const TracePtr& trace, int32_t rank, int32_t thread) {
  const auto& procs = trace->processes();
  for (size_t i = 0; i < procs.size(); ++i) {
    if (analyzer::process_label(*trace, i) != rank) continue;
    const format::ProcessReader& p = *procs[i];
    if (thread < 0 || static_cast<size_t>(thread) >= p.thread_count())
      throw py::index_error("rank " + std::to_string(rank) + " has no thread " + std::to_string(thread) + " (" +
                            std::to_string(p.thread_count()) + " threads)");
    return EventIterator(trace, p, p.thread(static_cast<size_t>(thread)));
  }
  throw py::index_error("the trace has no rank " + std::to_string(rank));
}

py::list ranks(const TracePtr& trace) {
  py::list out;
  for (size_t i = 0; i < trace->processes().size(); ++i) out.append(analyzer::process_label(*trace, i));
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
      .def_readonly("index", &PyEvent::index)
      .def("__repr__", [](const PyEvent& e) {
        std::string s = "<Event " + std::to_string(e.time_ns) + " ns " + e.kind;
        if (!e.region.is_none()) s += " " + py::cast<std::string>(e.region);
        return s + ">";
      });

  py::class_<EventIterator>(m, "EventIterator")
      .def("__iter__", [](EventIterator& it) -> EventIterator& { return it; })
      .def("__next__", &EventIterator::next);

  py::class_<format::TraceReader, TracePtr>(m, "Trace")
      .def(py::init<const std::string&>(), py::arg("dir"))
      .def_property_readonly("dir", &format::TraceReader::dir)
      .def("info_json", &info_json)
      .def("ranks", &ranks)
      .def("profile_columns", &profile_columns, py::arg("by") = py::none())
      .def("message_columns", &message_columns)
      .def("comm_matrix", &comm_matrix)
      .def("stats_json", &stats_json, py::arg("by") = py::none())
      .def("events", &events, py::arg("rank") = 0, py::arg("thread") = 0);
}
