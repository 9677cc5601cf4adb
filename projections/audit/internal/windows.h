// Sliding windows behind the derived alerts: pure, deterministic state
// machines over event times (never the clock). The projection keeps one
// window per actor and kind in a_windows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace backpack::audit_internal {

inline constexpr int64_t kBulkWindowMicros = 3'600'000'000;  // one hour

// An alert a window decided to raise.
struct Trigger {
  uint64_t count = 0;           // distinct students, or denials
  int64_t window_start_us = 0;  // the start of the counted window
};

// Distinct students one actor read within the last hour.
struct BulkWindow {
  int64_t quiet_until_us = 0;                // no new alert before this time
  std::map<std::string, int64_t> last_read;  // student id -> latest read time
};

// Adds reads of `students` at `at_us` and forgets reads an hour or more
// older. Raises when more than `threshold` distinct students remain and no
// alert was raised for this actor within the past hour.
std::optional<Trigger> AddReads(BulkWindow& window, const std::vector<std::string>& students,
                                int64_t at_us, size_t threshold);

// Times of one actor's recent AccessDenied events.
struct DenialWindow {
  int64_t quiet_until_us = 0;
  std::vector<int64_t> times;  // ascending
};

// Adds a denial at `at_us`, forgets those `window_us` or more older, and
// raises when at least `threshold` remain and no alert was raised within the
// past window.
std::optional<Trigger> AddDenial(DenialWindow& window, int64_t at_us, size_t threshold,
                                 int64_t window_us);

std::string EncodeBulkWindow(const BulkWindow& window);
Result<BulkWindow> DecodeBulkWindow(ByteView value);
std::string EncodeDenialWindow(const DenialWindow& window);
Result<DenialWindow> DecodeDenialWindow(ByteView value);

}  // namespace backpack::audit_internal
