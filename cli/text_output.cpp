#include "text_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace rondo::cli {

std::string format_duration_ns(double ns) {
  double a = ns < 0 ? -ns : ns;
  if (a < 1e3) return fmt::format("{:.0f} ns", ns);
  if (a < 1e6) return fmt::format("{:.2f} us", ns / 1e3);
  if (a < 1e9) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.3f} s", ns / 1e9);
}

std::string format_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (1ull << 20)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  if (bytes < (1ull << 30)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1ull << 30));
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string rank_runs_text(const std::vector<analyzer::TraceInfo::RankRun>& runs) {
  std::string out;
  for (const analyzer::TraceInfo::RankRun& run : runs) {
    if (!out.empty()) out += ", ";
    out += std::to_string(run.first);
    if (run.last > run.first) out += (run.last == run.first + 1 ? ", " : "-") + std::to_string(run.last);
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

size_t display_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // continuation bytes add nothing
  return n;
}

namespace {

const std::string kEllipsis = "\u2026";

// `name` with the inside of every outermost bracket pair open..close replaced by
// "…". For '<' and '>', the characters of "operator<", "operator<<",
// "operator->" and the like are not brackets.
std::string elide_brackets(const std::string& name, char open, char close) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    auto after_operator = [&](size_t at) { return at >= 8 && name.compare(at - 8, 8, "operator") == 0; };
    bool bracket = c == open || c == close;
    bool is_operator = bracket && (after_operator(i) ||
                                   (i > 0 && (name[i - 1] == open || name[i - 1] == close) && after_operator(i - 1)) ||
                                   (c == '>' && i > 0 && name[i - 1] == '-'));
    if (!is_operator && c == open) {
      if (depth++ == 0) out += c + kEllipsis;
      continue;
    }
    if (!is_operator && c == close && depth > 0) {
      if (--depth == 0) out += c;
      continue;
    }
    if (depth == 0) out += c;
  }
  return depth == 0 ? out : name;  // unbalanced: leave it to the middle cut
}

// The first `n` code points of `text`, or its last `n` (from_end).
std::string code_points(const std::string& text, size_t n, bool from_end) {
  size_t total = display_width(text), skip = from_end ? total - std::min(n, total) : 0, seen = 0;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool starts = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts) ++seen;
    if (seen > skip && (from_end || seen <= n)) out += text[i];
  }
  return out;
}

}  // namespace

std::string short_name(const std::string& name, size_t columns) {
  if (display_width(name) <= columns) return name;
  std::string s = elide_brackets(name, '<', '>');
  if (display_width(s) > columns) s = elide_brackets(s, '(', ')');
  if (display_width(s) <= columns) return s;
  size_t keep = columns > 1 ? columns - 1 : 0;  // one column for the ellipsis
  return code_points(s, keep - keep / 2, false) + kEllipsis + code_points(s, keep / 2, true);
}

TextTable::TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
  right_.resize(headers_.size(), false);
}

void TextTable::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

std::string TextTable::str() const {
  std::vector<size_t> width(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) width[c] = display_width(headers_[c]);
  for (auto& r : rows_)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], display_width(r[c]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) out += "  ";
      bool last = c + 1 == cells.size();
      std::string pad(width[c] - display_width(cells[c]), ' ');
      if (right_[c])
        out += pad + cells[c];
      else
        out += last ? cells[c] : cells[c] + pad;
    }
    return out + "\n";
  };
  std::string out = line(headers_);
  for (auto& r : rows_) out += line(r);
  return out;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot write");
  out << text;
  if (!out) throw std::runtime_error(path + ": write failed");
}

std::string truncated_threads_text(const analyzer::TraceInfo& info) {
  std::string out;
  for (const analyzer::TraceInfo::TruncatedThread& t : info.truncated_threads) {
    out += fmt::format("  truncated: rank {} thread {}: {} events readable", t.rank, t.thread, format_count(t.events));
    if (t.recorded_events >= 0)
      out += fmt::format(" of {} recorded (a damaged chunk; the count is from its summary, which the events no "
                         "longer confirm: no statistic uses it)",
                         format_count(static_cast<uint64_t>(t.recorded_events)));
    out += "\n";
  }
  return out;
}

}  // namespace rondo::cli
