// The records projection: column families rec_student, rec_feed, rec_notes
// (docs/storage-format.md). Its only in-memory state is the RecordCache it
// invalidates when a durable commit changed records.
#pragma once

#include <string>
#include <vector>

#include "projections/projection.h"
#include "projections/records/internal/record_cache.h"

namespace backpack::records {

class RecordsProjection final : public Projection {
 public:
  std::string_view name() const override { return "records"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;
  // Invalidates the cache if anything applied since the last call changed records.
  std::function<void()> TakeStaged() override;

  RecordCache& cache() { return cache_; }

 private:
  RecordCache cache_;
  bool changed_records_ = false;  // writer thread only
};

}  // namespace backpack::records
