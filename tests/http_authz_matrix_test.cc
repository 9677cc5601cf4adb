// Role x route authorization matrix over every domain route of SPEC §6:
// unauthenticated callers get 401 and change nothing; a signed-in caller
// outside the route's roles (or without access to the student) gets 403 and
// exactly one AccessDenied event, naming the student when the route is about
// one, and no RecordViewed; callers inside are never refused. The same
// routes about an id that names nothing answer 404 only to a caller who
// could see every such record (a districtwide educator, the privacy officer
// or district admin on their routes); anyone else gets the very refusal of a
// real record they may not see, recorded, naming no student. The web
// interface's files (http/ui_routes.h) are public: anyone gets them, and
// nothing is recorded, since they hold no data.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>

#include "http/ui_assets.h"
#include "projections/audit/audit_time.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

struct Route {
  std::string method;
  std::string target;
  std::string body;
  std::set<std::string> allowed;  // identity names
  std::string student;            // the student a refusal must name, or ""
  std::string content_type = "application/json";
};

// Ids the routes need, created through the API by callers who may.
struct Setup {
  std::string note, grant, alert, correction, deletion, refusal, inspection, leaver;
};

std::string IdOf(const ClientResponse& r) {
  INFO(r.body);
  REQUIRE(r.status == 201);
  return std::string(ApiWorld::Json(r).at("id").as_string());
}

Setup MakeSetup(ApiWorld& w) {
  Setup s;
  s.note = IdOf(w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token,
                       R"({"kind":"sst","text":"Synthetic matrix note","restricted":true})"));
  json::object grant{{"educator_id", w.outsider.user_id},
                     {"scope", json::object{{"student_id", w.other_student}}},
                     {"reason", "Synthetic matrix grant"}};
  s.grant = IdOf(w.Call("POST", "/api/grants", w.admin.token, json::serialize(grant)));
  IdOf(w.Call("POST", "/api/students/" + w.other_student + "/break-glass", w.principal.token,
              R"({"reason":"Synthetic matrix emergency, long enough"})"));
  auto alerts = ApiWorld::Json(w.Call("GET", "/api/audit/alerts", w.privacy.token));
  s.alert = std::string(alerts.at("alerts").as_array().at(0).at("id").as_string());
  auto history =
      ApiWorld::Json(w.Call("GET", "/api/students/" + w.child + "/history", w.guardian.token));
  json::object ask{{"text", "Synthetic correction"},
                   {"about_seq", history.at("events").as_array().at(0).at("seq")}};
  s.correction = IdOf(w.Call("POST", "/api/students/" + w.child + "/correction-requests",
                             w.guardian.token, json::serialize(ask)));
  s.leaver = w.NewAccount("synthetic.matrix.leaver", Role::kEducator).user_id;
  s.inspection =
      IdOf(w.Call("POST", "/api/students/" + w.child + "/inspection-requests", w.guardian.token));
  s.deletion = IdOf(w.Call("POST", "/api/students/" + w.spare_student + "/deletion-requests",
                           w.admin.token, R"({"reason":"Synthetic matrix deletion"})"));
  s.refusal = IdOf(w.Call("POST", "/api/students/" + w.other_student + "/deletion-requests",
                          w.admin.token, R"({"reason":"Synthetic matrix deletion to refuse"})"));
  return s;
}

// The shared world's setup, made once per process: both cases may run in
// one process, in either order (the unauthenticated case changes nothing).
const Setup& SharedSetup(ApiWorld& w) {
  static const Setup setup = MakeSetup(w);
  return setup;
}

