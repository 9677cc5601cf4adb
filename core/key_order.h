// Ordering many keys at once, as RocksDB orders them (bytewise, unsigned).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace backpack {

struct KeyRank {
  uint32_t position;      // of the key, among those ordered
  bool repeats_previous;  // the key equals the one ranked just before it
};

// Positions 0 .. count-1 ordered by key_of(position), equal keys by position.
//
// An MSD radix sort on 16-byte digits: each round sorts integers held in the
// array being sorted, and only keys that share every digit so far are read
// again, one digit further on. Comparing the keys themselves instead reads
// two scattered strings per comparison, and keys that share long prefixes
// (a student id, then a kind, then a sequence number) compare slowly.
// `key_of` must return the same bytes for a position every time it is asked.
std::vector<KeyRank> OrderByKey(uint32_t count,
                                const std::function<std::string_view(uint32_t)>& key_of);

}  // namespace backpack
