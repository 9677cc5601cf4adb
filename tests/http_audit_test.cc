// The privacy officer's routes over HTTP (SPEC §6): audit queries, breach
// reports (JSON and CSV), and alerts with their reviews and settings.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <utility>

#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE("the breach report lists exactly the students the account read") {
  ApiWorld& w = SharedWorld();
  w.clock().Advance(24 * 3600 * kMicrosPerSecond);  // a window of its own
  int64_t since = w.clock().NowMicros();
  REQUIRE(w.Call("GET", Profile(w.child), w.principal.token).status == 200);
  REQUIRE(w.Call("GET", Profile(w.other_student), w.principal.token).status == 200);
  REQUIRE(w.Call("GET", Profile(w.child), w.principal.token).status == 200);
  w.clock().Advance(kMicrosPerSecond);
  std::string target = "/api/audit/breach-report?actor_id=" + w.principal.user_id +
                       "&since=" + FormatIsoTime(since) +
                       "&until=" + FormatIsoTime(w.clock().NowMicros());
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", target, w.privacy.token);
  REQUIRE(r.status == 200);
  std::set<std::string> students;
  json::value report = ApiWorld::Json(r);
  for (const json::value& s : report.at("students").as_array()) {
    students.insert(std::string(s.at("id").as_string()));
  }
  REQUIRE(students == std::set<std::string>{w.child, w.other_student});
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  Viewed decoded = DecodeViewed(viewed[0]);
  REQUIRE(decoded.scope == "BreachReport");
  REQUIRE(std::set<std::string>(decoded.students.begin(), decoded.students.end()) == students);

  auto csv = w.Call("GET", target, w.privacy.token, "", "", "Accept: text/csv\r\n");
  REQUIRE(csv.status == 200);
  REQUIRE(csv.Header("content-type").starts_with("text/csv"));
  REQUIRE(csv.body.find(w.other_student) != std::string::npos);
  // q-values count: the highest wins, a tie keeps CSV, q=0 refuses it.
  const std::pair<std::string, bool> accepts[] = {{"text/csv;q=0.9, application/json", false},
                                                  {"application/json;q=0.5, text/csv", true},
                                                  {"text/csv, application/json", true},
                                                  {"text/csv;q=0, */*", false},
                                                  {"*/*", false}};
  for (const auto& [accept, wants_csv] : accepts) {
    INFO(accept);
    auto answer = w.Call("GET", target, w.privacy.token, "", "", "Accept: " + accept + "\r\n");
    REQUIRE(answer.status == 200);
    CHECK(answer.Header("content-type").starts_with("text/csv") == wants_csv);
  }
}

TEST_CASE("breach report and audit CSV tell a feed page and a restricted note from other reads") {
  ApiWorld& w = SharedWorld();
  w.clock().Advance(24 * 3600 * kMicrosPerSecond);  // a window of its own
  const int64_t since = w.clock().NowMicros();
  std::string note = WriteRestrictedNote(w, "Synthetic restricted note for the breach report");
  REQUIRE(w.Call("GET", "/api/notes/" + note + "/restricted", w.principal.token).status == 200);
  auto feed = w.Call("GET", "/api/feed?limit=5", w.principal.token);
  REQUIRE(feed.status == 200);
  REQUIRE_FALSE(ApiWorld::Json(feed).at("items").as_array().empty());
  w.clock().Advance(kMicrosPerSecond);
  const std::string window =
      "&since=" + FormatIsoTime(since) + "&until=" + FormatIsoTime(w.clock().NowMicros());
  const std::string target = "/api/audit/breach-report?actor_id=" + w.principal.user_id + window;

  auto r = w.Call("GET", target, w.privacy.token);
  REQUIRE(r.status == 200);
  json::value report = ApiWorld::Json(r);
  int feed_rows = 0, note_rows = 0;
  for (const json::value& s : report.at("students").as_array()) {
    for (const json::value& a : s.at("accesses").as_array()) {
      const json::object& access = a.as_object();
      CHECK(Str(access.at("outcome")) == "allowed");
      if (access.contains("query") && Str(access.at("query")) == "view=feed") {
        CHECK(Str(access.at("scope")) == "search");
        ++feed_rows;
      }
      if (access.contains("note_id") && Str(access.at("note_id")) == note) ++note_rows;
    }
  }
  CHECK(feed_rows >= 1);
  CHECK(note_rows == 1);
  const json::value& totals = report.at("totals");
  CHECK(totals.at("access_events").to_number<int>() == 2);  // the note and the feed page
  CHECK(totals.at("accesses").to_number<int>() == 1 + feed_rows);

  const std::string csv = "Accept: text/csv\r\n";
  auto breach_csv = w.Call("GET", target, w.privacy.token, "", "", csv);
  REQUIRE(breach_csv.status == 200);
  CHECK(breach_csv.body.find(",reason,seq,outcome,query,note_id,student_shredded\r\n") !=
        std::string::npos);
  CHECK(breach_csv.body.find(",allowed,view=feed,,false\r\n") != std::string::npos);
  CHECK(breach_csv.body.find(",allowed,," + note + ",false\r\n") != std::string::npos);
  auto events_csv = w.Call("GET", "/api/audit/events?actor_id=" + w.principal.user_id + window,
                           w.privacy.token, "", "", csv);
  REQUIRE(events_csv.status == 200);
  CHECK(events_csv.body.find(",ip,note_id,query,route,target_id,change\r\n") != std::string::npos);
  CHECK(events_csv.body.find("," + note + ",,,,\r\n") != std::string::npos);
  CHECK(events_csv.body.find(",,view=feed,,,\r\n") != std::string::npos);
}

