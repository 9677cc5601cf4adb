// At most one log line per interval for something a client can cause at will
// (a request refused for its headers), so that one client cannot flood the
// log; the lines not logged are counted and the next line logged says how
// many there were. Pure: the caller passes the time. Free of Asio and spdlog.
//
// Thread-safety: Admit() is safe to call concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace backpack::http::internal {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Whether to log the line of an event at `now`: if so, how many events since
  // the last line logged were not (0 for the first); nullopt if not (the
  // event is counted). A line is logged if none was in the `interval` before
  // `now`.
  [[nodiscard]] std::optional<uint64_t> Admit(Clock::time_point now);

 private:
  const Clock::duration interval_;
  std::mutex mu_;
  std::optional<Clock::time_point> last_logged_;  // Guarded by mu_.
  uint64_t unlogged_ = 0;                         // Guarded by mu_.
};

}  // namespace backpack::http::internal
