#include "http/internal/connection_tracker.h"

namespace backpack::http::internal {

bool ConnectionTracker::Full() const {
  std::lock_guard lock(mu_);
  return closed_ || entries_.size() >= max_connections_;
}

uint64_t ConnectionTracker::Add(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (closed_ || entries_.size() >= max_connections_) return 0;
  const uint64_t id = next_id_++;
  entries_.emplace(id, std::move(connection));
  return id;
}

void ConnectionTracker::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  entries_.erase(id);
  if (entries_.empty()) empty_cv_.notify_all();
}

std::size_t ConnectionTracker::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void ConnectionTracker::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

std::vector<std::shared_ptr<Connection>> ConnectionTracker::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Connection>> live;
  for (const auto& [id, weak] : entries_) {
    if (auto connection = weak.lock()) live.push_back(std::move(connection));
  }
  return live;
}

bool ConnectionTracker::WaitForEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_for(lock, timeout, [this] { return entries_.empty(); });
}

}  // namespace backpack::http::internal
