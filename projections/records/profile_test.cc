#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <utility>

#include "projections/records/records.h"
#include "projections/records/records_world_test_util.h"

namespace backpack::records_testing {
namespace {

namespace json = boost::json;

std::string S(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : "?"; }
bool B(const json::value& v) { return v.is_bool() && v.as_bool(); }
int64_t I(const json::value& v) { return v.is_int64() ? v.as_int64() : -1; }

std::vector<std::string> Keys(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

TEST_CASE("profile shows the student, then their voice, then the last 45 days") {
  World w;
  AppendOrDie(w.log(),
              {Voice(w.alex, w.now() - 70 * kMicrosPerDay, "old answer"),
               Voice(w.alex, w.now() - 5 * kMicrosPerDay, "I like building robots"),
               Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Absent, true, "ill"),
               Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Tardy),
               Attendance(w.alex, w.Day(-60), fb::AttendanceStatus::Absent),
               Assessment(w.alex, w.Day(-100), "MAP Fall", "212"),
               Assessment(w.alex, w.Day(-10), "MAP Winter", "220"),
               Grade(w.alex, "cls-1", "T1", "B+", w.Day(-1)),
               Service(w.alex, "Reading support", w.Day(-200)),
               Service(w.alex, "Speech", w.Day(-300), w.Day(-100)), Team(w.alex, "Chess club")});
  auto profile = w.records().Profile(w.alex, false, w.now(), "class:cls-1", w.Viewer(w.teacher));
  REQUIRE(profile);
  const json::object& p = *profile;
  auto keys = Keys(p);
  REQUIRE(keys.size() >= 2);
  CHECK(keys[0] == "student");
  CHECK(keys[1] == "voice");

  CHECK(S(p.at("student").at("id")) == w.alex);
  CHECK(S(p.at("student").at("name")) == "Alex Testperson");
  CHECK(S(p.at("student").at("school")) == "sch-1");
  CHECK(S(p.at("access_reason")) == "class:cls-1");
  CHECK(p.at("as_of").as_string().starts_with(w.Day(0)));

  const auto& voice = p.at("voice").as_array();
  REQUIRE(voice.size() == 1);
  CHECK(S(voice[0].at("answer")) == "I like building robots");

  const auto& attendance = p.at("attendance").as_array();
  REQUIRE(attendance.size() == 2);  // newest first; the 60-day-old row is older
  CHECK(S(attendance[0].at("date")) == w.Day(-2));
  CHECK(S(attendance[0].at("status")) == "tardy");
  CHECK(S(attendance[1].at("date")) == w.Day(-3));
  CHECK(B(attendance[1].at("excused")) == true);
  CHECK(S(attendance[1].at("reason")) == "ill");
  CHECK(I(p.at("attendance_summary").at("absent")) == 1);
  CHECK(I(p.at("attendance_summary").at("tardy")) == 1);

  REQUIRE(p.at("assessments").as_array().size() == 1);
  CHECK(S(p.at("assessments").as_array()[0].at("assessment")) == "MAP Winter");
  CHECK(p.at("grades").as_array().size() == 1);
  REQUIRE(p.at("services").as_array().size() == 1);  // ongoing; the ended one is older
  CHECK(S(p.at("services").as_array()[0].at("service")) == "Reading support");
  CHECK(p.at("teams").as_array().size() == 1);
  CHECK_FALSE(p.contains("older"));
}

TEST_CASE("the attendance summary counts only days that have happened, as the alert does") {
  World w;
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(0), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(1), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(30), fb::AttendanceStatus::Absent)});
  auto profile = w.records().Profile(w.alex, false, w.now(), "class:cls-1", w.Viewer(w.teacher));
  REQUIRE(profile);
  const json::object& summary = profile->at("attendance_summary").as_object();
  CHECK(I(summary.at("absent")) == 3);  // today's counts; tomorrow's has not happened
  CHECK_FALSE(B(summary.at("alert")));  // 4+ absences are needed
}

