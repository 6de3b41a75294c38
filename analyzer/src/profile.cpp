#include "rondo/analyzer/profile.h"

#include <algorithm>
#include <limits>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/poll_folds.h"
#include "rondo/analyzer/trace_summary.h"
#include "call_tree_structure.h"
#include "section_passes.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

RegionPartial region_partial(const ProcessReader& p, uint32_t region, const RegionStats& s) {
  RegionPartial r;
  r.region = region;
  r.calls = s.inclusive.count;
  r.inclusive_ns = duration_ns(p, s.inclusive.sum);
  r.exclusive_ns = duration_ns(p, s.exclusive_sum);
  r.min_ns = duration_ns(p, s.inclusive.min);
  r.max_ns = duration_ns(p, s.inclusive.max);
  // Sum of squared deviations in ticks², sumsq - sum²/n: long double holds sums
  // of squares of realistic durations exactly, so one call gives exactly 0.
  if (s.inclusive.count) {
    long double n = static_cast<long double>(s.inclusive.count), sum = static_cast<long double>(s.inclusive.sum);
    long double m2 = static_cast<long double>(s.inclusive_sum_squares) - sum * sum / n;
    long double rate = p.ticks_per_ns();
    r.mean_ns = static_cast<double>(sum / n / rate);
    r.m2_ns2 = static_cast<double>(std::max(0.0L, m2) / (rate * rate));
  }
  return r;
}

struct Replay {
  std::vector<RegionStats> regions;  // by region id
  std::vector<uint64_t> cut_short;   // by region id
  struct Node {
    uint32_t parent, region;
    RegionStats stats;
    uint64_t cut_short = 0;
  };
  std::vector<Node> nodes;
  std::unordered_map<uint64_t, uint32_t> node_index;  // (parent + 1) << 32 | region -> node

  uint32_t child(uint32_t parent, uint32_t region) {
    uint64_t key = (static_cast<uint64_t>(parent) + 1) << 32 | region;
    auto [it, added] = node_index.try_emplace(key, static_cast<uint32_t>(nodes.size()));
    if (added) nodes.push_back({parent, region, {}});
    return it->second;
  }
};

// Replays one thread with a call stack, clipping each call to the window.
class ProfileReplay {
 public:
  ProfileReplay(const ThreadTrace& t, const TickWindow& w, bool with_call_tree)
      : t_(t), w_(w), with_call_tree_(with_call_tree) {}

  void on_event(const Event& e) {
    if (folds_.take(e, w_, polls_)) {
      // Folded polls: calls of their region made from the innermost open call.
      uint32_t region = e.def->key.ref;
      grow(region);
      add_folded_calls(out_.regions[region], polls_);
      if (with_call_tree_)
        add_folded_calls(out_.nodes[out_.child(stack_.empty() ? UINT32_MAX : stack_.back().node, region)].stats,
                         polls_);
      if (!stack_.empty()) stack_.back().children += polls_.ticks;
    } else if (e.kind() == EventKind::Enter) {
      uint32_t node = with_call_tree_ ? out_.child(stack_.empty() ? UINT32_MAX : stack_.back().node, e.def->key.ref)
                                      : UINT32_MAX;
      stack_.push_back({e.def->key.ref, e.ticks, 0, node});
    } else if (e.kind() == EventKind::Leave) {
      // A leave closes the calls above its region (longjmp, exceptions), as
      // the recorder's summary does (FORMAT.md, section 12).
      auto match = std::find_if(stack_.rbegin(), stack_.rend(),
                                [&](const Frame& f) { return f.region == e.def->key.ref; });
      if (match == stack_.rend()) return;
      while (!stack_.empty() && close(e.ticks, false) != e.def->key.ref) {
      }
    }
  }

  // Calls still open where the data ends end at the thread's last recorded time.
  Replay finish() {
    uint64_t last = t_.last_ticks();
    while (!stack_.empty()) close(std::max(last, stack_.back().start), true);
    return std::move(out_);
  }

 private:
  struct Frame {
    uint32_t region;
    uint64_t start;
    uint64_t children = 0;  // clipped time of direct callees
    uint32_t node = UINT32_MAX;
  };

