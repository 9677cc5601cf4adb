// Derived alerts (break-glass, bulk access, denial bursts), reviews and
// rebuild equality of the audit families (shredding: audit_shred_test.cc).
#include <boost/json/serialize.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/audit/audit_test_util.h"
#include "projections/audit/audit_time.h"
#include "projections/rebuild.h"
#include "projections/roster/roster_commands.h"

using namespace backpack;
using namespace backpack::testing;
namespace json = boost::json;

namespace {

std::vector<std::string> AddStudents(AuditWorld& w, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(w.AddStudent("sis-" + std::to_string(i), "Given" + std::to_string(i), "Family"));
  }
  return ids;
}

// Requires exactly one alert: bulk access by `actor` of `distinct_students`.
void RequireOneBulkAlert(AuditWorld& w, const std::string& actor, int distinct_students) {
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 1);
  const json::object& alert = alerts[0].as_object();
  CHECK(TextOf(alert, "kind") == "bulk_access");
  CHECK(TextOf(alert.at("actor").as_object(), "id") == actor);
  CHECK(alert.at("distinct_students").to_number<int>() == distinct_students);
}

}  // namespace

TEST_CASE("a break-glass raises an alert whose reason only the alert view decrypts") {
  AuditWorld w;
  std::string student = w.AddStudent("sis-1", "Avery", "Quill");
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::string break_glass = StartBreakGlass(w, educator, student);

  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 1);
  const json::object& alert = alerts[0].as_object();
  CHECK(TextOf(alert, "kind") == "break_glass");
  CHECK(TextOf(alert, "student_id") == student);
  CHECK(TextOf(alert, "break_glass_id") == break_glass);
  CHECK(TextOf(alert, "reason") == kBreakGlassReason);
  CHECK(TextOf(alert.at("actor").as_object(), "username") == "teacher.one");
  CHECK_FALSE(alert.at("reviewed").as_bool());
  CHECK(w.Dump("a_alert_text").find(ToHex(AsBytes("fainted"))) == std::string::npos);
  CHECK(w.Dump("a_alerts").find(ToHex(AsBytes("fainted"))) == std::string::npos);
}

TEST_CASE("alerts come in pages, each going on after the last one's cursor") {
  AuditWorld w;
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::vector<std::string> students = AddStudents(w, 5);
  for (const std::string& student : students) StartBreakGlass(w, educator, student);
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 3; ++page) {
    auto alerts = w.audit().Alerts(false, 2, cursor);
    REQUIRE(alerts);
    for (const json::value& a : alerts->at("alerts").as_array()) {
      seen.push_back(TextOf(a.as_object(), "student_id"));
    }
    const json::value* next = alerts->if_contains("next_cursor");
    CHECK((next != nullptr) == (page < 2));
    if (next) cursor = std::string(next->as_string());
  }
  std::vector<std::string> newest_first(students.rbegin(), students.rend());
  CHECK(seen == newest_first);
  auto bad = w.audit().Alerts(false, 2, "not-an-alert");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("51 distinct students in an hour raise one bulk alert, 50 raise none") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 60);
  for (int i = 0; i < 50; ++i) {
    w.View("usr_fifty", students[i]);
    w.View("usr_many", students[i]);
    w.Advance(kMinute);
  }
  CHECK(AlertsOf(w).empty());
  w.View("usr_fifty", students[0]);  // a re-read is not a new student
  w.View("usr_many", students[50]);
  RequireOneBulkAlert(w, "usr_many", 51);
  for (int i = 51; i < 60; ++i) w.View("usr_many", students[i]);
  RequireOneBulkAlert(w, "usr_many", 60);  // the same alert, counting on
}

