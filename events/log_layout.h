// Keys of the column families owned by events/ (docs/storage-format.md).
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/store.h"
#include "events/merkle.h"

namespace backpack::layout {

// log: seq as 8 bytes big-endian.
inline std::array<uint8_t, 8> LogKey(uint64_t seq) { return EncodeBigEndian64(seq); }

// merkle: level (1 byte) || index (8 bytes big-endian) -> 32-byte hash of the
// perfect subtree covering leaves [index << level, (index + 1) << level).
inline std::array<uint8_t, 9> MerkleKey(uint8_t level, uint64_t index) {
  std::array<uint8_t, 9> key;
  key[0] = level;
  auto be = EncodeBigEndian64(index);
  std::copy(be.begin(), be.end(), key.begin() + 1);
  return key;
}

// checkpoints: tree size as 8 bytes big-endian -> the signed note text.
inline std::array<uint8_t, 8> CheckpointKey(uint64_t size) { return EncodeBigEndian64(size); }

// meta keys.
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaSize = "log_size";  // 8 bytes BE, committed with each group

// Reads perfect subtree hashes from the merkle column family.
merkle::NodeSource StoredNodes(Store& store, ReadView view = ReadView::kDurable);

// The log's origin line (meta `origin`), "" if none was recorded.
Result<std::string> LogOrigin(Store& store);

// A checkpoint as stored: the tree size its key names and its note text
// (whose own size line a reader must check against `key_size`).
struct StoredCheckpoint {
  uint64_t key_size = 0;
  std::string note;
};
// The stored checkpoint with the largest key at most `max_size`, or nullopt
// if there is none. kDataLoss for a key that is not 8 bytes.
Result<std::optional<StoredCheckpoint>> LatestStoredCheckpoint(Store& store,
                                                               uint64_t max_size = UINT64_MAX,
                                                               ReadView view = ReadView::kDurable);

}  // namespace backpack::layout
