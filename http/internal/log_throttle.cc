#include "http/internal/log_throttle.h"

#include <utility>

namespace backpack::http::internal {

std::optional<uint64_t> LogThrottle::Admit(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (last_logged_ && now - *last_logged_ < interval_) {
    ++unlogged_;
    return std::nullopt;
  }
  last_logged_ = now;
  return std::exchange(unlogged_, 0);
}

}  // namespace backpack::http::internal
