// Terminal output helpers: durations and sizes with units, aligned tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/trace_summary.h"

namespace rondo::cli {

std::string format_duration_ns(double ns);  // "812 ns", "3.41 us", "12.0 ms", "4.20 s"
std::string format_bytes(uint64_t bytes);   // "512 B", "3.4 KiB", "12.1 MiB"
std::string format_count(uint64_t n);       // "1,234,567"

// The width of `text` on a terminal: UTF-8 code points (names may hold "…").
size_t display_width(const std::string& text);

// The widest region name a text table shows (JSON and CSV keep whole names).
constexpr size_t kNameColumns = 60;

// `name` shortened to at most `columns` terminal columns for a text table,
// readably: C++ template arguments become <…>, then parameter lists (…), then
// the middle of what is left is elided with "…". Names that fit stay as they are.
std::string short_name(const std::string& name, size_t columns = kNameColumns);

// A table printed with columns aligned; numeric columns are right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  std::string str() const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// A CSV field: quoted when it holds a comma, a quote or a newline (C++
// signatures have commas).
std::string csv_field(const std::string& s);

// `part` as a percentage of `whole` with one decimal, "-" when whole is 0.
std::string percent(int64_t part, int64_t whole);

// Runs of ranks as text: "2, 5-9, 12" (a job of 100,000 ranks of which two left
// a file is one short line, not 99,998 numbers).
std::string rank_runs_text(const std::vector<analyzer::TraceInfo::RankRun>& runs);

// Writes `text` to `path`; throws std::runtime_error naming the path on failure.
void write_text_file(const std::string& path, const std::string& text);

// One line per truncated thread (TraceInfo::truncated_threads), the same in
// `rondo info` and `rondo stats`: how many events are readable and, for a
// summary after a gap, how many it says were recorded.
std::string truncated_threads_text(const analyzer::TraceInfo& info);

}  // namespace rondo::cli
