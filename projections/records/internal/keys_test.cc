#include "projections/records/internal/keys.h"

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {
namespace {

TEST_CASE("dates parse to midnight UTC and format back") {
  auto day = ParseDate("2026-09-21");
  REQUIRE(day);
  CHECK(*day == 20'717 * kMicrosPerDay);
  CHECK(FormatDate(*day) == "2026-09-21");
  CHECK(FormatTime(*day + 3'723 * kMicrosPerSecond) == "2026-09-21T01:02:03Z");
  CHECK(FormatDate(ParseDate("1969-12-31").value()) == "1969-12-31");
}

TEST_CASE("invalid dates are rejected") {
  for (const char* bad : {"", "2026-9-21", "2026-02-30", "2026-13-01", "2026-00-10", "20260921",
                          "2026-09-21T00", "abcd-ef-gh", "2026-04-31"}) {
    INFO(bad);
    CHECK_FALSE(ParseDate(bad));
  }
  CHECK(ParseDate("2024-02-29"));
  CHECK_FALSE(ParseDate("2025-02-29"));
}

TEST_CASE("feed keys sort newest first and round-trip") {
  std::string older = FeedKey(1'000, "stu_a", Tag::kNote, 7);
  std::string newer = FeedKey(2'000, "stu_b", Tag::kVoice, 3);
  CHECK(newer < older);
  auto parsed = ParseFeedKey(AsBytes(older));
  REQUIRE(parsed);
  CHECK(parsed->at_us == 1'000);
  CHECK(parsed->student_id == "stu_a");
  CHECK(parsed->tag == Tag::kNote);
  CHECK(parsed->seq == 7);
  CHECK_FALSE(ParseFeedKey(AsBytes(std::string("short"))));
}

TEST_CASE("record keys of one student share its prefix and round-trip") {
  std::string key = RecordKey("stu_a", Tag::kAttendance, 42);
  CHECK(key.starts_with(StudentPrefix("stu_a")));
  CHECK_FALSE(RecordKey("stu_ab", Tag::kAttendance, 42).starts_with(StudentPrefix("stu_a")));
  auto parsed = ParseRecordKey(AsBytes(key));
  REQUIRE(parsed);
  CHECK(parsed->seq == 42);
  CHECK(parsed->tag == Tag::kAttendance);
  auto summary = ParseRecordKey(AsBytes(SummaryKey("stu_a")));
  REQUIRE(summary);
  CHECK(summary->tag == Tag::kSummary);
  auto ref = ParseNoteRef(AsBytes(NoteRef("stu_a", 9)));
  REQUIRE(ref);
  CHECK(ref->student_id == "stu_a");
  CHECK(ref->seq == 9);
}

TEST_CASE("attendance alert needs four distinct absence days in the window and no note") {
  const int64_t now = ParseDate("2026-09-21").value() + 12 * 3600 * kMicrosPerSecond;
  auto day = [&](int ago) { return DayStart(now) - ago * kMicrosPerDay; };
  AttendanceSummary s;
  s.absences = {{day(50), 1}, {day(3), 2}, {day(3), 3}, {day(2), 4}, {day(1), 5}};
  CHECK_FALSE(ComputeAttendanceAlert(s, now));  // 3 distinct days in the window
  s.absences.push_back({day(45), 6});  // the 46th day: outside
  std::sort(s.absences.begin(), s.absences.end());
  CHECK_FALSE(ComputeAttendanceAlert(s, now));
  s.absences.push_back({day(44), 7});  // the 45th day, counting today
  std::sort(s.absences.begin(), s.absences.end());
  auto alert = ComputeAttendanceAlert(s, now);
  REQUIRE(alert);
  CHECK(alert->absence_days == 4);
  CHECK(alert->at_us == day(1));
  s.note_times_us = {now - 10 * kMicrosPerDay};
  CHECK_FALSE(ComputeAttendanceAlert(s, now));
  s.note_times_us = {now - 60 * kMicrosPerDay};
  CHECK(ComputeAttendanceAlert(s, now));
}

TEST_CASE("note times keep the earliest note of each day, for recent days only") {
  const int64_t noon = ParseDate("2026-09-21").value() + 12 * 3600 * kMicrosPerSecond;
  AttendanceSummary s;
  CHECK(s.AddNoteTime(noon));
  CHECK_FALSE(s.AddNoteTime(noon + kMicrosPerSecond));  // later the same day: nothing new
  CHECK(s.AddNoteTime(noon - kMicrosPerSecond));        // earlier the same day replaces it
  CHECK(s.note_times_us == std::vector<int64_t>{noon - kMicrosPerSecond});
  CHECK(s.AddNoteTime(noon + kMicrosPerDay));
  CHECK(s.note_times_us.size() == 2);
  // Days that cannot fall in the newest note's recent window are dropped.
  CHECK(s.AddNoteTime(noon + 60 * kMicrosPerDay));
  CHECK(s.note_times_us == std::vector<int64_t>{noon + 60 * kMicrosPerDay});
  // Whatever "now" a query uses at or after the notes, the answer is the same
  // as with every note kept.
  for (int later = 0; later < 120; ++later) {
    const int64_t now = noon + 60 * kMicrosPerDay + later * kMicrosPerDay / 2;
    AttendanceSummary every_note;
    every_note.absences = {{DayStart(now), 1}, {DayStart(now) - kMicrosPerDay, 2},
                           {DayStart(now) - 2 * kMicrosPerDay, 3},
                           {DayStart(now) - 3 * kMicrosPerDay, 4}};
    every_note.note_times_us = {noon - kMicrosPerSecond, noon + kMicrosPerDay,
                                noon + 60 * kMicrosPerDay};
    AttendanceSummary kept = every_note;
    kept.note_times_us = s.note_times_us;
    CHECK(ComputeAttendanceAlert(kept, now).has_value() ==
          ComputeAttendanceAlert(every_note, now).has_value());
  }
}

}  // namespace
}  // namespace backpack::records
