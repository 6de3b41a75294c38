#include "rondo/format/process_end.h"

#include "rondo/format/chunk.h"
#include "rondo/format/encoding.h"

namespace rondo::format {

std::vector<std::vector<uint8_t>> process_end_chunks(const std::vector<uint8_t>& definitions, uint32_t defs_sequence,
                                                     int signal_number, int level) {
  std::vector<std::vector<uint8_t>> chunks;
  if (!definitions.empty())
    chunks.push_back(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, defs_sequence, definitions, level));
  std::vector<uint8_t> end;
  ByteWriter w(end);
  w.u8(signal_number ? 1 : 0);
  w.varint(static_cast<uint64_t>(signal_number));
  chunks.push_back(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 0, end, 0));
  return chunks;
}

}  // namespace rondo::format