  void grow(uint32_t region) {
    if (out_.regions.size() <= region) {
      out_.regions.resize(region + 1);
      out_.cut_short.resize(region + 1);
    }
  }

  // Ends the innermost open call at `end`; returns its region.
  uint32_t close(uint64_t end, bool cut_short) {
    Frame f = stack_.back();
    stack_.pop_back();
    int64_t inside = w_.clip(f.start, end);
    if (inside < 0) return f.region;
    uint64_t d = static_cast<uint64_t>(inside);
    grow(f.region);
    out_.regions[f.region].add_call(d, f.children);
    out_.cut_short[f.region] += cut_short;
    if (f.node != UINT32_MAX) {
      out_.nodes[f.node].stats.add_call(d, f.children);
      out_.nodes[f.node].cut_short += cut_short;
    }
    if (!stack_.empty()) stack_.back().children += d;
    return f.region;
  }

  const ThreadTrace& t_;
  TickWindow w_;
  bool with_call_tree_;
  Replay out_;
  std::vector<Frame> stack_;
  PollFoldReader folds_;
  FoldedCalls polls_;
};

template <typename Row>
void add_times(Row& row, int64_t inclusive, int64_t exclusive, int64_t mn, int64_t mx, uint64_t calls,
               uint64_t cut_short) {
  if (calls == 0) return;
  row.cut_short += cut_short;
  row.min_ns = row.calls ? std::min(row.min_ns, mn) : mn;
  row.max_ns = row.calls ? std::max(row.max_ns, mx) : mx;
  row.calls += calls;
  row.inclusive_ns = format::add_ns(row.inclusive_ns, inclusive);
  row.exclusive_ns = format::add_ns(row.exclusive_ns, exclusive);
}

}  // namespace

TickWindow tick_window(const ProcessReader& p, const TimeWindow& window, uint64_t first, uint64_t last) {
  TickWindow w;
  if (window.whole()) return w;
  // The first tick in [first, last + 1] whose time is at least `ns`.
  auto first_at = [&](int64_t ns) {
    uint64_t lo = first, hi = last + 1;
    if (p.to_ns(first) >= ns) return first;
    while (hi - lo > 1) {  // to_ns(lo) < ns, and hi is past the answer or the end
      uint64_t mid = lo + (hi - lo) / 2;
      (p.to_ns(mid) >= ns ? hi : lo) = mid;
    }
    return hi;
  };
  w.lo = window.begin_ns == TimeWindow{}.begin_ns ? 0 : first_at(window.begin_ns);
  w.hi = window.end_ns == TimeWindow{}.end_ns ? UINT64_MAX : first_at(window.end_ns);
  return w;
}

namespace {

// The profile's map over one thread: from the recorder's summary when it holds
// everything asked for, else from a replay (thread_pass.h).
class ProfilePass final : public SectionPass<ProfilePartial> {
 public:
  ProfilePass(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window, bool with_call_tree)
      : p_(p) {
    out_.process = pi;
    out_.thread = ti;
    // A summary counts completed calls only: a thread that ended with calls
    // open is replayed, so that they count too.
    from_summary_ =
        window.whole() && p.thread_summary(ti, summary_) && summary_.has_sum_squares && summary_.open_regions == 0;
    if (from_summary_ && !with_call_tree) return;
    const ThreadTrace& t = p.thread(ti);
    // The call tree, too, from the summary where the grammar allows it.
    if (from_summary_ && !t.truncated()) {
      if (auto nodes = call_tree_from_structure(t, summary_)) {
        for (StructureCallNode& n : *nodes) replayed_.nodes.push_back({n.parent, n.region, n.stats, 0});
        return;
      }
    }
    replay_.emplace(t, tick_window(p, window, t.first_ticks(), t.last_ticks()), with_call_tree);
  }

  bool needs_events() const override { return replay_.has_value(); }
  bool on_event(const Event& e, const EventCursor&) override {
    replay_->on_event(e);
    return true;
  }
  void finish() override { replayed_ = replay_->finish(); }