TEST_CASE("audit events and breach reports refuse a window whose until is not after since") {
  ApiWorld& w = SharedWorld();
  const std::string at = FormatIsoTime(w.clock().NowMicros());
  const std::string before = FormatIsoTime(w.clock().NowMicros() - kMicrosPerSecond);
  const std::string breach = "/api/audit/breach-report?actor_id=" + w.principal.user_id;
  const std::string targets[] = {
      breach + "&since=" + at + "&until=" + at,
      breach + "&since=" + at + "&until=" + before,
      "/api/audit/events?since=" + at + "&until=" + at,
      "/api/audit/events?since=" + at + "&until=" + before,
  };
  const uint64_t size = w.LogSize();
  for (const std::string& target : targets) {
    INFO(target);
    auto r = w.Call("GET", target, w.privacy.token);
    REQUIRE(r.status == 400);
    CHECK(Str(ApiWorld::Json(r).at("error").at("code")) == "bad_request");
    REQUIRE(Details(r).size() == 1);
    CHECK(Str(Details(r).at(0).at("field")) == "until");
    CHECK(Str(Details(r).at(0).at("message")) == "until must be after since");
  }
  CHECK(w.LogSize() == size);
}

TEST_CASE("a privacy officer may not review an alert about their own account") {
  ApiWorld& w = SharedWorld();
  for (int i = 0; i < 10; ++i) REQUIRE(w.Call("GET", "/api/feed", w.privacy.token).status == 403);
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  std::string id;
  const json::value page = ApiWorld::Json(alerts);
  for (const json::value& alert : page.at("alerts").as_array()) {
    if (Str(alert.at("actor").at("id")) == w.privacy.user_id) id = Str(alert.at("id"));
  }
  REQUIRE_FALSE(id.empty());
  const std::string target = "/api/audit/alerts/" + id + "/review";
  const std::string body = R"({"note":"Synthetic: I was testing the feed"})";
  uint64_t before = w.LogSize();
  auto refused = w.Call("POST", target, w.privacy.token, body);
  REQUIRE(refused.status == 403);
  CHECK(Str(ApiWorld::Json(refused).at("error").at("code")) == "forbidden");
  CHECK(Str(ApiWorld::Json(refused).at("error").at("message")).find("your own account") !=
        std::string::npos);
  CHECK(w.CountSince(before, EventType::AlertReviewed) == 0);
  auto denied = w.EventsSince(before, EventType::AccessDenied);  // invariant 3
  REQUIRE(denied.size() == 1);
  CHECK(DeniedReason(denied[0]) == "denied:own_alert");
  CHECK(w.LogSize() == before + 1);

  Account colleague = w.NewAccount("synthetic.privacy.two", Role::kPrivacyOfficer);
  before = w.LogSize();
  REQUIRE(w.Call("POST", target, colleague.token, body).status == 201);
  CHECK(w.CountSince(before, EventType::AlertReviewed) == 1);
}

// `count` copies of a three-byte character.
std::string Kanji(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) text += "\u6f22";  // U+6F22, three bytes in UTF-8
  return text;
}

TEST_CASE("an alert review note is limited in characters: the longest the API takes is stored") {
  ApiWorld w;  // its own store: an alert of its own to review
  REQUIRE(w.Call("POST", "/api/students/" + w.spare_student + "/break-glass", w.outsider.token,
                 R"({"reason":"Synthetic emergency: student unwell on a field trip"})")
              .status == 201);
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  const std::string alert_id = Str(ApiWorld::Json(alerts).at("alerts").as_array()[0].at("id"));
  const std::string target = "/api/audit/alerts/" + alert_id + "/review";
  auto body = [](const std::string& note) { return json::serialize(json::object{{"note", note}}); };
  const uint64_t before = w.LogSize();
  auto too_long = w.Call("POST", target, w.privacy.token, body(Kanji(kMaxReviewNoteChars + 1)));
  REQUIRE(too_long.status == 422);
  CHECK(Str(Details(too_long).at(0).at("field")) == "note");
  CHECK(w.LogSize() == before);
  // 2000 characters, 6000 bytes: what the API accepts, the audit layer stores.
  auto longest = w.Call("POST", target, w.privacy.token, body(Kanji(kMaxReviewNoteChars)));
  CHECK(longest.status == 201);
  CHECK(w.CountSince(before, EventType::AlertReviewed) == 1);
}

