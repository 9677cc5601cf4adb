// ISO 8601 times for the audit API and CLI. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace backpack {

// "2026-09-21T08:00:00.000Z" (UTC, millisecond precision, as JavaScript's
// Date.toISOString): the `at` of audit events.
std::string FormatIsoTime(int64_t unix_micros);

// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.fraction]]"
// followed by "Z", "+HH:MM" or "-HH:MM" (no suffix: UTC); a space may
// replace the "T". Returns unix microseconds; kInvalidArgument otherwise.
Result<int64_t> ParseIsoTime(std::string_view text);

// As ParseIsoTime, but a bare date means the end of that day (the next
// midnight), so that "--until 2026-09-30" includes September 30th.
Result<int64_t> ParseIsoTimeUntil(std::string_view text);

// The one rule for a window [since, until) of the audit trail, which audit
// queries and breach reports apply alike (Audit::Query, Audit::BreachReport;
// the HTTP API names the field with it): when both ends are given, until must
// be after since, so that the window holds an instant. kInvalidArgument
// ("until must be after since") otherwise.
Status CheckAuditWindow(std::optional<int64_t> since_us, std::optional<int64_t> until_us);

}  // namespace backpack
