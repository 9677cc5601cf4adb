// Family rights over HTTP (SPEC §6): inspection and correction requests,
// outside disclosures, and deletions: refused, or approved and shredding the record.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "projections/family/family.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE("family requests: inspection holds the record, corrections get a statement") {
  ApiWorld& w = SharedWorld();
  const std::string base = "/api/students/" + w.child;
  auto inspection = w.Call("POST", base + "/inspection-requests", w.guardian.token);
  REQUIRE(inspection.status == 201);
  REQUIRE(ApiWorld::Json(inspection).at("due_by").is_string());

  auto history = ApiWorld::Json(w.Call("GET", base + "/history", w.guardian.token));
  uint64_t about = history.at("events").as_array().at(0).at("seq").to_number<uint64_t>();
  json::object ask{{"text", "Synthetic: the attendance entry is wrong"}, {"about_seq", about}};
  auto correction =
      w.Call("POST", base + "/correction-requests", w.guardian.token, json::serialize(ask));
  REQUIRE(correction.status == 201);
  std::string corr(ApiWorld::Json(correction).at("id").as_string());
  auto decided = w.Call("POST", "/api/correction-requests/" + corr + "/decision", w.privacy.token,
                        R"({"decision":"refuse","reason":"Synthetic: the entry is right"})");
  REQUIRE(decided.status == 200);
  auto statement = w.Call("POST", "/api/correction-requests/" + corr + "/statement",
                          w.guardian.token, R"({"text":"Synthetic: we disagree"})");
  REQUIRE(statement.status == 201);
  // From then on the statement is shown with the record (FERPA §99.21(b)).
  auto shown = ApiWorld::Json(w.Call("GET", Profile(w.child), w.teacher.token));
  const json::array& statements = shown.at("statements").as_array();
  REQUIRE(statements.size() == 1);
  CHECK(Str(statements.at(0).at("text")) == "Synthetic: we disagree");
  CHECK(statements.at(0).at("about_seq").to_number<uint64_t>() == about);
  CHECK(Str(statements.at(0).at("request_id")) == corr);

  // An amended correction is shown with the record too: the entry was found inaccurate.
  json::object fix{{"text", "Synthetic: that day was a field trip"}, {"about_seq", about}};
  auto second =
      w.Call("POST", base + "/correction-requests", w.guardian.token, json::serialize(fix));
  REQUIRE(second.status == 201);
  std::string amend(ApiWorld::Json(second).at("id").as_string());
  REQUIRE(w.Call("POST", "/api/correction-requests/" + amend + "/decision", w.privacy.token,
                 R"({"decision":"amend","reason":"Synthetic: the school agrees"})")
              .status == 200);
  auto amended = ApiWorld::Json(w.Call("GET", Profile(w.child), w.teacher.token));
  const json::array& amendments = amended.at("amendments").as_array();
  REQUIRE(amendments.size() == 1);
  CHECK(Str(amendments.at(0).at("request_id")) == amend);
  CHECK(amendments.at(0).at("about_seq").to_number<uint64_t>() == about);
  CHECK(Str(amendments.at(0).at("requested_change")) == "Synthetic: that day was a field trip");
  CHECK(Str(amendments.at(0).at("reason")) == "Synthetic: the school agrees");
  CHECK(Str(amendments.at(0).at("by").at("role")) == "privacy_officer");
  CHECK(amended.at("statements").as_array().size() == 1);  // the refused one's, still
  // The family's history lists its requests in the order they were made.
  auto requests = ApiWorld::Json(w.Call("GET", base + "/history", w.guardian.token));
  uint64_t previous = 0;
  for (const json::value& r : requests.at("requests").as_array()) {
    uint64_t seq = r.at("requested_seq").to_number<uint64_t>();
    CHECK(seq > previous);
    previous = seq;
  }

  auto deletion = w.Call("POST", base + "/deletion-requests", w.guardian.token,
                         R"({"reason":"Synthetic: we are moving away"})");
  REQUIRE(deletion.status == 201);
  std::string del(ApiWorld::Json(deletion).at("id").as_string());
  auto held = w.Call("POST", "/api/deletion-requests/" + del + "/approve", w.privacy.token);
  REQUIRE(held.status == 409);

  // The privacy officer's work list shows the pending requests, audited.
  uint64_t before = w.LogSize();
  auto pending = w.Call("GET", "/api/family-requests?status=pending", w.privacy.token);
  REQUIRE(pending.status == 200);
  std::set<std::string> ids;
  const json::value pending_body = ApiWorld::Json(pending);
  for (const json::value& r : pending_body.at("requests").as_array()) {
    CHECK(Str(r.at("status")) == "pending");
    ids.insert(Str(r.at("id")));
  }
  CHECK(ids.contains(Str(ApiWorld::Json(inspection).at("id"))));
  CHECK(ids.contains(del));
  CHECK_FALSE(ids.contains(corr));  // refused, not pending
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  const Viewed listed = DecodeViewed(viewed[0]);
  CHECK(std::find(listed.students.begin(), listed.students.end(), w.child) !=
        listed.students.end());
  const json::value deletions =
      ApiWorld::Json(w.Call("GET", "/api/family-requests?kind=deletion", w.privacy.token));
  REQUIRE_FALSE(deletions.at("requests").as_array().empty());
  for (const json::value& r : deletions.at("requests").as_array()) {
    CHECK(Str(r.at("kind")) == "deletion");
  }
  CHECK(w.Call("GET", "/api/family-requests?kind=gossip", w.privacy.token).status == 400);
  CHECK(w.Call("GET", "/api/family-requests?status=bogus", w.privacy.token).status == 400);
  for (std::string_view status : kFamilyRequestStatuses) {
    CHECK(w.Call("GET", "/api/family-requests?status=" + std::string(status), w.privacy.token)
              .status == 200);
  }
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
}

