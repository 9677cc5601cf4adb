// The imported rows that name one OneRoster person, by the id they are
// stored under (the person id, UserIdFor their sourcedId, or the account
// linked to them): their guardian links and their teacher enrollment rows.
// Internal to projections/roster/.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "projections/projection.h"
#include "projections/roster/internal/records.h"

namespace backpack::roster {

// The guardian links (in force or ended) stored under `member_id`, by
// student id. Scans all of r_guardian_links (keyed student \0 guardian).
Result<std::vector<std::pair<std::string, GuardianLinkState>>> GuardianLinksOf(
    ProjectionTxn& txn, const std::string& member_id);

// The teacher enrollment rows (retracted ones too) stored under `member_id`.
Result<std::vector<std::pair<EnrollmentKey, EnrollmentRecord>>> TeacherRowsOf(
    ProjectionTxn& txn, const std::string& member_id);

}  // namespace backpack::roster
