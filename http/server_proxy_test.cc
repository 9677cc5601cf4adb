// HttpServer behind a reverse proxy: the client address a handler sees
// (HttpRequest::client_ip) over real loopback sockets, with and without
// ServerOptions::trusted_proxies. Addresses are documentation ones.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace backpack::http {
namespace {

using std::chrono::milliseconds;
using testing::BuildRequest;
using testing::ClientResponse;
using testing::TestClient;

struct Fixture {
  explicit Fixture(std::vector<std::string> trusted_proxies)
      : server(Options(std::move(trusted_proxies)), testing::MakeTestRouter(routes)) {
    REQUIRE(server.Start().ok());
  }
  static ServerOptions Options(std::vector<std::string> trusted_proxies) {
    ServerOptions options = testing::TestOptions();
    options.trusted_proxies = std::move(trusted_proxies);
    return options;
  }
  testing::TestRouteState routes;
  HttpServer server;
};

// GET of the test profile route (it answers the client address as "ip")
// from loopback address `source`, with `headers` ("Name: value\r\n" lines).
std::optional<ClientResponse> GetFrom(const Fixture& f, const std::string& source,
                                      const std::string& headers) {
  TestClient client(f.server.port(), std::chrono::milliseconds(5000), source);
  if (!client.connected() || !client.Send(BuildRequest("GET", "/api/students/s1/profile", "",
                                                       headers + "Connection: close\r\n"))) {
    return std::nullopt;
  }
  return client.ReadResponse();
}

// The "ip" the handler saw, or "status N: CODE: MESSAGE" if it was not reached.
std::string SeenAddress(const Fixture& f, const std::string& headers,
                        const std::string& source = "127.0.0.1") {
  std::optional<ClientResponse> response = GetFrom(f, source, headers);
  if (!response) return "no response";
  boost::json::value body = boost::json::parse(response->body);
  if (response->status == 200) return std::string(body.at("ip").as_string());
  return "status " + std::to_string(response->status) + ": " +
         std::string(body.at("error").at("code").as_string()) + ": " +
         std::string(body.at("error").at("message").as_string());
}

TEST_CASE("behind a trusted proxy a handler sees the rightmost X-Forwarded-For address") {
  Fixture f({"127.0.0.1"});
  CHECK(SeenAddress(f, "X-Forwarded-For: 198.51.100.7\r\n") == "198.51.100.7");
  CHECK(SeenAddress(f, "X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\n") == "198.51.100.7");
  CHECK(SeenAddress(f, "x-forwarded-for: 2001:DB8:0::7\r\n") == "2001:db8::7");
}

TEST_CASE("X-Forwarded-For from a peer that is not a trusted proxy is ignored") {
  Fixture none({});
  CHECK(SeenAddress(none, "X-Forwarded-For: 198.51.100.7\r\n") == "127.0.0.1");
  CHECK(SeenAddress(none, "X-Forwarded-For: nonsense\r\nX-Forwarded-For: ,\r\n") == "127.0.0.1");
  Fixture other({"127.0.0.1"});
  CHECK(SeenAddress(other, "X-Forwarded-For: 198.51.100.7\r\n", "127.0.0.2") == "127.0.0.2");
  CHECK(SeenAddress(other, "X-Forwarded-For: nonsense\r\n", "127.0.0.2") == "127.0.0.2");
}

TEST_CASE("a trusted proxy's unusable X-Forwarded-For gets 400 and never reaches a handler") {
  Fixture f({"192.0.2.10", "127.0.0.1"});
  const std::string kPrefix = "status 400: bad_request: ";
  CHECK(SeenAddress(f, "") ==
        kPrefix + "a request through a trusted proxy needs an X-Forwarded-For field");
  CHECK(SeenAddress(f, "X-Forwarded-For:\r\n") ==
        kPrefix + "empty X-Forwarded-For field from a trusted proxy");
  for (const std::string value :
       {"198.51.100.7:443", "[2001:db8::7]", "198.51.100.7,", "unknown", "198.51.100.7, garbage"}) {
    INFO(value);
    CHECK(SeenAddress(f, "X-Forwarded-For: " + value + "\r\n") ==
          kPrefix + "the last X-Forwarded-For entry from a trusted proxy is not an IP address");
  }
  CHECK(SeenAddress(f, "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-For: unknown\r\n") ==
        kPrefix + "the last X-Forwarded-For entry from a trusted proxy is not an IP address");
}

TEST_CASE("behind a trusted proxy several X-Forwarded-For lines count as one, in order") {
  Fixture f({"127.0.0.1"});
  // HAProxy's option forwardfor appends its line to the one the client sent.
  CHECK(SeenAddress(f, "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 198.51.100.7\r\n") ==
        "198.51.100.7");
  CHECK(SeenAddress(f,
                    "X-Forwarded-For: 192.0.2.1, 203.0.113.9\r\nAccept: */*\r\n"
                    "x-forwarded-for: 2001:DB8::7\r\n") == "2001:db8::7");
}

TEST_CASE("refused requests from a trusted proxy are logged at most once in a while") {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  {
    Fixture f({"127.0.0.1"});
    for (int i = 0; i < 20; ++i) {
      INFO(i);
      CHECK(SeenAddress(f, "X-Forwarded-For: 198.51.100." + std::to_string(i) + ",\r\n")
                .starts_with("status 400: "));
    }
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  std::size_t lines = 0;
  for (std::size_t at = log.find("refused a request"); at != std::string::npos;
       at = log.find("refused a request", at + 1)) {
    ++lines;
  }
  CHECK(lines == 1);
  CHECK(log.find("refused a request: the last X-Forwarded-For entry") != std::string::npos);
  CHECK(log.find("198.51.100.") == std::string::npos);
}

// `n` connections from `source`, each with one request through the proxy
// answered 200, so the server has accepted and registered them. They stay
// open while the vector lives.
std::vector<std::unique_ptr<TestClient>> HoldConnections(const HttpServer& server,
                                                         const std::string& source, int n) {
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < n; ++i) {
    INFO(source << " connection " << i);
    held.push_back(std::make_unique<TestClient>(server.port(), milliseconds(30'000), source));
    const std::string forwarded = "X-Forwarded-For: 198.51.100." + std::to_string(i) + "\r\n";
    REQUIRE(held.back()->Send(BuildRequest("GET", "/hello", "", forwarded)));
    std::optional<ClientResponse> response = held.back()->ReadResponse();
    REQUIRE(response);
    REQUIRE(response->status == 200);
  }
  return held;
}

// The status the server answers a new connection from `source` with before
// any request (503 over a cap), or 0 if it answers nothing within a second.
int StatusBeforeRequest(const HttpServer& server, const std::string& source) {
  TestClient client(server.port(), milliseconds(1000), source);
  std::optional<ClientResponse> response = client.ReadResponse();
  return response ? response->status : 0;
}

TEST_CASE("a trusted proxy is exempt from the per-client connection cap, not the overall one") {
  ServerOptions options = Fixture::Options({"127.0.0.1"});
  options.max_connections = 8;
  options.max_connections_per_client = 2;
  // Long enough that no held connection times out (freeing its slot) however
  // slowly the machine runs.
  options.header_timeout = milliseconds(60'000);
  options.idle_timeout = milliseconds(60'000);
  testing::TestRouteState routes;
  HttpServer server(options, testing::MakeTestRouter(routes));
  REQUIRE(server.Start().ok());
  // Through the proxy, twice the per-client cap.
  auto proxied = HoldConnections(server, "127.0.0.1", 4);
  // Other peers keep their cap.
  auto direct = HoldConnections(server, "127.0.0.2", 2);
  CHECK(StatusBeforeRequest(server, "127.0.0.2") == 503);
  auto other = HoldConnections(server, "127.0.0.3", 2);
  // Eight in all: the overall cap holds for the proxy too.
  CHECK(StatusBeforeRequest(server, "127.0.0.1") == 503);
}

}  // namespace
}  // namespace backpack::http
