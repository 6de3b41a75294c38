// rondo-stats-mpi: `rondo stats --distributed` as an MPI job. Every process
// opens the trace (memory-mapped: cheap) and computes the per-thread partials of
// the trace's process files it owns (process file i belongs to MPI rank i mod K);
// the partials travel to rank 0 as CBOR, which reduces them in location order
// and prints exactly what `rondo stats` prints for the same options. Run by
// `rondo stats --distributed` (which execs this program) under mpirun.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>

#include "progress_bar.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/parallel.h"
#include "stats_options.h"
#include "stats_report.h"

namespace {

using namespace rondo;

constexpr int kTagSize = 1, kTagData = 2;
constexpr uint64_t kMessageBytes = uint64_t{1} << 30;  // MPI counts are ints: send in pieces

void send_bytes(const std::vector<uint8_t>& bytes, int to) {
  uint64_t size = bytes.size();
  MPI_Send(&size, 1, MPI_UINT64_T, to, kTagSize, MPI_COMM_WORLD);
  for (uint64_t off = 0; off < size; off += kMessageBytes)
    MPI_Send(bytes.data() + off, static_cast<int>(std::min(kMessageBytes, size - off)), MPI_BYTE, to, kTagData,
             MPI_COMM_WORLD);
}

std::vector<uint8_t> receive_bytes(int from) {
  uint64_t size = 0;
  MPI_Recv(&size, 1, MPI_UINT64_T, from, kTagSize, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<uint8_t> bytes(size);
  for (uint64_t off = 0; off < size; off += kMessageBytes)
    MPI_Recv(bytes.data() + off, static_cast<int>(std::min(kMessageBytes, size - off)), MPI_BYTE, from, kTagData,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return bytes;
}

// This process's share of one trace, then (on rank 0) the whole report.
// Throws on rank 0 when another rank failed (its message is passed along).
std::optional<analyzer::StatsReport> analyze_distributed(const std::string& dir, const cli::StatsOptions& o,
                                                          int rank, int size) {
  std::vector<uint8_t> mine;  // {"error": text} or {"partials": [[location index, partial], ...]}
  std::unique_ptr<format::TraceReader> trace;
  analyzer::AnalysisOptions options;
  std::vector<analyzer::Location> locations;
  try {
    trace = std::make_unique<format::TraceReader>(dir);
    std::string note;  // a window reaching past the trace's end: said once, as `rondo stats` says it
    options = cli::stats_analysis_options(o, *trace, rank == 0 ? &note : nullptr);
    if (!note.empty()) fmt::print(stderr, "rondo: note: {}\n", note);
    locations = analyzer::all_locations(*trace);
    std::vector<size_t> owned;
    for (size_t i = 0; i < locations.size(); ++i)
      if (static_cast<int>(locations[i].process % static_cast<uint32_t>(size)) == rank) owned.push_back(i);
    std::vector<analyzer::LocationPartial> partials(owned.size());
    cli::ProgressBar bar(rank == 0 ? "analyzing " + dir : "");
    analyzer::parallel_for(
        owned.size(), options.threads,
        [&](size_t k) { partials[k] = analyzer::analyze_location(*trace, locations[owned[k]], options.window); },
        [&](uint64_t done, uint64_t total) {
          if (rank == 0) bar.update(done, total);
        });
    nlohmann::json list = nlohmann::json::array();
    for (size_t k = 0; k < owned.size(); ++k) list.push_back({owned[k], partials[k]});
    mine = nlohmann::json::to_cbor(nlohmann::json{{"partials", std::move(list)}});
  } catch (const std::exception& e) {
    mine = nlohmann::json::to_cbor(nlohmann::json{{"error", e.what()}});
  }
  if (rank != 0) {
    send_bytes(mine, 0);
    return std::nullopt;
  }
  std::vector<analyzer::LocationPartial> all(locations.size());
  std::vector<char> seen(locations.size(), 0);
  std::string error;
  for (int from = 0; from < size; ++from) {
    nlohmann::json j = nlohmann::json::from_cbor(from == 0 ? mine : receive_bytes(from));
    if (j.contains("error")) {
      if (error.empty()) error = j["error"].get<std::string>();
      continue;
    }
    for (auto& entry : j["partials"]) {
      size_t index = entry[0].get<size_t>();
      if (index >= all.size() || seen[index]) throw std::runtime_error("distributed analysis: bad partial index");
      entry[1].get_to(all[index]);
      seen[index] = 1;
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  return analyzer::reduce_report(*trace, std::move(all), options.by, options.window);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  CLI::App app{"rondo stats --distributed: the statistics of a trace computed by an MPI job", "rondo-stats-mpi"};
  cli::StatsOptions o;
  cli::add_stats_options(app, o, false);
  int status = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    status = rank == 0 ? app.exit(e) : (e.get_exit_code() ? 1 : 0);
    MPI_Finalize();
    return status;
  }
  try {
    std::optional<analyzer::StatsReport> before = analyze_distributed(o.trace, o, rank, size), after;
    if (!o.compare.empty()) after = analyze_distributed(o.compare, o, rank, size);
    if (rank == 0) {
      cli::StatsOutput out{o.trace, o.compare, o.json, o.csv_dir};
      status = cli::print_stats(out, *before, after ? &*after : nullptr);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
    status = 1;
  }
  std::fflush(stdout);
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}
