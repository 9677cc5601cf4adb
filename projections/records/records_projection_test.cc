#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "projections/rebuild.h"
#include "projections/records/internal/keys.h"
#include "projections/records/records.h"
#include "projections/records/records_world_test_util.h"

namespace backpack::records_testing {
namespace {

const std::vector<std::string> kFamilies = {"rec_student", "rec_feed", "rec_notes"};

// Every key of the records families that mentions `student`, plus every
// value sealed for them.
std::vector<std::string> ValuesAbout(Store& store, const std::string& student) {
  std::vector<std::string> found;
  for (const auto& family : kFamilies) {
    auto it = store.NewIterator(family);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      std::string key(AsChars((*it)->key()));
      std::string value(AsChars((*it)->value()));
      if (key.find(student) != std::string::npos || value.find(student) != std::string::npos) {
        found.push_back(family + ":" + key);
      }
    }
  }
  return found;
}

// Rebuilds the records into a scratch store and requires them equal to w's.
void RequireRebuildIdentical(World& w) {
  testing::TempDir scratch_dir;
  std::unique_ptr<Store> scratch = w.fx().Rebuilt(scratch_dir.path() / "db");
  auto difference =
      FirstDifference(w.fx().store(), *scratch, w.records().projection()->ColumnFamilies());
  REQUIRE(difference);
  CHECK(difference->value_or("") == "");
  CHECK_FALSE(ValuesAbout(*scratch, w.alex).empty());
}

void AddEverything(World& w, const std::string& student) {
  AppendOrDie(w.log(), {Attendance(student, w.Day(-1), fb::AttendanceStatus::Absent),
                        Assessment(student, w.Day(-2), "MAP", "210"),
                        Grade(student, "cls-1", "T1", "A", w.Day(-3)),
                        Service(student, "Tutoring", w.Day(-4)), Team(student, "Soccer"),
                        Voice(student, w.now(), "Soccer is fun"),
                        Note(student, w.teacher, "note_" + student, "A note", false)});
}

TEST_CASE("a retracted row is flagged in the profile, not erased, and leaves the feed") {
  World w;
  uint64_t service_seq = AppendOrDie(w.log(), {Service(w.alex, "Tutoring", w.Day(-4))});
  AppendOrDie(w.log(), {Retracted(w.alex, fb::RecordKind::Service, service_seq)});
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  const auto& services = profile->at("services").as_array();
  REQUIRE(services.size() == 1);
  CHECK(services[0].at("retracted").as_bool());
  auto feed = w.records().Feed(w.principal, 20, "", w.now());
  REQUIRE(feed);
  CHECK(feed->items.empty());
}

TEST_CASE("a discontinued service shows its end date and reason") {
  World w;
  AppendOrDie(w.log(), {Service(w.alex, "Tutoring", w.Day(-40)),
                        ServiceEnded(w.alex, "Tutoring", w.Day(-40), w.Day(-1))});
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  const auto& service = profile->at("services").as_array().at(0).as_object();
  CHECK(service.at("end_date").as_string() == w.Day(-1));
  CHECK(service.at("discontinued_reason").as_string() == "goals met");
  CHECK_FALSE(service.at("ongoing").as_bool());
}

TEST_CASE("shredding a student removes every rec_ value about them and only them") {
  World w;
  AddEverything(w, w.alex);
  AddEverything(w, w.blair);
  REQUIRE_FALSE(ValuesAbout(w.fx().store(), w.alex).empty());
  AppendOrDie(w.log(), {Shredded(w.alex)});
  REQUIRE(w.fx().data_keys().Shred(w.alex).ok());
  CHECK(ValuesAbout(w.fx().store(), w.alex).empty());
  CHECK_FALSE(ValuesAbout(w.fx().store(), w.blair).empty());
  CHECK(w.records().NoteStudent("note_" + w.alex).error().code() == StatusCode::kNotFound);
  auto feed = w.records().Feed(w.principal, 20, "", w.now());
  REQUIRE(feed);
  for (const auto& s : feed->students) CHECK(s.student_id != w.alex);
}

TEST_CASE("rebuilding the records projection reproduces it byte for byte") {
  World w;
  AddEverything(w, w.alex);
  AddEverything(w, w.blair);
  uint64_t seq =
      AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-5), fb::AttendanceStatus::Absent)});
  AppendOrDie(w.log(), {Retracted(w.alex, fb::RecordKind::Attendance, seq)});
  auto note = w.records().WriteNote(Actor{w.teacher, "r", ""}, w.alex, "sst", "Draft", false);
  REQUIRE(note);
  REQUIRE(w.records().ReviseNote(Actor{w.teacher, "r", ""}, note->id, "Final"));
  REQUIRE(w.records().RestrictNote(Actor{w.teacher, "r", ""}, note->id));
  AppendOrDie(w.log(), {Shredded(w.blair)});
  REQUIRE(w.fx().data_keys().Shred(w.blair).ok());
  RequireRebuildIdentical(w);
}

