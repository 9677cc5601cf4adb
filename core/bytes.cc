#include "core/bytes.h"

#include <sodium.h>

namespace backpack {

std::string ToHex(ByteView bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Err(InvalidArgumentError("hex string has odd length"));
  if (hex.empty()) return Bytes();  // (libsodium's output pointer must not be null)
  Bytes out(hex.size() / 2);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) !=
          0 ||
      written != out.size() || end != hex.data() + hex.size()) {
    return Err(InvalidArgumentError("not a hex string"));
  }
  return out;
}

std::string ToBase64(ByteView bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> FromBase64(std::string_view text) {
  Bytes out(text.size() * 3 / 4 + 3);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Err(InvalidArgumentError("not a base64 string"));
  }
  out.resize(written);
  return out;
}

std::array<uint8_t, 8> EncodeBigEndian64(uint64_t value) {
  std::array<uint8_t, 8> out;
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(ByteView eight_bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8 && i < eight_bytes.size(); ++i) value = (value << 8) | eight_bytes[i];
  return value;
}

}  // namespace backpack