TEST_CASE("an outside disclosure recorded by the privacy officer shows in the family's history") {
  ApiWorld& w = SharedWorld();
  const std::string target = "/api/students/" + w.child + "/disclosures";
  uint64_t before = w.LogSize();
  auto blank = w.Call("POST", target, w.privacy.token,
                      R"({"recipient":"","legitimate_interest":"x","description":"y"})");
  CHECK(blank.status == 422);
  CHECK(w.LogSize() == before);
  auto recorded =
      w.Call("POST", target, w.privacy.token,
             R"({"recipient":"Synthetic County Court","legitimate_interest":"subpoena 42",)"
             R"("description":"Attendance of the 2025-26 school year"})");
  REQUIRE(recorded.status == 201);
  const uint64_t seq = ApiWorld::Json(recorded).at("seq").to_number<uint64_t>();
  REQUIRE(w.CountSince(before, EventType::RecordDisclosed) == 1);
  auto history = w.Call("GET", "/api/students/" + w.child + "/history", w.guardian.token);
  REQUIRE(history.status == 200);
  bool found = false;
  const boost::json::value listed = ApiWorld::Json(history);
  for (const auto& item : listed.at("disclosures").as_array()) {
    if (item.at("seq").to_number<uint64_t>() != seq) continue;
    found = true;
    CHECK(Str(item.at("action")) == "disclosed");
    CHECK(Str(item.at("recipient")) == "Synthetic County Court");
    CHECK(Str(item.at("legitimate_interest")) == "subpoena 42");
  }
  CHECK(found);
  // The privacy officer's audit trail lists it by student and by action,
  // naming who disclosed which record, without the (sealed) details.
  for (const std::string& filter :
       {"action=RecordDisclosed&student_id=" + w.child, std::string("action=RecordDisclosed")}) {
    INFO(filter);
    auto trail = w.Call("GET", "/api/audit/events?" + filter, w.privacy.token);
    REQUIRE(trail.status == 200);
    const boost::json::value page = ApiWorld::Json(trail);
    const auto& first = page.at("events").as_array().at(0);
    CHECK(first.at("seq").to_number<uint64_t>() == seq);
    CHECK(Str(first.at("action")) == "RecordDisclosed");
    CHECK(Str(first.at("student_id")) == w.child);
    CHECK(Str(first.at("actor").at("id")) == w.privacy.user_id);
    CHECK(trail.body.find("Synthetic County Court") == std::string::npos);
  }
}

