// POST and DELETE /api/session, in-process over a DomainFixture, with a
// store-backed SessionStore whose writes the test can make fail, and a log
// whose appends it can make fail: signing in and signing out fail closed and
// say so, and a sign-in is recorded only for a session that exists.
#include <atomic>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "http/api/api.h"
#include "http/api/api_auth.h"
#include "http/api/route_test_util.h"
#include "projections/roster/roster_commands.h"
#include "tests/domain_fixture.h"
#include "tests/forwarding_store.h"

namespace backpack::api {
namespace {

constexpr std::string_view kPassword = "synthetic password 1";

// The fixture's store, except that writes fail while `fail_writes` is set.
class FailingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status Write(WriteBatch& batch, bool sync) override {
    if (fail_writes) return UnavailableError("injected write failure");
    return ForwardingStore::Write(batch, sync);
  }
  std::atomic<bool> fail_writes{false};
};

// The fixture's log, except that a group fails (its writer throws) while
// `fail` is set.
testing::DomainFixtureOptions FailingAppends(const std::atomic<bool>& fail) {
  testing::DomainFixtureOptions options;
  options.log.writer_fault_for_tests = [&fail](WriterStep step, uint64_t) {
    if (step == WriterStep::kChain && fail) throw std::runtime_error("injected append failure");
  };
  return options;
}

struct World {
  World()
      : fx(dir.path(), 1'790'000'000'000'000, FailingAppends(fail_appends)),
        store(fx.store()),
        limiter(fx.clock()),
        pool(1) {
    auto opened = SessionStore::Open(store, fx.clock());
    REQUIRE(opened);
    sessions = std::move(*opened);
    WireContext(context, fx, metrics, *sessions, limiter, pool);
    AddTestTeacher(fx, kPassword);
    RegisterSessionRoutes(router, context);
  }

  // Sign-in and sign-out answer from the pools.
  http::HttpResponse Route(const http::HttpRequest& request) {
    return RouteAndWait(router, request);
  }
  http::HttpResponse SignIn() {
    http::HttpRequest request = Request("POST", "/api/session");
    request.headers.Add("Content-Type", "application/json");
    request.body = R"({"username":"teacher","password":")" + std::string(kPassword) + "\"}";
    return Route(request);
  }
  http::HttpResponse WithToken(std::string method, std::string path, const std::string& token) {
    http::HttpRequest request = Request(std::move(method), std::move(path));
    request.headers.Add("Authorization", "Bearer " + token);
    return Route(request);
  }
  static http::HttpRequest Request(std::string method, std::string path) {
    return TestRequest(std::move(method), std::move(path));
  }

  // How many LoginSucceeded events the log holds.
  int SignInsRecorded() {
    int found = 0;
    for (uint64_t seq = 0; seq < fx.log().size(); ++seq) {
      Result<LoggedEvent> event = fx.log().Read(seq);
      REQUIRE(event);
      found += event->header.type == EventType::LoginSucceeded;
    }
    return found;
  }

  testing::TempDir dir;
  std::atomic<bool> fail_appends{false};
  testing::DomainFixture fx;
  FailingStore store;
  http::Metrics metrics;
  std::unique_ptr<SessionStore> sessions;  // after `store`, before the pool: both use it
  LoginLimiter limiter;
  BlockingPool pool;
  ApiContext context;
  http::Router router;
};

std::string TokenOf(const http::HttpResponse& signed_in) {
  return std::string(boost::json::parse(signed_in.body).as_object().at("token").as_string());
}

std::string Header(const http::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST_CASE("a sign-in whose session cannot be saved answers 503 and records no sign-in") {
  World w;
  w.store.fail_writes = true;
  http::HttpResponse refused = w.SignIn();
  CHECK(refused.status == 503);
  CHECK(refused.body.find("token") == std::string::npos);
  CHECK(Header(refused, "Set-Cookie").empty());
  CHECK(w.sessions->size() == 0);
  CHECK(w.SignInsRecorded() == 0);

  w.store.fail_writes = false;
  http::HttpResponse signed_in = w.SignIn();
  CHECK(signed_in.status == 201);
  CHECK(w.sessions->size() == 1);
  CHECK(w.SignInsRecorded() == 1);
}

TEST_CASE("a sign-in that cannot be recorded answers 503 and leaves no session") {
  World w;
  w.fail_appends = true;
  http::HttpResponse refused = w.SignIn();
  CHECK(refused.status == 503);
  CHECK(refused.body.find("could not be recorded") != std::string::npos);
  CHECK(refused.body.find("token") == std::string::npos);
  CHECK(Header(refused, "Set-Cookie").empty());
  CHECK(w.sessions->size() == 0);

  w.fail_appends = false;
  http::HttpResponse signed_in = w.SignIn();
  CHECK(signed_in.status == 201);
  CHECK(w.sessions->size() == 1);
  CHECK(w.SignInsRecorded() == 1);
}

TEST_CASE("a sign-out whose delete fails ends the session but answers 503") {
  World w;
  http::HttpResponse signed_in = w.SignIn();
  REQUIRE(signed_in.status == 201);
  const std::string token = TokenOf(signed_in);
  REQUIRE(w.WithToken("GET", "/api/me", token).status == 200);

  w.store.fail_writes = true;
  http::HttpResponse unsaved = w.WithToken("DELETE", "/api/session", token);
  CHECK(unsaved.status == 503);
  CHECK(unsaved.body.find("could not be saved") != std::string::npos);
  CHECK(Header(unsaved, "Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(w.WithToken("GET", "/api/me", token).status == 401);  // ended all the same

  w.store.fail_writes = false;
  const std::string other = TokenOf(w.SignIn());
  CHECK(w.WithToken("DELETE", "/api/session", other).status == 204);
  CHECK(w.WithToken("GET", "/api/me", other).status == 401);
}

}  // namespace
}  // namespace backpack::api
