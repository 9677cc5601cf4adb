// HttpServer under hostile or unlucky clients: oversized and malformed
// requests, stalled connections, the connection cap and graceful Stop().
#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace backpack::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::BuildRequest;
using testing::ClientResponse;
using testing::RoundTrip;
using testing::TestClient;

struct Fixture {
  explicit Fixture(ServerOptions options = testing::TestOptions())
      : server(std::move(options), testing::MakeTestRouter(routes)) {
    REQUIRE(server.Start().ok());
  }
  testing::TestRouteState routes;
  HttpServer server;
};

// `n` connections, each answered once, so the server has accepted and
// registered them; they stay open while the vector lives.
std::vector<std::unique_ptr<TestClient>> HoldConnections(uint16_t port, int n) {
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < n; ++i) {
    held.push_back(std::make_unique<TestClient>(port));
    REQUIRE(held.back()->Send(BuildRequest("GET", "/hello")));
    REQUIRE(held.back()->ReadResponse());
  }
  return held;
}

std::string ErrorCode(const ClientResponse& response) {
  return std::string(boost::json::parse(response.body).at("error").at("code").as_string());
}

TEST_CASE("a body over the limit gets 413 before it is sent") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 413);
  CHECK(ErrorCode(*response) == "payload_too_large");
  CHECK(response->Header("connection") == "close");
  CHECK(client.WaitForClose(milliseconds(3000)));
}

TEST_CASE("a chunked body over the limit gets 413") {
  Fixture f;
  TestClient client(f.server.port());
  const std::string chunk(600 * 1024, 'x');
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) request += "96000\r\n" + chunk + "\r\n";
  REQUIRE(client.Send(request));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 413);
}

TEST_CASE("the imports route has its own larger body limit") {
  Fixture f;
  const std::string two_mib(2 * 1024 * 1024, 'z');
  auto accepted = RoundTrip(f.server.port(), BuildRequest("POST", "/api/imports", two_mib));
  REQUIRE(accepted);
  CHECK(accepted->status == 201);
  CHECK(accepted->body == R"({"bytes":2097152})");
  auto elsewhere = RoundTrip(f.server.port(), BuildRequest("POST", "/echo", two_mib));
  REQUIRE(elsewhere);
  CHECK(elsewhere->status == 413);
  auto too_big = RoundTrip(
      f.server.port(), "POST /api/imports HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
}

TEST_CASE("a route's larger body limit applies only to requests it admits") {
  ServerOptions options = testing::TestOptions();
  options.route_body_limits[0].admits = [](const HttpRequest& request) {
    return request.headers.Get("X-Admit") == "yes";
  };
  Fixture f(options);
  const std::string two_mib(2 * 1024 * 1024, 'z');
  auto admitted =
      RoundTrip(f.server.port(), BuildRequest("POST", "/api/imports", two_mib, "X-Admit: yes\r\n"));
  REQUIRE(admitted);
  CHECK(admitted->status == 201);
  // Not admitted: the route answers without the body, which is never read
  // (the test route reports the bytes it got), and the connection closes.
  auto unread = RoundTrip(f.server.port(),
                          "POST /api/imports HTTP/1.1\r\nHost: x\r\nX-Admit: no\r\n"
                          "Content-Length: 2097152\r\n\r\n");
  REQUIRE(unread);
  CHECK(unread->status == 201);
  CHECK(unread->body == R"({"bytes":0})");
  CHECK(unread->Header("connection") == "close");
  // Over the route's own limit: 413 for anyone.
  auto refused = RoundTrip(f.server.port(),
                           "POST /api/imports HTTP/1.1\r\nHost: x\r\nX-Admit: yes\r\n"
                           "Content-Length: 5000000\r\n\r\n");
  REQUIRE(refused);
  CHECK(refused->status == 413);
  auto small = RoundTrip(f.server.port(), BuildRequest("POST", "/api/imports", "tiny"));
  REQUIRE(small);
  CHECK(small->status == 201);
}

TEST_CASE("Expect: 100-continue gets an interim response before the answer") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(
      client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  REQUIRE(client.Send(R"({"a":1})"));
  REQUIRE(client.Send(" "));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(client.continues_received() == 1);
}

TEST_CASE("an HTTP/1.0 client, which cannot take an interim response, gets none") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(
      client.Send("POST /echo HTTP/1.0\r\nContent-Length: 8\r\n"
                  "Expect: 100-continue\r\n\r\n{\"a\":1} "));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(client.continues_received() == 0);
}

TEST_CASE("a header block over 16 KiB gets 431 and the connection closes") {
  Fixture f;
  TestClient client(f.server.port());
  const std::string huge(20 * 1024, 'h');
  REQUIRE(client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\n\r\n"));
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 431);
  CHECK(client.WaitForClose(milliseconds(3000)));
}

