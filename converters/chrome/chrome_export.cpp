// Rondo trace -> Chrome Trace Event Format (JSON), for Perfetto and chrome://tracing.
//
// pid = position of the process in the trace (its rank for MPI traces), tid =
// position of the thread in its process. Each thread is replayed on its own and
// its events are written as they come: a region as one complete event ("X")
// when it is left, markers as instant events, metric samples as counters. The
// matched MPI messages come last, as flow arrows from the send to the receive.
#ifdef RONDO_HAVE_ZLIB
#include <zlib.h>
#endif

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/poll_folds.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/converters/chrome.h"
#include "src/progress.h"
#include "src/trace_walk.h"

namespace rondo::converters {

namespace {

using namespace rondo::format;

// Buffered output to a plain file or, for names ending in ".gz", through zlib.
class Output {
 public:
  explicit Output(const std::string& path) : path_(path) {
    gzip_ = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    if (gzip_) {
#ifdef RONDO_HAVE_ZLIB
      // Level 1: several times faster than the default, and JSON still shrinks ~15x.
      gz_ = gzopen(path.c_str(), "wb1");
      if (!gz_) fail(std::strerror(errno ? errno : EIO));
#else
      throw ConversionError(path + ": this build has no zlib; write a .json file instead");
#endif
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (!file_) fail(std::strerror(errno));
    }
    buffer_.reserve(kFlushAt + 4096);
  }
  ~Output() {
    if (file_) std::fclose(file_);
#ifdef RONDO_HAVE_ZLIB
    if (gz_) gzclose(gz_);
#endif
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void flush() {
    if (buffer_.empty()) return;
    if (file_) {
      if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) fail(std::strerror(errno));
    }
#ifdef RONDO_HAVE_ZLIB
    else if (gz_) {
      if (gzwrite(gz_, buffer_.data(), static_cast<unsigned>(buffer_.size())) != static_cast<int>(buffer_.size())) {
        int code = 0;
        const char* why = gzerror(gz_, &code);
        fail(code == Z_ERRNO ? std::strerror(errno) : why);
      }
    }
#endif
    bytes_ += buffer_.size();
    buffer_.clear();
  }
  void close() {
    flush();
    if (file_) {
      FILE* f = file_;
      file_ = nullptr;
      if (std::fclose(f) != 0) fail(std::strerror(errno));
    }
#ifdef RONDO_HAVE_ZLIB
    if (gz_) {
      gzFile g = gz_;
      gz_ = nullptr;
      if (gzclose(g) != Z_OK) fail("cannot finish the gzip stream");
    }
#endif
  }

