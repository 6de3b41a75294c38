#include "trace_session.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#ifdef RONDO_VIEWER_OTF2
#include "rondo/converters/otf2.h"
#endif

namespace rondo::viewer {

namespace fs = std::filesystem;

TraceSession::TraceSession(const std::string& path) : path_(path) {
  std::string dir = path;
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::path(path).extension() == ".otf2") {
#ifdef RONDO_VIEWER_OTF2
    char tmpl[] = "/tmp/rondo-view-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(path + ": cannot create a temporary directory to import it into");
    imported_dir_ = tmpl;
    dir = imported_dir_ + "/trace";
    try {
      converters::import_otf2(path, dir);
    } catch (const std::exception& e) {
      fs::remove_all(imported_dir_, ec);
      throw std::runtime_error(std::string(e.what()));
    }
#else
    throw std::runtime_error(path + ": this viewer was built without OTF2; import it with `rondo import " + path +
                             " -o DIR` and open DIR");
#endif
  }
  try {
    trace_ = std::make_unique<format::TraceReader>(dir);
  } catch (const std::exception& e) {
    if (!imported_dir_.empty()) fs::remove_all(imported_dir_, ec);
    throw std::runtime_error(e.what());
  }
  info_ = analyzer::trace_info(*trace_);
  const auto& procs = trace_->processes();
  std::vector<size_t> order(procs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return analyzer::process_label(*trace_, a) < analyzer::process_label(*trace_, b);
  });
  for (size_t pi : order) {
    int32_t rank = analyzer::process_label(*trace_, pi);
    for (size_t t = 0; t < procs[pi]->thread_count(); ++t) {
      // CPU threads by index; GPU streams and the synchronisation location by
      // the name the recorder gave them.
      uint32_t index = procs[pi]->thread_index(t);
      const format::ThreadDef* def = procs[pi]->defs().thread_def(index);
      std::string name = def && def->kind != format::ThreadKind::Cpu && def->name
                             ? procs[pi]->defs().string(def->name)
                             : "thread " + std::to_string(index);
      rows_.push_back(Row{pi, t, rank,
                          (procs[pi]->rank() >= 0 ? "rank " : "process ") + std::to_string(rank) + " / " + name,
                          name});
    }
  }
  colors_.resize(procs.size());
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    const auto& defs = procs[pi]->defs();
    for (size_t r = 0; r < defs.regions.size(); ++r)
      colors_[pi].push_back(region_color(region_group(defs.regions[r].role), defs.region_name(static_cast<uint32_t>(r))));
  }
  for (size_t row = 0; row < rows_.size(); ++row)
    if (thread(rows_[row]).event_count() >= kSummaryMinEvents) summary_order_.push_back(row);
  std::stable_sort(summary_order_.begin(), summary_order_.end(), [&](size_t a, size_t b) {
    return thread(rows_[a]).event_count() > thread(rows_[b]).event_count();
  });
  summaries_.resize(rows_.size());
  published_ = std::make_unique<std::atomic<const RowSummary*>[]>(rows_.size());
  for (size_t row = 0; row < rows_.size(); ++row) published_[row].store(nullptr, std::memory_order_relaxed);
}

TraceSession::~TraceSession() {
  stop_summaries_.store(true, std::memory_order_relaxed);
  if (summary_worker_.joinable()) summary_worker_.join();
  std::error_code ec;
  if (!imported_dir_.empty()) fs::remove_all(imported_dir_, ec);
}

void TraceSession::start_summaries() const {
  if (summary_order_.empty()) return;
  std::call_once(summaries_started_, [this] { summary_worker_ = std::thread([this] { build_summaries(); }); });
}

