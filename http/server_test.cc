// End-to-end tests of HttpServer over real loopback sockets: routing,
// handlers, keep-alive, logging and metrics.
#include "http/server.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/internal/server_state.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace backpack::http {
namespace {

using testing::BuildRequest;
using testing::ClientResponse;
using testing::RoundTrip;
using testing::TestClient;

// A started server with the test routes. Members are destroyed in reverse:
// the server stops before the background threads are joined.
struct Fixture {
  explicit Fixture(ServerOptions options = testing::TestOptions())
      : server(std::move(options), testing::MakeTestRouter(routes)) {
    REQUIRE(server.Start().ok());
    REQUIRE(server.port() != 0);
  }
  testing::TestRouteState routes;
  HttpServer server;
};

std::string ErrorCode(const ClientResponse& response) {
  return std::string(boost::json::parse(response.body).at("error").at("code").as_string());
}

TEST_CASE("server routes a request and passes decoded params and query") {
  Fixture f;
  auto response =
      RoundTrip(f.server.port(), BuildRequest("GET", "/api/students/s%2D1/profile?history=all"));
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->Header("content-type") == "application/json");
  CHECK(response->Header("cache-control") == "no-store");
  CHECK(response->Header("x-request-id").size() == 32);
  boost::json::value body = boost::json::parse(response->body);
  CHECK(body.at("id").as_string() == "s-1");
  CHECK(body.at("history").as_string() == "all");
  CHECK(body.at("ip").as_string() == "127.0.0.1");
}

TEST_CASE("server answers unknown paths with a 404 JSON error") {
  Fixture f;
  auto response = RoundTrip(f.server.port(), BuildRequest("GET", "/api/nothing-here"));
  REQUIRE(response);
  CHECK(response->status == 404);
  CHECK(ErrorCode(*response) == "not_found");
}

TEST_CASE("server answers a wrong method with 405 and Allow") {
  Fixture f;
  auto response = RoundTrip(f.server.port(), BuildRequest("DELETE", "/hello"));
  REQUIRE(response);
  CHECK(response->status == 405);
  CHECK(response->Header("allow") == "GET, HEAD");
  CHECK(ErrorCode(*response) == "method_not_allowed");
}

TEST_CASE("server answers HEAD like GET, with the length and without the body") {
  Fixture f;
  auto get = RoundTrip(f.server.port(), BuildRequest("GET", "/hello"));
  REQUIRE(get);
  REQUIRE(get->status == 200);
  REQUIRE_FALSE(get->body.empty());

  TestClient client(f.server.port());
  REQUIRE(client.Send(BuildRequest("HEAD", "/hello")));
  auto head = client.ReadResponse(/*to_head=*/true);
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->Header("content-length") == std::to_string(get->body.size()));
  CHECK(head->Header("content-type") == get->Header("content-type"));
  // Nothing of the body followed: the next reply on the connection parses.
  REQUIRE(client.Send(BuildRequest("GET", "/hello")));
  auto next = client.ReadResponse();
  REQUIRE(next);
  CHECK(next->status == 200);
  CHECK(next->body == get->body);
}

TEST_CASE("server rejects path traversal attempts without routing them") {
  Fixture f;
  for (const char* target :
       {"/api/students/../../etc/passwd/profile", "/api/students/..%2f..%2fetc/profile",
        "/api/students/%2e%2e/profile", "/api/students/a%00b/profile", "/hello/%2e%2e"}) {
    CAPTURE(target);
    auto response = RoundTrip(f.server.port(), BuildRequest("GET", target));
    REQUIRE(response);
    CHECK((response->status == 400 || response->status == 404));
    CHECK(response->body.find("\"error\"") != std::string::npos);
  }
  auto still_fine = RoundTrip(f.server.port(), BuildRequest("GET", "/hello"));
  REQUIRE(still_fine);
  CHECK(still_fine->status == 200);
}

TEST_CASE("server serves two requests on one keep-alive connection") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(client.Send(BuildRequest("GET", "/hello")));
  auto first = client.ReadResponse();
  REQUIRE(first);
  CHECK(first->status == 200);
  REQUIRE(client.Send(BuildRequest("GET", "/api/students/7/profile")));
  auto second = client.ReadResponse();
  REQUIRE(second);
  CHECK(second->status == 200);
  CHECK(first->Header("x-request-id") != second->Header("x-request-id"));
}