TEST_CASE("an unreviewed bulk alert keeps counting, a reviewed one stays put and is followed") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 200);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  const int64_t first_read = w.now();
  const int64_t step = 6 * kMicrosPerSecond;
  for (int i = 0; i < 51; ++i, w.Advance(step)) w.View("usr_scraper", students[i]);
  RequireOneBulkAlert(w, "usr_scraper", 51);
  const std::string raised_at = TextOf(AlertsOf(w)[0].as_object(), "at");
  int64_t last_read = 0;
  for (int i = 51; i < 191; ++i, w.Advance(step)) {
    last_read = w.now();
    w.View("usr_scraper", students[i]);
  }
  RequireOneBulkAlert(w, "usr_scraper", 191);
  const json::object alert = AlertsOf(w)[0].as_object();
  CHECK(TextOf(alert, "at") == raised_at);
  CHECK(TextOf(alert, "window_start") == FormatIsoTime(first_read));
  CHECK(TextOf(alert, "last_read_at") == FormatIsoTime(last_read));

  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), TextOf(alert, "id"), "Asked why").ok());
  w.View("usr_scraper", students[190]);  // a student the reviewer saw: nothing new
  RequireOneBulkAlert(w, "usr_scraper", 191);
  // Students read since the review, within the hour: a new alert, the
  // reviewed one as the reviewer saw it.
  for (int i = 191; i < 200; ++i) w.View("usr_scraper", students[i]);
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 2);
  const json::object& follow_up = alerts[0].as_object();
  const json::object& reviewed = alerts[1].as_object();
  CHECK(TextOf(reviewed, "id") == TextOf(alert, "id"));
  CHECK(reviewed.at("distinct_students").to_number<int>() == 191);
  CHECK(TextOf(reviewed, "last_read_at") == FormatIsoTime(last_read));
  CHECK(TextOf(follow_up, "kind") == "bulk_access");
  CHECK_FALSE(follow_up.at("reviewed").as_bool());
  CHECK(follow_up.at("distinct_students").to_number<int>() == 200);
  CHECK(TextOf(follow_up, "last_read_at") == FormatIsoTime(w.now()));
  RequireRebuildIdentical(w);
}

TEST_CASE("home-feed pages count towards bulk access, search listings of names do not") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 60);
  // Pages of ten, as GET /api/feed records them.
  auto read_pages = [&](const std::string& user, std::string_view query) {
    for (size_t first = 0; first < students.size(); first += 10) {
      std::vector<StudentAccess> page;
      for (size_t i = first; i < first + 10; ++i) page.push_back({students[i], "schoolwide:sch-1"});
      AccessExtra extra;
      extra.reason = "educator";
      extra.query = std::string(query);
      REQUIRE(w.audit()
                  .RecordAccess(w.ActorFor(user), AccessScope::kSearch, std::move(page),
                                AccessOutcome::kAllowed, extra)
                  .ok());
    }
  };
  read_pages("usr_searcher", "");
  CHECK(AlertsOf(w).empty());
  read_pages("usr_feed_reader", kFeedReadQuery);
  RequireOneBulkAlert(w, "usr_feed_reader", 60);  // raised by the page that passed 50
}

TEST_CASE("a privacy officer's AuditSettingsChanged sets the bulk threshold from then on") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 8);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  for (int i = 0; i < 4; ++i) w.View("usr_early", students[i]);  // under the default

  CHECK(w.audit().ChangeBulkAccessThreshold(w.ActorFor(educator), 3).code() ==
        StatusCode::kPermissionDenied);
  CHECK(w.audit().ChangeBulkAccessThreshold(w.ActorFor(officer), 0).code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(w.audit().ChangeBulkAccessThreshold(w.ActorFor(officer), 3).ok());
  auto settings = w.audit().Settings();
  REQUIRE(settings);
  CHECK(settings->at("bulk_access_threshold").to_number<int>() == 3);

  for (int i = 0; i < 3; ++i) w.View("usr_later", students[i]);
  CHECK(AlertsOf(w).empty());  // three is not more than three
  w.View("usr_later", students[3]);
  RequireOneBulkAlert(w, "usr_later", 4);
  RequireRebuildIdentical(w);  // a rebuild applies the change at the same point
}

TEST_CASE("reads spread over more than an hour raise no bulk alert") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 60);
  for (const auto& s : students) {
    w.View("usr_steady", s);
    w.Advance(2 * kMinute);
  }
  CHECK(AlertsOf(w).empty());
}

