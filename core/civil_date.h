// Proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms), for
// formatting and parsing dates without the process's time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace backpack {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 of year-month-day (month 1..12; day not range-checked).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// The date `days` days after 1970-01-01 (negative: before).
CivilDate CivilFromDays(int64_t days);
// Days since 1970-01-01 of an ISO 8601 calendar date, exactly "YYYY-MM-DD",
// that exists (not 2026-02-30); nullopt for anything else.
std::optional<int64_t> DaysFromIsoDate(std::string_view text);

}  // namespace backpack
