// Requests about a shredded record, end to end over a real server: each is
// recorded (SPEC §2 invariant 3) before it is answered 410 gone, whoever
// asks, and fails closed; a shred's family requests answer "gone" too.
// Its own world: it shreds the child whose guardian has an account.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "events/schema/payloads_generated.h"
#include "projections/access_policy.h"
#include "projections/family/family.h"
#include "projections/ids.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

// One request and what its record in the audit trail must say.
struct Probe {
  std::string method;
  std::string target;
  const Account* caller;
  std::string body;
  std::string action;  // RecordViewed or AccessDenied
  std::string scope;   // the trail's scope ("" for writes)
  std::string reason;
  std::string route;  // AccessDenied: the route's pattern
};

// Every student-scoped route a role may reach, about `student`, shredded.
std::vector<Probe> ProbesOf(ApiWorld& w, const std::string& student) {
  const std::string base = "/api/students/" + student;
  const std::string gone(kDeniedGone);
  auto write = [&](const std::string& path, const Account* caller, const std::string& body) {
    return Probe{"POST",         base + path, caller, body,
                 "AccessDenied", "",          gone,   "POST /api/students/{id}" + path};
  };
  return {
      {"GET", base + "/profile", &w.principal, "", "RecordViewed", "profile", "educator", ""},
      {"GET", base + "/profile?history=all", &w.principal, "", "RecordViewed", "profile_history",
       "educator", ""},
      // An educator who never had access is told the same (as before the shred recorded).
      {"GET", base + "/profile", &w.outsider, "", "RecordViewed", "profile", "educator", ""},
      write("/notes", &w.principal, R"({"kind":"other","text":"Synthetic note"})"),
      write("/break-glass", &w.principal,
            R"({"reason":"Synthetic emergency: student unwell on a field trip"})"),
      {"GET", base + "/history", &w.guardian, "", "RecordViewed", "history", "guardian", ""},
      {"GET", base + "/history/export", &w.guardian, "", "RecordViewed", "export", "guardian", ""},
      write("/inspection-requests", &w.guardian, ""),
      write("/correction-requests", &w.guardian, R"({"text":"Synthetic","about_seq":1})"),
      write("/deletion-requests", &w.guardian, R"({"reason":"Synthetic"})"),
      {"GET", base + "/access", &w.admin, "", "RecordViewed", "audit_query", "district_admin", ""},
      {"GET", base + "/access", &w.privacy, "", "RecordViewed", "audit_query", "privacy_officer",
       ""},
      write("/guardians/unlink", &w.admin,
            R"({"guardian_id":")" + w.guardian.user_id + R"(","reason":"Synthetic"})"),
      write("/disclosures", &w.privacy,
            R"({"recipient":"Synthetic","legitimate_interest":"Synthetic",)"
            R"("description":"Synthetic"})"),
      {"POST", "/api/grants", &w.admin,
       R"({"educator_id":")" + w.principal.user_id + R"(","scope":{"student_id":")" + student +
           R"("},"reason":"Synthetic"})",
       "AccessDenied", "", gone, "POST /api/grants"},
  };
}

// The audit trail's entries about `student` at seq >= `from`, by seq.
std::map<uint64_t, json::object> TrailSince(ApiWorld& w, const std::string& student,
                                            uint64_t from) {
  auto trail = w.Call("GET", "/api/audit/events?limit=1000&student_id=" + student, w.privacy.token);
  REQUIRE(trail.status == 200);
  const json::value page = ApiWorld::Json(trail);
  std::map<uint64_t, json::object> out;
  for (const json::value& e : page.at("events").as_array()) {
    const uint64_t seq = e.at("seq").to_number<uint64_t>();
    if (seq >= from) out[seq] = e.as_object();
  }
  return out;
}

// A second pending deletion request as a store from before one pending
// deletion per student was enforced may hold: appended directly.
std::string LegacyDeletionRequest(ApiWorld& w, const std::string& student) {
  const std::string id = NewId("del");
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateDeletionRequestedPayloadDirect(fbb, id.c_str(), "Synthetic: older request",
                                                      w.guardian.user_id.c_str()));
  std::vector<NewEvent> events;
  events.push_back(MakeEvent(EventType::DeletionRequested, Actor{w.guardian.user_id, "", ""},
                             student, fbb, /*personal=*/true));
  REQUIRE(w.services().log->Append(std::move(events)));
  return id;
}