std::vector<Route> Routes(ApiWorld& w, const Setup& s) {
  const std::string child = "/api/students/" + w.child;
  const std::string window = "&since=2026-01-01&until=2027-12-31";
  const std::set<std::string> educators = {"principal", "teacher", "outsider"};
  const std::set<std::string> with_access = {"principal", "teacher"};
  return {
      {"GET", "/api/students?q=a", "", educators, ""},
      {"GET", child + "/profile", "", with_access, w.child},
      {"GET", child + "/profile?history=all", "", with_access, w.child},
      {"GET", "/api/notes/" + s.note + "/restricted", "", {"principal"}, w.child},
      {"POST", child + "/notes", R"({"kind":"mtss","text":"Synthetic"})", with_access, w.child},
      {"POST",
       "/api/notes/" + s.note + "/revisions",
       R"({"text":"Synthetic v2"})",
       {"teacher"},
       w.child},
      {"POST", "/api/notes/" + s.note + "/restrict", "", {"teacher"}, w.child},
      {"GET", "/api/feed", "", educators, ""},
      {"POST", child + "/break-glass", R"({"reason":"Synthetic reason of enough length"})",
       educators, w.child},
      {"POST",
       "/api/grants",
       json::serialize(json::object{{"educator_id", w.outsider.user_id},
                                    {"scope", json::object{{"student_id", w.child}}},
                                    {"reason", "Synthetic"}}),
       {"admin"},
       ""},
      {"DELETE", "/api/grants/" + s.grant, "", {"admin"}, ""},
      {"POST", "/api/users/" + s.leaver + "/disable", R"({"reason":"Synthetic"})", {"admin"}, ""},
      {"POST", "/api/users/" + s.leaver + "/enable", R"({"reason":"Synthetic"})", {"admin"}, ""},
      // The other family's guardian is no guardian of the child: 404 for the admin.
      {"POST",
       child + "/guardians/unlink",
       R"({"guardian_id":")" + w.other_guardian.user_id + R"(","reason":"Synthetic"})",
       {"admin"},
       w.child},
      {"GET", child + "/access", "", {"admin", "privacy"}, w.child},
      {"POST", "/api/imports", w.DistrictZip(), {"admin"}, "", "application/zip"},
      {"GET", "/api/audit/events?limit=3", "", {"privacy"}, ""},
      {"GET",
       "/api/audit/breach-report?actor_id=" + w.teacher.user_id + window,
       "",
       {"privacy"},
       ""},
      {"GET", "/api/audit/alerts", "", {"privacy"}, ""},
      {"POST",
       "/api/audit/alerts/" + s.alert + "/review",
       R"({"note":"Synthetic review"})",
       {"privacy"},
       ""},
      {"GET", child + "/history", "", {"guardian", "privacy"}, w.child},
      {"GET", child + "/history/export", "", {"guardian", "privacy"}, w.child},
      {"POST",
       child + "/correction-requests",
       R"({"text":"Synthetic","about_seq":0})",
       {"guardian"},
       w.child},
      {"POST",
       "/api/correction-requests/" + s.correction + "/decision",
       R"({"decision":"refuse","reason":"Synthetic"})",
       {"privacy"},
       w.child},
      {"POST",
       "/api/correction-requests/" + s.correction + "/statement",
       R"({"text":"Synthetic statement"})",
       {"guardian"},
       w.child},
      {"POST", child + "/inspection-requests", "", {"guardian"}, w.child},
      {"GET", "/api/family-requests?status=pending", "", {"privacy"}, ""},
      {"POST", "/api/inspection-requests/" + s.inspection + "/fulfil", "", {"privacy"}, w.child},
      {"POST",
       child + "/deletion-requests",
       R"({"reason":"Synthetic"})",
       {"guardian", "admin"},
       w.child},
      {"POST",
       child + "/disclosures",
       R"({"recipient":"Synthetic school","legitimate_interest":"enrolment",)"
       R"("description":"Synthetic transcript"})",
       {"privacy", "admin"},
       w.child},
      {"POST",
       "/api/deletion-requests/" + s.refusal + "/refuse",
       R"({"reason":"Synthetic refusal"})",
       {"privacy"},
       w.other_student},
      {"POST",
       "/api/deletion-requests/" + s.deletion + "/approve",
       "",
       {"privacy"},
       w.spare_student},
  };
}

