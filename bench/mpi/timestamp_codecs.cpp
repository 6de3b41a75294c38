// Measures candidate encodings of a trace's timestamps: for every thread of the
// trace given, the bytes per event each codec would store, against the stored
// format (svarint deltas + zstd at the writer's level) computed in the same run.
//   timestamp_codecs TRACE_DIR [BATCH_EVENTS]
// Batches of BATCH_EVENTS (default 16384, the writer's) are encoded separately,
// as the writer does. Used to choose the timestamp codec (docs/design-timestamps.md).
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "rondo/format/encoding.h"
#include "rondo/format/reader.h"

using namespace rondo::format;

namespace {

size_t zstd_size(const std::vector<uint8_t>& raw, int level) {
  if (raw.empty()) return 0;
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  return std::min(n, raw.size());
}

void put_svarint(std::vector<uint8_t>& out, int64_t v) {
  uint64_t u = zigzag_encode(v);
  while (u >= 0x80) {
    out.push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<uint8_t>(u));
}

// Fixed-width little-endian values split into byte planes (all low bytes, then
// all second bytes, ...): zstd sees the slowly varying high bytes as long runs.
std::vector<uint8_t> byte_planes(const std::vector<uint64_t>& values, int width) {
  std::vector<uint8_t> out;
  out.reserve(values.size() * static_cast<size_t>(width));
  for (int b = 0; b < width; ++b)
    for (uint64_t v : values) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
  return out;
}

struct Thread {
  std::vector<uint64_t> ticks;
  std::vector<uint32_t> ids;
  std::vector<bool> leave;
  double ticks_per_ns = 1;
};

struct Totals {
  std::map<std::string, double> bytes;
  uint64_t events = 0;
};

// Not a codec but a bound on one: the ideal code length, in bytes, of an
// adaptive entropy coder that knows each event's id (the grammar would give
// it) and codes each delta's bit length with counts kept per event id, then
// the `mantissa` bits below its leading one with counts kept per (event id,
// bit length), and stores the bits below those as they are. Such a coder would
// need an arithmetic coder of our own and the event ids to decode timestamps
// (8.2.1's decoding without the grammar would be gone); the bound says what
// it could gain at most.
double context_model_bytes(const Thread& t, size_t s, size_t e, int mantissa) {
  constexpr double kPrior = 0.05;  // pseudo-count of a symbol not seen yet
  std::unordered_map<uint32_t, std::vector<double>> length_counts;       // id -> 65 lengths + total
  std::unordered_map<uint64_t, std::vector<double>> mantissa_counts;     // (id, length) -> values + total
  const size_t values = size_t{1} << mantissa;
  double bits = 0;
  for (size_t i = s + 1; i < e; ++i) {
    const uint64_t z = zigzag_encode(static_cast<int64_t>(t.ticks[i] - t.ticks[i - 1]));
    const int length = z ? 64 - __builtin_clzll(z) : 0;
    std::vector<double>& lc = length_counts[t.ids[i]];
    if (lc.empty()) lc.assign(66, 0);
    bits -= std::log2((lc[length] + kPrior) / (lc[65] + 65 * kPrior));
    lc[length] += 1;
    lc[65] += 1;
    const int below = length > 0 ? length - 1 : 0;
    const int m = std::min(mantissa, below);
    if (m > 0) {
      std::vector<double>& mc = mantissa_counts[(static_cast<uint64_t>(t.ids[i]) << 8) | static_cast<uint64_t>(length)];
      if (mc.empty()) mc.assign(values + 1, 0);
      const uint64_t top = (z >> (below - m)) & ((uint64_t{1} << m) - 1);
      bits -= std::log2((mc[top] + kPrior) / (mc[values] + static_cast<double>(uint64_t{1} << m) * kPrior));
      mc[top] += 1;
      mc[values] += 1;
    }
    bits += below - m;
  }
  return bits / 8;
}

void measure(const Thread& t, size_t batch, Totals& tot) {
  size_t n = t.ticks.size();
  tot.events += n;
  for (size_t s = 0; s < n; s += batch) {
    size_t e = std::min(n, s + batch);
    auto add = [&](const std::string& name, double b) { tot.bytes[name] += b + 16; };  // + first/last ticks
    std::vector<uint8_t> plain, ns, pred_pos, in_call, gaps;
    std::vector<uint64_t> zz, zz_ns;
    std::unordered_map<uint64_t, int64_t> last_by_pair;
    // ticks -> ns exactly as a reader would round them (nearest ns), deltas of those
    auto to_ns = [&](uint64_t x) { return static_cast<int64_t>(std::llround(static_cast<double>(x - t.ticks[s]) / t.ticks_per_ns)); };
    for (size_t i = s + 1; i < e; ++i) {
      int64_t d = static_cast<int64_t>(t.ticks[i] - t.ticks[i - 1]);
      put_svarint(plain, d);
      zz.push_back(zigzag_encode(d));
      int64_t dn = to_ns(t.ticks[i]) - to_ns(t.ticks[i - 1]);
      put_svarint(ns, dn);
      zz_ns.push_back(zigzag_encode(dn));
      uint64_t pair = (static_cast<uint64_t>(t.ids[i - 1]) << 32) | t.ids[i];
      auto it = last_by_pair.find(pair);
      int64_t predicted = it == last_by_pair.end() ? 0 : it->second;
      put_svarint(pred_pos, dn - predicted);
      last_by_pair[pair] = dn;
      put_svarint(t.leave[i] ? in_call : gaps, dn);
    }
    add("svarint ticks zstd3 (stored)", zstd_size(plain, 3));
    add("bound: adaptive coder, context event id", context_model_bytes(t, s, e, 4));
    add("bound: adaptive coder, 6 mantissa bits", context_model_bytes(t, s, e, 6));
    add("bound: adaptive coder, 8 mantissa bits", context_model_bytes(t, s, e, 8));
    add("svarint ticks zstd1", zstd_size(plain, 1));  // cheaper levels for the writer's CPU
    add("svarint ticks zstd2", zstd_size(plain, 2));
    add("svarint ticks zstd9", zstd_size(plain, 9));
    add("svarint ticks zstd19", zstd_size(plain, 19));
    add("byteplanes8 ticks zstd3", zstd_size(byte_planes(zz, 8), 3));
    add("byteplanes4 ticks zstd3", zstd_size(byte_planes(zz, 4), 3));
    add("svarint ns zstd3", zstd_size(ns, 3));
    add("byteplanes4 ns zstd3", zstd_size(byte_planes(zz_ns, 4), 3));
    add("byteplanes4 ns zstd9", zstd_size(byte_planes(zz_ns, 4), 9));
    add("svarint ns pred(prev id,id) zstd3", zstd_size(pred_pos, 3));
    add("svarint ns in-call|gaps zstd3", zstd_size(in_call, 3) + zstd_size(gaps, 3));
    for (int q : {10, 100, 1000}) {
      std::vector<uint64_t> zq;
      int64_t prev = 0;
      for (size_t i = s + 1; i < e; ++i) {
        int64_t cur = to_ns(t.ticks[i]) / q;
        zq.push_back(zigzag_encode(cur - prev));
        prev = cur;
      }
      zq.erase(zq.begin());  // not meaningful for the first
      add("byteplanes4 ns/" + std::to_string(q) + " zstd3 (lossy)", zstd_size(byte_planes(zq, 4), 3));
      // Ticks rounded to multiples of Q = q ns in ticks: deltas stored scaled (k) or as ticks (k * Q).
      auto unit = static_cast<uint64_t>(std::llround(q * t.ticks_per_ns));
      std::vector<uint8_t> scaled, unscaled;
      uint64_t prev_k = (t.ticks[s] + unit / 2) / unit;
      for (size_t i = s + 1; i < e; ++i) {
        uint64_t k = (t.ticks[i] + unit / 2) / unit;
        put_svarint(scaled, static_cast<int64_t>(k - prev_k));
        put_svarint(unscaled, static_cast<int64_t>((k - prev_k) * unit));
        prev_k = k;
      }
      add("svarint ticks/Q" + std::to_string(q) + "ns scaled zstd3 (lossy)", zstd_size(scaled, 3));
      add("svarint ticks/Q" + std::to_string(q) + "ns as ticks zstd3 (lossy)", zstd_size(unscaled, 3));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: timestamp_codecs TRACE_DIR [BATCH_EVENTS]\n");
    return 2;
  }
  size_t batch = argc > 2 ? std::stoul(argv[2]) : 16384;
  TraceReader trace(argv[1]);
  Totals tot;
  for (const auto& p : trace.processes()) {
    for (size_t i = 0; i < p->thread_count(); ++i) {
      const ThreadTrace& tt = p->thread(i);
      Thread t;
      t.ticks_per_ns = p->ticks_per_ns();
      EventCursor c(tt);
      Event e;
      while (c.next(e)) {
        t.ticks.push_back(e.ticks);
        t.ids.push_back(e.id);
        t.leave.push_back(e.kind() == EventKind::Leave);
      }
      measure(t, batch, tot);
    }
  }
  std::printf("%llu events, ticks per ns %.4f\n", static_cast<unsigned long long>(tot.events),
              trace.processes().empty() ? 0.0 : trace.processes()[0]->ticks_per_ns());
  double base = tot.bytes["svarint ticks zstd3 (stored)"];
  for (const auto& [name, b] : tot.bytes)
    std::printf("%-40s %10.0f bytes  %6.3f B/event  %5.2fx of stored\n", name.c_str(), b, b / static_cast<double>(tot.events), b / base);
}
