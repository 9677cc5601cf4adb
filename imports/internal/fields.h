// Checks and conversions for single CSV field values. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backpack::imports::internal {

// "YYYY-MM-DD", a real calendar date (leap years included).
bool IsIsoDate(std::string_view text);

// Years a date in an import may name: a SIS holds nothing older or later, and
// a year such as 0001 or 9999 is a placeholder or a typo.
inline constexpr int kMinImportYear = 1900;
inline constexpr int kMaxImportYear = 2100;

// True if `text`, which starts with an IsIsoDate date, names a year from
// kMinImportYear to kMaxImportYear.
bool IsPlausibleYear(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS" with optional fractional seconds, then "Z" or
// "+HH:MM"/"-HH:MM". The zone may be left out only if `zone_required` is false.
bool IsIsoDateTime(std::string_view text, bool zone_required);

// "true" or "false", exactly.
std::optional<bool> ParseBool(std::string_view text);

// A finite decimal: optional '-', digits, optional '.' and digits.
std::optional<double> ParseDecimal(std::string_view text);

// Decimal digits only, within [min, max].
std::optional<int> ParseInt(std::string_view text, int min, int max);

// CEDS entry grade levels used by OneRoster: "IT", "PR", "PK", "TK", "KG",
// "01".."13", "PS", "UG", "Other".
bool IsGradeLevel(std::string_view text);

// Splits a OneRoster list ("a,b, c") at commas, trimming spaces around items.
// Empty text gives no items; empty items are kept so callers can refuse them.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace backpack::imports::internal
