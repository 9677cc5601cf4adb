#include "http/test_server.h"

#include <boost/json/value.hpp>
#include <chrono>
#include <stdexcept>

namespace backpack::http::testing {

Background::~Background() {
  std::lock_guard lock(mu_);
  for (std::thread& thread : threads_) thread.join();
}

void Background::Run(std::function<void()> work) {
  std::lock_guard lock(mu_);
  threads_.emplace_back(std::move(work));
}

namespace {

void AddOrDie(Router& router, std::string_view method, std::string_view pattern, Handler handler) {
  Status status = router.Add(method, pattern, std::move(handler));
  if (!status.ok()) throw std::logic_error(status.ToString());
}

HttpResponse Hello(const HttpRequest&, const RouteParams&) {
  HttpResponse response = JsonResponse(200, boost::json::object{{"hello", "world"}});
  response.log_user_id = "u-test";
  return response;
}

HttpResponse Profile(const HttpRequest& request, const RouteParams& params) {
  return JsonResponse(200, boost::json::object{
                               {"id", params.Get("id")},
                               {"history", request.QueryValue("history").value_or("")},
                               {"ip", request.client_ip},
                           });
}

HttpResponse Echo(const HttpRequest& request, const RouteParams&) {
  Result<boost::json::object> body = ParseJsonObject(request.body);
  if (!body) return ErrorResponse(body.error());
  return JsonResponse(200, *body);
}

HttpResponse Cookie(const HttpRequest&, const RouteParams&) {
  HttpResponse response = JsonResponse(200, boost::json::object{});
  response.headers.emplace_back("Set-Cookie", "session=abc; HttpOnly; SameSite=Strict");
  response.headers.emplace_back("X-Injected", "a\r\nSet-Cookie: evil=1");
  response.headers.emplace_back("Content-Length", "99");
  return response;
}

}  // namespace

Router MakeTestRouter(TestRouteState& state) {
  Router router;
  AddOrDie(router, "GET", "/hello", Sync(Hello));
  AddOrDie(router, "GET", "/api/students/{id}/profile", Sync(Profile));
  AddOrDie(router, "POST", "/echo", Sync(Echo));
  AddOrDie(router, "GET", "/cookie", Sync(Cookie));
  AddOrDie(router, "POST", "/api/imports", Sync([](const HttpRequest& request, const RouteParams&) {
             return JsonResponse(201, boost::json::object{{"bytes", request.body.size()}});
           }));
  AddOrDie(router, "GET", "/slow",
           [&state](const HttpRequest&, const RouteParams&, Responder respond) {
             state.slow_started++;
             state.background.Run([respond = std::move(respond)] {
               std::this_thread::sleep_for(std::chrono::milliseconds(300));
               respond(JsonResponse(200, boost::json::object{{"slow", true}}));
             });
           });
  AddOrDie(router, "GET", "/drop", [](const HttpRequest&, const RouteParams&, Responder) {});
  AddOrDie(router, "GET", "/throw", [](const HttpRequest&, const RouteParams&, Responder) {
    throw std::runtime_error("boom");
  });
  return router;
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  options.header_timeout = std::chrono::milliseconds(1000);
  options.body_timeout = std::chrono::milliseconds(1000);
  options.idle_timeout = std::chrono::milliseconds(2000);
  options.stop_timeout = std::chrono::milliseconds(2000);
  options.route_body_limits = {{"POST", "/api/imports", 4u * 1024 * 1024, nullptr}};
  return options;
}

}  // namespace backpack::http::testing
