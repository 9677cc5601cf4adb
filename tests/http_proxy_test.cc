// `backpack serve --trusted-proxy` through the real binary over a demo
// district: the client address that the audit trail, the per-address sign-in
// limit and the loopback-only routes use. The test client connects from
// 127.0.0.1 and poses as the proxy; forwarded addresses are documentation
// ones (RFC 5737, RFC 3849).
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/http_harness.h"
#include "tests/process.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace json = boost::json;

struct Served {
  explicit Served(std::vector<std::string> extra)
      : data(dir.path() / "data"), server((DemoStore::CopyTo(data), data), std::move(extra)) {
    REQUIRE(server.Start());
  }
  TempDir dir;
  std::filesystem::path data;
  ServerProcess server;
};

const std::vector<std::string> kTrustLoopback = {"--trusted-proxy", "127.0.0.1"};

std::string Via(const std::string& forwarded_for) {
  return "X-Forwarded-For: " + forwarded_for + "\r\n";
}

std::optional<ClientResponse> LoginVia(const ServerProcess& server, const std::string& headers,
                                       const std::string& username, const std::string& password) {
  const json::object body{{"username", username}, {"password", password}};
  return server.Call("POST", "/api/session", json::serialize(body),
                     "Content-Type: application/json\r\n" + headers);
}

int LoginStatus(const ServerProcess& server, const std::string& headers,
                const std::string& username, const std::string& password) {
  auto response = LoginVia(server, headers, username, password);
  return response ? response->status : 0;
}

std::string TokenVia(const ServerProcess& server, const std::string& headers,
                     const std::string& username) {
  auto response = LoginVia(server, headers, username, DemoStore::Passwords().at(username));
  REQUIRE(response);
  REQUIRE(response->status == 201);
  return JsonField(response->body, "token");
}

std::optional<ClientResponse> GetVia(const ServerProcess& server, const std::string& headers,
                                     const std::string& target, const std::string& token) {
  return server.Call("GET", target, "", "Authorization: Bearer " + token + "\r\n" + headers);
}

// The privacy officer's newest audit events (through `headers`).
json::array AuditEvents(const ServerProcess& server, const std::string& headers,
                        const std::string& token) {
  auto response = GetVia(server, headers, "/api/audit/events?limit=100", token);
  REQUIRE(response);
  REQUIRE(response->status == 200);
  return json::parse(response->body).at("events").as_array();
}

uint64_t LastSeq(const ServerProcess& server) {
  auto response = server.Call("GET", "/healthz", "", Via("127.0.0.1"));
  REQUIRE(response);
  REQUIRE(response->status == 200);
  return json::parse(response->body).at("last_seq").to_number<uint64_t>();
}

// "ACTION USERNAME IP" of the events after sequence number `after`.
std::set<std::string> EventsAfter(uint64_t after, const json::array& events) {
  std::set<std::string> out;
  for (const json::value& e : events) {
    if (e.at("seq").to_number<uint64_t>() <= after) continue;
    out.insert(std::string(e.at("action").as_string()) + " " +
               std::string(e.at("actor").at("username").as_string()) + " " +
               std::string(e.at("ip").as_string()));
  }
  return out;
}

TEST_CASE("behind a trusted proxy the audit trail records the forwarded client address") {
  Served s(kTrustLoopback);
  const uint64_t start = LastSeq(s.server);
  const std::string officer = Via("198.51.100.7");
  const std::string privacy = TokenVia(s.server, officer, "privacy");
  const std::string teacher = Via("203.0.113.9, 203.0.113.10");  // the proxy appended .10
  const std::string principal = TokenVia(s.server, teacher, "principal");
  REQUIRE(GetVia(s.server, teacher, "/api/audit/events", principal)->status == 403);
  REQUIRE(LoginStatus(s.server, Via("2001:DB8::7"), "principal", "not the password") == 401);
  // A client that reaches the server directly cannot choose its address.
  http::testing::TestClient direct(s.server.port(), std::chrono::seconds(30), "127.0.0.2");
  REQUIRE(direct.Send(http::testing::BuildRequest(
      "POST", "/api/session", R"({"username":"principal","password":"not the password"})",
      "Content-Type: application/json\r\n" + Via("192.0.2.99") + "Connection: close\r\n")));
  auto direct_login = direct.ReadResponse();
  REQUIRE(direct_login);
  REQUIRE(direct_login->status == 401);

  AuditEvents(s.server, officer, privacy);  // itself an audited read
  CHECK(EventsAfter(start, AuditEvents(s.server, officer, privacy)) ==
        std::set<std::string>{
            "LoginSucceeded privacy 198.51.100.7",
            "LoginSucceeded principal 203.0.113.10",
            "AccessDenied principal 203.0.113.10",
            "LoginFailed principal 2001:db8::7",
            "LoginFailed principal 127.0.0.2",
            "RecordViewed privacy 198.51.100.7",
        });
}

TEST_CASE("behind a trusted proxy failed sign-ins are limited per forwarded address") {
  Served s({"--trusted-proxy", "127.0.0.1", "--login-ip-limit", "3"});
  const std::string attacker = Via("198.51.100.7");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(LoginStatus(s.server, attacker, "stranger" + std::to_string(i), "wrong") == 401);
  }
  const std::string& password = DemoStore::Passwords().at("principal");
  CHECK(LoginStatus(s.server, attacker, "principal", password) == 429);
  CHECK(LoginStatus(s.server, Via("198.51.100.8"), "principal", password) == 201);
  // Addresses the client put left of the proxy's entry are not its own.
  CHECK(LoginStatus(s.server, Via("198.51.100.8, 198.51.100.7"), "principal", password) == 429);
}