// The child's record, shredded by an approved deletion request; its id.
std::string ShredChild(ApiWorld& w, std::string* legacy) {
  const std::string requests = "/api/students/" + w.child + "/deletion-requests";
  auto first = w.Call("POST", requests, w.guardian.token, R"({"reason":"Synthetic: moving"})");
  REQUIRE(first.status == 201);
  const std::string id = Str(ApiWorld::Json(first).at("id"));
  *legacy = LegacyDeletionRequest(w, w.child);
  REQUIRE(w.Call("POST", "/api/deletion-requests/" + id + "/approve", w.privacy.token).status ==
          200);
  return id;
}

TEST_CASE("every request about a shredded record is recorded before its 410 for each role") {
  ApiWorld& w = SharedWorld();
  std::string legacy;
  const std::string approved = ShredChild(w, &legacy);
  std::map<uint64_t, const Probe*> made;  // seq of each request's record
  const std::vector<Probe> probes = ProbesOf(w, w.child);
  for (const Probe& probe : probes) {
    INFO(probe.method << " " << probe.target << " by " << probe.caller->username);
    const uint64_t before = w.LogSize();
    auto r = w.Call(probe.method, probe.target, probe.caller->token, probe.body);
    CHECK(r.status == 410);
    CHECK(Str(ApiWorld::Json(r).at("error").at("code")) == "gone");
    auto events = w.EventsSince(before);
    REQUIRE(events.size() == 1);
    // The access list is recorded as an audit query, which lists its student.
    CHECK(events[0].header.subject_id == (probe.scope == "audit_query" ? "" : w.child));
    CHECK_FALSE(events[0].header.payload_encrypted);  // ids, codes and times only
    made[events[0].header.seq] = &probe;
  }
  const auto trail = TrailSince(w, w.child, made.begin()->first);
  REQUIRE(trail.size() == made.size());
  for (const auto& [seq, probe] : made) {
    INFO(probe->method << " " << probe->target << " by " << probe->caller->username);
    const json::object& e = trail.at(seq);
    CHECK(Str(e.at("student_id")) == w.child);
    CHECK(Str(e.at("action")) == probe->action);
    CHECK(Str(e.at("scope")) == probe->scope);
    CHECK(Str(e.at("reason")) == probe->reason);
    CHECK(Str(e.at("outcome")) == (probe->action == "RecordViewed" ? "gone" : "denied"));
    CHECK(Str(e.at("actor").at("id")) == probe->caller->user_id);
    CHECK(Str(e.at("ip")) == "127.0.0.1");
    if (!probe->route.empty()) CHECK(Str(e.at("route")) == probe->route);
  }
  {  // a role that may not use the route is refused (403) as before, not told gone
    const uint64_t before = w.LogSize();
    CHECK(w.Call("GET", "/api/students/" + w.child + "/profile", w.guardian.token).status == 403);
    CHECK(w.Call("GET", "/api/students/" + w.child + "/history", w.principal.token).status == 403);
    CHECK(w.CountSince(before, EventType::AccessDenied) == 2);
  }
  {  // the shred's other requests answer gone, recorded, instead of no such request
    for (const std::string& id : {legacy, approved}) {
      INFO(id);
      const uint64_t before = w.LogSize();
      auto r = w.Call("POST", "/api/deletion-requests/" + id + "/approve", w.privacy.token);
      CHECK(r.status == 410);
      CHECK(r.body.find("already shredded") != std::string::npos);
      auto events = w.EventsSince(before);
      REQUIRE(events.size() == 1);
      CHECK(DeniedReason(events[0]) == kDeniedGone);
      CHECK(events[0].header.subject_id == w.child);
      // Another role is refused (and recorded) before it could learn that.
      CHECK(w.Call("POST", "/api/deletion-requests/" + id + "/approve", w.admin.token).status ==
            403);
    }
    // An id no request ever had is still unknown.
    const uint64_t before = w.LogSize();
    CHECK(w.Call("POST", "/api/deletion-requests/" + NewId("del") + "/approve", w.privacy.token)
              .status == 404);
    CHECK(w.LogSize() == before);
    // The officer's work list no longer holds the shredded student's requests.
    auto list = w.Call("GET", "/api/family-requests", w.privacy.token);
    REQUIRE(list.status == 200);
    CHECK(list.body.find(w.child) == std::string::npos);
  }
  {  // the shred is in the trail with the officer's address and the approved request
    bool found = false;
    for (const auto& [seq, e] : TrailSince(w, w.child, 0)) {
      if (Str(e.at("action")) != "RecordShredded") continue;
      found = true;
      CHECK(Str(e.at("ip")) == "127.0.0.1");
      CHECK(Str(e.at("target_id")) == approved);
    }
    CHECK(found);
  }
  {  // when a request about a shredded record cannot be recorded it is answered 503
    const uint64_t before = w.LogSize();
    {
      AppendsFail failing(w);
      for (const Probe& probe : probes) {
        INFO(probe.method << " " << probe.target << " by " << probe.caller->username);
        auto r = w.Call(probe.method, probe.target, probe.caller->token, probe.body);
        CHECK(r.status == 503);
        CHECK(Str(ApiWorld::Json(r).at("error").at("code")) == "audit_unavailable");
      }
    }
    CHECK(w.LogSize() == before);
  }
}

