// RecordCache: the decrypted, parsed rec_student records of recently
// profiled students, so that repeated profile reads skip the scan, the
// decryption and the parsing. Memory only (never at rest); bounded.
//
// Correctness rests on one generation counter: every commit that changes
// any student's records invalidates the whole cache once it is durable
// (RecordsProjection::TakeStaged), and a reader may insert what it read only
// if no invalidation happened since it started reading.
//
// Thread-safety: all methods are safe to call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/records/internal/record_store.h"

namespace backpack::records {

using CachedRecords = std::shared_ptr<const std::vector<StoredRecord>>;

class RecordCache {
 public:
  static constexpr size_t kCapacity = 512;  // students

  // The cached records of `student_id`, or null.
  CachedRecords Find(const std::string& student_id) const;
  // The generation to pass to Insert; read it before reading the store.
  uint64_t generation() const;
  // Caches `records`, read from the store after generation() returned
  // `read_at`, unless records changed since then.
  void Insert(const std::string& student_id, uint64_t read_at, CachedRecords records);
  // Records changed: forget everything.
  void Invalidate();

 private:
  mutable std::mutex mu_;
  uint64_t generation_ = 0;                                // guarded by mu_
  std::unordered_map<std::string, CachedRecords> entries_;  // guarded by mu_
};

}  // namespace backpack::records