TEST_CASE("a student read again stays in the bulk window after the first read's hour") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 51);
  for (int i = 0; i < 50; ++i) {
    w.View("usr_again", students[i]);
    w.View("usr_once", students[i]);
  }
  w.Advance(40 * kMinute);
  for (int i = 0; i < 50; ++i) w.View("usr_again", students[i]);
  w.Advance(30 * kMinute);  // the first reads are now 70 minutes old
  w.View("usr_once", students[50]);
  CHECK(AlertsOf(w).empty());  // usr_once's 50 earlier reads have expired
  w.View("usr_again", students[50]);
  RequireOneBulkAlert(w, "usr_again", 51);

  RequireRebuildIdentical(w);
}

TEST_CASE("ten denials within ten minutes raise one denial-burst alert") {
  AuditWorld w;
  auto deny = [&](const std::string& user) {
    REQUIRE(w.audit()
                .RecordDenied(w.ActorFor(user), AccessScope::kProfile, "stu_x",
                              "denied:no_relationship", "GET /api/students/{id}/profile")
                .ok());
  };
  for (int i = 0; i < 9; ++i) {
    deny("usr_prober");
    deny("usr_slow");
    w.Advance(30 * kMicrosPerSecond);
  }
  CHECK(AlertsOf(w).empty());
  deny("usr_prober");
  deny("usr_prober");  // still the same burst: no second alert, one more denial
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 1);
  CHECK(TextOf(alerts[0].as_object(), "kind") == "denial_burst");
  CHECK(alerts[0].as_object().at("denials").to_number<int>() == 11);
}

TEST_CASE("an unreviewed denial-burst alert keeps counting, a reviewed one is followed") {
  AuditWorld w;
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  auto deny = [&] {
    REQUIRE(w.audit()
                .RecordDenied(w.ActorFor("usr_prober"), AccessScope::kProfile, "stu_x",
                              "denied:no_relationship", "GET /api/students/{id}/profile")
                .ok());
  };
  const int64_t first = w.now();
  for (int i = 0; i < 10; ++i, w.Advance(kMicrosPerSecond)) deny();
  auto burst = [&] {
    const json::array& alerts = AlertsOf(w);
    REQUIRE(alerts.size() == 1);
    return alerts[0].as_object();
  };
  const std::string raised_at = TextOf(burst(), "at");
  int64_t last = 0;
  for (int i = 0; i < 5; ++i, w.Advance(kMinute)) {  // still the same burst: no second alert
    last = w.now();
    deny();
  }
  json::object alert = burst();
  CHECK(alert.at("denials").to_number<int>() == 15);
  CHECK(TextOf(alert, "at") == raised_at);
  CHECK(TextOf(alert, "window_start") == FormatIsoTime(first));
  CHECK(TextOf(alert, "last_denial_at") == FormatIsoTime(last));

  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), TextOf(alert, "id"), "Asked why").ok());
  deny();  // the burst goes on after the review: a new alert
  deny();
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 2);
  const json::object& reviewed = alerts[1].as_object();
  CHECK(TextOf(reviewed, "id") == TextOf(alert, "id"));
  CHECK(reviewed.at("denials").to_number<int>() == 15);  // as reviewed
  CHECK(TextOf(reviewed, "last_denial_at") == FormatIsoTime(last));
  const json::object& follow_up = alerts[0].as_object();
  CHECK(TextOf(follow_up, "kind") == "denial_burst");
  CHECK_FALSE(follow_up.at("reviewed").as_bool());
  CHECK(follow_up.at("denials").to_number<int>() == 17);  // the window's 16, and one more
  CHECK(TextOf(follow_up, "window_start") == FormatIsoTime(first));
  RequireRebuildIdentical(w);
}

