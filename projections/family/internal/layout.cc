#include "projections/family/internal/layout.h"

namespace backpack::family {
namespace {

constexpr uint8_t kFlagEncrypted = 1;
constexpr uint8_t kFlagListed = 2;
constexpr size_t kIndexEntrySize = 11;

}  // namespace

bool IsStudentId(std::string_view id) { return id.starts_with("stu_"); }

Bytes IdPrefix(std::string_view id) {
  Bytes key(id.begin(), id.end());
  key.push_back(0);
  return key;
}

Bytes IdSeqKey(std::string_view id, uint64_t seq) {
  Bytes key = IdPrefix(id);
  auto be = EncodeBigEndian64(seq);
  key.insert(key.end(), be.begin(), be.end());
  return key;
}

Bytes IdSuffixKey(std::string_view id, std::string_view suffix) {
  Bytes key = IdPrefix(id);
  key.insert(key.end(), suffix.begin(), suffix.end());
  return key;
}

Result<uint64_t> SeqOfKey(ByteView key) {
  if (key.size() < 9) return Err(DataLossError("family index key is too short"));
  return DecodeBigEndian64(key.subspan(key.size() - 8));
}

std::string SuffixOfKey(ByteView key, size_t prefix_size) {
  if (key.size() <= prefix_size) return "";
  return std::string(AsChars(key.subspan(prefix_size)));
}

Bytes EncodeIndexEntry(const IndexEntry& entry) {
  Bytes value;
  value.reserve(kIndexEntrySize);
  auto type = static_cast<uint16_t>(entry.type);
  value.push_back(static_cast<uint8_t>(type >> 8));
  value.push_back(static_cast<uint8_t>(type & 0xff));
  auto at = EncodeBigEndian64(static_cast<uint64_t>(entry.at_us));
  value.insert(value.end(), at.begin(), at.end());
  value.push_back(static_cast<uint8_t>((entry.encrypted ? kFlagEncrypted : 0) |
                                       (entry.listed ? kFlagListed : 0)));
  return value;
}

Result<IndexEntry> DecodeIndexEntry(uint64_t seq, ByteView value) {
  if (value.size() != kIndexEntrySize) return Err(DataLossError("malformed family index entry"));
  IndexEntry entry;
  entry.seq = seq;
  entry.type = static_cast<EventType>((uint16_t{value[0]} << 8) | value[1]);
  entry.at_us = static_cast<int64_t>(DecodeBigEndian64(value.subspan(2, 8)));
  entry.encrypted = (value[10] & kFlagEncrypted) != 0;
  entry.listed = (value[10] & kFlagListed) != 0;
  return entry;
}

}  // namespace backpack::family
