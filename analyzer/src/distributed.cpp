#include "rondo/analyzer/distributed.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <vector>

#include "rondo/analyzer/parallel.h"

namespace rondo::analyzer {

namespace {

constexpr int kTagSize = 1, kTagData = 2;
constexpr uint64_t kMessageBytes = uint64_t{1} << 30;  // MPI counts are ints: send in pieces

void send_bytes(const std::vector<uint8_t>& bytes, int to, MPI_Comm comm) {
  uint64_t size = bytes.size();
  MPI_Send(&size, 1, MPI_UINT64_T, to, kTagSize, comm);
  for (uint64_t off = 0; off < size; off += kMessageBytes)
    MPI_Send(bytes.data() + off, static_cast<int>(std::min(kMessageBytes, size - off)), MPI_BYTE, to, kTagData, comm);
}

std::vector<uint8_t> receive_bytes(int from, MPI_Comm comm) {
  uint64_t size = 0;
  MPI_Recv(&size, 1, MPI_UINT64_T, from, kTagSize, comm, MPI_STATUS_IGNORE);
  std::vector<uint8_t> bytes(size);
  for (uint64_t off = 0; off < size; off += kMessageBytes)
    MPI_Recv(bytes.data() + off, static_cast<int>(std::min(kMessageBytes, size - off)), MPI_BYTE, from, kTagData,
             comm, MPI_STATUS_IGNORE);
  return bytes;
}

}  // namespace

std::optional<StatsReport> analyze_distributed(const std::string& dir, const DistributedOptionsFn& options_for,
                                               MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  EncodedPartials mine;
  std::unique_ptr<format::TraceReader> trace;
  AnalysisOptions options;
  std::vector<Location> locations;
  try {
    trace = std::make_unique<format::TraceReader>(dir);
    options = options_for(*trace, rank);
    locations = all_locations(*trace);
    std::vector<size_t> owned;
    for (size_t i = 0; i < locations.size(); ++i)
      if (static_cast<int>(locations[i].process % static_cast<uint32_t>(size)) == rank) owned.push_back(i);
    mine.partials.resize(owned.size());
    parallel_for(
        owned.size(), options.threads,
        [&](size_t k) {
          mine.partials[k] = {owned[k], analyze_location(*trace, locations[owned[k]], options.window, options.sections)};
        },
        options.progress);
  } catch (const std::exception& e) {
    mine = {{}, e.what()};
  }
  if (rank != 0) {
    send_bytes(encode_partials(mine), 0, comm);
    return std::nullopt;
  }
  std::vector<LocationPartial> all(locations.size());
  std::vector<char> seen(locations.size(), 0);
  std::string error = mine.error;
  auto take = [&](EncodedPartials&& from) {
    if (!from.error.empty()) {
      if (error.empty()) error = from.error;
      return;
    }
    for (auto& [index, partial] : from.partials) {
      if (index >= all.size() || seen[index]) {
        if (error.empty()) error = "distributed analysis: a process sent a partial for a bad location index";
        return;
      }
      all[index] = std::move(partial);
      seen[index] = 1;
    }
  };
  take(std::move(mine));
  for (int from = 1; from < size; ++from) {
    std::vector<uint8_t> bytes = receive_bytes(from, comm);  // received from every rank, even after an error
    try {
      take(decode_partials(bytes));
    } catch (const std::exception& e) {
      if (error.empty())
        error = "distributed analysis: cannot decode the partials of rank " + std::to_string(from) + ": " + e.what();
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  return reduce_report(*trace, std::move(all), options.by, options.window, options.sections);
}

}  // namespace rondo::analyzer
