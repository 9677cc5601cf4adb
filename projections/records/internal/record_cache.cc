#include "projections/records/internal/record_cache.h"

namespace backpack::records {

CachedRecords RecordCache::Find(const std::string& student_id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(student_id);
  return it == entries_.end() ? nullptr : it->second;
}

uint64_t RecordCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void RecordCache::Insert(const std::string& student_id, uint64_t read_at, CachedRecords records) {
  std::lock_guard lock(mu_);
  if (read_at != generation_) return;  // a commit changed records meanwhile
  if (entries_.size() >= kCapacity && !entries_.count(student_id)) entries_.erase(entries_.begin());
  entries_[student_id] = std::move(records);
}

void RecordCache::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  entries_.clear();
}

}  // namespace backpack::records
