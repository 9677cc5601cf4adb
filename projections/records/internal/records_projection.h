// The records projection: column families rec_student, rec_feed, rec_notes
// (docs/storage/records.md). It keeps no in-memory state.
#pragma once

#include <string>
#include <vector>

#include "projections/projection.h"

namespace backpack::records {

class RecordsProjection final : public Projection {
 public:
  std::string_view name() const override { return "records"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;
};

}  // namespace backpack::records
