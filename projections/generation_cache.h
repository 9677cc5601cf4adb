// GenerationCache: values read from the durable store (decrypted, parsed),
// kept in memory so that repeated reads skip the store, the decryption and
// the parsing. Memory only (never at rest); bounded.
//
// Correctness rests on one generation counter: a commit that changes what
// the values were read from invalidates the whole cache once it is durable
// (from its projection's TakeStaged action), and a reader may insert what it
// read only if no invalidation happened since it started reading:
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
  // The generation to pass to Insert; read it before reading the store.
  uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  // Caches `value`, read from the store after generation() returned
  // `read_at`, unless an invalidation happened since then. When full, an
  // arbitrary entry makes room.
  void Insert(const std::string& key, uint64_t read_at, V value) {
    std::lock_guard lock(mu_);
    if (read_at != generation_) return;
    if (entries_.size() >= capacity_ && !entries_.count(key)) entries_.erase(entries_.begin());
    entries_.insert_or_assign(key, std::move(value));
  }
  // What the values were read from changed: forget everything.
  void Invalidate() {
    std::lock_guard lock(mu_);
    ++generation_;
    entries_.clear();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;                    // guarded by mu_
  std::unordered_map<std::string, V> entries_;  // guarded by mu_
};

}  // namespace backpack