TEST_CASE("profile with history_all adds the older data") {
  World w;
  AppendOrDie(w.log(), {Voice(w.alex, w.now() - 70 * kMicrosPerDay, "old answer"),
                        Voice(w.alex, w.now() - 5 * kMicrosPerDay, "new answer"),
                        Attendance(w.alex, w.Day(-60), fb::AttendanceStatus::Absent),
                        Assessment(w.alex, w.Day(-100), "MAP Fall", "212"),
                        Service(w.alex, "Speech", w.Day(-300), w.Day(-100))});
  auto profile = w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  const json::object& older = profile->at("older").as_object();
  REQUIRE(older.at("voice").as_array().size() == 1);
  CHECK(S(older.at("voice").as_array()[0].at("answer")) == "old answer");
  REQUIRE(older.at("attendance").as_array().size() == 1);
  CHECK(S(older.at("attendance").as_array()[0].at("date")) == w.Day(-60));
  CHECK(older.at("assessments").as_array().size() == 1);
  CHECK(older.at("services").as_array().size() == 1);
  CHECK(profile->at("attendance").as_array().empty());
  CHECK(S(profile->at("history")) == "all");
}

// The profile's text is assembled from record views serialized ahead of time:
// it must still be one JSON object with every section once, in SPEC order.
TEST_CASE("the profile's text is one JSON object with every section in order") {
  World w;
  AppendOrDie(w.log(), {Voice(w.alex, w.now() - 70 * kMicrosPerDay, "old \"quoted\" answer"),
                        Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Absent, true, "ill"),
                        Attendance(w.alex, w.Day(-60), fb::AttendanceStatus::Absent),
                        Grade(w.alex, "cls-1", "T1", "B+", w.Day(-1)), Team(w.alex, "Chess club")});
  for (bool all : {false, true}) {
    auto text = w.records().ProfileText(w.alex, all, w.now(), "reason with \"quotes\"",
                                        w.Viewer(w.principal));
    REQUIRE(text);
    boost::system::error_code error;
    json::value parsed = json::parse(*text, error);
    REQUIRE_FALSE(error);
    REQUIRE(parsed.is_object());
    const json::object& p = parsed.as_object();
    std::vector<std::string> expected = {
        "student", "voice",    "notes", "attendance_summary", "attendance", "assessments",
        "grades",  "services", "teams"};
    if (all) expected.push_back("older");
    for (const char* key : {"history", "window", "access_reason", "as_of"}) expected.push_back(key);
    CHECK(Keys(p) == expected);
    CHECK(S(p.at("access_reason")) == "reason with \"quotes\"");
    CHECK(p.at("voice").as_array().size() == 1);  // the older answer stands in
    CHECK(p.at("attendance").as_array().size() == 1);
    if (all) {
      CHECK(Keys(p.at("older").as_object()) == std::vector<std::string>{"voice", "notes",
                                                                        "attendance", "assessments",
                                                                        "grades", "services"});
      CHECK(p.at("older").at("attendance").as_array().size() == 1);
    }
  }
}

TEST_CASE("a service is in focus while ongoing and until 45 days after it ended") {
  World w;
  AppendOrDie(w.log(), {Service(w.alex, "Ongoing", w.Day(-300)),
                        Service(w.alex, "Ended lately", w.Day(-300), w.Day(-10)),
                        Service(w.alex, "Ended long ago", w.Day(-300), w.Day(-100)),
                        Service(w.alex, "Started lately", w.Day(-5), w.Day(-200)),
                        Service(w.alex, "Bad end date", w.Day(-300), "someday")});
  auto profile = w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  std::set<std::string> recent, older;
  for (const auto& s : profile->at("services").as_array()) recent.insert(S(s.at("service")));
  for (const auto& s : profile->at("older").at("services").as_array()) {
    older.insert(S(s.at("service")));
  }
  CHECK(recent ==
        std::set<std::string>{"Ongoing", "Ended lately", "Started lately", "Bad end date"});
  CHECK(older == std::set<std::string>{"Ended long ago"});
}

TEST_CASE("profile keeps the latest voice answer in focus even when it is old") {
  World w;
  AppendOrDie(w.log(), {Voice(w.alex, w.now() - 90 * kMicrosPerDay, "first"),
                        Voice(w.alex, w.now() - 70 * kMicrosPerDay, "second")});
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  REQUIRE(profile->at("voice").as_array().size() == 1);
  CHECK(S(profile->at("voice").as_array()[0].at("answer")) == "second");
}

