// The domain routes of SPEC §6 end to end, over a real server: audit-first
// reads (invariant 3), refusals, family rights and input validation.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "projections/family/export.h"
#include "projections/family/family.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "tests/api_test_helpers.h"
#include "tests/api_test_world.h"

namespace backpack::api_testing {
namespace {

namespace json = boost::json;

TEST_CASE("a profile read is answered only after exactly one RecordViewed naming the reason") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", Profile(w.child), w.teacher.token);
  REQUIRE(r.status == 200);
  json::value body = ApiWorld::Json(r);
  REQUIRE(body.at("student").is_object());
  REQUIRE(std::string(body.at("access_reason").as_string()).starts_with("class:"));
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 0);
  REQUIRE(viewed[0].header.actor_id == w.teacher.user_id);
  REQUIRE(viewed[0].header.subject_id == w.child);
  Viewed decoded = DecodeViewed(viewed[0]);
  REQUIRE(decoded.scope == "Profile");
  REQUIRE(decoded.reason.starts_with("class:"));
}

TEST_CASE("a HEAD of a profile is decided and audited like a GET, and sends no data") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("HEAD", Profile(w.child), w.teacher.token);
  REQUIRE(r.status == 200);
  CHECK(r.body.empty());
  CHECK(std::stoul(r.Header("content-length")) > 0);
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  CHECK(viewed[0].header.subject_id == w.child);
  CHECK(DecodeViewed(viewed[0]).scope == "Profile");

  before = w.LogSize();
  auto refused = w.Call("HEAD", Profile(w.child), w.outsider.token);
  REQUIRE(refused.status == 403);
  CHECK(refused.body.empty());
  CHECK(w.CountSince(before, EventType::RecordViewed) == 0);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 1);
}

TEST_CASE("history=all is audited as profile_history") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", Profile(w.child) + "?history=all", w.teacher.token);
  REQUIRE(r.status == 200);
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  REQUIRE(DecodeViewed(viewed[0]).scope == "ProfileHistory");
}

TEST_CASE("a refused profile read records AccessDenied and sends no data") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", Profile(w.child), w.outsider.token);
  REQUIRE(r.status == 403);
  REQUIRE(ApiWorld::Json(r).at("error").at("code") == "forbidden");
  REQUIRE(r.body.find("student\"") == std::string::npos);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  REQUIRE(denied[0].header.subject_id == w.child);
  REQUIRE(DeniedReason(denied[0]) == "denied:no_relationship");
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 0);
}

TEST_CASE("unknown and malformed student ids get 404 and 400 without events") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("GET", Profile("stu_00000000000000000000"), w.teacher.token).status == 404);
  REQUIRE(w.Call("GET", Profile("not-an-id"), w.teacher.token).status == 400);
  REQUIRE(w.Call("GET", Profile("STU_00"), w.teacher.token).status == 400);
  REQUIRE(w.LogSize() == before);
}

TEST_CASE("a guardian sees a teacher's read of their child in the history") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
  uint64_t read_seq = w.EventsSince(before, EventType::RecordViewed).at(0).header.seq;
  uint64_t before_history = w.LogSize();
  auto r = w.Call("GET", "/api/students/" + w.child + "/history", w.guardian.token);
  REQUIRE(r.status == 200);
  bool found = false;
  json::value history = ApiWorld::Json(r);
  for (const json::value& e : history.at("events").as_array()) {
    if (e.at("seq").to_number<uint64_t>() != read_seq) continue;
    found = e.at("type") == "RecordViewed" && Str(e.at("who").at("id")) == w.teacher.user_id;
  }
  REQUIRE(found);
  auto viewed = w.EventsSince(before_history, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  Viewed decoded = DecodeViewed(viewed[0]);
  REQUIRE(decoded.scope == "History");
  REQUIRE(decoded.reason == "guardian");
}

// How many events of `bundle` by `actor` are withheld as other_guardian, and
// how many are not.
std::pair<int, int> WithheldAsOtherGuardian(const json::value& bundle, const std::string& actor) {
  std::pair<int, int> counts;
  for (const json::value& e : bundle.at("events").as_array()) {
    if (Str(e.at("actor_id")) != actor) continue;
    (e.at("withheld") == "other_guardian" ? counts.first : counts.second)++;
  }
  return counts;
}

