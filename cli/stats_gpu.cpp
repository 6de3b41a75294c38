#include "stats_gpu.h"

#include <fmt/format.h>

#include "text_output.h"

namespace rondo::cli {

namespace {

std::string duration(int64_t ns) { return format_duration_ns(static_cast<double>(ns)); }

std::string bandwidth(double bytes_per_s) {
  if (bytes_per_s <= 0) return "-";
  return format_bytes(static_cast<uint64_t>(bytes_per_s)) + "/s";
}

std::string where(int32_t rank, uint32_t process) {
  return rank >= 0 ? fmt::format("rank {}", rank) : fmt::format("process {}", process);
}

}  // namespace

std::string gpu_text(const analyzer::GpuStats& s) {
  if (!s.any()) return "";
  std::string out = "\nGPU kernels (by total time)\n";
  TextTable kernels({"kernel", "calls", "total", "mean", "min", "max"}, {false, true, true, true, true, true});
  for (const auto& k : s.kernels)
    kernels.add({short_name(k.name), format_count(k.calls), duration(k.total_ns),
                 format_duration_ns(k.mean_ns()), duration(k.min_ns), duration(k.max_ns)});
  out += kernels.str();
  if (!s.copies.empty()) {
    out += "\nGPU copies and memsets\n";
    TextTable copies({"kind", "count", "bytes", "total", "bandwidth"}, {false, true, true, true, true});
    for (const auto& c : s.copies)
      copies.add({c.kind, format_count(c.count), format_bytes(static_cast<uint64_t>(c.bytes)), duration(c.total_ns),
                  bandwidth(c.bandwidth_bytes_per_s())});
    out += copies.str();
  }
  out += "\nGPU streams\n";
  TextTable streams({"stream", "of", "kernels", "copies", "memsets", "busy", "busy %"},
                    {false, false, true, true, true, true, true});
  for (const auto& st : s.streams)
    streams.add({st.name, where(st.rank, st.process), format_count(st.kernels), format_count(st.copies),
                 format_count(st.memsets), duration(st.busy_ns), percent(st.busy_ns, s.duration_ns)});
  out += streams.str();
  out += "\nGPU devices\n";
  TextTable devices({"device", "of", "busy", "busy %", "kernels", "copies", "copy/compute overlap"},
                    {false, false, true, true, true, true, true});
  for (const auto& d : s.devices)
    devices.add({d.device >= 0 ? fmt::format("GPU {}", d.device) : "GPU ?", where(d.rank, d.process), duration(d.busy_ns),
                 percent(d.busy_ns, s.duration_ns), duration(d.kernel_ns), duration(d.copy_ns), duration(d.overlap_ns)});
  out += devices.str();
  out += fmt::format("\nHost blocked in CUDA synchronisation: {} in {} call{}\n", duration(s.sync_ns),
                     format_count(s.sync_calls), s.sync_calls == 1 ? "" : "s");
  if (!s.sync_activity.empty()) {
    out += "\nGPU synchronisations (as CUPTI timed them)\n";
    TextTable sync({"kind", "count", "blocked"}, {false, true, true});
    for (const auto& y : s.sync_activity) sync.add({y.kind, format_count(y.count), duration(y.blocked_ns)});
    out += sync.str();
  }
  return out;
}

std::vector<std::string> write_gpu_csv(const analyzer::GpuStats& s, const std::string& dir) {
  if (!s.any()) return {};
  std::string kernels = "name,calls,total_ns,mean_ns,min_ns,max_ns\n";
  for (const auto& k : s.kernels)
    kernels += fmt::format("{},{},{},{:.1f},{},{}\n", csv_field(k.name), k.calls, k.total_ns, k.mean_ns(), k.min_ns,
                           k.max_ns);
  std::string copies = "kind,count,bytes,total_ns,bandwidth_bytes_per_s\n";
  for (const auto& c : s.copies)
    copies += fmt::format("{},{},{},{},{:.0f}\n", c.kind, c.count, c.bytes, c.total_ns, c.bandwidth_bytes_per_s());
  std::string streams = "rank,process,thread,name,device,stream,kernels,copies,memsets,busy_ns\n";
  for (const auto& st : s.streams)
    streams += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", st.rank, st.process, st.thread, csv_field(st.name),
                           st.device, st.stream, st.kernels, st.copies, st.memsets, st.busy_ns);
  std::string devices = "rank,process,device,busy_ns,kernel_ns,copy_ns,copy_compute_overlap_ns\n";
  for (const auto& d : s.devices)
    devices += fmt::format("{},{},{},{},{},{},{}\n", d.rank, d.process, d.device, d.busy_ns, d.kernel_ns, d.copy_ns,
                           d.overlap_ns);
  write_text_file(dir + "/gpu_kernels.csv", kernels);
  write_text_file(dir + "/gpu_copies.csv", copies);
  write_text_file(dir + "/gpu_streams.csv", streams);
  std::string sync = "kind,count,blocked_ns\n";
  for (const auto& y : s.sync_activity) sync += fmt::format("{},{},{}\n", y.kind, y.count, y.blocked_ns);
  write_text_file(dir + "/gpu_devices.csv", devices);
  write_text_file(dir + "/gpu_sync.csv", sync);
  return {"gpu_kernels.csv", "gpu_copies.csv", "gpu_streams.csv", "gpu_devices.csv", "gpu_sync.csv"};
}

}  // namespace rondo::cli
