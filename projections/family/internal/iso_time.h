// ISO 8601 times for family-facing JSON. Internal to projections/family/.
#pragma once

#include <cstdint>
#include <string>

namespace backpack::family {

// "2026-09-21T14:03:07Z": UTC, whole seconds (sub-second digits are dropped;
// JSON carries the exact microseconds beside it as `*_us`).
std::string IsoTime(int64_t unix_micros);
// "2026-09-21": the UTC date.
std::string IsoDate(int64_t unix_micros);

}  // namespace backpack::family
