#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "projections/records/records.h"
#include "projections/records/records_world_test_util.h"

namespace backpack::records_testing {
namespace {

namespace json = boost::json;

std::string S(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : "?"; }

std::vector<std::string> Types(const FeedPage& page) {
  std::vector<std::string> types;
  for (const auto& item : page.items) types.push_back(S(item.at("type")));
  return types;
}

TEST_CASE("feed shows only students the educator may access, newest first") {
  World w;
  AppendOrDie(w.log(), {Note(w.alex, w.principal, "note_a1", "Alex note one")});
  w.fx().clock().Advance(kMicrosPerSecond);
  AppendOrDie(w.log(), {Note(w.blair, w.principal, "note_b1", "Blair note one")});
  w.fx().clock().Advance(kMicrosPerSecond);
  AppendOrDie(w.log(), {Voice(w.alex, w.now(), "Alex voice")});

  auto teacher_feed = w.records().Feed(w.teacher, 20, "", w.now());
  REQUIRE(teacher_feed);
  CHECK(Types(*teacher_feed) == std::vector<std::string>{"student_voice", "note"});
  std::string text = json::serialize(teacher_feed->ToJson());
  CHECK(text.find("Blair") == std::string::npos);
  CHECK(text.find("Alex note one") != std::string::npos);
  REQUIRE(teacher_feed->students.size() == 1);
  CHECK(teacher_feed->students[0].student_id == w.alex);
  CHECK(teacher_feed->students[0].reason == "class:cls-1");
  CHECK(S(teacher_feed->items[0].at("student").at("name")) == "Alex Testperson");

  auto principal_feed = w.records().Feed(w.principal, 20, "", w.now());
  REQUIRE(principal_feed);
  REQUIRE(principal_feed->items.size() == 3);
  CHECK(S(principal_feed->items[1].at("note_id")) == "note_b1");
  CHECK(principal_feed->students.size() == 2);
}

TEST_CASE("feed pages with a cursor and never repeats an item") {
  World w;
  for (int i = 0; i < 5; ++i) {
    AppendOrDie(w.log(), {Note(w.alex, w.teacher, "note_" + std::to_string(i), "n")});
    w.fx().clock().Advance(kMicrosPerSecond);
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = w.records().Feed(w.teacher, 2, cursor, w.now());
    REQUIRE(page);
    for (const auto& item : page->items) seen.push_back(S(item.at("note_id")));
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"note_4", "note_3", "note_2", "note_1", "note_0"});

  auto bad = w.records().Feed(w.teacher, 2, "zz-not-a-cursor", w.now());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(w.records().Feed(w.teacher, 0, "", w.now()));
}

TEST_CASE("feed never shows restricted notes") {
  World w;
  AppendOrDie(w.log(), {Note(w.alex, w.teacher, "note_r", "Restricted detail", true),
                        Note(w.alex, w.teacher, "note_later", "Later restricted")});
  auto restricted = w.records().RestrictNote(Actor{w.teacher, "req", ""}, "note_later");
  REQUIRE(restricted);
  auto feed = w.records().Feed(w.principal, 20, "", w.now());
  REQUIRE(feed);
  CHECK(feed->items.empty());
}

TEST_CASE("feed shows services and an attendance alert for 4 absences without a note") {
  World w;
  AppendOrDie(w.log(), {Service(w.alex, "Counseling", w.Day(-1)),
                        Attendance(w.alex, w.Day(-8), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-6), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-4), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-50), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Tardy)});
  auto three = w.records().Feed(w.teacher, 20, "", w.now());
  REQUIRE(three);
  CHECK(Types(*three) == std::vector<std::string>{"service"});
  CHECK(w.records().HasAttendanceAlert(w.alex, w.now()) == false);

  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Absent)});
  auto four = w.records().Feed(w.teacher, 20, "", w.now());
  REQUIRE(four);
  CHECK(Types(*four) == std::vector<std::string>{"service", "attendance_alert"});
  CHECK(four->items[1].at("absence_days").as_int64() == 4);
  CHECK(S(four->items[1].at("last_absence")) == w.Day(-2));

  auto note = w.records().WriteNote(Actor{w.teacher, "req", ""}, w.alex, "parent_conversation",
                                    "Called home", false);
  REQUIRE(note);
  auto noted = w.records().Feed(w.teacher, 20, "", w.now());
  REQUIRE(noted);
  CHECK(Types(*noted) == std::vector<std::string>{"note", "service"});
  CHECK(w.records().HasAttendanceAlert(w.alex, w.now()) == false);
  // Once the note is older than the window, the absences alone (now also
  // old) no longer alert either.
  w.fx().clock().Advance(60 * kMicrosPerDay);
  CHECK(w.records().HasAttendanceAlert(w.alex, w.now()) == false);
}

TEST_CASE("a retracted absence no longer counts toward an alert") {
  World w;
  std::vector<uint64_t> seqs;
  for (int d : {-2, -3, -4, -5}) {
    seqs.push_back(
        AppendOrDie(w.log(), {Attendance(w.alex, w.Day(d), fb::AttendanceStatus::Absent)}));
  }
  CHECK(w.records().HasAttendanceAlert(w.alex, w.now()) == true);
  AppendOrDie(w.log(), {Retracted(w.alex, fb::RecordKind::Attendance, seqs[0])});
  CHECK(w.records().HasAttendanceAlert(w.alex, w.now()) == false);
}

}  // namespace
}  // namespace backpack::records_testing
