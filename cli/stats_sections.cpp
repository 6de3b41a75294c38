#include "stats_sections.h"

#include <fmt/format.h>

#include <algorithm>

#include "text_output.h"

namespace rondo::cli {

namespace {

// Matrices up to this many ranks are printed in full; larger ones as top pairs.
constexpr int32_t kMatrixPrintLimit = 16;
constexpr size_t kTopPairs = 20;
constexpr size_t kRankRowsLimit = 32;

std::string matrix_csv(const std::vector<std::vector<uint64_t>>& m) {
  std::string csv = "src";
  for (size_t d = 0; d < m.size(); ++d) csv += fmt::format(",{}", d);
  csv += "\n";
  for (size_t src = 0; src < m.size(); ++src) {
    csv += std::to_string(src);
    for (uint64_t v : m[src]) csv += fmt::format(",{}", v);
    csv += "\n";
  }
  return csv;
}

}  // namespace

// The MPI files of `rondo stats --csv`; returns the names written.
std::vector<std::string> write_mpi_csv(const analyzer::MpiStats& s, const std::string& dir) {
  // The communicating pairs always; the dense ranks x ranks matrices only up to
  // the size where JSON prints them too (at 4,096 ranks they would be 16 Mi cells).
  std::vector<std::string> written;
  if (s.dense_json()) {
    write_text_file(dir + "/matrix_bytes.csv", matrix_csv(s.matrix_bytes()));
    write_text_file(dir + "/matrix_count.csv", matrix_csv(s.matrix_count()));
    written = {"matrix_bytes.csv", "matrix_count.csv"};
  }
  std::string pairs = "src,dst,count,bytes\n";
  for (auto& p : s.pairs) pairs += fmt::format("{},{},{},{}\n", p.src, p.dst, p.count, p.bytes);
  write_text_file(dir + "/matrix_pairs.csv", pairs);
  std::string time = "rank,mpi_ns,total_ns,mpi_percent,mpi_calls\n";
  for (auto& r : s.time_per_rank)
    time += fmt::format("{},{},{},{:.2f},{}\n", r.rank, r.mpi_ns, r.total_ns, 100.0 * r.fraction(), r.mpi_calls);
  write_text_file(dir + "/mpi_time.csv", time);
  std::string calls = "name,calls,inclusive_ns,min_ns,mean_ns,max_ns\n";
  for (auto& c : s.calls)
    calls += fmt::format("{},{},{},{},{:.1f},{}\n", csv_field(c.name), c.calls, c.inclusive_ns, c.min_ns, c.mean_ns(),
                         c.max_ns);
  write_text_file(dir + "/mpi_calls.csv", calls);
  std::string coll = "operation,count,bytes_sent,bytes_received,time_ns\n";
  for (auto& o : s.collective_ops)
    coll += fmt::format("{},{},{},{},{}\n", o.name, o.count, o.bytes_sent, o.bytes_received, o.time_ns);
  write_text_file(dir + "/mpi_collectives.csv", coll);
  std::string traffic = "begin_ns,end_ns,messages,bytes\n";
  for (auto& t : s.traffic) traffic += fmt::format("{},{},{},{}\n", t.begin_ns, t.end_ns, t.messages, t.bytes);
  write_text_file(dir + "/mpi_traffic.csv", traffic);
  written.insert(written.end(),
                 {"matrix_pairs.csv", "mpi_time.csv", "mpi_calls.csv", "mpi_collectives.csv", "mpi_traffic.csv"});
  return written;
}

std::string mpi_text(const analyzer::MpiStats& s) {
  std::string out = "\nMPI\n";
  const auto& m = s.messages;
  out += fmt::format("  messages     {} matched, {}", format_count(m.count), format_bytes(m.bytes));
  out += fmt::format("; unmatched {} ({} sends, {} receives)\n", format_count(m.unmatched),
                     format_count(m.unmatched_sends), format_count(m.unmatched_receives));
  out += fmt::format("  collectives  {} calls, {} sent, {} received\n", format_count(s.collectives.count),
                     format_bytes(s.collectives.bytes), format_bytes(s.collectives.bytes_received));
  if (m.bytes_mismatched)
    out += fmt::format("  warning: {} messages received with a size different from the size sent (truncated?)\n",
                       format_count(m.bytes_mismatched));
  if (s.received_before_sent)
    out += fmt::format("  warning: {} messages received before they were sent (clocks not synchronized?)\n",
                       format_count(s.received_before_sent));
  if (m.cancelled) out += fmt::format("  cancelled requests: {}\n", format_count(m.cancelled));
  if (m.incomplete_receives)
    out += fmt::format("  receives posted, never completed: {}\n", format_count(m.incomplete_receives));
  if (m.incomplete_sends)
    out += fmt::format("  nonblocking sends posted, never completed: {}\n", format_count(m.incomplete_sends));

  if (!s.time_per_rank.empty()) {
    TextTable table({"rank", "in MPI", "total", "MPI %", "MPI calls"}, {true, true, true, true, true});
    std::vector<analyzer::RankMpiTime> rows = s.time_per_rank;
    std::string note;
    if (rows.size() > kRankRowsLimit) {
      // Many ranks: the extremes say more than a long list.
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.fraction() > b.fraction(); });
      size_t half = kRankRowsLimit / 2;
      std::vector<analyzer::RankMpiTime> ends(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(half));
      ends.insert(ends.end(), rows.end() - static_cast<std::ptrdiff_t>(half), rows.end());
      note = fmt::format("({} ranks: the {} with the highest and the {} with the lowest MPI %)\n", rows.size(), half,
                         half);
      rows = std::move(ends);
    }
    for (auto& r : rows)
      table.add({std::to_string(r.rank), format_duration_ns(static_cast<double>(r.mpi_ns)),
                 format_duration_ns(static_cast<double>(r.total_ns)), percent(r.mpi_ns, r.total_ns),
                 format_count(r.mpi_calls)});
    out += "\nTime in MPI per rank\n" + note + table.str();
  }

  if (!s.calls.empty()) {
    TextTable table({"MPI call", "calls", "inclusive", "min", "mean", "max"}, {false, true, true, true, true, true});
    for (auto& c : s.calls)
      table.add({c.name, format_count(c.calls), format_duration_ns(static_cast<double>(c.inclusive_ns)),
                 format_duration_ns(static_cast<double>(c.min_ns)), format_duration_ns(c.mean_ns()),
                 format_duration_ns(static_cast<double>(c.max_ns))});
    out += "\nMPI calls (all ranks, sorted by inclusive time)\n" + table.str();
  }

  if (!s.collective_ops.empty()) {
    TextTable table({"collective", "calls", "sent", "received", "time"}, {false, true, true, true, true});
    for (auto& o : s.collective_ops)
      table.add({o.name, format_count(o.count), format_bytes(o.bytes_sent), format_bytes(o.bytes_received),
                 format_duration_ns(static_cast<double>(o.time_ns))});
    out += "\nCollectives (calls summed over processes)\n" + table.str();
  }

  if (!s.size_histogram.empty()) {
    TextTable table({"message size", "messages", "bytes"}, {false, true, true});
    for (auto& b : s.size_histogram) {
      std::string range = b.min_bytes == b.max_bytes ? format_bytes(b.min_bytes)
                                                     : format_bytes(b.min_bytes) + " - " + format_bytes(b.max_bytes);
      table.add({range, format_count(b.count), format_bytes(b.bytes)});
    }
    out += "\nMessage sizes\n" + table.str();
  }

  if (!s.traffic.empty()) {
    uint64_t most = 0;
    for (auto& t : s.traffic) most = std::max(most, t.bytes);
    TextTable table({"sent from", "to", "messages", "bytes", ""}, {true, true, true, true, false});
    for (auto& t : s.traffic) {
      size_t bar = most ? static_cast<size_t>(30 * t.bytes / most) : 0;
      table.add({format_duration_ns(static_cast<double>(t.begin_ns)), format_duration_ns(static_cast<double>(t.end_ns)),
                 format_count(t.messages), format_bytes(t.bytes), std::string(bar, '#')});
    }
    out += "\nTraffic over time (matched messages by send time)\n" + table.str();
  }

  if (s.messages.count > 0 && s.ranks <= kMatrixPrintLimit) {
    std::vector<std::string> headers = {"from \\ to"};
    for (int32_t d = 0; d < s.ranks; ++d) headers.push_back(std::to_string(d));
    TextTable table(headers, std::vector<bool>(headers.size(), true));
    auto matrix = s.matrix_bytes();
    for (int32_t src = 0; src < s.ranks; ++src) {
      std::vector<std::string> cells = {std::to_string(src)};
      for (uint64_t v : matrix[static_cast<size_t>(src)]) cells.push_back(v ? format_bytes(v) : "-");
      table.add(cells);
    }
    out += "\nCommunication matrix (bytes, row: sender, column: receiver)\n" + table.str();
  } else if (s.messages.count > 0) {
    TextTable table({"from", "to", "messages", "bytes"}, {true, true, true, true});
    auto top = s.top_pairs(kTopPairs);
    for (auto& p : top)
      table.add({std::to_string(p.src), std::to_string(p.dst), format_count(p.count), format_bytes(p.bytes)});
    out += fmt::format("\nCommunication: top {} of {} rank pairs by bytes ({} ranks)\n", top.size(), s.pairs.size(),
                       s.ranks) +
           table.str();
  }
  return out;
}


