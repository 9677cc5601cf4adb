// Bookkeeping of live connections, for the connection cap and for Stop().
// Free of Asio so it stays cheap to compile and easy to test.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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
  explicit ConnectionTracker(std::size_t max_connections) : max_connections_(max_connections) {}

  // True if another connection would exceed the cap or the tracker is closed.
  bool Full() const;
  // Registers `connection`; returns its id, or 0 if closed or full. The
  // connection must call Remove(id) when it ends.
  uint64_t Add(std::weak_ptr<Connection> connection);
  void Remove(uint64_t id);
  std::size_t size() const;

  // Refuses every later Add().
  void Close();
  // The connections still alive.
  std::vector<std::shared_ptr<Connection>> Snapshot() const;
  // Waits until no connection is registered; false on timeout.
  bool WaitForEmpty(std::chrono::milliseconds timeout);

 private:
  const std::size_t max_connections_;
  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  bool closed_ = false;                                    // Guarded by mu_.
  uint64_t next_id_ = 1;                                   // Guarded by mu_.
  std::map<uint64_t, std::weak_ptr<Connection>> entries_;  // Guarded by mu_.
};

}  // namespace backpack::http::internal