TEST_CASE("a history export over HTTP holds the record of its own making, and verifies") {
  ApiWorld& w = SharedWorld();
  // Another family's guardian is refused the child's history: the refusal,
  // with the address they connected from, is in the child's log.
  REQUIRE(w.Call("GET", "/api/students/" + w.child + "/history", w.other_guardian.token).status ==
          403);
  auto r = w.Call("GET", "/api/students/" + w.child + "/history/export", w.guardian.token);
  REQUIRE(r.status == 200);
  json::value bundle = ApiWorld::Json(r);
  REQUIRE(VerifyExport(bundle));
  const json::object& last = bundle.at("events").as_array().back().as_object();
  CHECK(Str(last.at("type")) == "RecordViewed");
  CHECK(Str(last.at("actor_id")) == w.guardian.user_id);
  CHECK(Str(last.at("content").at("scope")) == "Export");
  // The guardian's bundle withholds the other guardian's refusal; the
  // privacy officer's does not.
  auto [withheld, shown] = WithheldAsOtherGuardian(bundle, w.other_guardian.user_id);
  CHECK(withheld > 0);
  CHECK(shown == 0);
  auto full = w.Call("GET", "/api/students/" + w.child + "/history/export", w.privacy.token);
  REQUIRE(full.status == 200);
  json::value full_bundle = ApiWorld::Json(full);
  REQUIRE(VerifyExport(full_bundle));
  CHECK(WithheldAsOtherGuardian(full_bundle, w.other_guardian.user_id) ==
        std::pair<int, int>{0, withheld});
}

TEST_CASE("a guardian's history shows another family's refused guardian by neither name nor id") {
  ApiWorld& w = SharedWorld();
  const std::string history = "/api/students/" + w.child + "/history";
  REQUIRE(w.Call("GET", history, w.other_guardian.token).status == 403);
  auto r = w.Call("GET", history, w.guardian.token);
  REQUIRE(r.status == 200);
  CHECK(r.body.find(w.other_guardian.user_id) == std::string::npos);
  const std::string name = "Synthetic " + w.other_guardian.username;
  CHECK(r.body.find('"' + name + '"') == std::string::npos);  // as who.name
  CHECK(r.body.find(name + " (") == std::string::npos);       // in a summary
  CHECK(r.body.find("Access denied to another guardian") != std::string::npos);
  auto full = w.Call("GET", history, w.privacy.token);
  REQUIRE(full.status == 200);
  CHECK(full.body.find(w.other_guardian.user_id) != std::string::npos);
}

TEST_CASE("a guardian's export over HTTP shows the teacher's reads in full, not an audit query") {
  ApiWorld& w = SharedWorld();
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
  // The privacy officer looks into the teacher's reads of the child.
  const std::string filters = "student_id=" + w.child + "&actor_id=" + w.teacher.user_id;
  REQUIRE(w.Call("GET", "/api/audit/events?" + filters + "&limit=1", w.privacy.token).status ==
          200);
  const std::string target = "/api/students/" + w.child + "/history/export";
  auto r = w.Call("GET", target, w.guardian.token);
  REQUIRE(r.status == 200);
  json::value bundle = ApiWorld::Json(r);
  auto verified = VerifyExport(bundle);
  INFO((verified ? std::string() : verified.error().message()));
  REQUIRE(verified);
  auto full = w.Call("GET", target, w.privacy.token);
  REQUIRE(full.status == 200);
  json::value full_bundle = ApiWorld::Json(full);
  REQUIRE(VerifyExport(full_bundle));
  // The teacher's reads, with the address they came from, are in both, and
  // checked against their signed bytes; the audit query's filters only in
  // the privacy officer's.
  CHECK(r.body.find(filters) == std::string::npos);
  CHECK(full.body.find(filters) != std::string::npos);
  for (const json::value* b : {&bundle, &full_bundle}) {
    int reads = 0;
    int investigations = 0;
    for (const json::value& e : b->at("events").as_array()) {
      investigations += e.at("withheld") == "audit_investigation";
      if (Str(e.at("actor_id")) != w.teacher.user_id || e.at("type") != "RecordViewed") continue;
      ++reads;
      CHECK(e.at("withheld").is_null());
      CHECK(e.at("stored").is_string());
      CHECK_FALSE(Str(e.at("content").at("client_ip")).empty());
    }
    CHECK(reads > 0);
    CHECK((investigations > 0) == (b == &bundle));
  }
}

