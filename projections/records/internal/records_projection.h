// The records projection: column families rec_student, rec_feed, rec_notes
// (docs/storage-format.md). Its in-memory state is the RecordCache, from
// which it drops the students whose records a commit changed once the commit
// is durable, and the SummaryMemo of the attendance summaries it last read
// or wrote.
#pragma once

#include <string>
#include <vector>

#include "projections/projection.h"
#include "projections/records/internal/record_cache.h"

namespace backpack::records {

// What RecordsProjection::Apply does to the store, without its in-memory
// bookkeeping; safe to call from several threads, each with its own
// `summaries` (or null).
Status ApplyRecordEvent(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries);

class RecordsProjection final : public Projection {
 public:
  std::string_view name() const override { return "records"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;
  // Drops from the cache the students whose records the events applied
  // since the last call changed.
  std::function<void()> TakeStaged() override;
  // Forgets the remembered summaries, which may hold what the unwritten
  // events applied.
  void ForgetUnwritten() override { summaries_.Clear(); }
  // Empties the cache and the summary memo: the store was opened, reopened
  // after a failed group (whose writes may or may not have survived, without
  // their TakeStaged), or rebuilt.
  Status Load(Store&, DataKeyRing&) override;
  // Lanes by student: a note revision goes to the lane of the note's student
  // (rebuild_partitioner.cc).
  std::unique_ptr<RebuildPartitioner> NewRebuildPartitioner() const override;

  RecordCache& cache() { return cache_; }
  const SummaryMemo& remembered_summaries() const { return summaries_; }

 private:
  RecordCache cache_;
  SummaryMemo summaries_;  // writer thread only
  // Writer thread only: the students changed since the last TakeStaged, or
  // all of them (a note revision or restriction, which finds its student
  // through the note index rather than the event).
  std::vector<std::string> changed_students_;
  bool changed_all_ = false;
};

}  // namespace backpack::records
