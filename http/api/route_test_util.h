// For in-process tests of route handlers over a DomainFixture: a request
// from a client, the context the routes are registered with, the synthetic
// account that signs in, and running one request through a router and
// waiting for its answer.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/router.h"
#include "projections/roster/roster_commands.h"
#include "tests/domain_fixture.h"

namespace backpack::api {

// A request from `ip` with a fixed request id, as the transport would hand
// it to a route.
inline http::HttpRequest TestRequest(std::string method, std::string path,
                                     std::string ip = "127.0.0.1") {
  http::HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  request.client_ip = std::move(ip);
  request.request_id = "0123456789abcdef0123456789abcdef";
  return request;
}

// Points `context` at the fixture's services and clock and at the given
// parts, which must outlive it.
inline void WireContext(ApiContext& context, testing::DomainFixture& fx, http::Metrics& metrics,
                        SessionStore& sessions, LoginLimiter& limiter, BlockingPool& pool) {
  context.services = &fx.services();
  context.clock = &fx.clock();
  context.metrics = &metrics;
  context.sessions = &sessions;
  context.login_limiter = &limiter;
  context.blocking = &pool;
}

// Adds the synthetic educator "teacher" with `password` (argon2id at the
// minimal cost) and returns its user id.
inline std::string AddTestTeacher(testing::DomainFixture& fx, std::string_view password) {
  AddUserRequest request;
  request.username = "teacher";
  request.role = Role::kEducator;
  request.password_cost = PasswordCost::kMinimal;
  auto id = RosterCommands(fx.services()).AddUser(Actor{"system", "req", ""}, request, password);
  REQUIRE(id);
  return *id;
}

// Runs the route `router` matches for `request` and waits for its answer,
// which a handler gives inline or later from a pool thread. Fails the test
// if none comes within 30 seconds (a hang guard, not a timing check).
inline http::HttpResponse RouteAndWait(http::Router& router, const http::HttpRequest& request) {
  http::RouteMatch match = router.Match(request.method, request.path);
  if (match.error) return *match.error;
  auto answer = std::make_shared<std::promise<http::HttpResponse>>();
  std::future<http::HttpResponse> answered = answer->get_future();
  http::HttpRequest copy = request;  // the handler may move from it
  (*match.handler)(copy, match.params,
                   [answer](http::HttpResponse r) { answer->set_value(std::move(r)); });
  REQUIRE(answered.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return answered.get();
}

}  // namespace backpack::api