TEST_CASE("another family's guardian is refused the history") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/students/" + w.child + "/history", w.other_guardian.token);
  REQUIRE(r.status == 403);
  CHECK(Str(ApiWorld::Json(r).at("error").at("message")) ==
        "you are not a guardian of this student");
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 0);
  // A caller of the wrong role is told which roles may.
  auto teacher = w.Call("GET", "/api/students/" + w.child + "/history", w.teacher.token);
  REQUIRE(teacher.status == 403);
  CHECK(Str(ApiWorld::Json(teacher).at("error").at("message")) ==
        "only guardians or privacy officers may do this");
  auto officer_only = w.Call("GET", "/api/audit/events", w.teacher.token);
  REQUIRE(officer_only.status == 403);
  CHECK(Str(ApiWorld::Json(officer_only).at("error").at("message")) ==
        "only privacy officers may do this");
}

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

TEST_CASE("restricted note text is served only with the flag, and audited separately") {
  ApiWorld& w = SharedWorld();
  const std::string text = "Synthetic restricted counselling note 7431";
  std::string note = WriteRestrictedNote(w, text);
  auto profile = w.Call("GET", Profile(w.child), w.teacher.token);
  REQUIRE(profile.status == 200);
  REQUIRE(profile.body.find(note) != std::string::npos);
  REQUIRE(profile.body.find(text) == std::string::npos);

  uint64_t before = w.LogSize();
  auto refused = w.Call("GET", "/api/notes/" + note + "/restricted", w.teacher.token);
  REQUIRE(refused.status == 403);
  REQUIRE(refused.body.find(text) == std::string::npos);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  REQUIRE(DeniedReason(denied[0]) == "denied:no_restricted_notes_flag");

  before = w.LogSize();
  auto served = w.Call("GET", "/api/notes/" + note + "/restricted", w.principal.token);
  REQUIRE(served.status == 200);
  REQUIRE(Str(ApiWorld::Json(served).at("text")) == text);
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  REQUIRE(DecodeViewed(viewed[0]).scope == "RestrictedNote");

  // A note that is not restricted is not read here (it would be recorded as
  // a restricted note's read): 409, and nothing recorded.
  auto plain = w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token,
                      R"({"kind":"other","text":"Synthetic open note 7432","restricted":false})");
  REQUIRE(plain.status == 201);
  before = w.LogSize();
  auto conflict = w.Call("GET", "/api/notes/" + Str(ApiWorld::Json(plain).at("id")) + "/restricted",
                         w.principal.token);
  CHECK(conflict.status == 409);
  CHECK(conflict.body.find("7432") == std::string::npos);
  CHECK(w.LogSize() == before);
}

TEST_CASE("only a note's author may revise it, and the reviser is recorded") {
  ApiWorld& w = SharedWorld();
  std::string note = WriteRestrictedNote(w, "Synthetic note before revision");
  std::string target = "/api/notes/" + note + "/revisions";
  uint64_t before = w.LogSize();
  auto not_author = w.Call("POST", target, w.principal.token, R"({"text":"not mine"})");
  REQUIRE(not_author.status == 403);
  CHECK(Str(ApiWorld::Json(not_author).at("error").at("message")) ==
        "only the note's author may do this");
  REQUIRE(w.CountSince(before, EventType::AccessDenied) == 1);
  REQUIRE(w.CountSince(before, EventType::NoteRevised) == 0);
  before = w.LogSize();
  auto r = w.Call("POST", target, w.teacher.token, R"({"text":"Synthetic revised text"})");
  REQUIRE(r.status == 201);
  REQUIRE(Str(ApiWorld::Json(r).at("revised_by")) == w.teacher.user_id);
  REQUIRE(w.CountSince(before, EventType::NoteRevised) == 1);
}

