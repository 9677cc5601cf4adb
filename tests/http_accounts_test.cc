// Accounts and sessions over HTTP: disabling and enabling an account,
// cookie-authenticated writes, and a flood of sign-ins.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "projections/roster/roster.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE(
    "a district admin disables an account: its sessions end and it cannot sign in until enabled") {
  ApiWorld& w = SharedWorld();
  Account leaver = w.NewAccount("synthetic.leaver", Role::kEducator);
  REQUIRE(w.Call("GET", "/api/me", leaver.token).status == 200);
  const std::string target = "/api/users/" + leaver.user_id + "/disable";
  const std::string body = R"({"reason":"Synthetic: left the district"})";
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("POST", target, w.teacher.token, body).status == 403);
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  REQUIRE(w.Call("GET", "/api/me", leaver.token).status == 200);
  CHECK(w.Call("POST", "/api/users/" + w.admin.user_id + "/disable", w.admin.token, body).status ==
        422);  // not itself

  before = w.LogSize();
  auto disabled = w.Call("POST", target, w.admin.token, body);
  REQUIRE(disabled.status == 200);
  REQUIRE(w.CountSince(before, EventType::UserDisabled) == 1);
  CHECK(w.Call("GET", "/api/me", leaver.token).status == 401);
  auto login = w.Call(
      "POST", "/api/session", "",
      R"({"username":"synthetic.leaver","password":")" + std::string(kTestPassword) + R"("})");
  CHECK(login.status == 401);
  CHECK(ApiWorld::Json(disabled).at("changed") == true);
  before = w.LogSize();
  auto again = w.Call("POST", target, w.admin.token, body);
  CHECK(again.status == 200);
  CHECK(ApiWorld::Json(again).at("changed") == false);
  CHECK(w.CountSince(before, EventType::UserDisabled) == 0);
  CHECK(w.Call("POST", "/api/users/usr_00000000000000000000/disable", w.admin.token, body).status ==
        404);

  // Enabled again, the account signs in once more.
  const std::string enable = "/api/users/" + leaver.user_id + "/enable";
  const std::string back = R"({"reason":"Synthetic: came back"})";
  CHECK(w.Call("POST", enable, w.teacher.token, back).status == 403);
  CHECK(w.Call("POST", enable, w.admin.token, "{}").status == 422);  // no reason
  before = w.LogSize();
  auto enabled = w.Call("POST", enable, w.admin.token, back);
  REQUIRE(enabled.status == 200);
  CHECK(ApiWorld::Json(enabled).at("disabled") == false);
  REQUIRE(w.CountSince(before, EventType::UserEnabled) == 1);
  login = w.Call(
      "POST", "/api/session", "",
      R"({"username":"synthetic.leaver","password":")" + std::string(kTestPassword) + R"("})");
  CHECK(login.status == 201);
}

TEST_CASE("a cookie-authenticated write without a JSON body is refused and recorded") {
  ApiWorld& w = SharedWorld();
  const std::string cookie = "Cookie: backpack_session=" + w.teacher.token + "\r\n";
  uint64_t before = w.LogSize();
  auto r = w.Call("POST", "/api/students/" + w.child + "/notes", "",
                  R"({"kind":"other","text":"Synthetic cross-site note","restricted":false})",
                  "text/plain", cookie);
  REQUIRE(r.status == 403);
  REQUIRE(Str(ApiWorld::Json(r).at("error").at("message")).find("Content-Type") !=
          std::string::npos);
  REQUIRE(w.CountSince(before, EventType::NoteWritten) == 0);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  REQUIRE(denied[0].header.actor_id == w.teacher.user_id);
  REQUIRE(DeniedReason(denied[0]) == "denied:cross_site_content_type");
  // A DELETE with a body is held to the same rule.
  before = w.LogSize();
  REQUIRE(w.Call("DELETE", "/api/session", "", "x", "text/plain", cookie).status == 403);
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  REQUIRE(w.Call("GET", "/api/me", w.teacher.token).status == 200);  // still signed in
}

TEST_CASE("a cookie-authenticated DELETE without a body needs no content type") {
  ApiWorld& w = SharedWorld();
  const std::string id =
      GrantStudent(w, w.outsider.user_id, w.child, "Synthetic grant to revoke by cookie");
  REQUIRE(w.services().roster->Decide(w.outsider.user_id, w.child, w.clock().NowMicros()).allowed);
  const std::string admin_cookie = "Cookie: backpack_session=" + w.admin.token + "\r\n";
  uint64_t before = w.LogSize();
  auto revoked = w.Call("DELETE", "/api/grants/" + id, "", "", "", admin_cookie);
  REQUIRE(revoked.status == 200);
  CHECK(w.CountSince(before, EventType::AccessRevoked) == 1);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 0);
  CHECK_FALSE(
      w.services().roster->Decide(w.outsider.user_id, w.child, w.clock().NowMicros()).allowed);

  Account leaving = w.NewAccount("synthetic.cookie.logout", Role::kEducator);
  const std::string cookie = "Cookie: backpack_session=" + leaving.token + "\r\n";
  before = w.LogSize();
  auto signed_out = w.Call("DELETE", "/api/session", "", "", "", cookie);
  REQUIRE(signed_out.status == 204);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 0);
  CHECK(w.Call("GET", "/api/me", leaving.token).status == 401);
}

// Releases the jobs holding the login pool when it goes out of scope, so
// that a failed REQUIRE does not leave them (and the pool's Shutdown) waiting.
struct PoolHold {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  bool done = false;
  void Release() {
    if (!done) release.set_value();
    done = true;
  }
  ~PoolHold() { Release(); }
};

TEST_CASE("a flood of sign-ins waits on its own pool: writes go on, sign-ins get 429") {
  ApiWorld& w = SharedWorld();
  auto login = [&](const std::string& username, const std::string& password) {
    return w.Call("POST", "/api/session", "",
                  R"({"username":")" + username + R"(","password":")" + password + R"("})");
  };
  // A username locked out by its failures (the first refusal is recorded).
  for (int i = 0; i < 5; ++i) REQUIRE(login("no.such.flooder", "guess").status == 401);
  REQUIRE(login("no.such.flooder", "guess").status == 429);
  // Every password-check slot taken: one running, then the queue full.
  PoolHold hold;
  std::promise<void> started;
  REQUIRE(w.login_pool().Submit([&started, released = hold.released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  size_t queued = 0;
  while (w.login_pool().Submit([released = hold.released] { released.wait(); })) ++queued;
  REQUIRE(queued == ApiWorld::kLoginQueue);
  auto busy = login(w.teacher.username, "x");
  CHECK(busy.status == 429);
  CHECK(busy.Header("retry-after") == "1");
  // A refusal needs no password check: answered by the limiter, not the pool.
  auto locked = login("no.such.flooder", "guess");
  CHECK(locked.status == 429);
  CHECK(locked.body.find("too many failed sign-ins") != std::string::npos);
  auto note =
      w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token,
             R"({"kind":"other","text":"Written during a sign-in flood","restricted":false})");
  CHECK(note.status == 201);
  hold.Release();
  while (w.login_pool().queued() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(login(w.teacher.username, std::string(kTestPassword)).status == 201);
}

}  // namespace
}  // namespace backpack::api_testing
