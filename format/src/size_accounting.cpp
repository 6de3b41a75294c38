#include "rondo/format/size_accounting.h"

#include <map>

#include "rondo/format/encoding.h"
#include "rondo/format/thread_data.h"

namespace rondo::format {

const char* size_part_name(SizePart p) {
  switch (p) {
    case SizePart::Definitions: return "definitions";
    case SizePart::Grammar: return "grammar";
    case SizePart::LoopCounts: return "loop_counts";
    case SizePart::EventData: return "event_data";
    case SizePart::Timestamps: return "timestamps";
    case SizePart::Summaries: return "summaries";
    case SizePart::Framing: return "framing";
  }
  return "unknown";
}

uint64_t SizeAccount::stored() const {
  uint64_t n = 0;
  for (const PartBytes& p : parts) n += p.stored;
  return n;
}
uint64_t SizeAccount::decoded() const {
  uint64_t n = 0;
  for (const PartBytes& p : parts) n += p.decoded;
  return n;
}
void SizeAccount::add(const SizeAccount& o) {
  for (size_t i = 0; i < kSizeParts; ++i) {
    parts[i].stored += o.parts[i].stored;
    parts[i].decoded += o.parts[i].decoded;
  }
  events += o.events;
}

namespace {

SizePart section_part(uint8_t tag) {
  switch (static_cast<SectionTag>(tag)) {
    case SectionTag::EventDefs: case SectionTag::SequenceDefs: case SectionTag::LoopDefs: case SectionTag::Tokens:
    case SectionTag::Checkpoint:
      return SizePart::Grammar;
    case SectionTag::LoopCounts: return SizePart::LoopCounts;
    case SectionTag::EventData: return SizePart::EventData;
  }
  return SizePart::Framing;
}

// Splits a structure chunk's stored payload among its sections by decoded size.
void account_structure(const std::vector<uint8_t>& payload, uint64_t stored, SizeAccount& a) {
  std::array<uint64_t, kSizeParts> decoded{};
  ByteReader r(payload.data(), payload.size(), "structure chunk");
  while (!r.done()) {
    const uint8_t* start = r.position();
    uint8_t tag = r.u8();
    uint64_t length = r.varint();
    r.skip(length);
    decoded[static_cast<size_t>(section_part(tag))] += static_cast<uint64_t>(r.position() - start);
  }
  uint64_t total = payload.size(), given = 0;
  auto largest = static_cast<size_t>(SizePart::Framing);  // where an empty payload's bytes go
  for (size_t i = 0; i < kSizeParts; ++i) {
    if (!decoded[i]) continue;
    uint64_t share = total ? static_cast<uint64_t>(static_cast<unsigned __int128>(stored) * decoded[i] / total) : 0;
    a.parts[i].stored += share;
    a.parts[i].decoded += decoded[i];
    given += share;
    if (decoded[i] > decoded[largest] || !decoded[largest]) largest = i;
  }
  a.parts[largest].stored += stored - given;  // rounding remainder
}

// Decoded size of a timestamp chunk: its fixed part plus the delta bytes.
uint64_t timestamps_decoded(const std::vector<uint8_t>& payload) {
  ByteReader r(payload.data(), payload.size(), "timestamp chunk");
  r.varint();  // first_index
  if (r.varint() == 0) return payload.size();
  r.u64();
  r.u64();
  if (r.u8() & 2) r.varint();  // scaled deltas: the unit follows the codec byte (FORMAT.md 8.2.2)
  uint64_t raw = r.varint(), stored = r.varint();
  return payload.size() - stored + raw;
}

}  // namespace

TraceSizes trace_sizes(const TraceReader& trace) {
  TraceSizes out;
  for (size_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    MappedFile file(p.path());
    ScanResult scan = scan_chunks(file.data(), file.size());
    SizeAccount process;
    std::map<uint32_t, SizeAccount> threads;
    process[SizePart::Framing].stored += kFileHeaderSize;
    process[SizePart::Framing].decoded += kFileHeaderSize;
    uint64_t counted = kFileHeaderSize;
    for (const ChunkRef& c : scan.chunks) {
      SizeAccount& a = c.header.thread == kProcessScope ? process : threads[c.header.thread];
      uint64_t stored = c.header.stored_size;
      a[SizePart::Framing].stored += kChunkHeaderSize;
      a[SizePart::Framing].decoded += kChunkHeaderSize;
      counted += kChunkHeaderSize + stored;
      try {
        switch (c.header.kind) {
          case ChunkKind::ProcessDefs: case ChunkKind::ProcessEnd:
            a[SizePart::Definitions].stored += stored;
            a[SizePart::Definitions].decoded += c.header.raw_size;
            break;
          case ChunkKind::ThreadStructure:
            account_structure(c.payload(), stored, a);
            break;
          case ChunkKind::ThreadTimestamps: {
            std::vector<uint8_t> payload = c.payload();
            a[SizePart::Timestamps].stored += stored;
            a[SizePart::Timestamps].decoded += timestamps_decoded(payload);
            a.events += decode_timestamp_info(payload.data(), payload.size()).count;
            break;
          }
          case ChunkKind::ThreadSummary:
            a[SizePart::Summaries].stored += stored;
            a[SizePart::Summaries].decoded += c.header.raw_size;
            break;
          default:
            a[SizePart::Framing].stored += stored;
            a[SizePart::Framing].decoded += c.header.raw_size;
            break;
        }
      } catch (const FormatError&) {
        // A chunk whose payload does not decode: its bytes are framing, not content.
        a[SizePart::Framing].stored += stored;
      }
    }
    // Bytes between or after valid chunks (damage, a torn last chunk).
    if (file.size() > counted) process[SizePart::Framing].stored += file.size() - counted;
    out.process_level.add(process);
    out.total.add(process);
    for (auto& [index, a] : threads) {
      out.threads.push_back({p.rank(), pi, index, a});
      out.total.add(a);
    }
  }
  return out;
}

}  // namespace rondo::format