// True if the teacher's newest feed items include the note `note_id`.
bool InTeachersFeed(ApiWorld& w, const std::string& note_id) {
  auto feed = w.Call("GET", "/api/feed?limit=100", w.teacher.token);
  REQUIRE(feed.status == 200);
  return feed.body.find(note_id) != std::string::npos;
}

TEST_CASE("a note's author restricts it, and only they may: it leaves the feed and its text") {
  ApiWorld& w = SharedWorld();
  const std::string text = "Synthetic note to restrict 5521";
  auto written = w.Call("POST", "/api/students/" + w.child + "/notes", w.teacher.token,
                        json::serialize(json::object{{"kind", "other"}, {"text", text}}));
  REQUIRE(written.status == 201);
  const std::string note = Str(ApiWorld::Json(written).at("id"));
  REQUIRE(InTeachersFeed(w, note));
  const std::string target = "/api/notes/" + note + "/restrict";
  for (const Account* other : {&w.principal, &w.outsider, &w.guardian, &w.admin}) {
    INFO(other->username);
    uint64_t before = w.LogSize();
    REQUIRE(w.Call("POST", target, other->token).status == 403);
    auto denied = w.EventsSince(before, EventType::AccessDenied);
    REQUIRE(denied.size() == 1);
    CHECK(denied[0].header.subject_id == w.child);
    REQUIRE(w.CountSince(before, EventType::NoteRestricted) == 0);
  }
  uint64_t before = w.LogSize();
  CHECK(w.Call("POST", "/api/notes/note_0123456789abcdef0123/restrict", w.teacher.token).status ==
        404);
  CHECK(w.Call("POST", "/api/notes/nope/restrict", w.teacher.token).status == 400);
  CHECK(w.Call("POST", target, w.teacher.token, R"({"text":"x"})").status == 422);
  CHECK(w.LogSize() == before);

  auto restricted = w.Call("POST", target, w.teacher.token);
  REQUIRE(restricted.status == 201);
  CHECK(ApiWorld::Json(restricted).at("restricted") == true);
  auto events = w.EventsSince(before, EventType::NoteRestricted);
  REQUIRE(events.size() == 1);
  CHECK(events[0].header.actor_id == w.teacher.user_id);
  CHECK(events[0].header.subject_id == w.child);
  before = w.LogSize();
  auto again = w.Call("POST", target, w.teacher.token, "{}");
  REQUIRE(again.status == 200);
  CHECK(ApiWorld::Json(again).at("restricted") == true);
  CHECK(w.LogSize() == before);

  auto profile = w.Call("GET", Profile(w.child), w.teacher.token);
  REQUIRE(profile.status == 200);
  CHECK(profile.body.find(note) != std::string::npos);
  CHECK(profile.body.find(text) == std::string::npos);
  bool shown_restricted = false;
  const json::value shown = ApiWorld::Json(profile);
  for (const json::value& n : shown.at("notes").as_array()) {
    if (Str(n.at("id")) != note) continue;
    shown_restricted = n.at("restricted") == true && !n.as_object().contains("text");
  }
  CHECK(shown_restricted);
  CHECK_FALSE(InTeachersFeed(w, note));
  auto served = w.Call("GET", "/api/notes/" + note + "/restricted", w.principal.token);
  REQUIRE(served.status == 200);
  CHECK(Str(ApiWorld::Json(served).at("text")) == text);

  auto history = w.Call("GET", "/api/students/" + w.child + "/history", w.guardian.token);
  REQUIRE(history.status == 200);
  const json::value trail = ApiWorld::Json(history);
  int marked = 0;
  for (const json::value& e : trail.at("events").as_array()) {
    if (e.at("seq").to_number<uint64_t>() != events[0].header.seq) continue;
    CHECK(e.at("type") == "NoteRestricted");
    CHECK(Str(e.at("who").at("id")) == w.teacher.user_id);
    ++marked;
  }
  CHECK(marked == 1);
}