  ProfilePartial take() override {
    const std::vector<RegionStats>& regions = from_summary_ ? summary_.regions : replayed_.regions;
    for (uint32_t r = 0; r < regions.size(); ++r)
      if (regions[r].inclusive.count) {
        out_.regions.push_back(region_partial(p_, r, regions[r]));
        if (!from_summary_) out_.regions.back().cut_short = replayed_.cut_short[r];
      }
    for (const Replay::Node& n : replayed_.nodes) {
      RegionPartial times = region_partial(p_, n.region, n.stats);
      out_.call_tree.push_back({n.parent, n.region, times.calls, times.inclusive_ns, times.exclusive_ns,
                                n.stats.inclusive.count ? times.min_ns : 0, times.max_ns, n.cut_short});
    }
    return std::move(out_);
  }

 private:
  const ProcessReader& p_;
  ProfilePartial out_;
  ThreadSummary summary_;
  bool from_summary_ = false;
  std::optional<ProfileReplay> replay_;
  Replay replayed_;
};

}  // namespace

std::unique_ptr<SectionPass<ProfilePartial>> profile_pass(const ProcessReader& p, uint32_t pi, uint32_t ti,
                                                          const TimeWindow& window, bool with_call_tree) {
  return std::make_unique<ProfilePass>(p, pi, ti, window, with_call_tree);
}

ProfilePartial profile_thread(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window,
                              bool with_call_tree) {
  ProfilePass pass(p, pi, ti, window, with_call_tree);
  return run_alone<ProfilePartial>(pass, p, ti);
}

namespace {

// The call tree merged over threads: children keyed by name.
struct MergedNode {
  std::string name;
  CallPathRow row;
  std::map<std::string, size_t> children;  // name -> index in the node list
};

// The path text of a row from the names of its chain (root first). Deep chains
// (recursion) keep their first and last levels only, so that a tree 100,000
// levels deep does not hold paths of quadratic total size; `parent` gives the
// whole chain.
std::string path_text(const std::vector<const std::string*>& chain) {
  std::string out;
  size_t n = chain.size();
  for (size_t i = 0; i < n; ++i) {
    if (n > kCallPathFullDepth && i == kCallPathEndLevels) {
      out += " > \u2026";
      i = n - kCallPathEndLevels - 1;
      continue;
    }
    if (i) out += " > ";
    out += *chain[i];
  }
  return out;
}

// Rows depth first, children by inclusive time (largest first). Iterative: the
// depth of a call tree is the depth of the program's stack.
std::vector<CallPathRow> emit_tree(const std::vector<MergedNode>& nodes) {
  std::vector<CallPathRow> out;
  auto sorted_children = [&](size_t index) {
    std::vector<size_t> kids;
    for (auto& [_, k] : nodes[index].children) kids.push_back(k);
    std::stable_sort(kids.begin(), kids.end(), [&](size_t a, size_t b) {
      return nodes[a].row.inclusive_ns > nodes[b].row.inclusive_ns;
    });
    return kids;
  };
  struct Level {
    std::vector<size_t> kids;  // children of the node at this level, in output order
    size_t next = 0;
    int64_t row = -1;  // the node's row (-1: the root)
  };
  std::vector<Level> stack;
  std::vector<const std::string*> chain;  // names from the top level down to the current node
  stack.push_back({sorted_children(0), 0, -1});
  while (!stack.empty()) {
    Level& top = stack.back();
    if (top.next == top.kids.size()) {
      stack.pop_back();
      if (!chain.empty()) chain.pop_back();
      continue;
    }
    size_t k = top.kids[top.next++];
    CallPathRow row = nodes[k].row;
    row.name = nodes[k].name;
    row.depth = static_cast<uint32_t>(stack.size() - 1);
    row.parent = top.row;
    chain.push_back(&nodes[k].name);
    row.path = path_text(chain);
    out.push_back(std::move(row));
    stack.push_back({sorted_children(k), 0, static_cast<int64_t>(out.size() - 1)});
  }
  return out;
}

std::vector<CallPathRow> merge_call_trees(const TraceReader& trace, const std::vector<ProfilePartial>& partials) {
  std::vector<MergedNode> nodes(1);  // 0: the root (no region)
  for (const ProfilePartial& part : partials) {
    const ProcessReader& p = *trace.processes()[part.process];
    std::vector<size_t> merged(part.call_tree.size());
    for (size_t i = 0; i < part.call_tree.size(); ++i) {
      const CallNodePartial& n = part.call_tree[i];
      size_t parent = n.parent == UINT32_MAX ? 0 : merged[n.parent];
      const std::string& name = p.defs().region_name(n.region);
      auto [it, added] = nodes[parent].children.try_emplace(name, nodes.size());
      if (added) nodes.push_back({name, {}, {}});
      merged[i] = it->second;
      add_times(nodes[merged[i]].row, n.inclusive_ns, n.exclusive_ns, n.min_ns, n.max_ns, n.calls, n.cut_short);
    }
  }
  std::vector<CallPathRow> out = emit_tree(nodes);
  // Drop nodes whose calls all fell outside the window, with none below them:
  // walking backwards, a node is kept when it or a kept child has calls.
  std::vector<char> keep(out.size(), 0);
  std::vector<char> child_kept;  // by depth: a node below, at that depth + 1, was kept
  for (size_t i = out.size(); i-- > 0;) {
    uint32_t d = out[i].depth;
    if (child_kept.size() < d + 2) child_kept.resize(d + 2, 0);
    keep[i] = out[i].calls > 0 || child_kept[d + 1];
    child_kept[d + 1] = 0;  // the children seen so far belonged to this node
    if (keep[i]) child_kept[d] = 1;
  }
  // The parent of a kept row is kept: rows keep their order, parents are renumbered.
  std::vector<int64_t> renumbered(out.size(), -1);
  std::vector<CallPathRow> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!keep[i]) continue;
    renumbered[i] = static_cast<int64_t>(kept.size());
    if (out[i].parent >= 0) out[i].parent = renumbered[static_cast<size_t>(out[i].parent)];
    kept.push_back(std::move(out[i]));
  }
  return kept;
}

