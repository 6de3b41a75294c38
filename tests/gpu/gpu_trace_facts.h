// What a process's recorded CUDA activity says, read event by event (not through
// the analyzer, whose numbers the tests compare with these): kernels, copies and
// bytes per direction on the device streams, and each device activity joined by
// correlation id to the host call that issued it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../unit/trace_fixture.h"
#include "rondo/format/reader.h"
#include "rondo/format/records.h"

namespace rondo::test {

struct GpuTraceFacts {
  int streams = 0, kernels = 0, copies = 0;
  std::map<std::string, int> kernels_by_name;
  std::map<std::string, int64_t> copy_bytes;        // by direction: "HtoD", "DtoH", ...
  std::map<int64_t, uint64_t> host_call_enter;      // correlation id -> ticks of the issuing call's ENTER
  std::vector<std::pair<int64_t, uint64_t>> device_starts;  // (correlation id, start ticks) per kernel and copy
  int api_calls_outside_a_region = 0;               // GPU_API_CALL with no open host region: never
};

inline GpuTraceFacts gpu_trace_facts(const format::ProcessReader& p) {
  GpuTraceFacts f;
  for (size_t i = 0; i < p.thread_count(); ++i) {
    const format::ThreadDef* def = p.defs().thread_def(p.thread_index(i));
    f.streams += def && def->kind == format::ThreadKind::GpuStream;
    std::vector<uint64_t> entered;
    for (const format::Event& e : replay(p.thread(i))) {
      switch (e.kind()) {
        case format::EventKind::Enter: entered.push_back(e.ticks); break;
        case format::EventKind::Leave:
          if (!entered.empty()) entered.pop_back();
          break;
        case format::EventKind::GpuApiCall:
          if (entered.empty()) ++f.api_calls_outside_a_region;
          else f.host_call_enter[e.data[0]] = entered.back();
          break;
        case format::EventKind::GpuKernelLaunch:
          ++f.kernels;
          ++f.kernels_by_name[p.defs().region_name(e.def->key.ref)];
          f.device_starts.push_back({e.data[0], e.ticks});
          break;
        case format::EventKind::GpuMemcpy:
          ++f.copies;
          f.copy_bytes[std::string(format::gpu_copy_kind_name(static_cast<format::GpuCopyKind>(e.def->key.params[0])))] +=
              e.data[0];
          f.device_starts.push_back({e.data[1], e.ticks});
          break;
        default: break;
      }
    }
  }
  return f;
}

// Every kernel and copy has the host call that issued it, and starts no earlier
// than that call began: one clock for host and device (CUPTI takes the
// recorder's timestamps), so this holds on any trace.
inline void expect_device_activity_after_its_host_call(const GpuTraceFacts& f) {
  EXPECT_EQ(f.api_calls_outside_a_region, 0) << "GPU_API_CALL outside its call's region";
  for (auto [correlation, start] : f.device_starts) {
    auto call = f.host_call_enter.find(correlation);
    ASSERT_NE(call, f.host_call_enter.end()) << "device activity " << correlation << " has no host call";
    EXPECT_GE(start, call->second) << "device activity " << correlation << " starts before its call";
  }
}

}  // namespace rondo::test