TEST_CASE("a second pending deletion request for the same student is refused with 409") {
  ApiWorld& w = SharedWorld();
  const std::string requests = "/api/students/" + w.spare_student + "/deletion-requests";
  auto first = w.Call("POST", requests, w.admin.token, R"({"reason":"Synthetic: first"})");
  REQUIRE(first.status == 201);
  const std::string id = Str(ApiWorld::Json(first).at("id"));
  const uint64_t before = w.LogSize();
  auto again = w.Call("POST", requests, w.admin.token, R"({"reason":"Synthetic: again"})");
  CHECK(again.status == 409);
  CHECK(Str(ApiWorld::Json(again).at("error").at("code")) == "conflict");
  CHECK(again.body.find("already pending") != std::string::npos);
  CHECK(again.body.find(id) != std::string::npos);
  CHECK(w.CountSince(before, EventType::DeletionRequested) == 0);
}

TEST_CASE("disclosures and alert reviews over HTTP carry the caller's address in the trail") {
  ApiWorld& w = SharedWorld();
  const std::string student = w.other_student;
  auto disclosed = w.Call("POST", "/api/students/" + student + "/disclosures", w.privacy.token,
                          R"({"recipient":"Synthetic County Court","legitimate_interest":)"
                          R"("Synthetic subpoena","description":"Synthetic transcript"})");
  REQUIRE(disclosed.status == 201);
  REQUIRE(w.Call("POST", "/api/students/" + student + "/break-glass", w.outsider.token,
                 R"({"reason":"Synthetic emergency: student unwell on a field trip"})")
              .status == 201);
  auto alerts = w.Call("GET", "/api/audit/alerts?unreviewed=true", w.privacy.token);
  REQUIRE(alerts.status == 200);
  const json::value page = ApiWorld::Json(alerts);
  std::string alert;
  for (const json::value& a : page.at("alerts").as_array()) {
    const json::value* about = a.as_object().if_contains("student_id");
    if (about && Str(*about) == student) alert = Str(a.at("id"));
  }
  REQUIRE_FALSE(alert.empty());
  REQUIRE(w.Call("POST", "/api/audit/alerts/" + alert + "/review", w.privacy.token,
                 R"({"note":"Synthetic: asked the teacher"})")
              .status == 201);
  std::map<std::string, std::string> ip_of;
  for (const auto& [seq, e] : TrailSince(w, student, 0)) {
    ip_of[Str(e.at("action"))] = Str(e.at("ip"));
  }
  CHECK(ip_of["RecordDisclosed"] == "127.0.0.1");
  CHECK(ip_of["AlertReviewed"] == "127.0.0.1");
}

}  // namespace
}  // namespace backpack::api_testing