// A route of Routes() about an id, and the same route about an unknown one.
struct UnknownRoute {
  std::string method;
  std::string target;              // as in Routes()
  std::string unknown;             // the target with an id that names nothing
  std::set<std::string> sees_all;  // identities told 404
};

std::vector<UnknownRoute> UnknownRoutes(ApiWorld& w, const Setup& s) {
  const std::string child = "/api/students/" + w.child;
  const std::string nobody = "/api/students/stu_00000000000000000000";
  const std::string note = "/api/notes/" + s.note;
  const std::string no_note = "/api/notes/note_00000000000000000000";
  const std::set<std::string> districtwide = {"principal"};
  const std::set<std::string> staff = {"admin", "privacy"};
  auto student = [&](const std::string& method, const std::string& path,
                     std::set<std::string> sees_all) {
    return UnknownRoute{method, child + path, nobody + path, std::move(sees_all)};
  };
  auto request = [&](const std::string& path, const std::string& id, const std::string& action,
                     std::set<std::string> sees_all) {
    const std::string unknown = id.substr(0, id.find('_') + 1) + std::string(20, '0');
    return UnknownRoute{"POST", path + id + action, path + unknown + action, std::move(sees_all)};
  };
  return {
      student("GET", "/profile", districtwide),
      student("GET", "/profile?history=all", districtwide),
      {"GET", note + "/restricted", no_note + "/restricted", districtwide},
      student("POST", "/notes", districtwide),
      {"POST", note + "/revisions", no_note + "/revisions", districtwide},
      {"POST", note + "/restrict", no_note + "/restrict", districtwide},
      student("POST", "/break-glass", districtwide),
      student("POST", "/guardians/unlink", {"admin"}),
      student("GET", "/access", staff),
      student("GET", "/history", {"privacy"}),
      student("GET", "/history/export", {"privacy"}),
      student("POST", "/correction-requests", {}),
      student("POST", "/inspection-requests", {}),
      student("POST", "/deletion-requests", {"admin"}),
      student("POST", "/disclosures", staff),
      request("/api/correction-requests/", s.correction, "/decision", {"privacy"}),
      request("/api/correction-requests/", s.correction, "/statement", {}),
      request("/api/inspection-requests/", s.inspection, "/fulfil", {"privacy"}),
      request("/api/deletion-requests/", s.deletion, "/approve", {"privacy"}),
  };
}

const std::vector<std::pair<std::string, Account*>> Identities(ApiWorld& w) {
  return {{"admin", &w.admin},
          {"privacy", &w.privacy},
          {"principal", &w.principal},
          {"teacher", &w.teacher},
          {"outsider", &w.outsider},
          {"guardian", &w.guardian},
          {"other_guardian", &w.other_guardian}};
}

// The error's code and message (an answer's body holds nothing else).
std::pair<std::string, std::string> ErrorOf(const ClientResponse& r) {
  const json::value body = ApiWorld::Json(r);
  return {std::string(body.at("error").at("code").as_string()),
          std::string(body.at("error").at("message").as_string())};
}

TEST_CASE("every domain route refuses unauthenticated callers with 401 and no event") {
  ApiWorld& w = SharedWorld();
  const Setup& s = SharedSetup(w);
  const std::string expired = w.ExpiredToken(w.principal);
  for (const Route& route : Routes(w, s)) {
    for (const std::string& token : {std::string(), std::string(64, 'a'), expired}) {
      INFO(route.method << " " << route.target << " token=" << token.size());
      uint64_t before = w.LogSize();
      auto r = w.Call(route.method, route.target, token, route.body, route.content_type);
      REQUIRE(r.status == 401);
      REQUIRE(ApiWorld::Json(r).at("error").at("code") == "unauthenticated");
      REQUIRE(w.LogSize() == before);
    }
  }
}

