#include "rondo/analyzer/analysis.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "rondo/analyzer/parallel.h"
#include "mpi_scan_arrays.h"
#include "section_passes.h"

namespace rondo::analyzer {

using namespace rondo::format;

LocationPartial analyze_location(const TraceReader& trace, Location location, const TimeWindow& window,
                                 Sections sections) {
  return analyze_location(trace, location, 0, window, sections, nullptr, false);
}

LocationPartial analyze_location(const TraceReader& trace, Location location, size_t index, const TimeWindow& window,
                                 Sections sections, MpiScanArrays* arrays, bool read_ahead) {
  const ProcessReader& p = *trace.processes()[location.process];
  const uint32_t pi = location.process, ti = location.thread;
  SectionNeeds needs = section_needs(sections);
  // Each section's pass takes what it can from summaries and the grammar; those
  // that need events share one replay of the thread (thread_pass.h).
  std::unique_ptr<SectionPass<ProfilePartial>> profile;
  std::unique_ptr<SectionPass<ThreadActivityPartial>> activity;
  std::unique_ptr<SectionPass<MpiThreadPartial>> mpi;
  std::unique_ptr<SectionPass<LoopThreadPartial>> loops;
  if (needs.regions) profile = profile_pass(p, pi, ti, window, needs.call_tree);
  if (needs.activity) activity = activity_pass(p, pi, ti, window);
  if (needs.mpi_scan) mpi = mpi_scan_pass(p, pi, ti, window, P2pForm::PairedWhereAlone, arrays, index);
  if (needs.loops) loops = loop_pass(p, pi, ti, window, LoopDetail::Timed, read_ahead);
  ThreadVisitor* const visitors[] = {listening(profile), listening(activity), listening(mpi), listening(loops)};
  if (std::any_of(std::begin(visitors), std::end(visitors), [](ThreadVisitor* v) { return v != nullptr; }))
    replay_once(p.thread(ti), visitors);
  LocationPartial out;
  out.profile.process = pi;
  out.profile.thread = ti;
  if (profile) out.profile = profile->take();
  if (activity) out.activity = activity->take();
  if (mpi) out.mpi = mpi->take();
  if (loops) out.loops = loops->take();
  return out;
}

StatsReport reduce_report(const TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window, Sections sections) {
  return reduce_report(trace, std::move(partials), by, window, sections, nullptr, 0);
}

StatsReport reduce_report(const TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window, Sections sections, MpiScanArrays* arrays, unsigned threads) {
  SectionNeeds needs = section_needs(sections);
  StatsReport r;
  r.sections = sections;
  r.info = trace_info(trace);
  r.by = by;
  r.window = window;
  r.duration_ns = std::max<int64_t>(0, window.clip(r.info.start_ns, r.info.end_ns));
  std::vector<ProfilePartial> profiles;
  std::vector<ThreadActivityPartial> activity;
  std::vector<MpiThreadPartial> mpi;
  std::vector<LoopThreadPartial> loops;
  for (LocationPartial& p : partials) {
    profiles.push_back(std::move(p.profile));
    activity.push_back(std::move(p.activity));
    mpi.push_back(std::move(p.mpi));
    loops.push_back(std::move(p.loops));
  }
  if (needs.regions) r.profile = reduce_profile(trace, profiles, by);
  if (sections & kSectionThreads) r.threads = reduce_thread_stats(trace, profiles, activity);
  if (needs.mpi_scan) {
    MpiScan scan = reduce_mpi_scan(trace, std::move(mpi), arrays);
    // Only the statistics below read the matching: record indices do.
    MessageMatching matching = match_messages(scan, threads, MatchForm::Pairs);
    // The wait states need only the run time of mpi_stats(). Both passes read
    // the scan and the matching alone, so with a core to spare they run side by
    // side, and without the mpi section only the wait states run.
    const int64_t run_ns = mpi_run_ns(mpi_time_per_rank(trace, scan, profiles, activity));
    parallel_for(2, threads, [&](size_t i) {
      if (i == 0 && (sections & kSectionWaitStates)) r.wait_states = wait_states(scan, matching, window, run_ns);
      if (i == 1 && (sections & kSectionMpi)) r.mpi = mpi_stats(trace, scan, matching, profiles, activity, window);
    });
  }
  if (needs.loops) r.loops = reduce_loops(trace, loops, by);
  if ((sections & kSectionProfile) && window.whole()) r.counters = counter_profile(trace);
  if (sections & kSectionMpi) r.call_sites = mpi_call_sites(trace, window);
  if (sections & kSectionGpu) r.gpu = gpu_stats(trace, window, r.duration_ns, r.profile);
  // Inputs computed for another section are not part of the report.
  if (!(sections & kSectionProfile)) r.profile.regions.clear();
  if (!(sections & kSectionImbalance)) r.profile.imbalance.clear();
  if (!(sections & kSectionMpi)) r.mpi = {};
  return r;
}

StatsReport analyze(const TraceReader& trace, const AnalysisOptions& options) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<LocationPartial> partials(locations.size());
  std::optional<MpiScanArrays> arrays;
  if (section_needs(options.sections).mpi_scan) arrays = mpi_scan_arrays(trace, locations, options.threads);
  MpiScanArrays* in = arrays ? &*arrays : nullptr;
  const bool read_ahead = spare_cores(locations.size(), options.threads);
  parallel_for(
      locations.size(), options.threads,
      [&](size_t i) {
        partials[i] = analyze_location(trace, locations[i], i, options.window, options.sections, in, read_ahead);
      },
      options.progress);
  return reduce_report(trace, std::move(partials), options.by, options.window, options.sections, in,
                       options.threads);
}