TEST_CASE(
    "POST /api/deletion-requests/{id}/refuse keeps the record and lets the family ask again") {
  ApiWorld& w = SharedWorld();
  const std::string base = "/api/students/" + w.other_student;
  auto asked = w.Call("POST", base + "/deletion-requests", w.admin.token,
                      R"({"reason":"Synthetic: the family asked us to delete it"})");
  REQUIRE(asked.status == 201);
  const std::string del = Str(ApiWorld::Json(asked).at("id"));
  const std::string refuse = "/api/deletion-requests/" + del + "/refuse";
  // The reason is required, and only a privacy officer refuses.
  CHECK(w.Call("POST", refuse, w.privacy.token, "{}").status == 422);
  const std::string why = R"({"reason":"Synthetic: FERPA gives no right to deletion"})";
  CHECK(w.Call("POST", refuse, w.admin.token, why).status == 403);
  uint64_t before = w.LogSize();
  auto refused = w.Call("POST", refuse, w.privacy.token, why);
  REQUIRE(refused.status == 200);
  CHECK(Str(ApiWorld::Json(refused).at("status")) == "refused");
  auto events = w.EventsSince(before, EventType::DeletionRefused);
  REQUIRE(events.size() == 1);
  CHECK(events[0].header.subject_id == w.other_student);
  CHECK(events[0].header.payload_encrypted);  // the reason, under the student's key
  // Decided once: neither refused again nor approved; the record is kept.
  before = w.LogSize();
  CHECK(w.Call("POST", refuse, w.privacy.token, why).status == 409);
  CHECK(w.Call("POST", "/api/deletion-requests/" + del + "/approve", w.privacy.token).status ==
        409);
  CHECK(w.CountSince(before, EventType::RecordShredded) == 0);
  CHECK(w.Call("GET", Profile(w.other_student), w.principal.token).status == 200);
  // The officer's list shows it refused, with the reason.
  auto listed = ApiWorld::Json(
      w.Call("GET", "/api/family-requests?kind=deletion&status=refused", w.privacy.token));
  bool found = false;
  for (const json::value& r : listed.at("requests").as_array()) {
    if (Str(r.at("id")) != del) continue;
    found = true;
    CHECK(Str(r.at("decision_reason")) == "Synthetic: FERPA gives no right to deletion");
    CHECK(Str(r.at("decided_by")) == w.privacy.user_id);
  }
  CHECK(found);
  // The history says so, in words.
  auto history = ApiWorld::Json(w.Call("GET", base + "/history", w.privacy.token));
  std::string summary;
  for (const json::value& e : history.at("events").as_array()) {
    if (Str(e.at("type")) == "DeletionRefused") summary = Str(e.at("summary"));
  }
  CHECK(summary.starts_with("Deletion refused by "));
  CHECK(summary.ends_with("; the record is kept"));
  // A new request may be made after the refusal.
  auto again = w.Call("POST", base + "/deletion-requests", w.admin.token,
                      R"({"reason":"Synthetic: asked again"})");
  REQUIRE(again.status == 201);
  CHECK(w.Call("POST", base + "/deletion-requests", w.admin.token, R"({"reason":"Synthetic"})")
            .status == 409);  // that one is pending
  CHECK(w.Call("POST", "/api/deletion-requests/" + Str(ApiWorld::Json(again).at("id")) + "/refuse",
               w.privacy.token, why)
            .status == 200);
}

