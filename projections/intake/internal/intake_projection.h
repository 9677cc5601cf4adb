// The intake projection: what was imported, for idempotent re-imports.
// Families: in_rows (internal/rows.h) and in_imports (docs/storage-format.md, "Intake storage").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "projections/projection.h"
#include "projections/services.h"

namespace backpack::intake {

inline constexpr std::string_view kImportsFamily = "in_imports";
// in_imports keys: "import/" + import_id -> JSON summary of the import;
// kUsersExistKey -> "1" once any UserCreated event is committed.
inline constexpr std::string_view kImportKeyPrefix = "import/";
inline constexpr std::string_view kUsersExistKey = "meta/users_exist";

// The id of the latest import (highest seq) of the file set `file_set_hash`
// names, from the in_imports summaries; nullopt if no import appended events
// for it. Reads every summary: for a set that changes nothing, not for
// every import.
Result<std::optional<std::string>> LatestImportOfFileSet(Store& store,
                                                         const Hash256& file_set_hash);

// Deterministic (invariant 6): reads only the event, the transaction and the
// store's fixed index key. Holds nothing in memory but that key, so
// thread-safe.
class IntakeProjection final : public Projection {
 public:
  // `services` must outlive the projection, and its keys be set.
  explicit IntakeProjection(const Services& services)
      : services_(services), row_key_(services.keys->index_key) {}

  std::string_view name() const override { return "intake"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;

 private:
  Status ApplyRow(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyRetracted(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyImportCompleted(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn);

  const Services& services_;
  const HmacSha256Key row_key_;  // keys the in_rows digests
};

}  // namespace backpack::intake
