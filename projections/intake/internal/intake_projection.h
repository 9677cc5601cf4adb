// The intake projection: what was imported, for idempotent re-imports.
// Families: in_rows (internal/rows.h) and in_imports (docs/storage-format.md, "Intake storage").
#pragma once

#include <string>
#include <vector>

#include "projections/projection.h"
#include "projections/services.h"

namespace backpack::intake {

inline constexpr std::string_view kImportsFamily = "in_imports";
// in_imports keys: "import/" + import_id -> JSON summary of the import;
// kUsersExistKey -> "1" once any UserCreated event is committed.
inline constexpr std::string_view kImportKeyPrefix = "import/";
inline constexpr std::string_view kUsersExistKey = "meta/users_exist";

// Deterministic (invariant 6): reads only the event, the transaction and the
// store's fixed index key. Stateless in memory, so thread-safe.
class IntakeProjection final : public Projection {
 public:
  // `services` must outlive the projection; its keys are read in Apply.
  explicit IntakeProjection(const Services& services) : services_(services) {}

  std::string_view name() const override { return "intake"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;

 private:
  Status ApplyRow(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyRetracted(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyImportCompleted(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn);

  const Services& services_;
};

}  // namespace backpack::intake