// A rebuild replays records in lanes by student (rebuild_partitioner.cc);
// these note events reach across students, in every pair of lanes.
TEST_CASE("a rebuild in lanes by student reproduces notes that name other students' notes") {
  World w;
  std::vector<std::string> students = {w.alex, w.blair};
  for (int i = 0; i < 6; ++i) students.push_back("stu_lane" + std::to_string(i));
  const size_t n = students.size();
  auto note_of = [&](size_t i) { return "note_" + students[i % n]; };
  for (size_t i = 0; i < n; ++i) {
    AppendOrDie(w.log(), {Note(students[i], w.teacher, note_of(i), "first", false)});
  }
  for (size_t i = 0; i < n; ++i) {
    const std::string& other = students[(i + 1) % n];
    AppendOrDie(w.log(), {Note(other, w.teacher, note_of(i), "id taken: ignored", false),
                          NoteRevised(other, note_of(i), "revised via another student", w.teacher),
                          NoteRestricted(students[(i + 2) % n], note_of(i), w.teacher)});
  }
  // The shred's event without its key destroyed (a crash in between, after
  // which the key ring has forgotten the log's in-memory mark): the student's
  // note ids are free again, and the next to use one gets it.
  AppendOrDie(w.log(), {Shredded(students[2])});
  w.fx().data_keys().UnmarkShredded(students[2]);
  // On a new day, so that the reused note changes its writer's summary, which
  // the writer's attendance changes too: both in one lane, or the rebuild
  // differs.
  w.fx().clock().Advance(2 * kMicrosPerDay);
  for (size_t i = 3; i < n; ++i) {
    AppendOrDie(w.log(), {Note(students[i], w.teacher, note_of(2), "reused after a shred", false),
                          Attendance(students[i], w.Day(-1), fb::AttendanceStatus::Absent)});
  }
  RequireRebuildIdentical(w);
}

TEST_CASE("a note a shred listed is gone, and one never written or not listed unknown") {
  World w;
  const std::string older = "stu_older";
  AddEverything(w, w.alex);
  AddEverything(w, w.blair);
  AddEverything(w, older);
  const std::string listed = "note_" + w.blair;
  AppendOrDie(w.log(), {Shredded(w.blair, {listed}), Shredded(older)});
  REQUIRE(w.fx().data_keys().Shred(w.blair).ok());
  REQUIRE(w.fx().data_keys().Shred(older).ok());
  CHECK(w.records().NoteStudent(listed).error().code() == StatusCode::kGone);
  CHECK(w.records().FindNote(listed).error().code() == StatusCode::kGone);
  CHECK(w.records().RestrictedNoteText(listed).error().code() == StatusCode::kGone);
  CHECK(w.records().ReviseNote(Actor{w.teacher, "r", ""}, listed, "Late").error().code() ==
        StatusCode::kGone);
  CHECK(*w.records().ShreddedNoteStudent(listed) == w.blair);
  // A shred recorded before note ids were listed leaves its notes unknown.
  CHECK(w.records().NoteStudent("note_" + older).error().code() == StatusCode::kNotFound);
  CHECK(w.records().NoteStudent("note_" + w.alex));  // another student's stays
  CHECK(w.records().FindNote("note_never").error().code() == StatusCode::kNotFound);
  CHECK_FALSE(*w.records().ShreddedNoteStudent("note_never"));
  RequireRebuildIdentical(w);
}

// The replay skips a shredded student's note events, so only the shred's
// note_ids tell the lanes (rebuild_partitioner.cc) that a later note reuses
// an id the shred keeps as gone: each reuse here must replay after the shred.
// The `skip`-th student id (counted from 0) that a rebuild replays in `lane`.
std::string StudentInLane(size_t lane, int skip) {
  for (int i = 0;; ++i) {
    std::string id = "stu_lane" + std::to_string(i);
    if (RebuildLaneOf(id, RebuildLaneCount()) == lane && skip-- == 0) return id;
  }
}

