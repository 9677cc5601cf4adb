#include "http/api/route.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "http/api/api_auth.h"
#include "http/api/audited.h"
#include "http/api/json_util.h"

namespace backpack::api {

void Exchange::Reply(http::HttpResponse response) const {
  response.log_user_id = caller.user.id;
  respond(std::move(response));
}

http::HttpResponse ApiError(const Status& status) {
  StatusCode code = status.code();
  if (code == StatusCode::kInternal || code == StatusCode::kDataLoss || code == StatusCode::kOk) {
    spdlog::error("request failed: {}", StatusCodeName(code));
    return http::JsonError(500, "internal", "internal error");
  }
  return http::ErrorResponse(status);
}

void Exchange::ReplyError(const Status& status) const { Reply(ApiError(status)); }

bool CheckPathId(const Exchange& exchange, std::string_view id, std::string_view prefix,
                 std::string_view what) {
  if (IsOpaqueId(id, prefix)) return true;
  exchange.Reply(http::JsonError(400, "bad_request", "malformed " + std::string(what) + " id"));
  return false;
}

void AddRoute(http::Router& router, ApiContext& context, std::string_view method,
              std::string_view pattern, RouteFn fn) {
  std::string route = std::string(method) + " " + std::string(pattern);
  http::Handler handler = [&context, route, fn = std::move(fn)](http::HttpRequest& request,
                                                                const http::RouteParams& params,
                                                                http::Responder respond) {
    const Services* s = context.services;
    if (!s || !s->log || !s->roster || !s->records || !s->audit || !s->family || !s->intake) {
      respond(http::JsonError(503, "audit_unavailable", "the store is not open"));
      return;
    }
    Result<Caller> caller = Authenticate(context, request);
    if (!caller) {
      respond(ApiError(caller.error()));
      return;
    }
    Exchange exchange{&context, std::move(*caller), route, context.clock->NowMicros(),
                      std::move(respond)};
    if (!IsCrossSiteSafe(exchange.caller, request)) {
      return Deny(exchange, {AccessScope::kUnknown, "", std::string(kDeniedCrossSite), ""},
                  std::string(kCrossSiteRefusal));
    }
    fn(request, params, std::move(exchange));
  };
  Status added = router.Add(method, pattern, std::move(handler));
  if (!added.ok()) spdlog::error("route {} not registered: {}", route, added.ToString());
}

bool HasRole(const Exchange& exchange, std::initializer_list<Role> roles) {
  for (Role role : roles) {
    if (exchange.role() == role) return true;
  }
  return false;
}

http::HttpResponse ServerBusy() {
  http::HttpResponse response =
      http::JsonError(429, "too_many_requests", "the server is busy; retry shortly");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

namespace {

// Runs `work` on `pool` (inline when there is none); ServerBusy if the pool
// refuses it.
void Submit(const Exchange& exchange, BlockingPool* pool, std::function<void()> work) {
  if (!pool) {
    work();
    return;
  }
  auto shared = std::make_shared<std::function<void()>>(std::move(work));
  if (!pool->Submit([shared] { (*shared)(); })) {
    exchange.Reply(ServerBusy());
  }
}

BlockingPool* ReadPool(const ApiContext& context) {
  return context.read_pool ? context.read_pool : context.blocking;
}

}  // namespace

void OffloadRaw(const Exchange& exchange, std::function<void()> work) {
  Submit(exchange, exchange.context->blocking, std::move(work));
}

http::HttpResponse TooManyReads(size_t per_account) {
  http::HttpResponse response = http::JsonError(
      429, "too_many_requests",
      "you already have " + std::to_string(per_account) +
          " expensive reads (histories, searches, audit pages or reports) in progress; retry "
          "once one has been answered");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

void OffloadRead(const Exchange& exchange, std::function<void(ReadSlot slot)> work) {
  ReadLimiter* limiter = exchange.context->read_limiter;
  ReadSlot slot = limiter ? limiter->TryAcquire(exchange.user_id()) : std::make_shared<int>(0);
  if (!slot) return exchange.Reply(TooManyReads(limiter->per_account()));
  ContinueRead(exchange, slot, [work = std::move(work), slot] { work(slot); });
}

void ContinueRead(const Exchange& exchange, ReadSlot slot, std::function<void()> work) {
  Submit(exchange, ReadPool(*exchange.context),
         [slot = std::move(slot), work = std::move(work)] { work(); });
}

void Offload(const Exchange& exchange, std::function<http::HttpResponse()> work) {
  OffloadRaw(exchange, [exchange, work = std::move(work)] { exchange.Reply(work()); });
}

void StopServing(http::HttpServer& server, ApiContext& context) {
  server.Stop();
  // A pool task may append (and so start a completion); a completion may
  // offer work to a pool, which refuses it once shut down.
  if (context.login_pool) context.login_pool->Shutdown();
  if (context.read_pool) context.read_pool->Shutdown();
  if (context.blocking) context.blocking->Shutdown();
  if (context.services && context.services->log) context.services->log->Drain();
}

http::HttpResponse Created(const boost::json::object& body) {
  return http::JsonResponse(201, body);
}

http::HttpResponse Ok(const boost::json::object& body) { return http::JsonResponse(200, body); }

http::HttpResponse OkJsonText(std::string json_text) {
  return http::JsonTextResponse(200, std::move(json_text));
}

}  // namespace backpack::api