TEST_CASE("without --trusted-proxy X-Forwarded-For is ignored: the peer is audited and limited") {
  Served s({"--login-ip-limit", "3"});
  const uint64_t start = LastSeq(s.server);
  const std::string privacy = TokenVia(s.server, Via("198.51.100.9"), "privacy");
  REQUIRE(LoginStatus(s.server, Via("198.51.100.20"), "admin", "wrong") == 401);
  REQUIRE(LoginStatus(s.server, Via("198.51.100.21"), "principal", "wrong") == 401);
  REQUIRE(LoginStatus(s.server, Via("198.51.100.22"), "principal", "wrong") == 401);
  const std::string& password = DemoStore::Passwords().at("principal");
  CHECK(LoginStatus(s.server, Via("198.51.100.30"), "principal", password) == 429);
  CHECK(EventsAfter(start, AuditEvents(s.server, Via("198.51.100.9"), privacy)) ==
        std::set<std::string>{
            "LoginSucceeded privacy 127.0.0.1",
            "LoginFailed admin 127.0.0.1",
            "LoginFailed principal 127.0.0.1",
        });
}

TEST_CASE("a trusted proxy's unusable X-Forwarded-For gets 400 and appends nothing") {
  Served s(kTrustLoopback);
  const std::string privacy = TokenVia(s.server, Via("198.51.100.7"), "privacy");
  const uint64_t before = LastSeq(s.server);
  for (const std::string& headers :
       {std::string(), Via("198.51.100.7") + Via(""), Via(""), Via("198.51.100.7, "),
        Via("198.51.100.7:443"), Via("[2001:db8::7]"), Via("unknown")}) {
    INFO(headers);
    auto login = LoginVia(s.server, headers, "principal", "not the password");
    REQUIRE(login);
    CHECK(login->status == 400);
    CHECK(json::parse(login->body).at("error").at("code") == "bad_request");
    auto read = GetVia(s.server, headers, "/api/audit/events", privacy);
    REQUIRE(read);
    CHECK(read->status == 400);
  }
  CHECK(LastSeq(s.server) == before);
  // Fourteen refusals within seconds: the first is logged, the rest at most
  // once every ten seconds.
  const std::string log = s.server.Log();
  CHECK(log.find("refused a request: a request through a trusted proxy needs an X-Forwarded-For "
                 "field") != std::string::npos);
  std::size_t lines = 0;
  for (std::size_t at = log.find("refused a request"); at != std::string::npos;
       at = log.find("refused a request", at + 1)) {
    ++lines;
  }
  CHECK(lines >= 1);
  CHECK(lines <= 2);
}

TEST_CASE("behind a proxy that appends its own X-Forwarded-For line its entry is audited") {
  Served s(kTrustLoopback);
  const uint64_t start = LastSeq(s.server);
  // HAProxy's option forwardfor: the client's line (a web filter's, or forged), then the proxy's.
  const std::string haproxy = Via("192.0.2.99, 203.0.113.9") + Via("198.51.100.7");
  const std::string privacy = TokenVia(s.server, haproxy, "privacy");
  REQUIRE(LoginStatus(s.server, Via("192.0.2.99") + Via("2001:DB8::7"), "principal", "wrong") ==
          401);
  AuditEvents(s.server, haproxy, privacy);  // itself an audited read
  CHECK(EventsAfter(start, AuditEvents(s.server, haproxy, privacy)) ==
        std::set<std::string>{
            "LoginSucceeded privacy 198.51.100.7",
            "LoginFailed principal 2001:db8::7",
            "RecordViewed privacy 198.51.100.7",
        });
}

TEST_CASE("a trusted proxy's connections are capped only by --max-connections") {
  Served s({"--trusted-proxy", "127.0.0.1", "--max-connections", "4",
            "--max-connections-per-client", "1"});
  std::vector<std::unique_ptr<http::testing::TestClient>> held;
  for (int i = 0; i < 4; ++i) {  // keep-alive connections through the proxy, each answered
    INFO("connection " << i);
    held.push_back(
        std::make_unique<http::testing::TestClient>(s.server.port(), std::chrono::seconds(30)));
    REQUIRE(held.back()->Send(http::testing::BuildRequest("GET", "/api/log/checkpoint", "",
                                                          Via("198.51.100." + std::to_string(i)))));
    auto response = held.back()->ReadResponse();
    REQUIRE(response);
    CHECK(response->status == 200);
  }
  // Four open: the fifth is over --max-connections.
  http::testing::TestClient fifth(s.server.port(), std::chrono::seconds(30));
  auto refused = fifth.ReadResponse();
  REQUIRE(refused);
  CHECK(refused->status == 503);
}

TEST_CASE("behind a trusted proxy only a forwarded loopback client reads /healthz and /metrics") {
  Served s(kTrustLoopback);
  CHECK(s.server.Call("GET", "/healthz", "", Via("127.0.0.1"))->status == 200);
  CHECK(s.server.Call("GET", "/metrics", "", Via("::1"))->status == 200);
  CHECK(s.server.Call("GET", "/healthz", "", Via("198.51.100.7"))->status == 403);
  CHECK(s.server.Call("GET", "/metrics", "", Via("127.0.0.1, 198.51.100.7"))->status == 403);
}

TEST_CASE("a --trusted-proxy that is not a list of IP addresses is a usage error in one line") {
  TempDir tmp;
  const std::string data = (tmp.path() / "data").string();
  for (const std::string list : {"proxy.example", "192.0.2.0/24", "127.0.0.1,", "[::1]",
                                 "127.0.0.1:8080", "localhost", ""}) {
    CliResult result = RunBackpack({"--data", data, "serve", "--trusted-proxy", list});
    INFO(list << ": " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.starts_with("backpack: --trusted-proxy: "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(data));
  }
}

}  // namespace
}  // namespace backpack::testing
