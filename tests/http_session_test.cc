// Sign-in, sessions and their security properties, through a real
// `backpack serve` over a demo district.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "tests/http_harness.h"
#include "tests/test_util.h"

namespace backpack::testing {
namespace {

namespace json = boost::json;

// A private copy of the demo district, served.
struct Served {
  explicit Served(std::vector<std::string> extra = {})
      : data(dir.path() / "data"), server((DemoStore::CopyTo(data), data), std::move(extra)) {
    REQUIRE(server.Start());
  }
  TempDir dir;
  std::filesystem::path data;
  ServerProcess server;
};

json::object Object(const std::optional<ClientResponse>& response) {
  REQUIRE(response);
  json::value value = json::parse(response->body);
  REQUIRE(value.is_object());
  return value.as_object();
}

std::string ErrorCode(const std::optional<ClientResponse>& response) {
  json::object body = Object(response);
  return std::string(body.at("error").at("code").as_string());
}

const std::string& Password(const std::string& username) {
  return DemoStore::Passwords().at(username);
}

std::string CookieHeader(const std::string& token) {
  return "Cookie: backpack_session=" + token + "\r\n";
}

// POST /api/session from the loopback address `source` ("127.0.0.2"...).
int LoginStatusFrom(const ServerProcess& server, const std::string& source,
                    const std::string& username, const std::string& password) {
  http::testing::TestClient client(server.port(), std::chrono::seconds(30), source);
  const json::object body{{"username", username}, {"password", password}};
  REQUIRE(client.Send(
      http::testing::BuildRequest("POST", "/api/session", json::serialize(body),
                                  "Content-Type: application/json\r\nConnection: close\r\n")));
  auto response = client.ReadResponse();
  return response ? response->status : 0;
}

uint64_t LastSeq(const ServerProcess& server) {
  return Object(server.Call("GET", "/healthz")).at("last_seq").to_number<uint64_t>();
}

TEST_CASE("signing in returns a token and a strict HttpOnly cookie that both authenticate") {
  Served s;
  auto login = s.server.Login("principal", Password("principal"));
  REQUIRE(login);
  REQUIRE(login->status == 201);
  json::object body = Object(login);
  std::string token(body.at("token").as_string());
  REQUIRE(token.size() == 64);
  REQUIRE(body.at("user").at("username") == "principal");
  REQUIRE(login->Header("set-cookie") ==
          "backpack_session=" + token + "; HttpOnly; SameSite=Strict; Path=/");

  auto by_bearer = s.server.Json("GET", "/api/me", token);
  REQUIRE(by_bearer->status == 200);
  json::object me = Object(by_bearer);
  CHECK(me.at("role") == "educator");
  CHECK(me.at("flags").as_array().size() >= 1);
  for (const char* field : {"id", "username", "display_name", "schools", "grades", "students"}) {
    CHECK(me.contains(field));
  }
  auto by_cookie = s.server.Call("GET", "/api/me", "", CookieHeader(token));
  REQUIRE(by_cookie->status == 200);
  CHECK(Object(by_cookie).at("id") == me.at("id"));

  auto anonymous = s.server.Call("GET", "/api/me");
  REQUIRE(anonymous->status == 401);
  CHECK(ErrorCode(anonymous) == "unauthenticated");
  CHECK(s.server.Json("GET", "/api/me", std::string(64, 'a'))->status == 401);
  CHECK(s.server.Call("GET", "/api/me", "", "Authorization: Basic cHJpbmNpcGFs\r\n")->status ==
        401);
}

TEST_CASE("the cookie is Secure only when serve is told so") {
  Served s({"--secure-cookie"});
  auto login = s.server.Login("principal", Password("principal"));
  REQUIRE(login->status == 201);
  CHECK(login->Header("set-cookie").ends_with("; Secure"));
}

TEST_CASE("a guardian's /api/me lists their children's ids") {
  Served s;
  std::string guardian = DemoStore::AnyUserWithRole("guardian");
  REQUIRE_FALSE(guardian.empty());
  std::string token = s.server.TokenFor(guardian);
  REQUIRE_FALSE(token.empty());
  json::object me = Object(s.server.Json("GET", "/api/me", token));
  CHECK(me.at("role") == "guardian");
  REQUIRE_FALSE(me.at("students").as_array().empty());
  CHECK(me.at("students").as_array()[0].as_string().starts_with("stu_"));
}

TEST_CASE("wrong passwords and unknown users get the same 401, and every attempt is logged") {
  Served s;
  const uint64_t before = LastSeq(s.server);
  auto wrong = s.server.Login("principal", "not the password at all");
  auto unknown = s.server.Login("nobody_by_this_name", "not the password at all");
  REQUIRE(wrong->status == 401);
  REQUIRE(unknown->status == 401);
  CHECK(wrong->body == unknown->body);
  CHECK(wrong->Header("set-cookie").empty());
  REQUIRE(s.server.Login("principal", Password("principal"))->status == 201);
  CHECK(LastSeq(s.server) == before + 3);  // LoginFailed x2, LoginSucceeded
}

TEST_CASE("sign-ins are in the privacy officer's audit trail, failures with why") {
  Served s;
  REQUIRE(s.server.Login("principal", "not the password at all")->status == 401);
  REQUIRE(s.server.Login("nobody_by_this_name", "not the password at all")->status == 401);
  const std::string privacy = s.server.TokenFor("privacy");
  json::object failed =
      Object(s.server.Json("GET", "/api/audit/events?action=LoginFailed&limit=10", privacy));
  std::set<std::string> reasons;
  for (const json::value& e : failed.at("events").as_array()) {
    CHECK(e.at("action").as_string() == "LoginFailed");
    reasons.insert(std::string(e.at("reason").as_string()));
    if (e.at("reason") == "BadPassword") {
      CHECK(e.at("actor").at("username").as_string() == "principal");
    }
    CHECK(e.at("ip").as_string() == "127.0.0.1");
  }
  CHECK(reasons == std::set<std::string>{"BadPassword", "NoSuchUser"});
  json::object succeeded =
      Object(s.server.Json("GET", "/api/audit/events?action=LoginSucceeded&limit=50", privacy));
  CHECK_FALSE(succeeded.at("events").as_array().empty());
}

TEST_CASE(
    "five failed sign-ins lock that username at that address: 429, even for the right password") {
  Served s;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(s.server.Login("principal", "wrong password " + std::to_string(i))->status == 401);
  }
  auto locked = s.server.Login("principal", Password("principal"));
  REQUIRE(locked->status == 429);
  CHECK(ErrorCode(locked) == "too_many_requests");
  CHECK(std::stoi(locked->Header("retry-after")) > 0);
  CHECK(s.server.Login("PRINCIPAL", Password("principal"))->status == 429);
  // The first refusal is on the record; a flood of further ones adds nothing
  // (each would be a signed, synced event: a disk filled from outside).
  const uint64_t before_flood = LastSeq(s.server);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(s.server.Login("principal", "flood " + std::to_string(i))->status == 429);
  }
  CHECK(LastSeq(s.server) == before_flood);
  // Other accounts from the same address are unaffected.
  CHECK(s.server.Login("privacy", Password("privacy"))->status == 201);
  // The refusal names the account that was tried, as the failures do.
  const std::string privacy = s.server.TokenFor("privacy");
  json::object failed =
      Object(s.server.Json("GET", "/api/audit/events?action=LoginFailed&limit=10", privacy));
  int rate_limited = 0;
  for (const json::value& e : failed.at("events").as_array()) {
    CHECK(e.at("actor").at("username").as_string() == "principal");
    rate_limited += e.at("reason") == "RateLimited";
  }
  CHECK(rate_limited == 1);
}