TEST_CASE("profile shows restricted notes without their text") {
  World w;
  AppendOrDie(w.log(),
              {Note(w.alex, w.teacher, "note_open", "Met with family, plan agreed"),
               Note(w.alex, w.teacher, "note_secret", "Confidential counseling detail", true)});
  for (const auto& viewer : {w.teacher, w.principal}) {
    auto profile = w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(viewer));
    REQUIRE(profile);
    std::string text = json::serialize(*profile);
    CHECK(text.find("Confidential counseling detail") == std::string::npos);
    CHECK(text.find("Met with family, plan agreed") != std::string::npos);
    const auto& notes = profile->at("notes").as_array();
    REQUIRE(notes.size() == 2);
    for (const auto& note : notes) {
      if (S(note.at("id")) != "note_secret") continue;
      CHECK(B(note.at("restricted")) == true);
      CHECK_FALSE(note.as_object().contains("text"));
      CHECK(S(note.at("kind")) == "other");
      CHECK(S(note.at("author")) == w.teacher);
      CHECK(B(note.at("can_view")) == (viewer == w.principal));
    }
  }
}

TEST_CASE("profile notes carry their seq, and entries the flags of the family's annotations") {
  World w;
  AppendOrDie(w.log(), {Note(w.alex, w.teacher, "note_open", "Met with family"),
                        Note(w.alex, w.teacher, "note_secret", "Counseling detail", true),
                        Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-70), fb::AttendanceStatus::Tardy)});
  auto plain = w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(plain);
  std::map<std::string, uint64_t> note_seqs;
  for (const auto& note : plain->at("notes").as_array()) {
    REQUIRE(note.at("seq").is_number());
    note_seqs[S(note.at("id"))] = note.at("seq").to_number<uint64_t>();
  }
  REQUIRE(note_seqs.size() == 2);
  CHECK(note_seqs["note_open"] != note_seqs["note_secret"]);
  const uint64_t recent_day = plain->at("attendance").as_array()[0].at("seq").to_number<uint64_t>();
  const uint64_t older_day =
      plain->at("older").at("attendance").as_array()[0].at("seq").to_number<uint64_t>();
  CHECK(json::serialize(*plain).find("disputed") == std::string::npos);

  EntryMarks marks;
  marks.disputed = {note_seqs["note_secret"], older_day};
  marks.amended = {note_seqs["note_secret"], recent_day};
  auto marked =
      w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(w.principal), marks);
  REQUIRE(marked);
  auto flags = [](const json::value& entry) {
    const json::object& o = entry.as_object();
    return std::pair{o.contains("disputed") && B(o.at("disputed")),
                     o.contains("amended") && B(o.at("amended"))};
  };
  for (const auto& note : marked->at("notes").as_array()) {
    const bool secret = S(note.at("id")) == "note_secret";
    CHECK(flags(note) == std::pair{secret, secret});
  }
  CHECK(flags(marked->at("attendance").as_array()[0]) == std::pair{false, true});
  CHECK(flags(marked->at("older").at("attendance").as_array()[0]) == std::pair{true, false});
  // The cached views are untouched: the next reader without marks sees none.
  auto again = w.records().Profile(w.alex, true, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(again);
  CHECK(json::serialize(*again) == json::serialize(*plain));
}

TEST_CASE("a cached profile follows every change to the student, and only theirs") {
  World w;
  const Actor teacher{w.teacher, "r", ""};
  auto notes_of = [&](const std::string& student) {
    auto profile =
        w.records().Profile(student, false, w.now(), "districtwide", w.Viewer(w.principal));
    REQUIRE(profile);
    return json::serialize(profile->at("notes"));
  };
  auto note = w.records().WriteNote(teacher, w.alex, "sst", "First draft", false);
  REQUIRE(note);
  CHECK(notes_of(w.alex).find("First draft") != std::string::npos);  // now cached
  REQUIRE(w.records().WriteNote(teacher, w.blair, "sst", "About Blair", false));
  CHECK(notes_of(w.blair).find("About Blair") != std::string::npos);
  CHECK(notes_of(w.alex).find("About Blair") == std::string::npos);

  REQUIRE(w.records().ReviseNote(teacher, note->id, "Second draft"));
  CHECK(notes_of(w.alex).find("Second draft") != std::string::npos);
  REQUIRE(w.records().RestrictNote(teacher, note->id));
  CHECK(notes_of(w.alex).find("Second draft") == std::string::npos);
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent)});
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  CHECK(profile->at("attendance").as_array().size() == 1);
}

TEST_CASE("profile of a shredded student is gone, of an unknown one, not found") {
  World w;
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent)});
  REQUIRE(w.fx().data_keys().Shred(w.alex).ok());
  AppendOrDie(w.log(), {Shredded(w.alex)});
  auto gone = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code() == StatusCode::kGone);
  auto unknown =
      w.records().Profile("stu_nobody", false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace backpack::records_testing
