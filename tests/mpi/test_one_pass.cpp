// The analyzer replays a thread once for every section that needs events
// (analyzer/src/thread_pass.h): analyze_location() feeds one replay to the
// profile with its call tree, the threads' I/O, the MPI scan and the loop
// timings. Each of them must give exactly what it gives alone
// (profile_thread, thread_activity, scan_mpi_thread, loop_thread_partial), on
// real traces, with and without a time window, and `analyze` must not depend
// on the number of threads.
#include <gtest/gtest.h>

#include <string>

#include "../common/mpi_job.h"
#include "../unit/trace_fixture.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/format/reader.h"

namespace {

using namespace rondo;
using nlohmann::json;

// Every thread's fused partial against its sections computed one by one (their
// JSON forms, which hold every number of a partial); returns the threads compared.
size_t expect_one_pass_equals_separate(const format::TraceReader& trace, const analyzer::TimeWindow& window) {
  size_t threads = 0;
  for (const analyzer::Location& l : analyzer::all_locations(trace)) {
    const format::ProcessReader& p = *trace.processes()[l.process];
    analyzer::LocationPartial fused = analyzer::analyze_location(trace, l, window);
    const std::string where = "process " + std::to_string(l.process) + " thread " + std::to_string(l.thread);
    EXPECT_EQ(json(fused.profile), json(analyzer::profile_thread(p, l.process, l.thread, window, true))) << where;
    EXPECT_EQ(json(fused.activity), json(analyzer::thread_activity(p, l.process, l.thread, window))) << where;
    EXPECT_EQ(json(fused.mpi),
              json(analyzer::scan_mpi_thread(p, l.process, l.thread, window, analyzer::P2pForm::PairedWhereAlone)))
        << where;
    EXPECT_EQ(json(fused.loops), json(analyzer::loop_thread_partial(p, l.process, l.thread, window))) << where;
    EXPECT_FALSE(fused.profile.call_tree.empty()) << where;
    EXPECT_FALSE(fused.loops.loops.empty()) << where;
    ++threads;
  }
  return threads;
}

// The middle third of the trace.
analyzer::TimeWindow middle_third(const format::TraceReader& trace) {
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  int64_t third = (info.end_ns - info.start_ns) / 3;
  analyzer::TimeWindow w;
  w.begin_ns = info.start_ns + third;
  w.end_ns = info.end_ns - third;
  return w;
}

void expect_same_report_on_1_and_2_threads(const format::TraceReader& trace) {
  analyzer::AnalysisOptions one, two;
  one.threads = 1;
  two.threads = 2;
  EXPECT_EQ(analyzer::stats_json(analyzer::analyze(trace, one)).dump(),
            analyzer::stats_json(analyzer::analyze(trace, two)).dump());
}

TEST(OnePass, MpiHaloTraceEverySectionAsAlone) {
  std::string mpirun = test::find_mpirun(RONDO_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "mpirun not found";
  test::TempDir dir;
  std::string trace_dir = dir.file("halo.rondo");
  // 300 steps, an Allreduce every 10: nested loops, messages, MPI calls.
  auto r = test::record_mpi_job(RONDO_CLI, mpirun, dir.str(), trace_dir, 4,
                                test::shell_quoted(MPI_HALO2D) + " 300 16 10");
  ASSERT_EQ(r.status, 0) << r.out;
  format::TraceReader trace(trace_dir);
  EXPECT_EQ(expect_one_pass_equals_separate(trace, {}), 4u);
  expect_one_pass_equals_separate(trace, middle_third(trace));
  expect_same_report_on_1_and_2_threads(trace);
  // The matched messages are there: 4 sends per rank and step.
  analyzer::AnalysisOptions options;
  EXPECT_EQ(analyzer::analyze(trace, options).mpi.messages.count, 4u * 4u * 300u);
}

TEST(OnePass, CompilerInstrumentedLoopsEverySectionAsAlone) {
  test::TempDir dir;
  std::string trace_dir = dir.file("loops.rondo");
  std::string record = test::shell_quoted(RONDO_CLI) + " record -o " + test::shell_quoted(trace_dir) + " -- " +
                       test::shell_quoted(NESTED_LOOPS) + " 1000";
  auto r = test::run_command(record);
  ASSERT_EQ(r.status, 0) << r.out;
  format::TraceReader trace(trace_dir);
  EXPECT_EQ(expect_one_pass_equals_separate(trace, {}), 1u);
  expect_one_pass_equals_separate(trace, middle_third(trace));
  expect_same_report_on_1_and_2_threads(trace);
}

}  // namespace