TEST_CASE("a long denial burst writes the same few bytes per denial, and counts them all") {
  AuditWorld w;
  const std::string window_key = std::string("denial_burst") + '\0' + "usr_prober";
  auto header_size = [&] {
    auto stored = w.fx().store().Get("a_windows", AsBytes(window_key));
    REQUIRE(stored);
    REQUIRE(stored->has_value());
    return (*stored)->size();
  };
  auto deny = [&] {
    REQUIRE(w.audit()
                .RecordDenied(w.ActorFor("usr_prober"), AccessScope::kProfile, "stu_x",
                              "denied:no_relationship", "GET /api/audit/events")
                .ok());
  };
  std::optional<size_t> size_at_threshold;
  for (int i = 0; i < 300; ++i) {  // one a second: all within ten minutes
    deny();
    if (i == 9) size_at_threshold = header_size();
    if (i > 9) REQUIRE(header_size() == *size_at_threshold);
    w.Advance(kMicrosPerSecond);
  }
  REQUIRE(AlertsOf(w).size() == 1);
  // The alert stays open, counting on, for ten minutes after the tenth denial.
  const json::object first = AlertsOf(w)[0].as_object();
  CHECK(first.at("denials").to_number<int>() == 300);
  CHECK(TextOf(first, "last_denial_at") == FormatIsoTime(w.now() - kMicrosPerSecond));
  // The quiet period ends ten minutes after the tenth denial: the alert then
  // raised counts the 290 denials after the tenth, and itself.
  w.Advance(309 * kMicrosPerSecond);
  deny();
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].as_object().at("denials").to_number<int>() == 291);
  CHECK(alerts[1].as_object().at("denials").to_number<int>() == 300);
  CHECK(header_size() == *size_at_threshold);
  RequireRebuildIdentical(w);
}

TEST_CASE("failed sign-ins count towards a denial burst, and are in the audit trail") {
  AuditWorld w;
  std::string known = w.AddUser("teacher.one", Role::kEducator);
  for (int i = 0; i < 10; ++i) {  // a password spray over names no account has
    REQUIRE(w.audit()
                .RecordLogin("guess" + std::to_string(i), std::nullopt, "198.51.100.7", false,
                             LoginFailure::kNoSuchUser)
                .ok());
  }
  REQUIRE(w.audit()
              .RecordLogin("teacher.one", known, "198.51.100.7", false, LoginFailure::kBadPassword)
              .ok());
  const json::array& alerts = AlertsOf(w);
  REQUIRE(alerts.size() == 1);
  CHECK(TextOf(alerts[0].as_object(), "kind") == "denial_burst");
  AuditQuery query;
  query.action = "LoginFailed";
  query.actor_id = known;
  const json::object page = w.Query(query);
  const json::array& failed = EventsOf(page);
  REQUIRE(failed.size() == 1);
  CHECK(TextOf(failed[0].as_object(), "reason") == "BadPassword");
  CHECK(TextOf(failed[0].as_object(), "ip") == "198.51.100.7");
  RequireRebuildIdentical(w);
}

TEST_CASE("reviewing an alert records the note and marks it reviewed once") {
  AuditWorld w;
  std::string student = w.AddStudent("sis-1", "Avery", "Quill");
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  StartBreakGlass(w, educator, student);
  std::string id = TextOf(AlertsOf(w)[0].as_object(), "id");

  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), id, "").code() == StatusCode::kInvalidArgument);
  // The API's limit: one character more is refused (the longest note, in
  // three-byte characters, is stored: tests/http_audit_test.cc).
  const std::string too_long(kMaxReviewNoteChars + 1, 'x');
  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), id, too_long).code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), "alr_00000000000000ff", "x").code() ==
        StatusCode::kNotFound);
  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), "bogus", "x").code() == StatusCode::kNotFound);
  uint64_t before = w.fx().log().size();
  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), id, "Confirmed with the nurse").ok());
  auto event = w.fx().log().Read(before);
  REQUIRE(event);
  CHECK(event->header.type == EventType::AlertReviewed);
  CHECK(event->header.subject_id == student);
  CHECK(event->header.payload_encrypted);

  const json::object& alert = AlertsOf(w)[0].as_object();
  CHECK(alert.at("reviewed").as_bool());
  CHECK(TextOf(alert.at("review").as_object(), "note") == "Confirmed with the nurse");
  CHECK(TextOf(alert.at("review").as_object().at("by").as_object(), "id") == officer);
  CHECK(AlertsOf(w, /*unreviewed_only=*/true).empty());
  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), id, "again").code() ==
        StatusCode::kAlreadyExists);
}