TEST_CASE("server answers pipelined requests in order") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(client.Send(BuildRequest("GET", "/slow") + BuildRequest("GET", "/hello")));
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body == R"({"slow":true})");
  CHECK(second->body == R"({"hello":"world"})");
}

TEST_CASE("server closes the connection after Connection: close") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(client.Send(BuildRequest("GET", "/hello", {}, "Connection: close\r\n")));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->Header("connection") == "close");
  CHECK(client.WaitForClose(std::chrono::seconds(2)));
}

TEST_CASE("an async handler may answer from another thread later") {
  Fixture f;
  const auto start = std::chrono::steady_clock::now();
  auto response = RoundTrip(f.server.port(), BuildRequest("GET", "/slow"));
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250));
}

TEST_CASE("a handler that drops its responder or throws yields 500") {
  Fixture f;
  for (const char* target : {"/drop", "/throw"}) {
    CAPTURE(target);
    auto response = RoundTrip(f.server.port(), BuildRequest("GET", target));
    REQUIRE(response);
    CHECK(response->status == 500);
    CHECK(ErrorCode(*response) == "internal");
  }
}

TEST_CASE("a handler's exception is logged by its type, never by its message") {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  {
    Fixture f;
    auto response = RoundTrip(f.server.port(), BuildRequest("GET", "/throw"));
    REQUIRE(response);
    CHECK(response->status == 500);
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  CHECK(log.find("http handler for /throw threw") != std::string::npos);
  CHECK(log.find("runtime_error") != std::string::npos);
  CHECK(log.find("boom") == std::string::npos);  // the message may quote personal data
}

TEST_CASE("an I/O thread outlives a completion that throws and runs the ones after it") {
  boost::asio::io_context ioc;
  std::vector<int> ran;
  boost::asio::post(ioc, [&] { ran.push_back(1); });
  boost::asio::post(ioc, [] { throw std::bad_alloc(); });
  boost::asio::post(ioc, [] { throw 42; });
  boost::asio::post(ioc, [&] { ran.push_back(2); });
  CHECK_NOTHROW(internal::RunIoThread(ioc));
  CHECK(ran == std::vector<int>{1, 2});
}

TEST_CASE("JSON bodies that are nested too deep or invalid UTF-8 or not objects get 400") {
  Fixture f;
  const std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  for (const std::string& body : {deep, std::string("{\"a\":\"\xc3\x28\"}"), std::string("[1]"),
                                  std::string("{\"unterminated\":")}) {
    CAPTURE(body);
    auto response = RoundTrip(f.server.port(), BuildRequest("POST", "/echo", body));
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(ErrorCode(*response) == "bad_request");
  }
  auto ok = RoundTrip(f.server.port(), BuildRequest("POST", "/echo", R"({"a":[1,{"b":2}]})"));
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body == R"({"a":[1,{"b":2}]})");
}

TEST_CASE("server drops response headers that could split the response") {
  Fixture f;
  auto response = RoundTrip(f.server.port(), BuildRequest("GET", "/cookie"));
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->Header("set-cookie") == "session=abc; HttpOnly; SameSite=Strict");
  CHECK(response->Header("x-injected").empty());
  CHECK(response->Header("content-length") == "2");
}

