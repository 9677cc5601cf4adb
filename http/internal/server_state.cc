#include "http/internal/server_state.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>

#include "http/client_address.h"

namespace backpack::http::internal {
namespace {

// A known method, or "other": a client may send any token as a method, which
// bounds the metrics label's cardinality and keeps whatever a client typed
// there (a name, say) out of the request log.
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

ServerState::ServerState(ServerOptions opts, Router routes, std::shared_ptr<Metrics> registry)
    : options(std::move(opts)),
      router(std::move(routes)),
      metrics(registry ? std::move(registry) : std::make_shared<Metrics>()),
      open_connections(
          metrics->GetGauge("backpack_http_open_connections", "HTTP connections currently open.")),
      rejected_connections(
          metrics->GetCounter("backpack_http_rejected_connections_total",
                              "Connections refused with 503 because of the connection cap.")),
      ioc(options.threads),
      tracker(options.max_connections,
              options.max_connections_per_client > 0
                  ? options.max_connections_per_client
                  : std::max<std::size_t>(1, options.max_connections / 4),
              [proxies = options.trusted_proxies](const std::string& client_ip) {
                return IsTrustedProxy(client_ip, proxies);
              }) {}

ServerState::BodyLimit ServerState::BodyLimitFor(const HttpRequest& request,
                                                 std::string_view pattern) const {
  for (const RouteBodyLimit& limit : options.route_body_limits) {
    if (limit.method != request.method || limit.pattern != pattern) continue;
    if (!limit.admits || limit.admits(request)) return {limit.limit};
    return {options.body_limit, limit.limit};
  }
  return {options.body_limit};
}

std::size_t ServerState::MaxBodyLimit() const {
  std::size_t max = options.body_limit;
  for (const RouteBodyLimit& limit : options.route_body_limits) max = std::max(max, limit.limit);
  return max;
}

std::string ServerState::NextRequestId() const {
  return options.request_id_generator ? options.request_id_generator() : NewRequestId();
}

void ServerState::RefusePosts() {
  std::lock_guard lock(post_mu_);
  refuse_posts_ = true;
}

void ServerState::LogRefusedRequest(const Status& why) {
  const std::optional<uint64_t> unlogged = refusal_log_.Admit(LogThrottle::Clock::now());
  if (!unlogged) return;
  if (*unlogged == 0) {
    spdlog::warn("http: refused a request: {}", why.message());
  } else {
    spdlog::warn(
        "http: refused a request: {} (and {} more since the last such line, not logged: "
        "at most one every {} s)",
        why.message(), *unlogged, kRefusalLogInterval.count());
  }
}

void ServerState::RecordRequest(std::string_view method, std::string_view pattern, int status,
                                double seconds, std::string_view request_id,
                                std::string_view user_id) const {
  // Only the route pattern, never the target: paths and queries hold ids.
  spdlog::info("http {} {} {} {:.1f}ms request_id={} user={}",
               method.empty() ? "-" : MethodLabel(method), pattern, status, seconds * 1000.0,
               request_id, user_id.empty() ? "-" : user_id);
  const std::string route(pattern);
  metrics
      ->GetCounter("backpack_http_requests_total", "HTTP requests by method, route and status.",
                   {{"method", std::string(MethodLabel(method))},
                    {"route", route},
                    {"status", std::to_string(status)}})
      .Increment();
  metrics
      ->GetHistogram("backpack_http_request_duration_seconds",
                     "Time from a complete request header to the response, by route.",
                     {{"route", route}})
      .Observe(seconds);
}

void RunIoThread(boost::asio::io_context& ioc) {
  while (true) {
    try {
      ioc.run();
      return;
    } catch (...) {
      spdlog::error("http: {}; going on", CaughtError("an I/O completion").message());
    }
  }
}

}  // namespace backpack::http::internal