// The threads files of `rondo stats --csv`; returns the names written.
std::vector<std::string> write_threads_csv(const analyzer::ThreadStats& s, const std::string& dir) {
  std::string threads = "rank,thread,parallel_ns,barrier_ns,lock_ns,pthread_wait_ns,span_ns,fork_join_ns\n";
  for (auto& t : s.threads)
    threads += fmt::format("{},{},{},{},{},{},{},{}\n", t.rank, t.thread, t.parallel_ns, t.barrier_ns, t.lock_ns,
                           t.pthread_wait_ns, t.span_ns, t.fork_join_ns);
  write_text_file(dir + "/threads.csv", threads);
  std::string regions =
      "name,threads,calls,total_ns,max_ns,mean_ns,imbalance,slowest_rank,slowest_thread,busy_ns,worst_rank,"
      "mean_imbalance\n";
  for (auto& r : s.parallel_regions)
    regions += fmt::format("{},{},{},{},{},{:.1f},{:.3f},{},{},{},{},{:.3f}\n", csv_field(r.name), r.threads, r.calls,
                           r.total_ns, r.max_ns, r.mean_ns(), r.imbalance(), r.slowest_rank, r.slowest_thread,
                           r.busy_ns, r.worst_rank(), r.mean_imbalance());
  write_text_file(dir + "/parallel_regions.csv", regions);
  std::string files = "path,reads,writes,other,failed,bytes_read,bytes_written,read_ns,write_ns,other_ns\n";
  for (auto& f : s.io_files)
    files += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(f.path), f.reads, f.writes, f.other, f.failed,
                         f.bytes_read, f.bytes_written, f.read_ns, f.write_ns, f.other_ns);
  write_text_file(dir + "/io_files.csv", files);
  return {"threads.csv", "parallel_regions.csv", "io_files.csv"};
}

