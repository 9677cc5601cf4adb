// Authenticate() and the system routes, in-process over a DomainFixture:
// the rules that a real client on 127.0.0.1 cannot reach (non-loopback
// addresses, disabled accounts, the injected clock).
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/api/route_test_util.h"
#include "projections/roster/roster_commands.h"
#include "tests/domain_fixture.h"
#include "tests/forwarding_log.h"

namespace backpack::api {
namespace {

constexpr std::string_view kPassword = "synthetic password 1";

struct World {
  World() : fx(dir.path()), sessions(fx.clock()), limiter(fx.clock()), pool(1) {
    WireContext(context, fx, metrics, sessions, limiter, pool);
    user_id = AddTestTeacher(fx, kPassword);
    RegisterSystemRoutes(router, context);
  }

  // System routes answer inline; sign-out answers from the blocking pool.
  http::HttpResponse Route(const http::HttpRequest& request) {
    return RouteAndWait(router, request);
  }

  testing::TempDir dir;
  testing::DomainFixture fx;
  http::Metrics metrics;
  SessionStore sessions;
  LoginLimiter limiter;
  BlockingPool pool;
  ApiContext context;
  http::Router router;
  std::string user_id;
};

http::HttpRequest Request(std::string method, std::string path, std::string ip = "127.0.0.1") {
  return TestRequest(std::move(method), std::move(path), std::move(ip));
}

TEST_CASE("healthz and metrics answer loopback clients only") {
  World w;
  for (const char* ip : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    INFO(ip);
    CHECK(w.Route(Request("GET", "/healthz", ip)).status == 200);
    CHECK(w.Route(Request("GET", "/metrics", ip)).status == 200);
  }
  for (const char* ip : {"10.0.0.7", "192.168.1.127", "::ffff:10.0.0.1", "fe80::1", ""}) {
    INFO(ip);
    CHECK(w.Route(Request("GET", "/healthz", ip)).status == 403);
    CHECK(w.Route(Request("GET", "/metrics", ip)).status == 403);
  }
  // The transparency-log routes are public.
  CHECK(w.Route(Request("GET", "/api/log/public-key", "10.0.0.7")).status == 200);
}

TEST_CASE("healthz reports the last sequence number") {
  World w;
  auto body = boost::json::parse(w.Route(Request("GET", "/healthz")).body).as_object();
  CHECK(body.at("status") == "ok");
  CHECK(body.at("last_seq").to_number<uint64_t>() == w.fx.log().size() - 1);
}

// The real log, except that Writable says what the test sets.
class UnwritableLog final : public testing::ForwardingEventLog {
 public:
  using ForwardingEventLog::ForwardingEventLog;
  Status writable;
  Status Writable() const override { return writable; }
};

TEST_CASE("healthz answers 503 saying why while access events cannot be made durable") {
  World w;
  UnwritableLog log(w.fx.log());
  struct Swap {  // puts the real log back, however the test ends
    Services& services;
    EventLog* real;
    ~Swap() { services.log = real; }
  } swap{w.fx.services(), &w.fx.log()};
  w.fx.services().log = &log;
  log.writable = UnavailableError("the disk is full (4096 KiB free)");
  http::HttpResponse failing = w.Route(Request("GET", "/healthz"));
  CHECK(failing.status == 503);
  auto body = boost::json::parse(failing.body).as_object();
  CHECK(body.at("status") == "failing");
  CHECK(body.at("audit") == "unavailable");
  CHECK(body.at("reason") == "the disk is full (4096 KiB free)");
  CHECK(body.at("last_seq").to_number<uint64_t>() == w.fx.log().size() - 1);
  CHECK(w.Route(Request("GET", "/metrics")).body.find("\nbackpack_audit_available 0\n") !=
        std::string::npos);

  log.writable = OkStatus();  // recovered
  http::HttpResponse ok = w.Route(Request("GET", "/healthz"));
  CHECK(ok.status == 200);
  body = boost::json::parse(ok.body).as_object();
  CHECK(body.at("status") == "ok");
  CHECK(body.at("audit") == "available");
  CHECK_FALSE(body.contains("reason"));
  const std::string metrics = w.Route(Request("GET", "/metrics")).body;
  CHECK(metrics.find("\nbackpack_audit_available 1\n") != std::string::npos);
  CHECK(metrics.find("\nbackpack_store_free_bytes ") != std::string::npos);
}

TEST_CASE("Authenticate accepts bearer and cookie tokens and refreshes the idle timer") {
  World w;
  std::string token = w.sessions.Create(w.user_id).value();
  auto bearer = Request("GET", "/api/me");
  bearer.headers.Add("Authorization", "Bearer " + token);
  auto caller = Authenticate(w.context, bearer);
  REQUIRE(caller);
  CHECK(caller->user.id == w.user_id);
  CHECK(caller->actor.user_id == w.user_id);
  CHECK(caller->actor.client_ip == "127.0.0.1");
  CHECK(caller->actor.request_id == bearer.request_id);

  auto cookie = Request("GET", "/api/me");
  cookie.headers.Add("Cookie", "theme=dark; backpack_session=" + token);
  for (int i = 0; i < 3; ++i) {
    w.fx.clock().Advance(20 * 60 * kMicrosPerSecond);
    REQUIRE(Authenticate(w.context, cookie));
  }
  w.fx.clock().Advance(30 * 60 * kMicrosPerSecond);
  auto expired = Authenticate(w.context, cookie);
  REQUIRE_FALSE(expired);
  CHECK(expired.error().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("cookie-authenticated state changes need a JSON or zip content type") {
  World w;
  std::string token = w.sessions.Create(w.user_id).value();
  auto safe = [&](const http::HttpRequest& request) {
    auto caller = Authenticate(w.context, request);
    REQUIRE(caller);
    return IsCrossSiteSafe(*caller, request);
  };
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto request = Request(method, "/api/students/stu_1/notes");
    request.headers.Add("Cookie", "backpack_session=" + token);
    request.body.push_back('x');  // a body (push_back: GCC 12 -Wrestrict misfires on = "x")
    INFO(method);
    CHECK_FALSE(safe(request));
    request.headers.Add("Content-Type", "text/plain");
    CHECK_FALSE(safe(request));
  }
  // Without a body only a DELETE passes: a page cannot send one cross-site
  // without a preflight, and there is no content to type.
  for (const char* method : {"POST", "PUT", "PATCH"}) {
    auto request = Request(method, "/api/session");
    request.headers.Add("Cookie", "backpack_session=" + token);
    INFO(method);
    CHECK_FALSE(safe(request));
  }
  auto logout = Request("DELETE", "/api/session");
  logout.headers.Add("Cookie", "backpack_session=" + token);
  CHECK(safe(logout));
  auto read = Request("GET", "/api/students/stu_1/profile");
  read.headers.Add("Cookie", "backpack_session=" + token);
  CHECK(safe(read));
  auto json = Request("POST", "/api/students/stu_1/notes");
  json.headers.Add("Cookie", "backpack_session=" + token);
  json.headers.Add("Content-Type", "Application/JSON; charset=utf-8");
  CHECK(safe(json));

  // Neither zip type can be sent cross-site without a preflight either; a
  // route that takes JSON refuses a zip body with 400 (tests/).
  for (const char* type : {"application/zip", "application/x-zip-compressed"}) {
    auto import = Request("POST", "/api/imports");
    import.headers.Add("Cookie", "backpack_session=" + token);
    import.headers.Add("Content-Type", type);
    CHECK(safe(import));
  }

  auto bearer = Request("DELETE", "/api/session");
  bearer.headers.Add("Authorization", "Bearer " + token);
  CHECK(safe(bearer));
}

TEST_CASE("a disabled account's sessions stop authenticating") {
  World w;
  std::string token = w.sessions.Create(w.user_id).value();
  auto request = Request("GET", "/api/me");
  request.headers.Add("Authorization", "Bearer " + token);
  REQUIRE(Authenticate(w.context, request));
  REQUIRE(RosterCommands(w.fx.services())
              .DisableUser(Actor{"system", "r", ""}, w.user_id, "left")
              .has_value());
  auto refused = Authenticate(w.context, request);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kUnauthenticated);
  CHECK_FALSE(w.sessions.Touch(token));  // and the session is gone
}

TEST_CASE("a store fault while authenticating keeps the session and is no 401") {
  World w;
  // An account whose stored record cannot be read (it fails authentication).
  const std::string broken = "usr_00000000000000000bad";
  WriteBatch batch;
  batch.Put("r_users", AsBytes(broken), AsBytes(std::string("\x05owner-not-sealed-at-all")));
  REQUIRE(w.fx.store().Write(batch, /*sync=*/true).ok());
  std::string token = w.sessions.Create(broken).value();
  auto request = Request("GET", "/api/me");
  request.headers.Add("Authorization", "Bearer " + token);
  auto failed = Authenticate(w.context, request);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() != StatusCode::kUnauthenticated);
  CHECK(w.sessions.Touch(token) == broken);  // not signed out by the fault
  // But signing out works through the fault.
  RegisterSessionRoutes(w.router, w.context);
  auto logout = Request("DELETE", "/api/session");
  logout.headers.Add("Authorization", "Bearer " + token);
  CHECK(w.Route(logout).status == 204);
  CHECK_FALSE(w.sessions.Touch(token));
  // An account that does not exist any more ends the session.
  std::string orphan = w.sessions.Create("usr_00000000000000000000").value();
  auto unknown = Request("GET", "/api/me");
  unknown.headers.Add("Authorization", "Bearer " + orphan);
  auto refused = Authenticate(w.context, unknown);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == StatusCode::kUnauthenticated);
  CHECK_FALSE(w.sessions.Touch(orphan));
}

}  // namespace
}  // namespace backpack::api
