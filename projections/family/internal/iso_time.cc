#include "projections/family/internal/iso_time.h"

#include <ctime>

namespace backpack::family {
namespace {

std::string Format(int64_t unix_micros, const char* format) {
  int64_t seconds = unix_micros / 1'000'000;
  if (unix_micros < 0 && unix_micros % 1'000'000 != 0) --seconds;  // floor
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "";
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string IsoTime(int64_t unix_micros) { return Format(unix_micros, "%Y-%m-%dT%H:%M:%SZ"); }

std::string IsoDate(int64_t unix_micros) { return Format(unix_micros, "%Y-%m-%d"); }

}  // namespace backpack::family
