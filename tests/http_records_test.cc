// The student-record routes of SPEC §6 over a real server: profiles, notes,
// search and the feed, each read answered only after it is recorded
// (invariant 3). The other endpoint areas are in the http_*_test.cc files
// beside this one; they share SharedWorld (api_test_world.h) and pass in
// any order.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <set>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/access_policy.h"
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

TEST_CASE("malformed student ids get 400, and unknown ones 404 only to a districtwide educator") {
  ApiWorld& w = SharedWorld();
  const std::string unknown = "stu_00000000000000000000";
  uint64_t before = w.LogSize();
  REQUIRE(w.Call("GET", Profile(unknown), w.principal.token).status == 404);
  REQUIRE(w.Call("GET", Profile("not-an-id"), w.teacher.token).status == 400);
  REQUIRE(w.Call("GET", Profile("STU_00"), w.teacher.token).status == 400);
  REQUIRE(w.LogSize() == before);
  // Anyone else gets exactly the refusal of a real student they may not
  // read, recorded, so that neither the answer nor its absence from the
  // trail tells which ids exist.
  auto real = w.Call("GET", Profile(w.other_student), w.teacher.token);
  before = w.LogSize();
  auto probe = w.Call("GET", Profile(unknown), w.teacher.token);
  CHECK(probe.status == real.status);
  CHECK(probe.body == real.body);
  auto denied = w.EventsSince(before, EventType::AccessDenied);
  REQUIRE(denied.size() == 1);
  CHECK(DeniedReason(denied[0]) == kDeniedUnknownStudent);
  CHECK(denied[0].header.subject_id.empty());
  CHECK(w.LogSize() == before + 1);
  // A break-glass checks its body before the student: a bad one is a 422
  // whether or not the student exists, and records nothing.
  before = w.LogSize();
  for (const std::string& id : {unknown, w.other_student}) {
    INFO(id);
    auto short_reason = w.Call("POST", "/api/students/" + id + "/break-glass", w.outsider.token,
                               R"({"reason":"too short"})");
    CHECK(short_reason.status == 422);
  }
  CHECK(w.LogSize() == before);
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
  CHECK(w.Call("POST", "/api/notes/note_0123456789abcdef0123/restrict", w.principal.token).status ==
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