TEST_CASE("failed sign-ins from another address do not lock the account out for its user") {
  Served s;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(LoginStatusFrom(s.server, "127.0.0.2", "principal", "wrong " + std::to_string(i)) ==
            401);
  }
  CHECK(LoginStatusFrom(s.server, "127.0.0.2", "principal", Password("principal")) == 429);
  CHECK(LoginStatusFrom(s.server, "127.0.0.3", "principal", Password("principal")) == 201);
}

TEST_CASE("a username's failures over all addresses reach a ceiling that refuses it anywhere") {
  Served s({"--login-user-ceiling", "7"});
  for (int i = 0; i < 7; ++i) {
    const std::string source = i < 4 ? "127.0.0.2" : "127.0.0.3";  // neither locked by itself
    REQUIRE(LoginStatusFrom(s.server, source, "principal", "wrong " + std::to_string(i)) == 401);
  }
  CHECK(LoginStatusFrom(s.server, "127.0.0.4", "principal", Password("principal")) == 429);
  CHECK(LoginStatusFrom(s.server, "127.0.0.4", "privacy", Password("privacy")) == 201);
}

TEST_CASE("failed sign-ins from one address lock the address for every username") {
  Served s({"--login-ip-limit", "6"});
  for (int i = 0; i < 6; ++i) {
    REQUIRE(s.server.Login("stranger" + std::to_string(i), "wrong password")->status == 401);
  }
  auto locked = s.server.Login("principal", Password("principal"));
  REQUIRE(locked->status == 429);
  CHECK_FALSE(locked->Header("retry-after").empty());
}

