#include "http/internal/connection_tracker.h"

namespace backpack::http::internal {

bool ConnectionTracker::Uncapped(const std::string& client_ip) const {
  return uncapped_ && uncapped_(client_ip);
}

bool ConnectionTracker::FullLocked(const std::string& client_ip) const {
  if (closed_ || entries_.size() >= max_connections_) return true;
  if (Uncapped(client_ip)) return false;
  auto found = per_client_.find(client_ip);
  return found != per_client_.end() && found->second >= max_per_client_;
}

bool ConnectionTracker::Full(const std::string& client_ip) const {
  std::lock_guard lock(mu_);
  return FullLocked(client_ip);
}

uint64_t ConnectionTracker::Add(std::weak_ptr<Connection> connection,
                                const std::string& client_ip) {
  std::lock_guard lock(mu_);
  if (FullLocked(client_ip)) return 0;
  const uint64_t id = next_id_++;
  entries_.emplace(id, Entry{std::move(connection), client_ip});
  if (!Uncapped(client_ip)) ++per_client_[client_ip];
  return id;
}

void ConnectionTracker::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  auto found = entries_.find(id);
  if (found == entries_.end()) return;
  auto client = per_client_.find(found->second.client_ip);
  if (client != per_client_.end() && --client->second == 0) per_client_.erase(client);
  entries_.erase(found);
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
  for (const auto& [id, entry] : entries_) {
    if (auto connection = entry.connection.lock()) live.push_back(std::move(connection));
  }
  return live;
}

bool ConnectionTracker::WaitForEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_for(lock, timeout, [this] { return entries_.empty(); });
}

}  // namespace backpack::http::internal
