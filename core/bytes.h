// Byte strings and their text encodings.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace backpack {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash256 = std::array<uint8_t, 32>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string ToHex(ByteView bytes);
Result<Bytes> FromHex(std::string_view hex);
// Standard base64 with padding (RFC 4648 §4), as the C2SP signed-note format uses.
std::string ToBase64(ByteView bytes);
Result<Bytes> FromBase64(std::string_view text);

// 8-byte big-endian encoding: keys sort in numeric order.
std::array<uint8_t, 8> EncodeBigEndian64(uint64_t value);
uint64_t DecodeBigEndian64(ByteView eight_bytes);

}  // namespace backpack
