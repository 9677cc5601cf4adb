// State shared by the server, its listener and its sessions. Internal to
// http/: includes Asio.
//
// Lifetime: held by shared_ptr from HttpServer and from every session, so it
// (and the io_context inside it) outlives any session a late Responder keeps
// alive after the server is gone.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "http/internal/connection_tracker.h"
#include "http/internal/log_throttle.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace backpack::http::internal {

struct ServerState {
  // `opts.threads` must already be resolved (> 0); a null `registry` gets a
  // private one.
  ServerState(ServerOptions opts, Router routes, std::shared_ptr<Metrics> registry);

  // The body limit for `request` (its header read) to `pattern`
  // (kUnmatchedPattern if none): the route's limit if it admits the request.
  struct BodyLimit {
    std::size_t bytes;
    // The route's larger limit, when it did not admit the request (else 0).
    std::size_t refused_larger = 0;
  };
  BodyLimit BodyLimitFor(const HttpRequest& request, std::string_view pattern) const;
  // Largest limit over all routes: the parser's limit until the route is known.
  std::size_t MaxBodyLimit() const;
  std::string NextRequestId() const;

  // Posts `fn` to `executor` unless the server has finished stopping (then
  // `fn` is dropped). Safe from any thread.
  template <typename Executor, typename Fn>
  void PostUnlessStopped(const Executor& executor, Fn&& fn);
  // After this, PostUnlessStopped drops everything; see Stop().
  void RefusePosts();

  // Logs that a request was refused for `why` before any route saw it (a
  // trusted proxy's unusable X-Forwarded-For), at most one line every
  // kRefusalLogInterval: a client sends such requests at will. The message
  // must hold no address and no header value.
  void LogRefusedRequest(const Status& why);
  static constexpr std::chrono::seconds kRefusalLogInterval{10};

  // Records one finished request: a log line and the request metrics.
  void RecordRequest(std::string_view method, std::string_view pattern, int status, double seconds,
                     std::string_view request_id, std::string_view user_id) const;

  // Immutable after construction.
  const ServerOptions options;
  const Router router;
  const std::shared_ptr<Metrics> metrics;
  Gauge& open_connections;
  Counter& rejected_connections;

  boost::asio::io_context ioc;
  ConnectionTracker tracker;
  std::atomic<bool> stopping{false};

 private:
  LogThrottle refusal_log_{kRefusalLogInterval};
  std::mutex post_mu_;
  bool refuse_posts_ = false;  // Guarded by post_mu_.
};

// An I/O thread's body: runs `ioc` until it runs out of work or is stopped.
// A completion handler that throws (std::bad_alloc: handlers report their
// own errors as statuses, and a route handler's throw is already answered
// 500 by the session) is logged by its type only and dropped, with the
// connection it served; the thread goes on serving the others.
void RunIoThread(boost::asio::io_context& ioc);

template <typename Executor, typename Fn>
void ServerState::PostUnlessStopped(const Executor& executor, Fn&& fn) {
  std::lock_guard lock(post_mu_);
  if (refuse_posts_) return;
  boost::asio::post(executor, std::forward<Fn>(fn));
}

}  // namespace backpack::http::internal