TEST_CASE("a privacy officer's review of an alert about their own account appends nothing") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 51);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  for (const auto& student : students) w.View(officer, student);
  RequireOneBulkAlert(w, officer, 51);
  std::string id = TextOf(AlertsOf(w)[0].as_object(), "id");
  uint64_t before = w.fx().log().size();
  Status refused = w.audit().ReviewAlert(w.ActorFor(officer), id, "Nothing to see here");
  CHECK(refused.code() == StatusCode::kPermissionDenied);
  CHECK(refused.message().find("your own account") != std::string::npos);
  CHECK(w.fx().log().size() == before);
  CHECK(AlertsOf(w, /*unreviewed_only=*/true).size() == 1);
}

TEST_CASE("a review of an alert about an account is encrypted under the reviewer") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 52);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  for (const auto& student : students) w.View("usr_many", student);
  RequireOneBulkAlert(w, "usr_many", 52);
  std::string id = TextOf(AlertsOf(w)[0].as_object(), "id");
  uint64_t before = w.fx().log().size();
  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), id, "Asked about the Quillfeather file").ok());
  auto event = w.fx().log().Read(before);
  REQUIRE(event);
  CHECK(event->header.type == EventType::AlertReviewed);
  CHECK(event->header.subject_id == officer);
  CHECK(event->header.payload_encrypted);
  const json::object& alert = AlertsOf(w)[0].as_object();
  CHECK(alert.at("reviewed").as_bool());
  CHECK(TextOf(alert.at("review").as_object(), "note") == "Asked about the Quillfeather file");
  CHECK(w.audit().ReviewAlert(w.ActorFor(officer), id, "again").code() ==
        StatusCode::kAlreadyExists);
  RequireRebuildIdentical(w);
}

TEST_CASE("a rebuild reproduces the audit families byte for byte") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 55);
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  StartBreakGlass(w, educator, students[0]);
  StartBreakGlass(w, educator, students[1]);
  for (const auto& s : students) w.View(educator, s);
  for (int i = 0; i < 12; ++i) {
    REQUIRE(w.audit()
                .RecordDenied(w.ActorFor("usr_prober"), AccessScope::kProfile, students[i],
                              "denied:no_relationship", "GET /api/students/{id}/profile")
                .ok());
  }
  for (const auto& alert : AlertsOf(w)) {
    REQUIRE(w.audit()
                .ReviewAlert(w.ActorFor(officer), TextOf(alert.as_object(), "id"), "Looked into it")
                .ok());
  }
  // An outside disclosure is in the trail too (who, which record, when).
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(
      fb::CreateRecordDisclosedPayloadDirect(fbb, "Synthetic school", "enrolment", "transcript"));
  w.Append({MakeEvent(EventType::RecordDisclosed, w.ActorFor(officer), students[2], fbb,
                      /*personal=*/true)});
  w.Shred(students[0]);
  w.View(officer, students[0], AccessScope::kHistory, "privacy_officer");
  REQUIRE(AlertsOf(w).size() == 3);  // b-g for students[1], bulk, denial burst
  AuditQuery disclosures;
  disclosures.action = "RecordDisclosed";
  auto page = w.audit().Query(disclosures);
  REQUIRE(page);
  REQUIRE(page->at("events").as_array().size() == 1);
  CHECK(page->at("events").as_array()[0].at("student_id").as_string() == students[2]);

  RequireRebuildIdentical(w);
  CHECK_FALSE(w.Dump("a_alerts").empty());
}

