// PositionIndex: a hash index from string keys to positions in a sequence
// that the caller holds (a vector of writes, an arena of ids).
//
// Open addressing with linear probing. A slot holds 8 bytes (the key's hash
// and its position); keys are read back through the caller's `key_at`
// (uint32_t position -> std::string_view), so the index allocates nothing
// per key and holds nothing that moves when the sequence grows. There is no
// removal: a key's position is replaced (Set) or the index cleared.
//
// Thread-safety: none; guard it as the sequence it indexes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace backpack {

class PositionIndex {
 public:
  // The position indexed under `key`, if any.
  template <class KeyAt>
  std::optional<uint32_t> Find(std::string_view key, const KeyAt& key_at) const {
    if (slots_.empty()) return std::nullopt;
    const Slot& slot = slots_[SlotOf(key, HashOf(key), key_at)];
    if (slot.position == 0) return std::nullopt;
    return slot.position - 1;
  }

  // Indexes `position` under key_at(position); returns the position it
  // replaces under that key, if any.
  template <class KeyAt>
  std::optional<uint32_t> Set(uint32_t position, const KeyAt& key_at) {
    if (2 * (used_ + 1) > slots_.size()) Grow();
    const std::string_view key = key_at(position);
    const uint32_t hash = HashOf(key);
    Slot& slot = slots_[SlotOf(key, hash, key_at)];
    if (slot.position == 0) {
      slot = {hash, position + 1};
      ++used_;
      return std::nullopt;
    }
    return std::exchange(slot.position, position + 1) - 1;
  }

  // How many keys are indexed.
  size_t size() const { return used_; }

  void Clear() {
    slots_.clear();
    used_ = 0;
  }

 private:
  struct Slot {
    uint32_t hash = 0;      // the key's hash, low 32 bits
    uint32_t position = 0;  // plus one; 0: an empty slot
  };

  static uint32_t HashOf(std::string_view key) {
    return static_cast<uint32_t>(std::hash<std::string_view>()(key));
  }

  // The slot holding `key`, or the empty slot where it would go. Requires at
  // least one empty slot.
  template <class KeyAt>
  size_t SlotOf(std::string_view key, uint32_t hash, const KeyAt& key_at) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.position == 0) return i;
      if (slot.hash == hash && key_at(slot.position - 1) == key) return i;
    }
  }

  void Grow() {
    std::vector<Slot> old =
        std::exchange(slots_, std::vector<Slot>(std::max<size_t>(64, 2 * slots_.size())));
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.position == 0) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].position != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;  // a power of two of them, at most half used
  size_t used_ = 0;
};

}  // namespace backpack
