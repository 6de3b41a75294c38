// Little-endian, bounds-checked byte encoding used by every on-disk structure.
// Nothing in the trace format is written with memcpy of a C struct: each field is
// encoded explicitly here, so files are portable across compilers and hosts.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rondo/format/error.h"

namespace rondo::format {

inline uint64_t zigzag_encode(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t zigzag_decode(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Appends encoded values to a growable byte vector.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { fixed(v, 2); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  // LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte.
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void svarint(int64_t v) { varint(zigzag_encode(v)); }
  void string(std::string_view s) {
    varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void bytes(const void* data, size_t size) {
    auto p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  // The differences of consecutive values, value_at(0) - `previous` first, as
  // svarints: the delta columns of timestamps and counters. The worst case is
  // reserved once and the bytes are stored directly, which costs the
  // background writer a few instructions per value instead of a push_back per
  // byte.
  template <class ValueAt>
  void svarint_deltas(size_t count, uint64_t previous, ValueAt value_at) {
    size_t start = out_.size();
    out_.resize(start + count * kMaxVarintBytes);
    uint8_t* p = out_.data() + start;
    for (size_t i = 0; i < count; ++i) {
      uint64_t current = value_at(i);
      uint64_t v = zigzag_encode(static_cast<int64_t>(current - previous));
      previous = current;
      while (v >= 0x80) {
        *p++ = static_cast<uint8_t>(v) | 0x80;
        v >>= 7;
      }
      *p++ = static_cast<uint8_t>(v);
    }
    out_.resize(static_cast<size_t>(p - out_.data()));
  }
  static constexpr size_t kMaxVarintBytes = 10;
  size_t size() const { return out_.size(); }

 private:
  void fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

// Appends a framed record: tag (u8), body length (varint), body written by
// `fill(ByteWriter&)`. The length lets readers skip tags they do not know; both
// definition records and thread-structure sections use this framing.
template <typename Fill>
void framed(std::vector<uint8_t>& out, uint8_t tag, Fill&& fill) {
  std::vector<uint8_t> body;
  ByteWriter w(body);
  fill(w);
  ByteWriter o(out);
  o.u8(tag);
  o.varint(body.size());
  o.bytes(body.data(), body.size());
}

// Reads encoded values from a byte range; every read is bounds-checked and throws
// FormatError naming `what_` on overrun, so corrupted input never reads out of bounds.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string_view what = "record")
      : p_(data), end_(data + size), what_(what) {}

  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }

  uint8_t u8() {
    need(1);
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(fixed(2)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  int64_t svarint() { return zigzag_decode(varint()); }
  uint32_t varint32() {
    uint64_t v = varint();
    if (v > UINT32_MAX) fail("value does not fit 32 bits");
    return static_cast<uint32_t>(v);
  }
  std::string string() {
    uint64_t n = varint();
    need(n);
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  void skip(size_t n) {
    need(n);
    p_ += n;
  }
  // A count read from input, checked against the bytes left so that a corrupted
  // count cannot make the caller reserve gigabytes.
  uint64_t count(size_t min_bytes_each = 1) {
    uint64_t n = varint();
    if (min_bytes_each && n > remaining() / min_bytes_each) fail("count larger than the data");
    return n;
  }
  [[noreturn]] void fail(const char* why) const { throw FormatError(std::string(what_) + ": " + why); }

 private:
  void need(uint64_t n) const {
    if (n > remaining()) fail("truncated");
  }
  uint64_t fixed(int n) {
    need(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  std::string_view what_;
};

}  // namespace rondo::format