void to_json(nlohmann::json& j, const LocationPartial& p) {
  j = {{"profile", p.profile}, {"activity", p.activity}, {"mpi", p.mpi}, {"loops", p.loops}};
}

void from_json(const nlohmann::json& j, LocationPartial& p) {
  j.at("profile").get_to(p.profile);
  j.at("activity").get_to(p.activity);
  j.at("mpi").get_to(p.mpi);
  j.at("loops").get_to(p.loops);
}

std::vector<uint8_t> encode_partials(const EncodedPartials& p) {
  if (!p.error.empty()) return nlohmann::json::to_cbor(nlohmann::json{{"error", p.error}});
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [index, partial] : p.partials) list.push_back({index, partial});
  return nlohmann::json::to_cbor(nlohmann::json{{"partials", std::move(list)}});
}

namespace {

// Partials come from other processes, so from bytes that may be damaged. A
// float where an integer belongs would make nlohmann's conversion to it
// undefined (NaN, or out of the integer's range), so the only floats allowed
// are the two the encoder writes, a profile row's mean and M2 (RegionPartial,
// columns 6 and 7), and those must be finite.
[[noreturn]] void bad_number(const char* where) {
  throw nlohmann::json::type_error::create(302, std::string("partials: a number that is not an integer in ") + where,
                                           nullptr);
}
void integers_only(const nlohmann::json& j, const char* where) {
  if (j.is_number_float()) bad_number(where);
  if (j.is_structured())
    for (const auto& v : j) integers_only(v, where);
}
void check_numbers(const nlohmann::json& partial) {
  if (!partial.is_object()) return integers_only(partial, "a partial");
  for (const auto& [key, value] : partial.items()) {
    if (key != "profile" || !value.is_object()) {
      integers_only(value, "a partial");
      continue;
    }
    for (const auto& [pkey, pvalue] : value.items()) {
      if (pkey != "regions" || !pvalue.is_array()) {
        integers_only(pvalue, "a profile partial");
        continue;
      }
      for (const auto& row : pvalue) {
        if (!row.is_array()) {
          integers_only(row, "a profile row");
          continue;
        }
        for (size_t i = 0; i < row.size(); ++i) {
          if (i == 6 || i == 7) {
            if (!row[i].is_number() || !std::isfinite(row[i].get<double>())) bad_number("a profile row's mean or M2");
          } else {
            integers_only(row[i], "a profile row");
          }
        }
      }
    }
  }
}

// nlohmann's CBOR reader builds nested arrays and maps by recursion, so bytes
// nesting them a few thousand deep overflow the stack before any check of
// ours could run. Partials nest under ten levels; this reads the bytes once as
// events, without building anything, and stops at the first level past
// kMaxNesting, before the real parse recurses that deep.
class NestingLimit final : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr size_t kMaxNesting = 32;
  bool too_deep = false;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool enter() {
    too_deep = ++depth_ > kMaxNesting;
    return !too_deep;
  }
  bool leave() {
    --depth_;
    return true;
  }
  size_t depth_ = 0;
};

}  // namespace

EncodedPartials decode_partials(const std::vector<uint8_t>& bytes) {
  NestingLimit limit;
  nlohmann::json::sax_parse(bytes, &limit, nlohmann::json::input_format_t::cbor);
  if (limit.too_deep)
    throw nlohmann::json::type_error::create(
        302, "partials: arrays and maps nested deeper than " + std::to_string(NestingLimit::kMaxNesting) + " levels",
        nullptr);
  nlohmann::json j = nlohmann::json::from_cbor(bytes);
  EncodedPartials out;
  if (j.contains("error")) {
    out.error = j.at("error").get<std::string>();
    if (out.error.empty()) out.error = "a process of the distributed analysis failed";
    return out;
  }
  for (auto& entry : j.at("partials")) {
    integers_only(entry.at(0), "a partial's index");
    check_numbers(entry.at(1));
    out.partials.emplace_back(entry.at(0).get<size_t>(), entry.at(1).get<LocationPartial>());
  }
  return out;
}

}  // namespace rondo::analyzer
