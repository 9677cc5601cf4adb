// Bookkeeping of live connections, for the connection cap and for Stop().
// Free of Asio so it stays cheap to compile and easy to test.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace backpack::http::internal {

// What Stop() needs from a session. Implementations must be safe to call
// from any thread (they post onto their own strand).
class Connection {
 public:
  virtual ~Connection() = default;
  // force == false: close if no request is being handled, else close after
  // the response. force == true: close now.
  virtual void Shutdown(bool force) = 0;
};

class ConnectionTracker {
 public:
  // At most `max_connections` in all and `max_per_client` from one client
  // address, so that one client cannot take every slot; a client address for
  // which `uncapped` is true (a trusted proxy, whose connections carry many
  // clients) has only the overall cap. `uncapped` must be thread-safe.
  ConnectionTracker(std::size_t max_connections, std::size_t max_per_client,
                    std::function<bool(const std::string& client_ip)> uncapped = {})
      : max_connections_(max_connections),
        max_per_client_(max_per_client),
        uncapped_(std::move(uncapped)) {}

  // True if another connection from `client_ip` would exceed a cap, or the
  // tracker is closed.
  bool Full(const std::string& client_ip) const;
  // Registers `connection` from `client_ip`; returns its id, or 0 if closed
  // or full. The connection must call Remove(id) when it ends.
  uint64_t Add(std::weak_ptr<Connection> connection, const std::string& client_ip);
  void Remove(uint64_t id);
  std::size_t size() const;

  // Refuses every later Add().
  void Close();
  // The connections still alive.
  std::vector<std::shared_ptr<Connection>> Snapshot() const;
  // Waits until no connection is registered; false on timeout.
  bool WaitForEmpty(std::chrono::milliseconds timeout);

 private:
  struct Entry {
    std::weak_ptr<Connection> connection;
    std::string client_ip;
  };
  bool Uncapped(const std::string& client_ip) const;
  // Requires mu_ held.
  bool FullLocked(const std::string& client_ip) const;

  const std::size_t max_connections_;
  const std::size_t max_per_client_;
  const std::function<bool(const std::string&)> uncapped_;
  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  bool closed_ = false;                // Guarded by mu_.
  uint64_t next_id_ = 1;               // Guarded by mu_.
  std::map<uint64_t, Entry> entries_;  // Guarded by mu_.
  // Connections by client address, uncapped ones left out.
  std::map<std::string, std::size_t> per_client_;  // Guarded by mu_.
};

}  // namespace backpack::http::internal