std::vector<RegionImbalance> region_imbalance(const TraceReader& trace, const std::vector<ProfilePartial>& partials) {
  size_t processes = trace.processes().size();
  if (processes < 2) return {};
  std::map<std::string, std::vector<int64_t>> per_rank;  // name -> inclusive ns per process
  for (const ProfilePartial& part : partials) {
    const ProcessReader& p = *trace.processes()[part.process];
    for (const RegionPartial& r : part.regions) {
      auto& v = per_rank[p.defs().region_name(r.region)];
      v.resize(processes);
      v[part.process] = format::add_ns(v[part.process], r.inclusive_ns);
    }
  }
  std::vector<RegionImbalance> out;
  for (auto& [name, times] : per_rank) {
    RegionImbalance im;
    im.name = name;
    int64_t sum = 0;
    for (size_t pi = 0; pi < processes; ++pi) {
      int32_t rank = process_label(trace, pi);
      sum = format::add_ns(sum, times[pi]);
      if (im.max_rank < 0 || times[pi] > im.max_ns || (times[pi] == im.max_ns && rank < im.max_rank)) {
        im.max_ns = times[pi];
        im.max_rank = rank;
      }
      if (im.min_rank < 0 || times[pi] < im.min_ns || (times[pi] == im.min_ns && rank < im.min_rank)) {
        im.min_ns = times[pi];
        im.min_rank = rank;
      }
    }
    im.mean_ns = static_cast<double>(sum) / static_cast<double>(processes);
    out.push_back(im);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RegionImbalance& a, const RegionImbalance& b) { return a.excess_ns() > b.excess_ns(); });
  return out;
}

}  // namespace

