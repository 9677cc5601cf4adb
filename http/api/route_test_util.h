// For in-process tests of route handlers: running one request through a
// router and waiting for its answer.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>

#include "http/router.h"

namespace backpack::api {

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