std::string threads_text(const analyzer::ThreadStats& s) {
  std::string out = "\nThreads\n";
  auto dur = [](int64_t ns) { return format_duration_ns(static_cast<double>(ns)); };
  if (!s.threads.empty()) {
    TextTable table({"rank:thread", "parallel", "barrier wait", "lock/critical", "cond/sem wait", "fork/join",
                     "span"},
                    {false, true, true, true, true, true, true});
    for (auto& t : s.threads)
      table.add({t.label(), dur(t.parallel_ns), dur(t.barrier_ns), dur(t.lock_ns), dur(t.pthread_wait_ns),
                 dur(t.fork_join_ns), dur(t.span_ns)});
    out += "\nTime per thread (OpenMP and pthread synchronization, inclusive)\n" + table.str();
  }
  if (!s.parallel_regions.empty()) {
    TextTable table({"parallel region", "teams", "threads", "calls", "total", "busy/thread", "max busy",
                     "imbalance", "worst team", "mean imb.", "slowest"},
                    {false, true, true, true, true, true, true, true, true, true, false});
    for (auto& r : s.parallel_regions)
      table.add({r.name, format_count(r.teams.size()), format_count(r.threads), format_count(r.calls),
                 dur(r.total_ns), format_duration_ns(r.mean_ns()), dur(r.max_ns), fmt::format("{:.2f}", r.imbalance()),
                 std::to_string(r.worst_rank()), fmt::format("{:.2f}", r.mean_imbalance()),
                 fmt::format("{}:{}", r.slowest_rank, r.slowest_thread)});
    out += "\nParallel regions (busy: time in the region less barrier waiting; imbalance: max / mean busy time of\n"
           "a team's threads, for the worst team and on average over teams)\n" +
           table.str();
  }
  if (!s.io_files.empty()) {
    TextTable table({"file", "reads", "read", "read time", "writes", "written", "write time", "other ops"},
                    {false, true, true, true, true, true, true, true});
    for (auto& f : s.io_files)
      table.add({f.path, format_count(f.reads), format_bytes(f.bytes_read), dur(f.read_ns), format_count(f.writes),
                 format_bytes(f.bytes_written), dur(f.write_ns), format_count(f.other)});
    out += "\nI/O per file\n" + table.str();
  }
  return out;
}

}  // namespace rondo::cli
