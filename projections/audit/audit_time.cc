#include "projections/audit/audit_time.h"

#include <cstdio>

#include "core/civil_date.h"

namespace backpack {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

using Civil = CivilDate;

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos` into `out`; advances `pos`.
bool Digits(std::string_view s, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Parses "YYYY-MM-DD" at the start of `s` into days since the epoch.
bool ParseDate(std::string_view s, size_t& pos, int64_t& days) {
  int64_t y, m, d;
  if (!Digits(s, pos, 4, y) || !Expect(s, pos, '-') || !Digits(s, pos, 2, m) ||
      !Expect(s, pos, '-') || !Digits(s, pos, 2, d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// Parses ".fraction" (1-9 digits) into microseconds, if present.
bool ParseFraction(std::string_view s, size_t& pos, int64_t& micros) {
  micros = 0;
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return true;
  ++pos;
  size_t digits = 0;
  int64_t scale = 100'000;
  for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
    micros += (s[pos] - '0') * scale;
    scale /= 10;
  }
  return digits >= 1 && digits <= 9;
}

// Parses "Z", "+HH:MM", "-HH:MM" or nothing into an offset in seconds.
bool ParseZone(std::string_view s, size_t& pos, int64_t& offset_seconds) {
  offset_seconds = 0;
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') return ++pos == s.size();
  int64_t sign = s[pos] == '+' ? 1 : s[pos] == '-' ? -1 : 0;
  if (sign == 0) return false;
  ++pos;
  int64_t h, m;
  if (!Digits(s, pos, 2, h)) return false;
  Expect(s, pos, ':');
  if (!Digits(s, pos, 2, m) || h > 23 || m > 59) return false;
  offset_seconds = sign * (h * 3600 + m * 60);
  return pos == s.size();
}

// Parses the "HH:MM[:SS[.f]]" part into seconds and microseconds.
bool ParseClock(std::string_view s, size_t& pos, int64_t& seconds, int64_t& micros) {
  int64_t h, m, sec = 0;
  if (!Digits(s, pos, 2, h) || !Expect(s, pos, ':') || !Digits(s, pos, 2, m)) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!Digits(s, pos, 2, sec)) return false;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  seconds = h * 3600 + m * 60 + sec;
  return ParseFraction(s, pos, micros);
}

Status Malformed(std::string_view text) {
  return InvalidArgumentError("not an ISO 8601 date or time: \"" + std::string(text.substr(0, 40)) +
                              "\"");
}

Result<int64_t> Parse(std::string_view text, bool bare_date_is_end_of_day) {
  size_t pos = 0;
  int64_t days;
  if (!ParseDate(text, pos, days)) return Err(Malformed(text));
  if (pos == text.size()) {
    return (days + (bare_date_is_end_of_day ? 1 : 0)) * kSecondsPerDay * kMicrosPerSecond;
  }
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return Err(Malformed(text));
  ++pos;
  int64_t seconds, micros, offset;
  if (!ParseClock(text, pos, seconds, micros) || !ParseZone(text, pos, offset)) {
    return Err(Malformed(text));
  }
  return (days * kSecondsPerDay + seconds - offset) * kMicrosPerSecond + micros;
}

}  // namespace

std::string FormatIsoTime(int64_t unix_micros) {
  int64_t seconds = unix_micros / kMicrosPerSecond;
  int64_t micros = unix_micros % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t in_day = seconds % kSecondsPerDay;
  if (in_day < 0) {
    in_day += kSecondsPerDay;
    --days;
  }
  Civil c = CivilFromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(c.year), c.month, c.day,
                static_cast<long long>(in_day / 3600), static_cast<long long>(in_day / 60 % 60),
                static_cast<long long>(in_day % 60), static_cast<long long>(micros / 1000));
  return buf;
}

Result<int64_t> ParseIsoTime(std::string_view text) { return Parse(text, false); }

Result<int64_t> ParseIsoTimeUntil(std::string_view text) { return Parse(text, true); }

Status CheckAuditWindow(std::optional<int64_t> since_us, std::optional<int64_t> until_us) {
  if (since_us && until_us && *until_us <= *since_us) {
    return InvalidArgumentError("until must be after since");
  }
  return OkStatus();
}

}  // namespace backpack
