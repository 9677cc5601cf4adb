// The family projection (docs/storage-format.md, "Family projection"). Internal to
// projections/family/.
//
// Apply is deterministic (invariant 6): it reads only the event and the
// transaction; times come from the event header.
//
// The per-subject event index (kSubjectEvents) is written here too, but it is
// not one of ColumnFamilies(): it indexes the log itself, including events a
// shred later makes unreadable, which a rebuild never passes to Apply. So a
// rebuild must not drop it; replaying writes identical entries for every
// event it does see, so a rebuild in place drops those writes (rebuild.cc,
// FilledKeptFamilies). It holds only envelope fields the log keeps in
// plaintext forever (opaque subject id, seq, type, time).
#pragma once

#include <string>
#include <vector>

#include "projections/projection.h"

namespace backpack::family {

class FamilyProjection final : public Projection {
 public:
  std::string_view name() const override { return "family"; }
  std::vector<std::string> ColumnFamilies() const override;
  // ColumnFamilies() and kSubjectEvents.
  std::vector<std::string> TouchedFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;
  // Completes interrupted shreds (CompleteShreds).
  Status Load(Store& store, DataKeyRing& data_keys) override;
};

// Creates kSubjectEvents in `store` if absent.
Status EnsureSubjectIndex(Store& store);

// Finishes the shred of every student with a committed shred marker whose
// key is still there, or whose old key value a memtable or table file still
// holds. Sets `*completed` to how many it finished.
Status CompleteShreds(Store& store, DataKeyRing& data_keys, size_t* completed);

}  // namespace backpack::family