TEST_CASE("the request log names the route pattern and never the target or query") {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  {
    Fixture f;
    auto response = RoundTrip(f.server.port(),
                              BuildRequest("GET", "/api/students/secret-id/profile?token=hunter2"));
    REQUIRE(response);
    auto hello = RoundTrip(f.server.port(), BuildRequest("GET", "/hello"));
    REQUIRE(hello);
    // A method is whatever token a client sends: it is logged only if known.
    auto odd = RoundTrip(f.server.port(), BuildRequest("AVABAKER", "/hello"));
    REQUIRE(odd);
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  CHECK(log.find("AVABAKER") == std::string::npos);
  CHECK(log.find("http other <unmatched> 405") != std::string::npos);
  CHECK(log.find("http GET /api/students/{id}/profile 200") != std::string::npos);
  CHECK(log.find("http GET /hello 200") != std::string::npos);
  CHECK(log.find("user=u-test") != std::string::npos);
  CHECK(log.find("request_id=") != std::string::npos);
  CHECK(log.find("secret-id") == std::string::npos);
  CHECK(log.find("hunter2") == std::string::npos);
}

TEST_CASE("server counts requests by route and status in its metrics") {
  auto metrics = std::make_shared<Metrics>();
  testing::TestRouteState routes;
  HttpServer server(testing::TestOptions(), testing::MakeTestRouter(routes), metrics);
  REQUIRE(server.Start().ok());
  for (int i = 0; i < 2; ++i) REQUIRE(RoundTrip(server.port(), BuildRequest("GET", "/hello")));
  REQUIRE(RoundTrip(server.port(), BuildRequest("GET", "/api/students/42/profile")));
  REQUIRE(RoundTrip(server.port(), BuildRequest("GET", "/nope")));
  server.Stop();
  const std::string text = metrics->RenderPrometheus();
  CHECK(text.find(R"(backpack_http_requests_total{method="GET",route="/hello",status="200"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(route="/api/students/{id}/profile",status="200"} 1)") != std::string::npos);
  CHECK(text.find(R"(route="<unmatched>",status="404"} 1)") != std::string::npos);
  CHECK(text.find(R"(backpack_http_request_duration_seconds_count{route="/hello"} 2)") !=
        std::string::npos);
  CHECK(text.find("/students/42") == std::string::npos);
}

TEST_CASE("Start reports a taken port clearly") {
  Fixture f;
  ServerOptions options = testing::TestOptions();
  options.listen = "127.0.0.1:" + std::to_string(f.server.port());
  HttpServer second(options, Router{});
  Status status = second.Start();
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message().find(options.listen) != std::string::npos);
}

TEST_CASE("Start rejects a malformed listen address") {
  for (const char* listen : {"localhost", "127.0.0.1:99999", "not-an-ip:80", "127.0.0.1:"}) {
    CAPTURE(listen);
    ServerOptions options = testing::TestOptions();
    options.listen = listen;
    HttpServer server(options, Router{});
    CHECK(server.Start().code() == StatusCode::kInvalidArgument);
    CHECK(CheckListenAddress(listen).code() == StatusCode::kInvalidArgument);
  }
  CHECK(CheckListenAddress("not-an-ip:80").message().find("give an IP address") !=
        std::string::npos);
}

TEST_CASE("a listen address of localhost serves on 127.0.0.1") {
  CHECK(CheckListenAddress("localhost:8080").ok());
  ServerOptions options = testing::TestOptions();
  options.listen = "localhost:0";
  HttpServer server(options, Router{});
  REQUIRE(server.Start().ok());
  TestClient client(server.port());
  CHECK(client.connected());
  server.Stop();
}

TEST_CASE("RunUntilSignal stops the server on SIGTERM and then calls on_stop") {
  Fixture f;
  const uint16_t port = f.server.port();
  bool stopped_callback = false;
  // SIGTERM only once RunUntilSignal has installed its handler in place of
  // the one there now (Catch's, which would end the test run).
  struct sigaction before {};
  REQUIRE(sigaction(SIGTERM, nullptr, &before) == 0);
  std::atomic<bool> returned{false};
  std::atomic<bool> installed{false};
  std::thread sender([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!returned && std::chrono::steady_clock::now() < deadline) {
      struct sigaction now {};
      if (sigaction(SIGTERM, nullptr, &now) == 0 && now.sa_handler != before.sa_handler) {
        installed = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // Not installed after a minute: raise it anyway, so that the test fails
    // (Catch reports the signal) instead of waiting forever.
    if (!returned) std::raise(SIGTERM);
  });
  Status status = RunUntilSignal(f.server, [&] { stopped_callback = true; });
  returned = true;
  sender.join();
  CHECK(installed);
  CHECK(status.ok());
  CHECK(stopped_callback);
  TestClient after(port);
  CHECK((!after.connected() || after.WaitForClose(std::chrono::milliseconds(1000))));
}

}  // namespace
}  // namespace backpack::http
