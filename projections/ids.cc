#include "projections/ids.h"

namespace backpack {
namespace {

std::string DerivedId(const AeadKey& index_key, std::string_view prefix, std::string_view kind,
                      std::string_view value) {
  std::string input = std::string(kind) + '\0' + std::string(value);
  Hash256 h = KeyedHash(index_key, AsBytes(input));
  return std::string(prefix) + "_" + ToHex(ByteView(h.data(), 10));
}

}  // namespace

std::string StudentIdFor(const AeadKey& index_key, std::string_view sourced_id) {
  return DerivedId(index_key, "stu", "student", sourced_id);
}

std::string UserIdFor(const AeadKey& index_key, std::string_view sourced_id) {
  return DerivedId(index_key, "usr", "user", sourced_id);
}

std::string NewId(std::string_view prefix) {
  return std::string(prefix) + "_" + ToHex(RandomBytes(10));
}

std::string LookupDigest(const AeadKey& index_key, std::string_view kind, std::string_view value) {
  std::string input = std::string(kind) + '\0' + std::string(value);
  return ToHex(KeyedHash(index_key, AsBytes(input)));
}

}  // namespace backpack
