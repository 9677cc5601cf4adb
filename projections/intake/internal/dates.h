// Date and time conversions for imported rows. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backpack::intake {

// The UTC calendar date "YYYY-MM-DD" of `unix_micros`.
std::string UtcDateOf(int64_t unix_micros);

// Unix microseconds of an ISO 8601 datetime with a zone, as imports accept
// for student_voice.csv `submittedAt`: "YYYY-MM-DDTHH:MM:SS", optional
// fraction, then "Z" or "+HH:MM" / "-HH:MM". nullopt if malformed.
std::optional<int64_t> ParseDateTimeMicros(std::string_view text);

}  // namespace backpack::intake