 private:
  [[noreturn]] void fail(const std::string& why) { throw ConversionError(path_ + ": cannot write: " + why); }
  static constexpr size_t kFlushAt = 1 << 20;
  std::string path_;
  bool gzip_ = false;
  FILE* file_ = nullptr;
#ifdef RONDO_HAVE_ZLIB
  gzFile gz_ = nullptr;
#endif
  std::string buffer_;
  uint64_t bytes_ = 0;
};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through
        }
    }
  }
  out += '"';
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Microseconds with nanosecond precision (exact decimal, no floating point).
void append_us(std::string& out, int64_t ns) {
  if (ns < 0) {
    out += '-';
    ns = -ns;
  }
  append_int(out, ns / 1000);
  const auto frac = static_cast<int>(ns % 1000);
  const char digits[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
  out.append(digits, 4);
}

const char* role_category(RegionRole role) {
  switch (role) {
    case RegionRole::Function:
      return "function";
    case RegionRole::Mpi:
      return "mpi";
    case RegionRole::OpenMp:
      return "openmp";
    case RegionRole::Pthread:
      return "pthread";
    case RegionRole::Io:
      return "io";
    case RegionRole::Memory:
      return "memory";
    case RegionRole::Cuda:
      return "cuda";
    case RegionRole::User:
      return "user";
  }
  return "function";
}

class ChromeWriter {
 public:
  ChromeWriter(Output& out, int64_t origin_ns) : out_(out), origin_(origin_ns) {}

  // Starts an event object: {"ph":"X","pid":P,"tid":T,"ts":...
  void begin(const char* ph, uint32_t pid, uint32_t tid, int64_t ns) {
    std::string& b = out_.buffer();
    b += first_ ? "\n{\"ph\":\"" : ",\n{\"ph\":\"";
    first_ = false;
    b += ph;
    b += "\",\"pid\":";
    append_int(b, pid);
    b += ",\"tid\":";
    append_int(b, tid);
    b += ",\"ts\":";
    append_us(b, ns - origin_);
  }
  void field(const char* key, std::string_view text) {
    std::string& b = out_.buffer();
    b += ",\"";
    b += key;
    b += "\":";
    append_json_string(b, text);
  }
  void field_int(const char* key, int64_t v) {
    std::string& b = out_.buffer();
    b += ",\"";
    b += key;
    b += "\":";
    append_int(b, v);
  }
  void field_us(const char* key, int64_t ns) {
    std::string& b = out_.buffer();
    b += ",\"";
    b += key;
    b += "\":";
    append_us(b, ns);
  }
  void raw(std::string_view s) { out_.buffer() += s; }
  void end() {
    out_.buffer() += '}';
    out_.maybe_flush();
    ++written_;
  }
  void metadata(const char* name, uint32_t pid, uint32_t tid, const std::string& value) {
    std::string& b = out_.buffer();
    b += first_ ? "\n{\"ph\":\"M\",\"name\":\"" : ",\n{\"ph\":\"M\",\"name\":\"";
    first_ = false;
    b += name;
    b += "\",\"pid\":";
    append_int(b, pid);
    b += ",\"tid\":";
    append_int(b, tid);
    b += ",\"args\":{\"name\":";
    append_json_string(b, value);
    b += "}";
    end();
  }
  uint64_t written() const { return written_; }

 private:
  Output& out_;
  int64_t origin_;
  bool first_ = true;
  uint64_t written_ = 0;
};

struct OpenRegion {
  uint32_t region;
  int64_t ns;
};

}  // namespace

