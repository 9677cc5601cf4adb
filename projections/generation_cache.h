// GenerationCache: values read from the durable store (decrypted, parsed),
// kept in memory so that repeated reads skip the store, the decryption and
// the parsing. Memory only (never at rest); bounded.
//
// Correctness rests on one generation counter: a commit that changes what
// the values were read from invalidates the keys it changed (or the whole
// cache) once it is durable (from its projection's TakeStaged action), and a
// reader may insert what it read only if its key was not invalidated since
// it started reading. FindOrRead follows that protocol:
//
//   if (auto hit = cache.Find(key)) return *hit;
//   uint64_t read_at = cache.generation();   // before reading the store
//   V value = ...read the store...;
//   cache.Insert(key, read_at, value);
//
// Thread-safety: all methods are safe to call from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace backpack {

template <typename V>
class GenerationCache {
 public:
  explicit GenerationCache(size_t capacity) : capacity_(capacity) {}

  // The cached value under `key`, or nullopt.
  std::optional<V> Find(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  // The value under `key`: the cached one, or else what `read()` returns,
  // cached unless `key` was invalidated while it was read. A failed read is
  // returned, not cached.
  template <typename Read>
  Result<V> FindOrRead(const std::string& key, const Read& read) {
    if (auto hit = Find(key)) return *hit;
    const uint64_t read_at = generation();
    Result<V> value = read();
    if (value) Insert(key, read_at, *value);
    return value;
  }
  // The generation to pass to Insert; read it before reading the store.
  uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  // Caches `value`, read from the store after generation() returned
  // `read_at`, unless `key` (or everything) was invalidated since then. When
  // full, an arbitrary entry makes room.
  void Insert(const std::string& key, uint64_t read_at, V value) {
    std::lock_guard lock(mu_);
    if (read_at < all_invalidated_at_) return;
    if (auto it = invalidated_at_.find(key); it != invalidated_at_.end() && read_at < it->second) {
      return;
    }
    if (entries_.size() >= capacity_ && !entries_.count(key)) entries_.erase(entries_.begin());
    entries_.insert_or_assign(key, std::move(value));
  }
  // What the values were read from changed: forget everything.
  void Invalidate() {
    std::lock_guard lock(mu_);
    InvalidateAllLocked();
  }
  // What the values under `keys` were read from changed: forget those.
  void Invalidate(const std::vector<std::string>& keys) {
    std::lock_guard lock(mu_);
    // Remembering when each key was invalidated takes memory; past a bound,
    // forget everything instead (which needs no memory).
    if (invalidated_at_.size() + keys.size() > kInvalidationsKept) {
      InvalidateAllLocked();
      return;
    }
    ++generation_;
    for (const auto& key : keys) {
      entries_.erase(key);
      invalidated_at_.insert_or_assign(key, generation_);
    }
  }

 private:
  static constexpr size_t kInvalidationsKept = 1 << 16;

  void InvalidateAllLocked() {
    ++generation_;
    all_invalidated_at_ = generation_;
    entries_.clear();
    invalidated_at_.clear();
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;                    // guarded by mu_
  uint64_t all_invalidated_at_ = 0;            // guarded by mu_
  // The generation at which each key was last invalidated, since
  // all_invalidated_at_. Guarded by mu_.
  std::unordered_map<std::string, uint64_t> invalidated_at_;
  std::unordered_map<std::string, V> entries_;  // guarded by mu_
};

}  // namespace backpack
