#include "projections/intake/internal/dates.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace backpack::intake {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

// Parses exactly `width` decimal digits at `text[at]`.
std::optional<int> Digits(std::string_view text, size_t at, size_t width) {
  if (at + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Seconds east of UTC of the zone suffix starting at `at`, or nullopt.
std::optional<int64_t> ZoneOffsetSeconds(std::string_view text, size_t at) {
  if (at == text.size() - 1 && text[at] == 'Z') return 0;
  if (at + 6 != text.size() || (text[at] != '+' && text[at] != '-') || text[at + 3] != ':') {
    return std::nullopt;
  }
  auto hours = Digits(text, at + 1, 2);
  auto minutes = Digits(text, at + 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  int64_t seconds = *hours * 3600 + *minutes * 60;
  return text[at] == '-' ? -seconds : seconds;
}

}  // namespace

std::string UtcDateOf(int64_t unix_micros) {
  int64_t days = unix_micros / 86'400'000'000;
  if (unix_micros < 0 && unix_micros % 86'400'000'000 != 0) --days;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::optional<int64_t> ParseDateTimeMicros(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto y = Digits(text, 0, 4), mo = Digits(text, 5, 2), d = Digits(text, 8, 2);
  auto h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t at = 19;
  int64_t fraction_micros = 0;
  if (text[at] == '.') {
    size_t digits = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
      if (digits < 6) fraction_micros = fraction_micros * 10 + (text[at] - '0');
    }
    if (digits == 0 || at >= text.size()) return std::nullopt;
    for (; digits < 6; ++digits) fraction_micros *= 10;
  }
  auto offset = ZoneOffsetSeconds(text, at);
  if (!offset) return std::nullopt;
  int64_t days = sys_days{ymd}.time_since_epoch().count();
  int64_t seconds = days * 86'400 + *h * 3600 + *mi * 60 + *s - *offset;
  return seconds * 1'000'000 + fraction_micros;
}

}  // namespace backpack::intake