TEST_CASE("settings changes and alert reviews are in the trail, by actor and by action") {
  AuditWorld w;
  std::vector<std::string> students = AddStudents(w, 4);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  auto defaults = w.audit().Settings();
  REQUIRE(defaults);
  CHECK(defaults->at("bulk_access_threshold_change").is_null());  // the default holds

  w.Advance(kMinute);
  const std::string change_at = FormatIsoTime(w.now());
  const uint64_t change_seq = w.fx().log().size();
  REQUIRE(w.audit().ChangeBulkAccessThreshold(w.ActorFor(officer), 3).ok());
  for (const auto& s : students) w.View("usr_many", s);
  std::string alert_id = TextOf(AlertsOf(w)[0].as_object(), "id");
  const uint64_t review_seq = w.fx().log().size();
  REQUIRE(w.audit().ReviewAlert(w.ActorFor(officer), alert_id, "Asked the teacher").ok());

  AuditQuery changes;
  changes.action = "AuditSettingsChanged";
  const json::object changes_page = w.Query(changes);
  const json::array& changed = EventsOf(changes_page);
  REQUIRE(changed.size() == 1);
  const json::object& c = changed[0].as_object();
  CHECK(c.at("seq").to_number<uint64_t>() == change_seq);
  CHECK(TextOf(c.at("actor").as_object(), "username") == "privacy");
  CHECK(TextOf(c, "change") == "bulk_access_threshold=3");
  CHECK(TextOf(c, "outcome") == "changed");

  AuditQuery reviews;
  reviews.action = "AlertReviewed";
  const json::object reviews_page = w.Query(reviews);
  const json::array& reviewed = EventsOf(reviews_page);
  REQUIRE(reviewed.size() == 1);
  const json::object& r = reviewed[0].as_object();
  CHECK(r.at("seq").to_number<uint64_t>() == review_seq);
  CHECK(TextOf(r, "target_id") == alert_id);
  CHECK(TextOf(r, "student_id").empty());  // an alert about an account
  CHECK(json::serialize(r).find("Asked the teacher") == std::string::npos);

  AuditQuery by_officer;
  by_officer.actor_id = officer;
  CHECK(EventsOf(w.Query(by_officer)).size() == 2);

  auto settings = w.audit().Settings();
  REQUIRE(settings);
  const json::object& change = settings->at("bulk_access_threshold_change").as_object();
  CHECK(TextOf(change.at("by").as_object(), "id") == officer);
  CHECK(TextOf(change.at("by").as_object(), "username") == "privacy");
  CHECK(TextOf(change, "at") == change_at);
  CHECK(change.at("seq").to_number<uint64_t>() == change_seq);
  auto alerts = w.audit().Alerts(false);
  REQUIRE(alerts);
  CHECK(alerts->at("settings").as_object() == *settings);
  RequireRebuildIdentical(w);
}

TEST_CASE("a review of a break-glass leaves the trail with the shredded student, as on replay") {
  AuditWorld w;
  std::string a = w.AddStudent("sis-1", "Avery", "Quill");
  std::string b = w.AddStudent("sis-2", "Blair", "Rook");
  std::string educator = w.AddUser("teacher.one", Role::kEducator);
  std::string officer = w.AddUser("privacy", Role::kPrivacyOfficer);
  StartBreakGlass(w, educator, a);
  StartBreakGlass(w, educator, b);
  for (const auto& alert : AlertsOf(w)) {
    REQUIRE(w.audit()
                .ReviewAlert(w.ActorFor(officer), TextOf(alert.as_object(), "id"), "Checked")
                .ok());
  }
  AuditQuery reviews;
  reviews.action = "AlertReviewed";
  REQUIRE(EventsOf(w.Query(reviews)).size() == 2);
  AuditQuery about_a;
  about_a.student_id = a;
  about_a.action = "AlertReviewed";
  REQUIRE(EventsOf(w.Query(about_a)).size() == 1);

  w.Shred(a);
  const json::object left_page = w.Query(reviews);
  const json::array& left = EventsOf(left_page);
  REQUIRE(left.size() == 1);
  CHECK(TextOf(left[0].as_object(), "student_id") == b);
  AuditQuery by_officer;
  by_officer.actor_id = officer;
  CHECK(EventsOf(w.Query(by_officer)).size() == 1);
  RequireRebuildIdentical(w);
}
