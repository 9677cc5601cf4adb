// HttpServer: the HTTP/1.1 transport. Accepts connections, reads requests
// within explicit limits, routes them through a Router and writes responses.
// Beast and Asio stay behind this header (http/server.cc, http/internal/).
//
// Each request gets one log line (method, route pattern, status, latency,
// request id, HttpResponse::log_user_id) and updates the Metrics registry.
// Raw targets, query strings, bodies, headers and client addresses are
// never logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace backpack::http {

// A larger (or smaller) body limit for one route, matched by method and the
// route's pattern as registered in the Router.
struct RouteBodyLimit {
  std::string method;
  std::string pattern;
  std::size_t limit;
  // Whether `limit` applies to a request, decided from its header alone (the
  // HttpRequest has no body yet); empty means always. A request it refuses
  // keeps ServerOptions::body_limit, so a caller who may not use the route
  // (say, one not signed in) cannot make the server hold more for it: if its
  // declared length is over that but within `limit`, the route's handler is
  // called with an empty body, which is never read (so that the route can
  // refuse the caller as it would any other), and the connection closes.
  std::function<bool(const HttpRequest&)> admits;
};

struct ServerOptions {
  // "HOST:PORT"; IPv6 hosts in brackets ("[::1]:8080"), or localhost for
  // 127.0.0.1. Port 0 picks a free port; HttpServer::port() reports it
  // after Start().
  std::string listen = "127.0.0.1:8080";
  // I/O threads; 0 means std::thread::hardware_concurrency().
  int threads = 0;
  // Request line plus header fields. Larger requests get 431.
  std::size_t header_limit = 16 * 1024;
  // Larger bodies get 413 (before the body is read when Content-Length says so).
  std::size_t body_limit = 1024 * 1024;
  std::vector<RouteBodyLimit> route_body_limits;  // none: body_limit everywhere
  // From accepting a connection (or the first byte of a later keep-alive
  // request) to a complete header. On expiry the connection is closed.
  std::chrono::milliseconds header_timeout{30'000};
  // How long a body may take: this, plus its length at 64 KiB/s (the route's
  // body limit when the length is not declared), counted from the header.
  std::chrono::milliseconds body_timeout{30'000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long writing one response may take.
  std::chrono::milliseconds write_timeout{30'000};
  // How long Stop() waits for in-flight requests before closing them.
  std::chrono::milliseconds stop_timeout{10'000};
  // Connections beyond this are answered 503 and closed at once.
  std::size_t max_connections = 1024;
  // As max_connections, per client address: one client (or a school's NAT)
  // cannot take every slot. 0 means a quarter of max_connections. It counts
  // TCP peers, and exempts the trusted proxies (their connections carry many
  // clients, whom the proxy should limit): max_connections alone caps those.
  std::size_t max_connections_per_client = 0;
  // Reverse proxies (IP addresses, client_address.h) whose X-Forwarded-For
  // names the client (HttpRequest::client_ip); none by default. A request
  // from one of them without a usable X-Forwarded-For is answered 400.
  // Start() refuses an entry that is not an IP address.
  std::vector<std::string> trusted_proxies;
  // Source of HttpRequest::request_id; defaults to NewRequestId(). Called on
  // I/O threads concurrently, so it must be thread-safe.
  std::function<std::string()> request_id_generator;
};

// Thread-safety: Start() and Stop() serialize on an internal mutex; neither
// may be called from an I/O thread of this server. metrics() is safe at any
// time; port() once Start() has returned.
class HttpServer {
 public:
  // `router` is fixed from here on. `metrics` receives the server's metrics
  // (backpack_http_*); a private registry is created when null. Shared
  // ownership keeps both valid while a late Responder still holds a session.
  HttpServer(ServerOptions options, Router router, std::shared_ptr<Metrics> metrics = nullptr);
  // Calls Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads; returns once accepting.
  // kInvalidArgument for a bad listen address or trusted proxy, kUnavailable (naming the
  // address and the OS reason) when it cannot bind, e.g. the port is taken,
  // or when an I/O thread cannot be started (none is left running then),
  // kFailedPrecondition if already started.
  Status Start();

  // Graceful shutdown: stops accepting, closes idle connections, lets
  // requests already handed to a handler finish (their responses carry
  // Connection: close) for up to options.stop_timeout, then closes the rest
  // and joins the I/O threads. Idempotent. Must not be called from a handler
  // or any other I/O thread of this server.
  void Stop();

  // The bound port; 0 before Start().
  uint16_t port() const;
  Metrics& metrics();

 private:
  struct Impl;
  // Start's I/O threads; requires lifecycle_mu held.
  Status StartIoThreads();

  std::unique_ptr<Impl> impl_;
};

// Checks `listen` as Start() reads it ("HOST:PORT", ServerOptions::listen):
// HOST is an IP address, IPv6 in brackets, or localhost (127.0.0.1).
// kInvalidArgument saying what is wrong; binding is not tried.
Status CheckListenAddress(const std::string& listen);

// Blocks the calling thread until SIGINT or SIGTERM, then calls
// server.Stop() and afterwards `on_stop` (if set), e.g. to close the store.
// kInternal if the signal handlers cannot be installed.
Status RunUntilSignal(HttpServer& server, std::function<void()> on_stop);

}  // namespace backpack::http
