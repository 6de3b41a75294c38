// The per-thread maps of the sections that may need a replay, as passes over one
// shared replay (thread_pass.h). Each public single-section function
// (profile_thread, thread_activity, scan_mpi_thread, loop_thread_partial) is its
// pass run alone.
#pragma once

#include <memory>

#include "rondo/analyzer/loop_stats.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/thread_stats.h"
#include "thread_pass.h"

namespace rondo::analyzer {

std::unique_ptr<SectionPass<ProfilePartial>> profile_pass(const format::ProcessReader& p, uint32_t process,
                                                          uint32_t thread, const TimeWindow& window,
                                                          bool with_call_tree);
std::unique_ptr<SectionPass<ThreadActivityPartial>> activity_pass(const format::ProcessReader& p, uint32_t process,
                                                                  uint32_t thread, const TimeWindow& window);
std::unique_ptr<SectionPass<MpiThreadPartial>> mpi_scan_pass(const format::ProcessReader& p, uint32_t process,
                                                             uint32_t thread, const TimeWindow& window,
                                                             P2pForm form);
std::unique_ptr<SectionPass<LoopThreadPartial>> loop_pass(const format::ProcessReader& p, uint32_t process,
                                                          uint32_t thread, const TimeWindow& window,
                                                          LoopDetail detail, bool read_ahead = false);

}  // namespace rondo::analyzer