TEST_CASE("an audit query is itself audited") {
  ApiWorld& w = SharedWorld();
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/audit/events?limit=5&student_id=" + w.child, w.privacy.token);
  REQUIRE(r.status == 200);
  json::value page = ApiWorld::Json(r);
  REQUIRE_FALSE(page.at("events").as_array().empty());
  REQUIRE(Str(page.at("events").as_array()[0].at("student_id")) == w.child);
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  REQUIRE(DecodeViewed(viewed[0]).scope == "AuditQuery");
  // As CSV, page by page: the cursor comes in a header, absent on the last page.
  const std::string csv = "Accept: text/csv\r\n";
  const std::string target = "/api/audit/events?limit=1&student_id=" + w.child;
  auto first = w.Call("GET", target, w.privacy.token, "", "", csv);
  REQUIRE(first.status == 200);
  const std::string cursor = first.Header("x-next-cursor");
  REQUIRE_FALSE(cursor.empty());
  auto second = w.Call("GET", target + "&cursor=" + cursor, w.privacy.token, "", "", csv);
  REQUIRE(second.status == 200);
  CHECK(second.body != first.body);
  auto all = w.Call("GET", "/api/audit/events?limit=1000&student_id=" + w.child, w.privacy.token,
                    "", "", csv);
  REQUIRE(all.status == 200);
  CHECK(all.Header("x-next-cursor").empty());
}

TEST_CASE("alert reviews and settings changes are in the audit trail and the alerts' settings") {
  ApiWorld w;  // its own store: the threshold changes here
  auto before_change = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(before_change.status == 200);
  CHECK(ApiWorld::Json(before_change).at("settings").at("bulk_access_threshold_change").is_null());
  REQUIRE(w.services()
              .audit->ChangeBulkAccessThreshold(Actor{w.privacy.user_id, "req_set", ""}, 40)
              .ok());
  const std::string changed_at = FormatIsoTime(w.clock().NowMicros());
  REQUIRE(w.Call("POST", "/api/students/" + w.spare_student + "/break-glass", w.outsider.token,
                 R"({"reason":"Synthetic emergency: student unwell on a field trip"})")
              .status == 201);
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  json::value page = ApiWorld::Json(alerts);
  const json::value& settings = page.at("settings");
  CHECK(settings.at("bulk_access_threshold").to_number<int>() == 40);
  const json::value& change = settings.at("bulk_access_threshold_change");
  CHECK(Str(change.at("by").at("username")) == w.privacy.username);
  CHECK(Str(change.at("by").at("role")) == "privacy_officer");
  CHECK(Str(change.at("at")) == changed_at);
  const std::string alert_id = Str(page.at("alerts").as_array()[0].at("id"));
  REQUIRE(w.Call("POST", "/api/audit/alerts/" + alert_id + "/review", w.privacy.token,
                 R"({"note":"Confirmed with the trip leader"})")
              .status == 201);

  auto reviews = w.Call("GET", "/api/audit/events?action=AlertReviewed", w.privacy.token);
  REQUIRE(reviews.status == 200);
  const json::value reviews_page = ApiWorld::Json(reviews);
  const json::array& reviewed = reviews_page.at("events").as_array();
  REQUIRE(reviewed.size() == 1);
  CHECK(Str(reviewed[0].at("target_id")) == alert_id);
  CHECK(Str(reviewed[0].at("student_id")) == w.spare_student);
  CHECK(Str(reviewed[0].at("actor").at("username")) == w.privacy.username);
  CHECK(reviews.body.find("trip leader") == std::string::npos);  // the note stays out
  auto changes =
      w.Call("GET", "/api/audit/events?action=AuditSettingsChanged&actor_id=" + w.privacy.username,
             w.privacy.token);
  REQUIRE(changes.status == 200);
  const json::value changes_page = ApiWorld::Json(changes);
  const json::array& changed = changes_page.at("events").as_array();
  REQUIRE(changed.size() == 1);
  CHECK(Str(changed[0].at("change")) == "bulk_access_threshold=40");
}

}  // namespace
}  // namespace backpack::api_testing