TEST_CASE("an approved deletion shreds the record: profile 410, history still served") {
  ApiWorld w;  // its own store: the spare student is shredded here
  const std::string base = "/api/students/" + w.spare_student;
  // A pending inspection holds the record until a privacy officer fulfils
  // it. (The officer files it on the family's behalf: the spare student's
  // guardians have no accounts here.)
  auto inspection =
      w.services().family->RequestInspection(Actor{w.privacy.user_id, "", ""}, w.spare_student);
  REQUIRE(inspection);
  const std::string insp = inspection->id;
  auto deletion = w.Call("POST", base + "/deletion-requests", w.admin.token,
                         R"({"reason":"Synthetic: administrative deletion"})");
  REQUIRE(deletion.status == 201);
  std::string del(ApiWorld::Json(deletion).at("id").as_string());
  const std::string approve = "/api/deletion-requests/" + del + "/approve";
  REQUIRE(w.Call("POST", approve, w.privacy.token).status == 409);
  const std::string fulfil = "/api/inspection-requests/" + insp + "/fulfil";
  REQUIRE(w.Call("POST", fulfil, w.admin.token).status == 403);
  uint64_t before = w.LogSize();
  auto fulfilled = w.Call("POST", fulfil, w.privacy.token);
  REQUIRE(fulfilled.status == 200);
  REQUIRE(Str(ApiWorld::Json(fulfilled).at("status")) == "fulfilled");
  REQUIRE(w.CountSince(before, EventType::InspectionFulfilled) == 1);
  REQUIRE(w.Call("POST", fulfil, w.privacy.token).status == 409);  // not pending any more
  // A second inspection, requested after the first was fulfilled, holds it again.
  auto second =
      w.services().family->RequestInspection(Actor{w.privacy.user_id, "", ""}, w.spare_student);
  REQUIRE(second);
  auto held_again = w.Call("POST", approve, w.privacy.token);
  REQUIRE(held_again.status == 409);
  CHECK(held_again.body.find(second->id) != std::string::npos);
  REQUIRE(w.Call("GET", Profile(w.spare_student), w.principal.token).status == 200);
  REQUIRE(w.Call("POST", "/api/inspection-requests/" + second->id + "/fulfil", w.privacy.token)
              .status == 200);
  // A break-glass read before the deletion (checked after it, below).
  REQUIRE(w.Call("POST", base + "/break-glass", w.outsider.token,
                 R"({"reason":"Synthetic emergency: student unwell on a field trip"})")
              .status == 201);
  REQUIRE(w.Call("GET", Profile(w.spare_student), w.outsider.token).status == 200);

  auto note = w.Call("POST", base + "/notes", w.principal.token,
                     R"({"kind":"other","text":"Synthetic note before the deletion"})");
  REQUIRE(note.status == 201);
  const std::string note_path = "/api/notes/" + Str(ApiWorld::Json(note).at("id"));

  REQUIRE(w.Call("POST", approve, w.privacy.token).status == 200);
  REQUIRE(w.Call("GET", Profile(w.spare_student), w.principal.token).status == 410);
  // The note went with the record: its author can neither revise nor
  // restrict it (410, the shred listed its id), and each try is recorded.
  before = w.LogSize();
  CHECK(w.Call("POST", note_path + "/revisions", w.principal.token, R"({"text":"Synthetic"})")
            .status == 410);
  CHECK(w.Call("POST", note_path + "/restrict", w.principal.token).status == 410);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 2);
  CHECK(w.LogSize() == before + 2);
  before = w.LogSize();
  auto history = w.Call("GET", base + "/history", w.privacy.token);
  REQUIRE(history.status == 200);
  REQUIRE(ApiWorld::Json(history).at("shredded") == true);
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 1);
  // A guardian who was not the child's is refused as for any other family's
  // child, not told that the record was deleted; the request is recorded.
  before = w.LogSize();
  auto refused = w.Call("GET", base + "/history", w.other_guardian.token);
  REQUIRE(refused.status == 403);
  CHECK(Str(ApiWorld::Json(refused).at("error").at("message")) ==
        "you are not a guardian of this student");
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].header.subject_id == w.spare_student);
  REQUIRE(w.LogSize() == before + 1);

  // The trail by student keeps who read the record, and shows who shredded it.
  auto trail =
      w.Call("GET", "/api/audit/events?limit=1000&student_id=" + w.spare_student, w.privacy.token);
  REQUIRE(trail.status == 200);
  const json::value events = ApiWorld::Json(trail);
  std::set<std::string> who_did_what;
  for (const json::value& e : events.at("events").as_array()) {
    who_did_what.insert(Str(e.at("action")) + " by " + Str(e.at("actor").at("id")));
  }
  CHECK(who_did_what.count("RecordShredded by " + w.privacy.user_id) == 1);
  CHECK(who_did_what.count("RecordViewed by " + w.outsider.user_id) == 1);
  // The break-glass alert stays, without its reason, and can still be reviewed.
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  const json::value page = ApiWorld::Json(alerts);
  std::string unreviewed;
  for (const json::value& alert : page.at("alerts").as_array()) {
    const json::value* student = alert.as_object().if_contains("student_id");  // break-glass
    if (!student || Str(*student) != w.spare_student) continue;
    CHECK(alert.at("student_shredded") == true);
    CHECK(alert.at("reason").is_null());
    if (alert.at("reviewed") == false) unreviewed = Str(alert.at("id"));
  }
  REQUIRE_FALSE(unreviewed.empty());
  before = w.LogSize();
  REQUIRE(w.Call("POST", "/api/audit/alerts/" + unreviewed + "/review", w.privacy.token,
                 R"({"note":"Synthetic: asked the teacher"})")
              .status == 201);
  auto reviews = w.EventsSince(before, EventType::AlertReviewed);
  REQUIRE(reviews.size() == 1);
  CHECK(reviews[0].header.subject_id == w.privacy.user_id);
}

}  // namespace
}  // namespace backpack::api_testing