bool chrome_gzip_supported() {
#ifdef RONDO_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

ConvertReport export_chrome(const std::string& trace_dir, const std::string& out_file, const ConvertOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto trace = detail::open_trace(trace_dir);
  const auto& procs = trace->processes();
  ConvertReport report;
  report.processes = procs.size();

  // Matched messages, from a reader of their own that is dropped afterwards
  // (matching replays every MPI thread; the main reader should not keep them).
  std::vector<analyzer::Message> messages;
  {
    auto scan_trace = detail::open_trace(trace_dir);
    for (analyzer::Message& m : analyzer::match_messages(*scan_trace))
      if (m.matched()) messages.push_back(m);
  }

  // Time origin: the earliest first event of any thread (read from the
  // timestamp chunk index, without decoding).
  int64_t origin = INT64_MAX;
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    auto p = detail::reopen_process(*trace, pi);
    for (size_t t = 0; t < p->thread_count(); ++t) {
      const ThreadTrace& th = p->thread(t);
      if (th.event_count()) origin = std::min(origin, p->to_ns(th.first_ticks()));
    }
  }
  if (origin == INT64_MAX) origin = 0;

  Output out(out_file);
  ChromeWriter w(out, origin);
  out.buffer() += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"rondo export\",\"trace\":";
  append_json_string(out.buffer(), trace_dir);
  out.buffer() += "},\"traceEvents\":[";

  std::vector<int64_t> rank_to_pid;
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    const ProcessReader& p = *procs[pi];
    int32_t r = p.rank();
    if (r >= 0) {
      if (static_cast<size_t>(r) >= rank_to_pid.size()) rank_to_pid.resize(static_cast<size_t>(r) + 1, -1);
      if (rank_to_pid[r] < 0) rank_to_pid[r] = static_cast<int64_t>(pi);
    }
  }

  detail::Progress progress(options.progress, "exporting", detail::total_file_bytes(*trace));
  uint64_t bytes_done = 0, unmatched_leaves = 0, open_at_end = 0;
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    auto process = detail::reopen_process(*trace, pi);
    const ProcessDefinitions& defs = process->defs();
    const auto pid = static_cast<uint32_t>(pi);
    w.metadata("process_name", pid, 0, detail::process_name(*process));
    w.begin("M", pid, 0, origin);
    w.raw(",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":");
    append_int(out.buffer(), static_cast<int64_t>(pi));
    w.raw("}");
    w.end();

    // Per region, the end of its events, escaped once: ,"name":"...","cat":"..."
    std::vector<std::string> region_fields(defs.regions.size());
    auto fields_of = [&](uint32_t r) {
      std::string name = r < defs.regions.size() ? defs.region_name(r) : "unknown region " + std::to_string(r);
      if (name.empty()) name = "region " + std::to_string(r);
      std::string f = ",\"name\":";
      append_json_string(f, name);
      f += ",\"cat\":\"";
      f += r < defs.regions.size() ? role_category(defs.regions[r].role) : "function";
      f += '"';
      return f;
    };
    for (uint32_t r = 0; r < defs.regions.size(); ++r) region_fields[r] = fields_of(r);
    auto region = [&](uint32_t r) { return r < region_fields.size() ? region_fields[r] : fields_of(r); };

    uint64_t process_events = 0, process_done = 0;
    for (size_t t = 0; t < process->thread_count(); ++t) process_events += process->thread(t).event_count();
    process_events = std::max<uint64_t>(process_events, 1);
    for (size_t t = 0; t < process->thread_count(); ++t) {
      const ThreadTrace& thread = process->thread(t);
      const auto tid = static_cast<uint32_t>(t);
      ++report.threads;
      std::string thread_label = "thread " + std::to_string(thread.index());
      if (thread.index() < defs.threads.size() && defs.threads[thread.index()].name != 0 &&
          !defs.string(defs.threads[thread.index()].name).empty())
        thread_label += " (" + defs.string(defs.threads[thread.index()].name) + ")";
      w.metadata("thread_name", pid, tid, thread_label);

      std::vector<OpenRegion> stack;
      auto complete = [&](const OpenRegion& open, int64_t end_ns) {
        w.begin("X", pid, tid, open.ns);
        w.field_us("dur", end_ns - open.ns);
        w.raw(region(open.region));
        w.end();
      };
      analyzer::OpenPolls open_polls;  // folded polls: first records whose last is still to come
      int64_t polls_laid_out_ns = INT64_MIN;
      EventCursor cursor(thread);
      Event e;
      while (cursor.next(e)) {
        const EventKey& k = e.def->key;
        const int64_t ns = process->to_ns(e.ticks);
        switch (k.kind) {
          case EventKind::Polls: {
            // Folded polls (FORMAT.md 7.2): one complete event per polled function's
            // part of a run, from its first poll's entry to its last one's exit, with
            // the exact number of polls and the time inside them as arguments; the
            // parts of a run that polled several functions in turn are laid out one
            // after the other (complete events on one thread must nest).
            if (!polls_last(k)) {
              open_polls.open(k.ref, e.ticks);
              break;
            }
            int64_t begin = std::max(process->to_ns(open_polls.close(k.ref, e.ticks)), polls_laid_out_ns);
            int64_t end = std::max(begin, ns);
            polls_laid_out_ns = end;
            w.begin("X", pid, tid, begin);
            w.field_us("dur", end - begin);
            w.raw(region(k.ref));
            w.raw(",\"args\":{\"polls\":");
            append_int(out.buffer(), e.data[0]);
            w.raw(",\"nothing_found\":true,\"inside_ns\":");
            append_int(out.buffer(), analyzer::duration_ns(*process, static_cast<uint64_t>(std::max<int64_t>(0, e.data[1]))));
            w.raw("}");
            w.end();
            break;
          }
          case EventKind::Enter:
            stack.push_back({k.ref, ns});
            break;
          case EventKind::Leave: {
            // A leave closes its own call and any inner calls still open (FORMAT.md, 12).
            auto it =
                std::find_if(stack.rbegin(), stack.rend(), [&](const OpenRegion& o) { return o.region == k.ref; });
            if (it == stack.rend()) {
              w.begin("E", pid, tid, ns);
              w.raw(region(k.ref));
              w.end();
              ++unmatched_leaves;
              break;
            }
            size_t keep = static_cast<size_t>(stack.rend() - it) - 1;
            while (stack.size() > keep) {
              complete(stack.back(), ns);
              stack.pop_back();
            }
            break;
          }
          case EventKind::Marker:
            w.begin("i", pid, tid, ns);
            w.raw(",\"s\":\"t\"");
            w.field("name", defs.string(k.ref));
            w.field("cat", "marker");
            w.end();
            break;
          case EventKind::MetricSample: {
            std::string name = k.ref < defs.metrics.size() ? defs.string(defs.metrics[k.ref].name) : "";
            if (name.empty()) name = "metric " + std::to_string(k.ref);
            if (process->thread_count() > 1) name += " (thread " + std::to_string(thread.index()) + ")";
            w.begin("C", pid, tid, ns);
            w.field("name", name);
            w.raw(",\"args\":{\"value\":");
            append_int(out.buffer(), e.data[0]);
            w.raw("}");
            w.end();
            break;
          }
          case EventKind::GpuApiCall:
          case EventKind::GpuKernelLaunch:
          case EventKind::GpuMemcpy:
          case EventKind::GpuMemset:
          case EventKind::GpuSync: {
            // A flow arrow from the host call to the kernel, copy or memset it
            // issued (on its stream's track), or to the wait CUPTI timed (on the
            // synchronisation track), joined by the correlation id.
            bool host = k.kind == EventKind::GpuApiCall;
            int64_t correlation = k.kind == EventKind::GpuMemcpy || k.kind == EventKind::GpuMemset ? e.data[1] : e.data[0];
            w.begin(host ? "s" : "f", pid, tid, ns);
            if (!host) w.raw(",\"bp\":\"e\"");
            w.field("name", "GPU launch");
            w.field("cat", "gpu");
            // Apart from the MPI arrows' ids (1, 2, ...): bit 62 set, the process above the correlation id.
            w.field_int("id", int64_t{1} << 62 | int64_t{pid} << 32 | (correlation & 0xffffffff));
            w.end();
            break;
          }
          default:
            break;  // MPI records become flow arrows below; the rest show as their regions
        }
        ++report.events;
        if ((++process_done & 0x3FFF) == 0)
          progress.update(bytes_done + process->file_size() * std::min(process_done, process_events) / process_events,
                          report.events);
      }
      // Calls still open when the thread's data ends: begin events without an end.
      for (const OpenRegion& open : stack) {
        w.begin("B", pid, tid, open.ns);
        w.raw(region(open.region));
        w.end();
        ++open_at_end;
      }
    }
    bytes_done += process->file_size();
    progress.update(bytes_done, report.events);
  }

  // Flow arrows: "s" where the message was sent, "f" (bound to the enclosing
  // slice) where it arrived.
  uint64_t flows = 0, id = 0;
  for (const analyzer::Message& m : messages) {
    auto pid_of = [&](int32_t rank) -> int64_t {
      return rank >= 0 && static_cast<size_t>(rank) < rank_to_pid.size() ? rank_to_pid[rank] : -1;
    };
    int64_t src = pid_of(m.src), dst = pid_of(m.dst);
    if (src < 0 || dst < 0) continue;
    ++id;
    w.begin("s", static_cast<uint32_t>(src), m.send_thread, m.send_ns);
    w.field("name", "MPI message");
    w.field("cat", "mpi");
    w.field_int("id", static_cast<int64_t>(id));
    w.raw(",\"args\":{\"bytes\":");
    append_int(out.buffer(), static_cast<int64_t>(m.bytes));
    w.raw(",\"tag\":");
    append_int(out.buffer(), m.tag);
    w.raw(",\"to\":");
    append_int(out.buffer(), m.dst);
    w.raw("}");
    w.end();
    w.begin("f", static_cast<uint32_t>(dst), m.recv_thread, m.recv_ns);
    w.raw(",\"bp\":\"e\"");
    w.field("name", "MPI message");
    w.field("cat", "mpi");
    w.field_int("id", static_cast<int64_t>(id));
    w.end();
    flows += 2;
  }
  out.buffer() += "\n]}\n";
  out.close();
  progress.finish();

  report.records = w.written();
  if (auto problems = trace->problems(); !problems.empty())
    report.notes["damage reported by the trace reader (see rondo info; data up to it was exported)"] = problems.size();
  if (flows) report.notes["flow events (2 per matched MPI message)"] = flows;
  if (unmatched_leaves) report.notes["leaves without an enter (written as E events)"] = unmatched_leaves;
  if (open_at_end) report.notes["calls still open at the end of their thread (written as B events)"] = open_at_end;
  report.seconds = detail::seconds_since(start);
  return report;
}

}  // namespace rondo::converters