TEST_CASE("a rebuild in lanes replays a note reusing a listed id after the shred that listed it") {
  // Each note id is listed by a shred in one lane, then reused and listed by
  // a shred in another, once each way: lanes that both wrote rec_shredded_notes
  // under those ids would get one wrong whichever lane wrote last.
  World w;
  AddEverything(w, w.alex);
  REQUIRE(RebuildLaneCount() >= 2);
  struct Reuse {
    std::string first, second, note;
  };
  const std::vector<Reuse> reuses = {
      {StudentInLane(0, 0), StudentInLane(1, 0), "note_reused0"},
      {StudentInLane(1, 1), StudentInLane(0, 1), "note_reused1"},
  };
  for (const Reuse& r : reuses) {
    AppendOrDie(w.log(), {Note(r.first, w.teacher, r.note, "first", false)});
    AppendOrDie(w.log(), {Shredded(r.first, {r.note})});
    REQUIRE(w.fx().data_keys().Shred(r.first).ok());
  }
  for (const Reuse& r : reuses) {
    AppendOrDie(w.log(), {Note(r.second, w.teacher, r.note, "reused", false)});
    AppendOrDie(w.log(), {Shredded(r.second, {r.note})});
    REQUIRE(w.fx().data_keys().Shred(r.second).ok());
    CHECK(*w.records().ShreddedNoteStudent(r.note) == r.second);
  }
  RequireRebuildIdentical(w);
}

TEST_CASE("a note on a new day reaches the summary, and later ones that day change nothing") {
  World w;
  const Actor teacher{w.teacher, "r", ""};
  auto alert = [&] {
    auto profile =
        w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
    REQUIRE(profile);
    return profile->at("attendance_summary").at("alert").as_bool();
  };
  for (int i = 0; i < 3; ++i) {  // three notes on day 0, each its own commit
    REQUIRE(w.records().WriteNote(teacher, w.alex, "sst", "Same day", false));
  }
  w.fx().clock().Advance(60 * kMicrosPerDay);
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-4), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent)});
  CHECK(alert());  // four absences and no note in the window
  REQUIRE(w.records().WriteNote(teacher, w.alex, "sst", "Called home", false));
  CHECK_FALSE(alert());  // the note of the new day is in the summary
  REQUIRE(w.records().WriteNote(teacher, w.alex, "sst", "Again", false));
  CHECK_FALSE(alert());
  RequireRebuildIdentical(w);
}

TEST_CASE("the recent window is today and the 44 days before it") {
  World w;
  auto alert = [&] {
    auto profile =
        w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
    REQUIRE(profile);
    return profile->at("attendance_summary").at("alert").as_bool();
  };
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-45), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-3), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-2), fb::AttendanceStatus::Absent),
                        Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent)});
  CHECK_FALSE(alert());  // 45 days ago is the 46th day
  AppendOrDie(w.log(), {Attendance(w.alex, w.Day(-44), fb::AttendanceStatus::Absent)});
  CHECK(alert());
  RequireRebuildIdentical(w);
}

TEST_CASE("a student's summary keeps only the absences that can still raise an alert") {
  // Thousands of absences for one student must not make each one rewrite
  // them all (an import's time grew with the square of their number).
  World w;
  for (int first = -2000; first < 0; first += 100) {
    std::vector<NewEvent> batch;
    for (int day = first; day < first + 100; ++day) {
      batch.push_back(Attendance(w.alex, w.Day(day), fb::AttendanceStatus::Absent));
    }
    AppendOrDie(w.log(), std::move(batch));
  }
  auto summary = w.fx().store().Get("rec_student", AsBytes(records::SummaryKey(w.alex)));
  REQUIRE(summary);
  REQUIRE(*summary);
  CHECK((*summary)->size() < 4096);  // 45 days' worth, not 2,000
  auto profile = w.records().Profile(w.alex, false, w.now(), "districtwide", w.Viewer(w.principal));
  REQUIRE(profile);
  CHECK(profile->at("attendance_summary").at("alert").as_bool());
  RequireRebuildIdentical(w);
}

TEST_CASE("records never hold personal data in plaintext at rest") {
  World w;
  AppendOrDie(w.log(), {Voice(w.alex, w.now(), "Zanzibarquux answer")});
  auto note = w.records().WriteNote(Actor{w.teacher, "r", ""}, w.alex, "other",
                                    "Plughxyzzy note text", false);
  REQUIRE(note);
  w.fx().Reopen();  // flush to files
  CHECK_FALSE(testing::AnyFileContains(w.fx().store().path(), "Zanzibarquux"));
  CHECK_FALSE(testing::AnyFileContains(w.fx().store().path(), "Plughxyzzy"));
}

TEST_CASE("a personal record event that is not encrypted is refused") {
  World w;
  NewEvent plain = Attendance(w.alex, w.Day(-1), fb::AttendanceStatus::Absent);
  plain.personal = false;
  uint64_t before = w.log().size();
  auto appended = w.log().Append({std::move(plain)});
  REQUIRE_FALSE(appended);
  CHECK(w.log().size() == before);
}

}  // namespace
}  // namespace backpack::records_testing