Profile reduce_profile(const TraceReader& trace, const std::vector<ProfilePartial>& partials, GroupBy by) {
  Profile out;
  struct Accum {
    RegionRow row;
    double mean = 0, m2 = 0;  // merged pairwise (Chan et al.), in location order
  };
  std::map<std::tuple<std::string, int32_t, int32_t>, Accum> rows;
  for (const ProfilePartial& part : partials) {
    const ProcessReader& p = *trace.processes()[part.process];
    int32_t rank = by == GroupBy::None ? -1 : process_label(trace, part.process);
    int32_t thread = by == GroupBy::Thread ? static_cast<int32_t>(p.thread_index(part.thread)) : -1;
    for (const RegionPartial& r : part.regions) {
      const std::string& name = p.defs().region_name(r.region);
      Accum& a = rows[{name, rank, thread}];
      a.row.name = name;
      a.row.rank = rank;
      a.row.thread = thread;
      if (r.calls) {
        double na = static_cast<double>(a.row.calls), nb = static_cast<double>(r.calls), n = na + nb;
        double delta = r.mean_ns - a.mean;
        a.mean += delta * nb / n;
        a.m2 += r.m2_ns2 + delta * delta * na * nb / n;
      }
      add_times(a.row, r.inclusive_ns, r.exclusive_ns, r.min_ns, r.max_ns, r.calls, r.cut_short);
    }
  }
  for (auto& [_, a] : rows) {
    a.row.stddev_ns = a.row.calls ? std::sqrt(a.m2 / static_cast<double>(a.row.calls)) : 0;
    out.regions.push_back(std::move(a.row));
  }
  std::stable_sort(out.regions.begin(), out.regions.end(), [](const RegionRow& a, const RegionRow& b) {
    return std::tie(b.exclusive_ns, a.name, a.rank, a.thread) < std::tie(a.exclusive_ns, b.name, b.rank, b.thread);
  });
  out.call_tree = merge_call_trees(trace, partials);
  out.imbalance = region_imbalance(trace, partials);
  return out;
}

std::vector<Location> all_locations(const TraceReader& trace) {
  std::vector<Location> locations;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi)
    for (uint32_t ti = 0; ti < trace.processes()[pi]->thread_count(); ++ti) locations.push_back({pi, ti});
  return locations;
}

Profile profile(const TraceReader& trace, const AnalysisOptions& options, bool with_call_tree) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<ProfilePartial> partials(locations.size());
  parallel_for(
      locations.size(), options.threads,
      [&](size_t i) {
        partials[i] = profile_thread(*trace.processes()[locations[i].process], locations[i].process,
                                     locations[i].thread, options.window, with_call_tree);
      },
      options.progress);
  return reduce_profile(trace, partials, options.by);
}

std::vector<RegionRow> flat_profile(const TraceReader& trace, GroupBy by) {
  AnalysisOptions options;
  options.by = by;
  return profile(trace, options, false).regions;
}

// ---------------------------------------------------------------------------

void to_json(nlohmann::json& j, const ProfilePartial& p) {
  nlohmann::json regions = nlohmann::json::array(), tree = nlohmann::json::array();
  for (auto& r : p.regions)
    regions.push_back(
        {r.region, r.calls, r.inclusive_ns, r.exclusive_ns, r.min_ns, r.max_ns, r.mean_ns, r.m2_ns2, r.cut_short});
  for (auto& n : p.call_tree)
    tree.push_back({n.parent, n.region, n.calls, n.inclusive_ns, n.exclusive_ns, n.min_ns, n.max_ns, n.cut_short});
  j = {{"process", p.process}, {"thread", p.thread}, {"regions", regions}, {"call_tree", tree}};
}

void from_json(const nlohmann::json& j, ProfilePartial& p) {
  p.process = j.at("process").get<uint32_t>();
  p.thread = j.at("thread").get<uint32_t>();
  p.regions.clear();
  for (auto& r : j.at("regions"))
    p.regions.push_back({r.at(0).get<uint32_t>(), r.at(1).get<uint64_t>(), r.at(2).get<int64_t>(), r.at(3).get<int64_t>(),
                         r.at(4).get<int64_t>(), r.at(5).get<int64_t>(), r.at(6).get<double>(), r.at(7).get<double>(),
                         r.at(8).get<uint64_t>()});
  p.call_tree.clear();
  for (auto& n : j.at("call_tree"))
    p.call_tree.push_back({n.at(0).get<uint32_t>(), n.at(1).get<uint32_t>(), n.at(2).get<uint64_t>(), n.at(3).get<int64_t>(),
                           n.at(4).get<int64_t>(), n.at(5).get<int64_t>(), n.at(6).get<int64_t>(), n.at(7).get<uint64_t>()});
}

}  // namespace rondo::analyzer
