// The end of a process file (FORMAT.md 9), written in one place for every writer
// (the runtime at exit, exec or a fatal signal; the OTF2 importer): the
// definitions not yet written, then the PROCESS_END record.
#pragma once

#include <cstdint>
#include <vector>

namespace rondo::format {

// The chunks that end a process file, in the order they must be appended: a
// PROCESS_DEFS chunk holding `definitions` with sequence `defs_sequence` (none
// when `definitions` is empty), compressed at `level` (encode_chunk), then
// PROCESS_END (sequence 0, stored raw) saying whether the process ended by a
// fatal signal (`signal_number` != 0) or normally (0).
std::vector<std::vector<uint8_t>> process_end_chunks(const std::vector<uint8_t>& definitions, uint32_t defs_sequence,
                                                     int signal_number, int level);

}  // namespace rondo::format
