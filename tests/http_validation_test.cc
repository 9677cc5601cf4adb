// Input validation over HTTP: a malformed or oversized request gets 400 or
// 422 and appends nothing, a role check comes before the query's, and a
// JSON body must be declared as JSON.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <utility>

#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

std::string RepeatText(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST_CASE("invalid input gets 400 or 422 and appends nothing") {
  ApiWorld& w = SharedWorld();
  const std::string notes = "/api/students/" + w.child + "/notes";
  struct Case {
    std::string method, target, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST", notes, "{not json", 400},
      {"POST", notes, "[1,2]", 400},
      {"POST", notes, R"({"kind":"sst"})", 422},
      {"POST", notes, R"({"kind":"gossip","text":"x"})", 422},
      {"POST", notes, R"({"kind":"sst","text":"x","restricted":"yes"})", 422},
      {"POST", notes, R"({"kind":"sst","text":"x","colour":"red"})", 422},
      {"POST", notes, R"({"kind":"sst","text":"   "})", 422},
      {"GET", "/api/students?q=" + std::string(101, 'a'), "", 400},
      {"GET", "/api/students?q=%FF%FE", "", 400},
      {"GET", "/api/feed?limit=0", "", 400},
      {"GET", "/api/feed?limit=ten", "", 400},
      {"GET", Profile(w.child) + "?history=some", "", 400},
      {"POST", "/api/students/" + w.child + "/break-glass", R"({"reason":"too short"})", 422},
      // Twenty zero-width spaces (JSON escapes): twenty characters, none visible.
      {"POST", "/api/students/" + w.child + "/break-glass",
       R"({"reason":")" + RepeatText("\\u200b", 20) + R"("})", 422},
      {"POST", notes, R"({"kind":"sst","text":"\u200b\u200b\ufeff"})", 422},
  };
  uint64_t before = w.LogSize();
  for (const Case& c : cases) {
    INFO(c.method << " " << c.target << " " << c.body);
    auto r = w.Call(c.method, c.target, w.teacher.token, c.body);
    REQUIRE(r.status == c.status);
    REQUIRE(ApiWorld::Json(r).at("error").at("code").is_string());
    if (c.status == 422) REQUIRE_FALSE(Details(r).empty());
  }
  const std::vector<Case> officer_cases = {
      {"GET", "/api/audit/events?since=yesterday", "", 400},
      {"GET", "/api/audit/events?limit=1000000", "", 400},
      {"GET", "/api/audit/events?student_id=bob", "", 400},
      {"GET", "/api/audit/breach-report?actor_id=" + w.teacher.user_id, "", 400},
      {"GET", "/api/audit/events?limit=1&limit=2", "", 400},
  };
  for (const Case& c : officer_cases) {
    INFO(c.target);
    REQUIRE(w.Call(c.method, c.target, w.privacy.token, c.body).status == c.status);
  }
  auto grant = w.Call("POST", "/api/grants", w.admin.token,
                      R"({"educator_id":"usr_zz","scope":{"student_id":"x","class_id":"y"}})");
  REQUIRE(grant.status == 422);
  REQUIRE(Details(grant).size() >= 3);
  // Two kinds of scope: one problem, the scope's, and not "not a known field"
  // for the fields that are known but combined.
  int scope_problems = 0;
  for (const json::value& detail : Details(grant)) {
    INFO(json::serialize(detail));
    CHECK(Str(detail.at("message")) != "is not a known field");
    if (Str(detail.at("field")).starts_with("scope")) ++scope_problems;
  }
  CHECK(scope_problems == 1);
  // Refusals decided past the body's own checks still name their field.
  auto field_of = [&](const std::string& target, const std::string& token, const json::object& b) {
    auto r = w.Call("POST", target, token, json::serialize(b));
    INFO(r.body);
    REQUIRE(r.status == 422);
    REQUIRE(Details(r).size() == 1);
    return Str(Details(r).at(0).at("field"));
  };
  const json::object unknown_student{{"student_id", "stu_00000000000000000000"}};
  CHECK(field_of("/api/grants", w.admin.token,
                 {{"educator_id", w.outsider.user_id},
                  {"scope", unknown_student},
                  {"reason", "Synthetic grant"}}) == "scope");
  CHECK(field_of("/api/grants", w.admin.token,
                 {{"educator_id", w.guardian.user_id},
                  {"scope", json::object{{"student_id", w.child}}},
                  {"reason", "Synthetic grant"}}) == "educator_id");
  CHECK(field_of("/api/grants", w.admin.token,
                 {{"educator_id", w.outsider.user_id},
                  {"scope", json::object{{"student_id", w.child}}},
                  {"expires_at", "2001-01-01T00:00:00Z"},
                  {"reason", "Synthetic grant"}}) == "expires_at");
  CHECK(field_of("/api/students/" + w.child + "/correction-requests", w.guardian.token,
                 {{"text", "Synthetic correction"}, {"about_seq", 1}}) == "about_seq");
  REQUIRE(w.LogSize() == before);
}

TEST_CASE("text limits count characters, not bytes, wherever they are checked") {
  ApiWorld& w = SharedWorld();
  const std::string euros = RepeatText("\xe2\x82\xac", 700);  // 700 characters, 2,100 bytes
  json::object grant{{"educator_id", w.outsider.user_id},
                     {"scope", json::object{{"student_id", w.child}}},
                     {"reason", euros}};
  auto granted = w.Call("POST", "/api/grants", w.admin.token, json::serialize(grant));
  CHECK(granted.status == 201);
  if (granted.status == 201) {
    std::string id(ApiWorld::Json(granted).at("id").as_string());
    CHECK(w.Call("DELETE", "/api/grants/" + id, w.admin.token).status == 200);
  }
  json::object too_long = grant;
  too_long["reason"] = RepeatText("\xe2\x82\xac", 2001);
  auto refused = w.Call("POST", "/api/grants", w.admin.token, json::serialize(too_long));
  REQUIRE(refused.status == 422);
  CHECK(Str(Details(refused).at(0).at("field")) == "reason");
  const std::string base = "/api/students/" + w.child;
  auto history = ApiWorld::Json(w.Call("GET", base + "/history", w.guardian.token));
  uint64_t about = history.at("events").as_array().at(0).at("seq").to_number<uint64_t>();
  json::object correction{{"text", RepeatText("\xe2\x82\xac", 7000)}, {"about_seq", about}};
  auto asked = w.Call("POST", "/api/students/" + w.child + "/correction-requests", w.guardian.token,
                      json::serialize(correction));
  CHECK(asked.status == 201);
}

TEST_CASE("a caller of the wrong role is refused and recorded even with a bad query") {
  ApiWorld& w = SharedWorld();
  const std::vector<std::pair<std::string, const Account*>> cases = {
      {"/api/students?limit=0", &w.admin},
      {"/api/feed?limit=ten", &w.guardian},
      {Profile(w.child) + "?history=some", &w.privacy},
      {"/api/family-requests?kind=gossip", &w.teacher}};
  for (const auto& [target, account] : cases) {
    INFO(target);
    uint64_t before = w.LogSize();
    REQUIRE(w.Call("GET", target, account->token).status == 403);
    REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  }
}

TEST_CASE("a JSON body of another declared type is refused with 400 and changes nothing") {
  ApiWorld& w = SharedWorld();
  const std::string note = R"({"kind":"other","text":"Synthetic typed note","restricted":false})";
  for (std::string_view type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    INFO(type);
    uint64_t before = w.LogSize();
    auto r = w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token, note, type);
    REQUIRE(r.status == 400);
    CHECK(Str(ApiWorld::Json(r).at("error").at("message")).find("application/json") !=
          std::string::npos);
    CHECK(w.LogSize() == before);
  }
  auto typed = w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token, note,
                      "Application/JSON; charset=utf-8");
  CHECK(typed.status == 201);
}

}  // namespace
}  // namespace backpack::api_testing