void TraceSession::build_summaries() const {
  const size_t share = kSummaryBudget / summary_order_.size();
  // Each row gets as many buckets as its share affords (the levels together
  // cost twice the finest) at the call depth of the row before it (three for
  // the first), and no more than one per kEventsPerBucket of its events (finer
  // buckets would hold too few events to spare the sampling anything); a
  // deeper row drops its finest level below.
  constexpr uint64_t kEventsPerBucket = 16;
  int depths = 3;
  for (size_t row : summary_order_) {
    const Row& r = rows_[row];
    const uint64_t events = thread(r).event_count();
    const size_t bucket_bytes = 2 * RowSummary::bucket_bytes(depths);
    uint32_t buckets = RowSummary::kMinBuckets;
    while (buckets < (1u << 20) && size_t{buckets} * 2 * bucket_bytes <= share && buckets * kEventsPerBucket < events)
      buckets *= 2;
    std::unique_ptr<RowSummary> summary;
    try {
      summary = RowSummary::build(process(r), r.thread, info_.start_ns, info_.end_ns, buckets, &stop_summaries_,
                                  std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    } catch (const std::exception&) {
      // A row that cannot be read to its end keeps being sampled (its frames
      // say what they can; the warning bar says the trace is damaged).
      summaries_ready_.fetch_add(1, std::memory_order_acq_rel);
      continue;
    }
    if (!summary) return;  // stopped
    while (summary->bytes() > share && summary->finest_buckets() / 2 >= RowSummary::kMinBuckets)
      summary->drop_finest_level();
    depths = std::max(summary->depths(), 1);
    summaries_[row] = std::move(summary);
    published_[row].store(summaries_[row].get(), std::memory_order_release);
    summaries_ready_.fetch_add(1, std::memory_order_acq_rel);
  }
}

const RowSummary* TraceSession::summary(size_t row) const {
  return row < rows_.size() ? published_[row].load(std::memory_order_acquire) : nullptr;
}

void TraceSession::wait_for_summaries() const {
  start_summaries();
  if (summary_worker_.joinable()) summary_worker_.join();
}

size_t TraceSession::summaries_bytes() const {
  size_t total = 0;
  for (size_t row = 0; row < rows_.size(); ++row)
    if (const RowSummary* s = summary(row)) total += s->bytes();
  return total;
}

std::string TraceSession::warning() const {
  if (!info_.truncated && info_.problems.empty()) return "";
  std::string text = "This trace is truncated (a killed job or a lost block): rows end at their last complete block.";
  if (!info_.problems.empty()) text += " " + info_.problems.front();
  if (info_.problems.size() > 1) text += " (+" + std::to_string(info_.problems.size() - 1) + " more)";
  return text;
}

const std::string& TraceSession::region_name(size_t process, uint32_t region) const {
  return trace_->processes()[process]->defs().region_name(region);
}

RegionGroup TraceSession::group(size_t process, uint32_t region) const {
  const auto& regions = trace_->processes()[process]->defs().regions;
  return region < regions.size() ? region_group(regions[region].role) : RegionGroup::Other;
}

Rgb TraceSession::color(size_t process, uint32_t region) const {
  const auto& c = colors_[process];
  return region < c.size() ? c[region] : Rgb{150, 150, 150};
}

uint64_t ticks_at(const format::ProcessReader& p, int64_t ns) {
  double rate = p.ticks_per_ns();
  int64_t at0 = p.to_ns(0);
  double guess = (static_cast<double>(ns) - static_cast<double>(at0)) * rate;
  uint64_t t = guess <= 0 ? 0 : static_cast<uint64_t>(guess);
  for (int i = 0; i < 2; ++i) {
    double err = static_cast<double>(ns - p.to_ns(t)) * rate;
    double next = static_cast<double>(t) + err;
    t = next <= 0 ? 0 : static_cast<uint64_t>(next);
  }
  while (t > 0 && p.to_ns(t - 1) >= ns) --t;  // never overshoot: at most a few ticks
  while (p.to_ns(t) < ns) ++t;
  return t;
}

std::string format_duration(double ns) {
  char buf[64];
  double a = std::fabs(ns);
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.4g s", ns / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.4g ms", ns / 1e6);
  else if (a >= 1e3)
    std::snprintf(buf, sizeof buf, "%.4g us", ns / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.4g ns", ns);
  return buf;
}

std::string format_tick(double ns, double step_ns) {
  double a = std::fabs(ns);
  double unit = a >= 1e9 ? 1e9 : a >= 1e6 ? 1e6 : a >= 1e3 ? 1e3 : 1;
  const char* name = unit == 1e9 ? "s" : unit == 1e6 ? "ms" : unit == 1e3 ? "us" : "ns";
  int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step_ns / unit) - 1e-9)), 0, 9);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, ns / unit, name);
  return buf;
}

}  // namespace rondo::viewer