TEST_CASE("a huge URL is refused and never routed") {
  Fixture f;
  const std::string target = "/api/students/" + std::string(40 * 1024, 'a') + "/profile";
  auto response = RoundTrip(f.server.port(), BuildRequest("GET", target));
  REQUIRE(response);
  CHECK((response->status == 431 || response->status == 414 || response->status == 400));
}

TEST_CASE("malformed requests get 400 and the connection closes") {
  Fixture f;
  for (const char* raw :
       {"GARBAGE\r\n\r\n", "GET /hello HTTP/9.9\r\n\r\n", "GET  /hello HTTP/1.1\r\n\r\n",
        "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n", "GET ftp://evil/x HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        // Framing that could smuggle a second request, and Host (RFC 9112).
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        "0\r\n\r\n",
        "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
        "0\r\n\r\n",
        "GET /hello HTTP/1.1\r\n\r\n", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    CAPTURE(raw);
    TestClient client(f.server.port());
    REQUIRE(client.Send(raw));
    auto response = client.ReadResponse();
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(ErrorCode(*response) == "bad_request");
    CHECK(client.WaitForClose(milliseconds(3000)));
  }
}

TEST_CASE("an endless chunk extension is refused, not buffered") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"));
  client.Send(std::string(512 * 1024, 'a'));  // may fail once the server has answered
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 400);
  CHECK(client.WaitForClose(milliseconds(3000)));
}