TEST_CASE(
    "every domain route admits exactly its roles and records each refusal as one AccessDenied") {
  ApiWorld& w = SharedWorld();
  const Setup& s = SharedSetup(w);
  const std::vector<std::pair<std::string, Account*>> identities = Identities(w);
  std::vector<Route> routes = Routes(w, s);
  for (const Route& route : routes) {
    // Refusals first: they must not change state; then the admitted callers.
    for (bool admitted : {false, true}) {
      for (const auto& [name, account] : identities) {
        if (route.allowed.contains(name) != admitted) continue;
        INFO(route.method << " " << route.target << " as " << name);
        uint64_t before = w.LogSize();
        auto r = w.Call(route.method, route.target, account->token, route.body, route.content_type);
        INFO(r.status << " " << r.body.substr(0, 300));
        if (admitted) {
          REQUIRE(r.status != 401);
          REQUIRE(r.status != 403);
          REQUIRE(r.status < 500);
          continue;
        }
        REQUIRE(r.status == 403);
        REQUIRE(ApiWorld::Json(r).at("error").at("code") == "forbidden");
        auto events = w.EventsSince(before);
        REQUIRE(events.size() == 1);
        REQUIRE(events[0].header.type == EventType::AccessDenied);
        REQUIRE(events[0].header.actor_id == account->user_id);
        REQUIRE(events[0].header.subject_id == route.student);
      }
    }
  }
}

TEST_CASE(
    "the web interface files answer anonymous and signed-in callers alike and record nothing") {
  ApiWorld& w = SharedWorld();
  const std::vector<std::string> tokens = {"",
                                           std::string(64, 'a'),
                                           w.ExpiredToken(w.principal),
                                           w.admin.token,
                                           w.privacy.token,
                                           w.principal.token,
                                           w.teacher.token,
                                           w.outsider.token,
                                           w.guardian.token};
  for (const http::UiAsset& asset : http::UiAssets()) {
    for (const std::string& token : tokens) {
      INFO(asset.path << " token=" << token.substr(0, 8));
      uint64_t before = w.LogSize();
      auto r = w.Call("GET", asset.path, token);
      REQUIRE(r.status == 200);
      REQUIRE(r.Header("content-type") == asset.content_type);
      REQUIRE(r.body == asset.body);
      REQUIRE(w.LogSize() == before);
    }
  }
}

TEST_CASE("an unknown id gets 404 only where every record is seen, else a real record's 403") {
  ApiWorld& w = SharedWorld();
  const Setup& s = SharedSetup(w);
  const std::vector<Route> routes = Routes(w, s);
  for (const UnknownRoute& u : UnknownRoutes(w, s)) {
    auto real = std::find_if(routes.begin(), routes.end(), [&](const Route& r) {
      return r.method == u.method && r.target == u.target;
    });
    REQUIRE(real != routes.end());
    for (const auto& [name, account] : Identities(w)) {
      INFO(u.method << " " << u.unknown << " as " << name);
      // The answer about a real record this caller may not see (refusals
      // change nothing), to compare with. (The other case's admitted grant
      // and break-glass may since have given the outsider access.)
      std::optional<ClientResponse> refused;
      if (!real->allowed.contains(name)) {
        refused = w.Call(u.method, real->target, account->token, real->body);
        if (refused->status != 403) refused.reset();
      }
      const uint64_t before = w.LogSize();
      auto r = w.Call(u.method, u.unknown, account->token, real->body);
      INFO(r.status << " " << r.body.substr(0, 300));
      if (u.sees_all.contains(name)) {
        CHECK(r.status == 404);
        CHECK(w.LogSize() == before);
        continue;
      }
      REQUIRE(r.status == 403);
      if (refused) CHECK(ErrorOf(r) == ErrorOf(*refused));
      auto events = w.EventsSince(before);
      REQUIRE(events.size() == 1);
      CHECK(events[0].header.type == EventType::AccessDenied);
      CHECK(events[0].header.actor_id == account->user_id);
      CHECK(events[0].header.subject_id.empty());
    }
  }
}

}  // namespace
}  // namespace backpack::api_testing
