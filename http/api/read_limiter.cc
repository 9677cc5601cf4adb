#include "http/api/read_limiter.h"

#include <algorithm>

namespace backpack::api {

std::shared_ptr<ReadLimiter> ReadLimiter::Create(size_t per_account) {
  return std::shared_ptr<ReadLimiter>(new ReadLimiter(per_account));
}

ReadLimiter::ReadLimiter(size_t per_account) : per_account_(std::max<size_t>(1, per_account)) {}

ReadSlot ReadLimiter::TryAcquire(std::string_view account) {
  std::string key(account);
  {
    std::lock_guard lock(mu_);
    size_t& count = in_progress_[key];
    if (count >= per_account_) return nullptr;
    ++count;
  }
  // The slot holds the limiter, so it may outlive whoever created it.
  auto self = shared_from_this();
  return ReadSlot(static_cast<const void*>(this),
                  [self, key = std::move(key)](const void*) { self->Release(key); });
}

size_t ReadLimiter::InProgress(std::string_view account) {
  std::lock_guard lock(mu_);
  auto it = in_progress_.find(std::string(account));
  return it == in_progress_.end() ? 0 : it->second;
}

void ReadLimiter::Release(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = in_progress_.find(account);
  if (it == in_progress_.end()) return;
  if (--it->second == 0) in_progress_.erase(it);
}

}  // namespace backpack::api