TEST_CASE("a body trickled a byte at a time is cut off by its deadline") {
  ServerOptions options = testing::TestOptions();
  options.body_timeout = milliseconds(600);
  Fixture f(options);
  TestClient client(f.server.port());
  const auto start = steady_clock::now();
  REQUIRE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  // Trickled to the end, the body would take 200 s, and each pause (shorter
  // than the timeout) would keep a per-read timeout from ever firing.
  bool open = true;
  while (open && steady_clock::now() - start < milliseconds(30'000)) {
    std::this_thread::sleep_for(milliseconds(200));
    open = client.Send("a");
  }
  CHECK(client.WaitForClose(milliseconds(10'000)));
  CHECK(steady_clock::now() - start < milliseconds(20'000));
}

TEST_CASE("one client address cannot take every connection") {
  ServerOptions options = testing::TestOptions();
  options.max_connections = 8;
  options.max_connections_per_client = 2;
  // Long enough that no held connection times out (freeing its slot) however
  // slowly the machine runs.
  options.header_timeout = milliseconds(60'000);
  options.idle_timeout = milliseconds(60'000);
  Fixture f(options);
  auto held = HoldConnections(f.server.port(), 2);
  TestClient third(f.server.port(), milliseconds(30'000));
  auto refused = third.ReadResponse();
  REQUIRE(refused);
  CHECK(refused->status == 503);
  TestClient other(f.server.port(), milliseconds(30'000), "127.0.0.2");
  REQUIRE(other.connected());
  REQUIRE(other.Send(BuildRequest("GET", "/hello")));
  auto served = other.ReadResponse();
  REQUIRE(served);
  CHECK(served->status == 200);
}

TEST_CASE("a stalled header is cut off by the header timeout") {
  const ServerOptions options = testing::TestOptions();
  Fixture f(options);
  // Before connecting: the server's timer starts at the accept, after this.
  const auto start = steady_clock::now();
  TestClient client(f.server.port());
  REQUIRE(client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  CHECK(client.WaitForClose(milliseconds(30'000)));
  CHECK(steady_clock::now() - start >= options.header_timeout);
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
  ServerOptions options = testing::TestOptions();
  options.idle_timeout = milliseconds(500);
  Fixture f(options);
  TestClient client(f.server.port());
  REQUIRE(client.Send(BuildRequest("GET", "/hello")));
  REQUIRE(client.ReadResponse());
  CHECK(client.WaitForClose(milliseconds(3000)));
}

// `n` connections that each send half a header and then nothing.
std::vector<std::unique_ptr<TestClient>> StallConnections(uint16_t port, int n) {
  std::vector<std::unique_ptr<TestClient>> stalled;
  for (int i = 0; i < n; ++i) {
    stalled.push_back(std::make_unique<TestClient>(port));
    REQUIRE(stalled.back()->Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  return stalled;
}

TEST_CASE("200 stalled connections do not starve a real client") {
  // The stalled connections stay open for the whole test: a server they
  // starved would answer only once the header timeout cut them off, ~30 s
  // on, far beyond the bound on each round trip.
  ServerOptions options = testing::TestOptions();
  options.header_timeout = milliseconds(30'000);
  Fixture f(options);
  auto stalled = StallConnections(f.server.port(), 200);
  for (int i = 0; i < 3; ++i) {
    const auto start = steady_clock::now();
    TestClient client(f.server.port(), milliseconds(60'000));
    REQUIRE(client.Send(BuildRequest("GET", "/hello")));
    auto response = client.ReadResponse();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(steady_clock::now() - start < milliseconds(10'000));
  }
}

TEST_CASE("200 stalled connections are each cut off by the header timeout") {
  Fixture f;
  auto stalled = StallConnections(f.server.port(), 200);
  const auto deadline = steady_clock::now() + milliseconds(30'000);
  for (auto& client : stalled) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    CHECK(client->WaitForClose(std::max(left, milliseconds(1))));
  }
}

TEST_CASE("connections over the cap get 503 and are closed") {
  ServerOptions options = testing::TestOptions();
  options.max_connections = 3;
  options.max_connections_per_client = 3;  // every test client is 127.0.0.1
  // Long enough that no held connection times out (freeing its slot) however
  // slowly the machine runs.
  options.header_timeout = milliseconds(60'000);
  options.idle_timeout = milliseconds(60'000);
  Fixture f(options);
  auto held = HoldConnections(f.server.port(), 3);
  TestClient extra(f.server.port(), milliseconds(30'000));
  auto refused = extra.ReadResponse();
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(extra.WaitForClose(milliseconds(30'000)));

  held.pop_back();  // Frees a slot once the server notices the close.
  bool served = false;
  const auto deadline = steady_clock::now() + milliseconds(30'000);
  while (!served && steady_clock::now() < deadline) {
    auto response = RoundTrip(f.server.port(), BuildRequest("GET", "/hello"));
    served = response && response->status == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(50));
  }
  CHECK(served);
  CHECK(f.server.metrics().RenderPrometheus().find("backpack_http_rejected_connections_total") !=
        std::string::npos);
}

TEST_CASE("Stop lets an in-flight async request finish and then refuses connections") {
  ServerOptions options = testing::TestOptions();
  options.stop_timeout = milliseconds(30'000);
  auto routes = std::make_unique<testing::TestRouteState>();
  HttpServer server(options, testing::MakeTestRouter(*routes));
  REQUIRE(server.Start().ok());
  const uint16_t port = server.port();
  TestClient idle(port);  // Connected, no request: closed by Stop().
  TestClient client(port);
  REQUIRE(client.Send(BuildRequest("GET", "/slow")));
  const auto handler_deadline = steady_clock::now() + milliseconds(60'000);
  while (routes->slow_started.load() == 0 && steady_clock::now() < handler_deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(routes->slow_started.load() == 1);
  const auto start = steady_clock::now();
  server.Stop();
  // The handler answers 300 ms after it starts: Stop returned once it had,
  // not after the stop timeout.
  CHECK(steady_clock::now() - start < options.stop_timeout / 2);
  auto response = client.ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == R"({"slow":true})");
  CHECK(response->Header("connection") == "close");
  CHECK(idle.WaitForClose(milliseconds(10'000)));
  TestClient after(port);
  CHECK((!after.connected() || after.WaitForClose(milliseconds(10'000))));
}

TEST_CASE("Stop gives up on a handler that never answers after stop_timeout") {
  ServerOptions options = testing::TestOptions();
  options.stop_timeout = milliseconds(300);
  testing::TestRouteState routes;
  std::mutex kept_mu;
  Responder kept;  // Guarded by kept_mu.
  std::atomic<bool> handler_ran{false};
  Router router = testing::MakeTestRouter(routes);
  REQUIRE(router
              .Add("GET", "/hang",
                   [&](const HttpRequest&, const RouteParams&, Responder respond) {
                     std::lock_guard lock(kept_mu);
                     kept = std::move(respond);
                     handler_ran = true;
                   })
              .ok());
  HttpServer server(options, std::move(router));
  REQUIRE(server.Start().ok());
  TestClient client(server.port());
  REQUIRE(client.Send(BuildRequest("GET", "/hang")));
  const auto handler_deadline = steady_clock::now() + milliseconds(60'000);
  while (!handler_ran && steady_clock::now() < handler_deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(handler_ran);
  // On another thread, so that a Stop that never gives up fails the test
  // instead of hanging it: answering the request then lets it return.
  std::future<void> stopping = std::async(std::launch::async, [&] { server.Stop(); });
  const bool gave_up = stopping.wait_for(milliseconds(10'000)) == std::future_status::ready;
  CHECK(gave_up);
  {
    std::lock_guard lock(kept_mu);
    kept(JsonResponse(200, boost::json::object{}));  // Late: dropped, must not crash.
    kept = nullptr;
  }
  stopping.get();
  CHECK(client.WaitForClose(milliseconds(10'000)));
}

}  // namespace
}  // namespace backpack::http
