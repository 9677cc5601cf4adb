#include "http/internal/log_throttle.h"

#include <catch2/catch.hpp>
#include <optional>
#include <vector>

namespace backpack::http::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("a throttled log logs the first line and then at most one per interval") {
  LogThrottle throttle(seconds(10));
  const LogThrottle::Clock::time_point start{};
  CHECK(throttle.Admit(start) == 0u);
  for (int i = 1; i < 100; ++i) CHECK_FALSE(throttle.Admit(start + milliseconds(i * 10)));
  CHECK_FALSE(throttle.Admit(start + seconds(10) - milliseconds(1)));
  // The next line logged counts the 100 that were not.
  CHECK(throttle.Admit(start + seconds(10)) == 100u);
  CHECK_FALSE(throttle.Admit(start + seconds(11)));
  CHECK(throttle.Admit(start + seconds(25)) == 1u);
  // After a quiet spell the next line is logged at once, counting nothing.
  CHECK(throttle.Admit(start + seconds(3600)) == 0u);
}

TEST_CASE("a throttled log counts from the last line logged, not the last event") {
  LogThrottle throttle(seconds(10));
  const LogThrottle::Clock::time_point start{};
  CHECK(throttle.Admit(start) == 0u);
  std::vector<std::optional<uint64_t>> admitted;
  // An event every second: a line every ten, however steady the flood.
  for (int s = 1; s <= 30; ++s) admitted.push_back(throttle.Admit(start + seconds(s)));
  for (int s = 1; s <= 30; ++s) {
    INFO(s);
    if (s % 10 == 0) {
      CHECK(admitted[s - 1] == 9u);
    } else {
      CHECK_FALSE(admitted[s - 1]);
    }
  }
}

}  // namespace
}  // namespace backpack::http::internal
