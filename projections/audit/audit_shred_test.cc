// What the audit keeps of a shredded student: the trail by student, with the
// shred in it, and the break-glass alerts without their texts, reviewable and
// rebuilt byte for byte.
#include <boost/json/serialize.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit_test_util.h"

using namespace backpack;
using namespace backpack::testing;
namespace json = boost::json;

TEST_CASE("a shredded student's trail stays, and shows who shredded the record") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  w.View(educator, a);
  w.View(educator, b);
  w.Advance(kMinute);
  w.ShredAs(officer, a);

  AuditQuery by_a;
  by_a.student_id = a;
  const json::object page = w.Query(by_a);
  const json::array& trail = EventsOf(page);
  REQUIRE(trail.size() == 2);  // newest first
  const json::object& shred = trail[0].as_object();
  CHECK(TextOf(shred, "action") == "RecordShredded");
  CHECK(TextOf(shred.at("actor").as_object(), "id") == officer);
  CHECK(TextOf(shred, "student_id") == a);
  CHECK(TextOf(shred, "outcome") == "shredded");
  const json::object& read = trail[1].as_object();
  CHECK(TextOf(read, "action") == "RecordViewed");
  CHECK(TextOf(read.at("actor").as_object(), "id") == educator);
  AuditQuery shreds;
  shreds.action = "RecordShredded";
  CHECK(EventsOf(w.Query(shreds)).size() == 1);
  AuditQuery by_b;
  by_b.student_id = b;
  CHECK(EventsOf(w.Query(by_b)).size() == 1);
  RequireRebuildIdentical(w);
}

TEST_CASE("a shredded student's break-glass alerts stay without their texts, reviewed or not") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  std::string one = w.AddUser("teacher.one", Role::kEducator);
  std::string two = w.AddUser("teacher.two", Role::kEducator);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  StartBreakGlass(w, one, a);
  std::string open_glass = StartBreakGlass(w, two, a);
  StartBreakGlass(w, one, b);
  // Newest first: b's, then a's by `two`, then a's by `one`.
  const std::string open_id = TextOf(AlertsOf(w)[1].as_object(), "id");
  const std::string reviewed_id = TextOf(AlertsOf(w)[2].as_object(), "id");
  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), reviewed_id, "Confirmed with nurse").ok());
  const json::object before = AlertsOf(w)[2].as_object();
  w.Advance(kMinute);
  w.ShredAs(officer, a);

  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 3);
  const json::object& others = alerts[0].as_object();
  CHECK_FALSE(others.at("student_shredded").as_bool());
  CHECK(TextOf(others, "reason") == kBreakGlassReason);
  const json::object& open = alerts[1].as_object();
  CHECK(TextOf(open, "id") == open_id);
  CHECK(TextOf(open, "student_id") == a);
  CHECK(TextOf(open, "break_glass_id") == open_glass);
  CHECK(TextOf(open.at("actor").as_object(), "id") == two);
  CHECK(open.at("student_shredded").as_bool());
  CHECK(open.at("reason").is_null());
  CHECK_FALSE(open.at("reviewed").as_bool());
  const json::object& reviewed = alerts[2].as_object();
  CHECK(TextOf(reviewed, "id") == reviewed_id);
  CHECK(reviewed.at("student_shredded").as_bool());
  CHECK(reviewed.at("reason").is_null());
  CHECK(TextOf(reviewed, "at") == TextOf(before, "at"));
  CHECK(TextOf(reviewed, "expires_at") == TextOf(before, "expires_at"));
  CHECK(reviewed.at("reviewed").as_bool());
  const json::object& review = reviewed.at("review").as_object();
  const json::object& review_before = before.at("review").as_object();
  CHECK(TextOf(review.at("by").as_object(), "id") == officer);
  CHECK(TextOf(review, "at") == TextOf(review_before, "at"));
  CHECK(review.at("seq") == review_before.at("seq"));
  CHECK(review.at("note").is_null());  // sealed under the destroyed key
  CHECK(AlertsOf(w, /*unreviewed_only=*/true).size() == 2);
  RequireRebuildIdentical(w);

  // Still reviewable: the note is sealed under the reviewer, not the lost key.
  uint64_t size = w.fx().log().size();
  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), open_id, "Asked the teacher").ok());
  auto event = w.fx().log().Read(size);
  REQUIRE(event);
  CHECK(event->header.type == EventType::AlertReviewed);
  CHECK(event->header.subject_id == officer);
  CHECK(event->header.payload_encrypted);
  const json::object& now_reviewed = AlertsOf(w)[1].as_object();
  CHECK(now_reviewed.at("reviewed").as_bool());
  CHECK(TextOf(now_reviewed.at("review").as_object(), "note") == "Asked the teacher");
  RequireRebuildIdentical(w);
}

TEST_CASE("a shred recorded without the alert list leaves none of the student's alerts") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  StartBreakGlass(w, educator, a);
  StartBreakGlass(w, educator, b);
  w.View(educator, a);
  w.Shred(a);  // as stores from before the list was kept

  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 1);
  CHECK(TextOf(alerts[0].as_object(), "student_id") == b);
  AuditQuery by_a;
  by_a.student_id = a;
  CHECK(EventsOf(w.Query(by_a)).size() == 2);  // the read and the shred
  RequireRebuildIdentical(w);
}

TEST_CASE("a disclosure about a shredded student leaves the trail with the shred") {
  // Its payload is sealed under the student, so a replay after the shred
  // cannot index it: keeping the entry would make rebuild --check differ.
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  for (const std::string& student : {a, b}) {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(
        fb::CreateRecordDisclosedPayloadDirect(fbb, "Synthetic school", "enrolment", "transcript"));
    w.Append({MakeEvent(EventType::RecordDisclosed, w.ActorFor(officer), student, fbb,
                        /*personal=*/true)});
  }
  w.Advance(kMinute);
  w.ShredAs(officer, a);

  AuditQuery disclosures;
  disclosures.action = "RecordDisclosed";
  const json::object page = w.Query(disclosures);
  REQUIRE(EventsOf(page).size() == 1);
  CHECK(TextOf(EventsOf(page)[0].as_object(), "student_id") == b);
  RequireRebuildIdentical(w);
}
