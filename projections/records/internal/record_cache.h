// RecordCache: the decrypted, parsed rec_student records of recently
// profiled students. Every durable commit that changes any student's records
// invalidates it (RecordsProjection::TakeStaged). See generation_cache.h.
#pragma once

#include <memory>
#include <vector>

#include "projections/generation_cache.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {

using CachedRecords = std::shared_ptr<const std::vector<StoredRecord>>;

class RecordCache : public GenerationCache<CachedRecords> {
 public:
  static constexpr size_t kCapacity = 512;  // students
  RecordCache() : GenerationCache(kCapacity) {}
};

}  // namespace backpack::records
