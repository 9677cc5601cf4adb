// Requests about a shredded record, end to end over a real server: each is
// recorded (SPEC §2 invariant 3) before it is answered 410 gone, whoever
// asks, and fails closed; a shred's family requests and notes answer "gone" too.
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
#include "projections/roster/roster.h"
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
  int status = 410;
};

// Every student-scoped route a role may reach, about `student`, shredded:
// 410 to a caller who had a right to the record (a districtwide educator, the
// child's guardian, staff), and to anyone else the refusal (403, recorded)
// of a record they may not see.
std::vector<Probe> ProbesOf(ApiWorld& w, const std::string& student) {
  const std::string base = "/api/students/" + student;
  const std::string gone(kDeniedGone);
  const std::string stranger(kDeniedNoRelationship);
  auto write = [&](const std::string& path, const Account* caller, const std::string& body) {
    return Probe{"POST",         base + path, caller, body,
                 "AccessDenied", "",          gone,   "POST /api/students/{id}" + path};
  };
  return {
      {"GET", base + "/profile", &w.principal, "", "RecordViewed", "profile", "educator", ""},
      {"GET", base + "/profile?history=all", &w.principal, "", "RecordViewed", "profile_history",
       "educator", ""},
      // An educator who never had access is refused as for any student of
      // another school, and so is one whose access (a class) cannot be
      // decided any more.
      {"GET", base + "/profile", &w.outsider, "", "AccessDenied", "profile", stranger,
       "GET /api/students/{id}/profile", 403},
      {"GET", base + "/profile", &w.teacher, "", "AccessDenied", "profile", stranger,
       "GET /api/students/{id}/profile", 403},
      {"POST", base + "/break-glass", &w.outsider,
       R"({"reason":"Synthetic emergency: student unwell on a field trip"})", "AccessDenied", "",
       stranger, "POST /api/students/{id}/break-glass", 403},
      write("/notes", &w.principal, R"({"kind":"other","text":"Synthetic note"})"),
      write("/break-glass", &w.principal,
            R"({"reason":"Synthetic emergency: student unwell on a field trip"})"),
      {"GET", base + "/history", &w.guardian, "", "RecordViewed", "history", "guardian", ""},
      {"GET", base + "/history/export", &w.guardian, "", "RecordViewed", "export", "guardian", ""},
      // Another family's guardian is refused as for any child not theirs.
      {"GET", base + "/history", &w.other_guardian, "", "AccessDenied", "history", stranger,
       "GET /api/students/{id}/history", 403},
      {"POST", base + "/inspection-requests", &w.other_guardian, "", "AccessDenied", "", stranger,
       "POST /api/students/{id}/inspection-requests", 403},
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

// The ids and statuses of `student`'s requests in `listing` (a request list).
std::map<std::string, std::string> RequestsOf(const json::value& listing,
                                              const std::string& student) {
  std::map<std::string, std::string> out;
  for (const json::value& r : listing.at("requests").as_array()) {
    if (Str(r.at("student_id")) != student) continue;
    CHECK(r.at("shredded").as_bool());
    CHECK(Str(r.at("kind")) == "deletion");
    out[Str(r.at("id"))] = Str(r.at("status"));
  }
  return out;
}

// After the child's shred, the officer's request list and the child's history
// keep what is left of its requests (`approved`, which the shred carried out,
// and `legacy`, closed unread): ids, kind and outcome, not what the family
// wrote; the work list of pending requests holds neither.
void CheckShreddedRequestsListed(ApiWorld& w, const std::string& approved,
                                 const std::string& legacy) {
  const std::map<std::string, std::string> expected{{approved, "approved"}, {legacy, "shredded"}};
  auto list = w.Call("GET", "/api/family-requests?kind=deletion", w.privacy.token);
  REQUIRE(list.status == 200);
  CHECK(RequestsOf(ApiWorld::Json(list), w.child) == expected);
  CHECK(list.body.find("Synthetic: ") == std::string::npos);  // the reasons the family gave
  auto closed = w.Call("GET", "/api/family-requests?status=shredded", w.privacy.token);
  REQUIRE(closed.status == 200);
  CHECK(RequestsOf(ApiWorld::Json(closed), w.child) ==
        std::map<std::string, std::string>{{legacy, "shredded"}});
  auto pending = w.Call("GET", "/api/family-requests?status=pending", w.privacy.token);
  REQUIRE(pending.status == 200);
  CHECK(pending.body.find(w.child) == std::string::npos);
  auto history = w.Call("GET", "/api/students/" + w.child + "/history", w.privacy.token);
  REQUIRE(history.status == 200);
  CHECK(RequestsOf(ApiWorld::Json(history), w.child) == expected);
  CHECK(w.RebuildDifference() == "");
}

// Each of `probes`, while no append succeeds, is answered 503
// audit_unavailable and leaves the log as it was.
void CheckFailClosed(ApiWorld& w, const std::vector<Probe>& probes) {
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

TEST_CASE("every request about a shredded record is recorded, 410 only to who had a right to it") {
  ApiWorld& w = SharedWorld();
  std::string legacy;
  const std::string approved = ShredChild(w, &legacy);
  std::map<uint64_t, const Probe*> made;  // seq of each request's record
  const std::vector<Probe> probes = ProbesOf(w, w.child);
  for (const Probe& probe : probes) {
    INFO(probe.method << " " << probe.target << " by " << probe.caller->username);
    const uint64_t before = w.LogSize();
    auto r = w.Call(probe.method, probe.target, probe.caller->token, probe.body);
    CHECK(r.status == probe.status);
    CHECK(Str(ApiWorld::Json(r).at("error").at("code")) ==
          (probe.status == 410 ? "gone" : "forbidden"));
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
    CheckShreddedRequestsListed(w, approved, legacy);
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
  // when a request about a shredded record cannot be recorded it is answered 503
  CheckFailClosed(w, probes);
}

// A student of the district that no other test here uses (theirs are the
// world's named students): for a test to shred.
std::string UnusedStudent(ApiWorld& w) {
  const int64_t now = w.clock().NowMicros();
  for (const auto& [id, reason] :
       w.services().roster->AccessibleStudents(w.principal.user_id, now)) {
    if (id != w.child && id != w.other_student && id != w.spare_student) return id;
  }
  FAIL("the district has no student besides the world's named ones");
  return "";
}

// A note by the principal about `student`; its id (REQUIREs a 201).
std::string PrincipalNote(ApiWorld& w, const std::string& student, bool restricted) {
  json::object body{
      {"kind", "counselor"}, {"text", "Synthetic note Quince-Harbor"}, {"restricted", restricted}};
  auto r = w.Call("POST", "/api/students/" + student + "/notes", w.principal.token,
                  json::serialize(body));
  REQUIRE(r.status == 201);
  return Str(ApiWorld::Json(r).at("id"));
}

// The requests about the notes `restricted` and `plain` of a shredded
// student: 410 for a districtwide educator (with the restricted-notes flag
// for the text), who could read every student's; refused, as for a live
// note they may not change or read, to any other educator (neither access
// nor authorship can be checked any more), and to other roles.
std::vector<Probe> NoteProbesOf(ApiWorld& w, const std::string& restricted,
                                const std::string& plain) {
  const std::string read = "/api/notes/" + restricted + "/restricted";
  const std::string read_route = "GET /api/notes/{id}/restricted";
  const std::string revise = "/api/notes/" + plain + "/revisions";
  const std::string revise_route = "POST /api/notes/{id}/revisions";
  const std::string revision = R"({"text":"Synthetic revision"})";
  const std::string gone(kDeniedGone);
  const std::string not_educator(kDeniedNotEducator);
  return {
      {"GET", read, &w.principal, "", "RecordViewed", "restricted_note", "educator", ""},
      {"POST", revise, &w.principal, revision, "AccessDenied", "", gone, revise_route},
      {"POST", "/api/notes/" + plain + "/restrict", &w.principal, "", "AccessDenied", "", gone,
       "POST /api/notes/{id}/restrict"},
      {"POST", revise, &w.outsider, revision, "AccessDenied", "",
       std::string(kDeniedNoRelationship), revise_route, 403},
      {"GET", read, &w.outsider, "", "AccessDenied", "restricted_note",
       std::string(kDeniedNoRestrictedNotesFlag), read_route, 403},
      {"GET", read, &w.guardian, "", "AccessDenied", "restricted_note", not_educator, read_route,
       403},
      {"POST", revise, &w.guardian, revision, "AccessDenied", "", not_educator, revise_route, 403},
  };
}

// `name` of an audit trail entry, or "" if it has none.
std::string Field(const json::object& e, std::string_view name) {
  const json::value* v = e.if_contains(name);
  return v ? Str(*v) : "";
}

// The audit trail of `student` holds the records `made` (by seq) of the
// note probes, each as its probe says, naming the note it asked about.
void CheckNoteTrail(ApiWorld& w, const std::string& student,
                    const std::map<uint64_t, const Probe*>& made, const std::string& restricted,
                    const std::string& plain) {
  const auto trail = TrailSince(w, student, made.begin()->first);
  REQUIRE(trail.size() == made.size());
  for (const auto& [seq, probe] : made) {
    INFO(probe->method << " " << probe->target << " by " << probe->caller->username);
    const json::object& e = trail.at(seq);
    CHECK(Str(e.at("action")) == probe->action);
    CHECK(Field(e, "scope") == probe->scope);
    CHECK(Str(e.at("reason")) == probe->reason);
    CHECK(Str(e.at("outcome")) == (probe->action == "RecordViewed" ? "gone" : "denied"));
    CHECK(Str(e.at("actor").at("id")) == probe->caller->user_id);
    if (!probe->route.empty()) CHECK(Field(e, "route") == probe->route);
    const bool reads_restricted = probe->target.ends_with("/restricted");
    CHECK(Field(e, probe->action == "RecordViewed" ? "note_id" : "target_id") ==
          (reads_restricted ? restricted : plain));
  }
}

TEST_CASE("requests about a shredded student's notes are recorded before their 410") {
  ApiWorld& w = SharedWorld();
  const std::string student = UnusedStudent(w);
  const std::string restricted = PrincipalNote(w, student, true);
  const std::string plain = PrincipalNote(w, student, false);
  REQUIRE(
      w.services()
          .family->Shred(Actor{w.privacy.user_id, "req_shred", ""}, student, "Synthetic: retention")
          .ok());
  std::map<uint64_t, const Probe*> made;  // seq of each request's record
  const std::vector<Probe> probes = NoteProbesOf(w, restricted, plain);
  for (const Probe& probe : probes) {
    INFO(probe.method << " " << probe.target << " by " << probe.caller->username);
    const uint64_t before = w.LogSize();
    auto r = w.Call(probe.method, probe.target, probe.caller->token, probe.body);
    CHECK(r.status == probe.status);
    CHECK(Str(ApiWorld::Json(r).at("error").at("code")) ==
          (probe.status == 410 ? "gone" : "forbidden"));
    auto events = w.EventsSince(before);
    REQUIRE(events.size() == 1);
    CHECK(events[0].header.subject_id == student);
    CHECK_FALSE(events[0].header.payload_encrypted);  // ids, codes and times only
    made[events[0].header.seq] = &probe;
  }
  CheckNoteTrail(w, student, made, restricted, plain);
  {  // a note id never issued is still unknown, and nothing is recorded
    const uint64_t before = w.LogSize();
    const std::string unknown = NewId("note");
    CHECK(w.Call("GET", "/api/notes/" + unknown + "/restricted", w.principal.token).status == 404);
    CHECK(w.Call("POST", "/api/notes/" + unknown + "/revisions", w.principal.token,
                 R"({"text":"Synthetic revision"})")
              .status == 404);
    CHECK(w.LogSize() == before);
    // To an educator who cannot see every student it is refused, recorded,
    // as another's note is.
    auto refused = w.Call("POST", "/api/notes/" + unknown + "/revisions", w.outsider.token,
                          R"({"text":"Synthetic revision"})");
    CHECK(refused.status == 403);
    CHECK(Str(ApiWorld::Json(refused).at("error").at("message")) ==
          "only the note's author may do this");
    auto denied = w.EventsSince(before);
    REQUIRE(denied.size() == 1);
    CHECK(DeniedReason(denied[0]) == kDeniedUnknownNote);
    CHECK(denied[0].header.subject_id.empty());
  }
  CheckFailClosed(w, probes);
  // The shred's note ids come from its event alone: a rebuild keeps them gone.
  CHECK(w.RebuildDifference() == "");
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