TEST_CASE("search and feed are audited naming every student returned") {
  ApiWorld& w = SharedWorld();
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/students?q=", w.teacher.token);
  REQUIRE(r.status == 200);
  std::set<std::string> returned;
  json::value found = ApiWorld::Json(r);
  for (const json::value& s : found.at("students").as_array()) {
    returned.insert(std::string(s.at("id").as_string()));
  }
  REQUIRE(returned.contains(w.child));
  REQUIRE_FALSE(returned.contains(w.other_student));
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  Viewed decoded = DecodeViewed(viewed[0]);
  REQUIRE(decoded.scope == "Search");
  REQUIRE(std::set<std::string>(decoded.students.begin(), decoded.students.end()) == returned);

  before = w.LogSize();
  auto feed = w.Call("GET", "/api/feed?limit=5", w.teacher.token);
  REQUIRE(feed.status == 200);
  REQUIRE(ApiWorld::Json(feed).at("items").as_array().size() <= 5);
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 1);
}

// A family name of a student the teacher may read, which appears nowhere in
// the store as plaintext (names are stored sealed).
std::string UnstoredFamilyName(ApiWorld& w) {
  const json::value found = ApiWorld::Json(w.Call("GET", "/api/students?q=", w.teacher.token));
  const std::string stored = testing::AllStoredBytes(*w.services().store);
  for (const json::value& hit : found.at("students").as_array()) {
    const std::string name = Str(hit.at("name"));
    const std::string family = name.substr(name.rfind(' ') + 1);
    const bool plain = std::all_of(family.begin(), family.end(),
                                   [](char c) { return std::isalpha(static_cast<uint8_t>(c)); });
    if (family.size() >= 4 && plain && stored.find(family) == std::string::npos) return family;
  }
  FAIL("no student has a family name absent from the store");
  return "";
}