TEST_CASE("a concurrent flood of wrong passwords cannot overshoot the username limit") {
  Served s;
  std::atomic<int> unauthorized{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = s.server.Login("principal", "flood guess");
        int status = r ? r->status : 0;
        (status == 401 ? unauthorized : status == 429 ? limited : other)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(unauthorized <= 5);
  CHECK(limited >= 35);
  CHECK(other == 0);
  CHECK(s.server.Healthy());
}

TEST_CASE("cookie-authenticated writes need a JSON content type, bearer writes do not") {
  Served s;
  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  const std::string cookie = CookieHeader(token);
  auto no_type = s.server.Call("DELETE", "/api/session", "x", cookie);
  REQUIRE(no_type->status == 403);
  CHECK(ErrorCode(no_type) == "forbidden");
  auto form = s.server.Call("DELETE", "/api/session", "a=b",
                            cookie + "Content-Type: application/x-www-form-urlencoded\r\n");
  CHECK(form->status == 403);
  auto text = s.server.Call("POST", "/api/students/stu_00000000000000000000/notes",
                            R"({"kind":"other","text":"x","restricted":false})",
                            cookie + "Content-Type: text/plain\r\n");
  CHECK(text->status == 403);
  REQUIRE(s.server.Call("GET", "/api/me", "", cookie)->status == 200);  // still signed in

  auto json_logout = s.server.Call("DELETE", "/api/session", "",
                                   cookie + "Content-Type: application/json; charset=utf-8\r\n");
  REQUIRE(json_logout->status == 204);
  CHECK(json_logout->Header("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(s.server.Call("GET", "/api/me", "", cookie)->status == 401);

  std::string bearer = s.server.TokenFor("principal");
  auto bearer_logout =
      s.server.Call("DELETE", "/api/session", "", "Authorization: Bearer " + bearer + "\r\n");
  REQUIRE(bearer_logout->status == 204);
  CHECK(s.server.Json("GET", "/api/me", bearer)->status == 401);
}

TEST_CASE("a cookie logout without a body needs no content type, as curl sends it") {
  Served s;
  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  const std::string cookie = CookieHeader(token);
  REQUIRE(s.server.Call("GET", "/api/me", "", cookie)->status == 200);
  auto logout = s.server.Call("DELETE", "/api/session", "", cookie);
  REQUIRE(logout->status == 204);
  CHECK(logout->Header("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(s.server.Call("GET", "/api/me", "", cookie)->status == 401);
}

TEST_CASE("a session ends after its idle timeout, and each use extends it") {
  // Used every second for longer than the idle timeout, so only the uses can
  // keep it alive; a stall of up to 7 s between two uses does no harm.
  Served s({"--session-idle-seconds", "8"});
  std::string token = s.server.TokenFor("principal");
  REQUIRE_FALSE(token.empty());
  for (int i = 0; i < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    INFO("use " << i + 1 << ", at least " << i + 1 << " s after the sign-in");
    REQUIRE(s.server.Json("GET", "/api/me", token)->status == 200);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(9500));
  auto expired = s.server.Json("GET", "/api/me", token);
  REQUIRE(expired->status == 401);
  CHECK(ErrorCode(expired) == "unauthenticated");
}

TEST_CASE("sign-in requires a JSON body with string fields") {
  Served s;
  CHECK(s.server
            .Call("POST", "/api/session", R"({"username":"principal","password":"x"})",
                  "Content-Type: text/plain\r\n")
            ->status == 400);
  CHECK(s.server.Json("POST", "/api/session", "", R"({"username":"principal"})")->status == 400);
  CHECK(s.server.Json("POST", "/api/session", "", R"({"username":1,"password":2})")->status == 400);
  CHECK(s.server.Json("POST", "/api/session", "", "[1,2]")->status == 400);
  CHECK(s.server.Json("POST", "/api/session", "", "{")->status == 400);
}

}  // namespace
}  // namespace backpack::testing
