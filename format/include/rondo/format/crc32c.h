// CRC-32C (Castagnoli), the checksum of every chunk. Chosen over CRC-32 because
// x86 (SSE4.2) and ARMv8 compute it in hardware; a table-driven fallback is used elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rondo::format {

// CRC-32C of `size` bytes, continuing from `crc` (0 to start). Standard parameters:
// reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

}  // namespace rondo::format