TEST_CASE("a search keeps the typed name only as a digest, in the log and every index") {
  ApiWorld& w = SharedWorld();  // invariant 4
  const std::string family = UnstoredFamilyName(w);
  INFO(family);
  uint64_t before = w.LogSize();
  auto r = w.Call("GET", "/api/students?q=" + family, w.teacher.token);
  REQUIRE(r.status == 200);
  REQUIRE(r.body.find(family) != std::string::npos);  // the search did find the student
  auto viewed = w.EventsSince(before, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  const auto* p = VerifiedRoot<fb::RecordViewedPayload>(viewed[0].payload);
  REQUIRE(p);
  CHECK(p->scope() == fb::ReadScope::Search);
  CHECK(backpack::Str(p->query()).empty());
  REQUIRE(p->search_digest());
  CHECK(p->search_digest()->size() == 32);
  CHECK(testing::AllStoredBytes(*w.services().store).find(family) == std::string::npos);
}

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

TEST_CASE("break-glass opens an hour of access and raises an alert") {
  ApiWorld& w = SharedWorld();
  std::string target = "/api/students/" + w.spare_student + "/break-glass";
  auto refused = w.Call("GET", Profile(w.spare_student), w.outsider.token);
  REQUIRE(refused.status == 403);
  CHECK(Str(ApiWorld::Json(refused).at("error").at("message"))
            .starts_with("you have no access to this student"));
  auto r = w.Call("POST", target, w.outsider.token,
                  R"({"reason":"Synthetic emergency: student unwell on a field trip"})");
  REQUIRE(r.status == 201);
  REQUIRE(ApiWorld::Json(r).at("expires_at").is_string());
  auto profile = w.Call("GET", Profile(w.spare_student), w.outsider.token);
  REQUIRE(profile.status == 200);
  REQUIRE(std::string(ApiWorld::Json(profile).at("access_reason").as_string())
              .starts_with("break_glass:"));
  auto alerts = w.Call("GET", "/api/audit/alerts", w.privacy.token);
  REQUIRE(alerts.status == 200);
  REQUIRE(alerts.body.find(w.outsider.user_id) != std::string::npos);
  w.clock().Advance(3601 * kMicrosPerSecond);
  REQUIRE(w.Call("GET", Profile(w.spare_student), w.outsider.token).status == 403);
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

TEST_CASE("a grant gives access, shows in the access list, and its revocation ends it") {
  ApiWorld& w = SharedWorld();
  const std::string grant =
      GrantStudent(w, w.outsider.user_id, w.other_student, "Synthetic tutoring arrangement");
  REQUIRE(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 200);
  auto note =
      w.Call("POST", "/api/students/" + w.other_student + "/notes", w.outsider.token,
             R"({"kind":"other","text":"Synthetic note under a grant","restricted":false})");
  REQUIRE(note.status == 201);
  std::string revisions = "/api/notes/" + Str(ApiWorld::Json(note).at("id")) + "/revisions";
  uint64_t listed_at = w.LogSize();
  auto access = w.Call("GET", "/api/students/" + w.other_student + "/access", w.privacy.token);
  REQUIRE(access.status == 200);
  REQUIRE(access.body.find("grant:" + grant) != std::string::npos);
  // Who may read the student, and why, is itself a read about the student.
  auto viewed = w.EventsSince(listed_at, EventType::RecordViewed);
  REQUIRE(viewed.size() == 1);
  CHECK(DecodeViewed(viewed[0]).scope == "AuditQuery");
  CHECK(DecodeViewed(viewed[0]).students == std::vector<std::string>{w.other_student});
  REQUIRE(w.Call("DELETE", "/api/grants/" + grant, w.admin.token).status == 200);
  REQUIRE(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 403);
  // The note's author, with access ended, may no longer revise it.
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("POST", revisions, w.outsider.token, R"({"text":"Synthetic late edit"})").status ==
          403);
  REQUIRE(w.CountSince(before, EventType::NoteRevised) == 0);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  REQUIRE(denied[0].header.subject_id == w.other_student);
  REQUIRE(w.Call("DELETE", "/api/grants/grant_00000000000000000000", w.admin.token).status == 404);
}

TEST_CASE("a grant given a bare date lasts through that day") {
  ApiWorld& w = SharedWorld();
  const int64_t tomorrow = (w.clock().NowMicros() / kMicrosPerDay + 1) * kMicrosPerDay;
  const std::string date = FormatIsoTime(tomorrow).substr(0, 10);
  json::object body{{"educator_id", w.outsider.user_id},
                    {"scope", json::object{{"student_id", w.other_student}}},
                    {"expires_at", date},
                    {"reason", "Synthetic cover for one day"}};
  REQUIRE(w.Call("POST", "/api/grants", w.admin.token, json::serialize(body)).status == 201);
  const int64_t end_of_day = tomorrow + kMicrosPerDay;
  w.clock().Advance(end_of_day - kMicrosPerSecond - w.clock().NowMicros());
  CHECK(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 200);
  w.clock().Advance(2 * kMicrosPerSecond);
  CHECK(w.Call("GET", Profile(w.other_student), w.outsider.token).status == 403);
}

// Sets endDate to `end_date` on every `student` row of `student_id` in the
// enrollments.csv at `path` (the demo quotes none of its fields).
void EndStudentEnrollments(const std::filesystem::path& path, const AeadKey& index_key,
                           const std::string& student_id, const std::string& end_date) {
  std::istringstream in(testing::ReadFile(path));
  std::string out, line;
  std::vector<std::string> header;
  size_t changed = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (line.ends_with(',')) fields.emplace_back();
    if (header.empty()) header = fields;
    auto at = [&](std::string_view column) {
      return static_cast<size_t>(std::find(header.begin(), header.end(), column) - header.begin());
    };
    REQUIRE(fields.size() == header.size());
    if (fields[at("role")] == "student" &&
        StudentIdFor(index_key, fields[at("userSourcedId")]) == student_id) {
      fields[at("endDate")] = end_date;
      ++changed;
    }
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
    out += "\n";
  }
  REQUIRE(changed > 0);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
}

