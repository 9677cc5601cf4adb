// Staffing of the planned district: one principal per school and teachers
// for every class section (see Staffing in catalog.h for the rules).
#pragma once

#include <cstdint>

#include "demo/internal/district_plan.h"

namespace backpack::demo {

// Appends principals and teachers to `plan.staff` and sets each class's
// teacher and each school's principal and teacher list. Requires the
// schools, courses, classes and cohorts of `plan` to be planned already.
void StaffSchools(uint64_t seed, DistrictPlan& plan);

}  // namespace backpack::demo