// Id -> reason of every student GET /api/students lists for `token` (all of
// them: the district is smaller than the largest page).
std::map<std::string, std::string> Listed(ApiWorld& w, const std::string& token) {
  auto r = w.Call("GET", "/api/students?q=&limit=200", token);
  REQUIRE(r.status == 200);
  std::map<std::string, std::string> listed;
  const json::value body = ApiWorld::Json(r);
  for (const json::value& s : body.at("students").as_array()) {
    listed[Str(s.at("id"))] = Str(s.at("reason"));
  }
  return listed;
}

TEST_CASE("a student whose enrollments ended is no longer the teacher's, anywhere") {
  ApiWorld& w = SharedWorld();
  std::string student;  // reached through a class, and not one other tests use
  for (const auto& [id, reason] : Listed(w, w.teacher.token)) {
    if (reason.starts_with("class:") && id != w.child && id != w.other_student &&
        id != w.spare_student && student.empty()) {
      student = id;
    }
  }
  REQUIRE_FALSE(student.empty());
  const std::string access = "/api/students/" + student + "/access";
  auto names_teacher = [&] {
    auto r = w.Call("GET", access, w.privacy.token);
    REQUIRE(r.status == 200);
    return r.body.find(w.teacher.user_id) != std::string::npos;
  };
  REQUIRE(names_teacher());

  // The next export has the student transferred out yesterday.
  const int64_t day = 24 * 3600 * kMicrosPerSecond;
  const std::string yesterday = FormatIsoTime(w.clock().NowMicros() - day).substr(0, 10);
  const std::string ended = w.DistrictZip([&](const std::filesystem::path& dir) {
    EndStudentEnrollments(dir / "enrollments.csv", w.services().keys->index_key, student,
                          yesterday);
  });
  auto imported = w.Call("POST", "/api/imports", w.admin.token, ended, "application/zip");
  REQUIRE(imported.status == 201);
  REQUIRE(ApiWorld::Json(imported).at("events_appended").to_number<int64_t>() > 0);

  auto listed = Listed(w, w.teacher.token);
  CHECK_FALSE(listed.contains(student));
  CHECK(listed.contains(w.child));  // the teacher's other students stay
  uint64_t before = w.LogSize();
  CHECK(w.Call("GET", Profile(student), w.teacher.token).status == 403);
  CHECK(w.CountSince(before, EventType::AccessDenied) == 1);
  CHECK_FALSE(names_teacher());
  CHECK(Listed(w, w.principal.token).contains(student));  // districtwide still reaches them

  // The export as before (the student back in class) restores the access.
  auto restored = w.Call("POST", "/api/imports", w.admin.token, w.DistrictZip(), "application/zip");
  REQUIRE(restored.status == 201);
  CHECK(Listed(w, w.teacher.token).contains(student));
  CHECK(names_teacher());
}

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

TEST_CASE("a district admin ends one guardian's link, and the guardian loses the record at once") {
  ApiWorld& w = SharedWorld();
  auto user = w.services().roster->FindUser(w.other_guardian.user_id);
  REQUIRE(user);
  REQUIRE_FALSE(user->guardian_of.empty());
  const std::string student = user->guardian_of.front();
  const std::string history = "/api/students/" + student + "/history";
  REQUIRE(w.Call("GET", history, w.other_guardian.token).status == 200);
  const std::string target = "/api/students/" + student + "/guardians/unlink";
  const std::string body =
      R"({"guardian_id":")" + w.other_guardian.user_id + R"(","reason":"Synthetic court order"})";
  CHECK(w.Call("POST", target, w.admin.token, R"({"guardian_id":"nobody","reason":"x"})").status ==
        422);
  CHECK(w.Call("POST", target, w.admin.token,
               R"({"guardian_id":")" + w.other_guardian.user_id + R"("})")
            .status == 422);  // no reason
  uint64_t before = w.LogSize();
  auto r = w.Call("POST", target, w.admin.token, body);
  REQUIRE(r.status == 200);
  CHECK(ApiWorld::Json(r).at("unlinked") == true);
  CHECK(w.CountSince(before, EventType::GuardianUnlinked) == 1);
  CHECK(w.Call("GET", history, w.other_guardian.token).status == 403);
  CHECK(w.Call("POST", target, w.admin.token, body).status == 404);  // no longer linked
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

TEST_CASE("an approved deletion shreds the record: profile 410, history still served") {
  ApiWorld& w = SharedWorld();
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
  // The note went with the record's projections: its author can neither
  // revise nor restrict it (404: its id no longer names anything, and the
  // log holds it only under the destroyed key), and nothing is appended.
  before = w.LogSize();
  CHECK(w.Call("POST", note_path + "/revisions", w.principal.token, R"({"text":"Synthetic"})")
            .status == 404);
  CHECK(w.Call("POST", note_path + "/restrict", w.principal.token).status == 404);
  CHECK(w.LogSize() == before);
  before = w.LogSize();
  auto history = w.Call("GET", base + "/history", w.privacy.token);
  REQUIRE(history.status == 200);
  REQUIRE(ApiWorld::Json(history).at("shredded") == true);
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 1);
  // A guardian is told the record is gone (its family links went with it),
  // not refused as a stranger; the request is recorded all the same.
  before = w.LogSize();
  auto gone = w.Call("GET", base + "/history", w.other_guardian.token);
  REQUIRE(gone.status == 410);
  REQUIRE(Str(ApiWorld::Json(gone).at("error").at("code")) == "gone");
  REQUIRE(w.CountSince(before, EventType::RecordViewed) == 1);
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

TEST_CASE("when the access cannot be recorded the answer is 503 and holds no data") {
  ApiWorld& w = SharedWorld();
  auto ok = w.Call("GET", Profile(w.child), w.teacher.token);
  REQUIRE(ok.status == 200);
  json::value profile = ApiWorld::Json(ok);
  const std::string name(profile.at("student").at("name").as_string());
  REQUIRE_FALSE(name.empty());
  const std::string note = WriteRestrictedNote(w, "Synthetic restricted text for 503");
  const std::string window = "&since=2000-01-01&until=2100-01-01";
  const std::string csv = "Accept: text/csv\r\n";
  struct Read {
    std::string target;
    const Account* caller;
    std::string headers;
  };
  // Every route that answers with student data (SPEC §2 invariant 3).
  const std::vector<Read> reads = {
      {Profile(w.child), &w.teacher, ""},
      {Profile(w.child) + "?history=all", &w.teacher, ""},
      {"/api/notes/" + note + "/restricted", &w.principal, ""},
      {"/api/students?q=", &w.teacher, ""},
      {"/api/feed", &w.teacher, ""},
      {"/api/students/" + w.child + "/history", &w.guardian, ""},
      {"/api/students/" + w.child + "/history/export", &w.guardian, ""},
      {"/api/students/" + w.child + "/access", &w.privacy, ""},
      {"/api/audit/events?limit=5", &w.privacy, ""},
      {"/api/audit/events?limit=5", &w.privacy, csv},
      {"/api/audit/breach-report?actor_id=" + w.teacher.user_id + window, &w.privacy, ""},
      {"/api/audit/breach-report?actor_id=" + w.teacher.user_id + window, &w.privacy, csv},
      {"/api/audit/alerts", &w.privacy, ""},
      {"/api/family-requests", &w.privacy, ""},
  };
  uint64_t before = w.LogSize();
  {
    AppendsFail failing(w);
    for (const Read& read : reads) {
      INFO(read.target << " " << read.headers);
      auto r = w.Call("GET", read.target, read.caller->token, "", "application/json", read.headers);
      REQUIRE(r.status == 503);
      REQUIRE(ApiWorld::Json(r).at("error").at("code") == "audit_unavailable");
      REQUIRE(r.body.find(name) == std::string::npos);
      REQUIRE(r.body.find(w.child) == std::string::npos);
      REQUIRE(r.body.find("Synthetic restricted text") == std::string::npos);
    }
    // A refusal that cannot be recorded is not answered 403 either.
    REQUIRE(w.Call("GET", Profile(w.child), w.outsider.token).status == 503);
  }
  REQUIRE(w.LogSize() == before);
  REQUIRE(w.Call("GET", Profile(w.child), w.teacher.token).status == 200);
}

}  // namespace
}  // namespace backpack::api_testing
