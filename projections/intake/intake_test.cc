// Import: one commit per set, idempotent re-imports, changed rows only.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "projections/ids.h"
#include "projections/intake/intake_test_util.h"

using namespace backpack;
using namespace backpack::intake::testing;
using Counts = std::map<std::string, int>;

namespace {

// SmallDistrict() as of the fixture's clock (2026-09-21): one service has
// ended, so it is recorded and discontinued.
const Counts kFirstImport = {
    {"OrgImported", 3},           {"AcademicSessionImported", 2}, {"ClassImported", 1},
    {"StudentImported", 3},       {"GuardianLinked", 2},          {"EnrollmentImported", 3},
    {"AttendanceRecorded", 3},    {"AssessmentRecorded", 1},      {"GradeRecorded", 1},
    {"ServiceRecorded", 2},       {"ServiceDiscontinued", 1},     {"TeamMembershipRecorded", 1},
    {"StudentVoiceSubmitted", 1}, {"ImportCompleted", 1}};
constexpr uint64_t kFirstImportEvents = 25;
constexpr uint64_t kSmallDistrictRows = 23;

}  // namespace

TEST_CASE("a first import appends every row, then ImportCompleted, in one commit") {
  IntakeFixture f;
  uint64_t groups = f.log().stats().groups_committed;
  ImportReport report = f.ImportOk(SmallDistrict());
  CHECK(report.events_appended == kFirstImportEvents);
  CHECK(f.log().size() == kFirstImportEvents);
  CHECK(f.log().stats().groups_committed == groups + 1);
  CHECK(f.CountsFrom(0) == kFirstImport);

  auto events = f.EventsFrom(0);
  const LoggedEvent& last = events.back();
  REQUIRE(last.header.type == EventType::ImportCompleted);
  CHECK_FALSE(last.header.payload_encrypted);
  auto* completed = PayloadAs<fb::ImportCompletedPayload>(last);
  CHECK(completed->import_id()->str() == report.import_id);
  CHECK(completed->events_appended() == kFirstImportEvents);
  CHECK(completed->file_set_hash()->size() == 32);
  CHECK(completed->files()->size() == SmallDistrict().size());
  CHECK(last.header.actor_id == "system");
}

TEST_CASE("import events carry the student as subject and encrypt personal payloads") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const AeadKey& index_key = f.domain().keys().index_key;
  for (const auto& e : f.EventsFrom(0)) {
    INFO(EventTypeName(e.header.type));
    switch (e.header.type) {
      case EventType::OrgImported:
      case EventType::AcademicSessionImported:
      case EventType::ClassImported:
      case EventType::ImportCompleted:
        CHECK(e.header.subject_id.empty());
        CHECK_FALSE(e.header.payload_encrypted);
        break;
      case EventType::StudentImported: {
        auto* p = PayloadAs<fb::StudentImportedPayload>(e);
        CHECK(e.header.subject_id == StudentIdFor(index_key, p->sourced_id()->str()));
        CHECK(e.header.payload_encrypted);
        break;
      }
      case EventType::EnrollmentImported: {
        auto* p = PayloadAs<fb::EnrollmentImportedPayload>(e);
        bool student = p->role()->str() == "student";
        CHECK(e.header.payload_encrypted == student);
        CHECK(e.header.subject_id ==
              (student ? StudentIdFor(index_key, p->user_sourced_id()->str()) : ""));
        break;
      }
      default:
        CHECK(e.header.subject_id.starts_with("stu_"));
        CHECK(e.header.payload_encrypted);
    }
  }
}

TEST_CASE("import payloads fold courses into classes and join demographics") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  for (const auto& e : f.EventsFrom(0)) {
    if (e.header.type == EventType::ClassImported) {
      auto* p = PayloadAs<fb::ClassImportedPayload>(e);
      CHECK(p->course_title()->str() == "Science 7");
      CHECK(p->school_sourced_id()->str() == "sch-a");
    } else if (e.header.type == EventType::StudentImported) {
      auto* p = PayloadAs<fb::StudentImportedPayload>(e);
      if (p->sourced_id()->str() != "s-101") continue;
      CHECK(p->given_name()->str() == "Zephyrine");
      CHECK(p->grade()->str() == "07");
      CHECK(p->school_sourced_id()->str() == "sch-a");
      CHECK(p->birth_date()->str() == "2013-05-06");
      REQUIRE(p->demographics());
      CHECK(p->demographics()->sex()->str() == "female");
      CHECK(p->demographics()->hispanic_or_latino_ethnicity() == false);
      CHECK_FALSE(p->demographics()->asian().has_value());
    } else if (e.header.type == EventType::GuardianLinked) {
      auto* p = PayloadAs<fb::GuardianLinkedPayload>(e);
      CHECK((p->relationship()->str() == "parent" || p->relationship()->str() == "guardian"));
    } else if (e.header.type == EventType::StudentVoiceSubmitted) {
      auto* p = PayloadAs<fb::StudentVoiceSubmittedPayload>(e);
      CHECK(p->submitted_at_us() == 1'758'377'100'000'000);  // 2025-09-20T14:05:00Z
    } else if (e.header.type == EventType::AssessmentRecorded) {
      auto* p = PayloadAs<fb::AssessmentRecordedPayload>(e);
      CHECK(p->score()->str() == "212.5");
      CHECK(p->percentile() == 64);
    }
  }
}

TEST_CASE("a repeated set appends nothing and names the first import, after a restart too") {
  IntakeFixture f;
  const ImportReport first = f.ImportOk(SmallDistrict());
  REQUIRE_FALSE(first.import_id.empty());
  uint64_t size = f.log().size();
  ImportReport again = f.ImportOk(SmallDistrict());
  CHECK(again.events_appended == 0);
  CHECK(again.import_id == first.import_id);
  CHECK(again.unchanged == kSmallDistrictRows);
  f.domain().Reopen();
  again = f.ImportOk(SmallDistrict());
  CHECK(again.events_appended == 0);
  CHECK(again.import_id == first.import_id);
  CHECK(f.log().size() == size);
}

TEST_CASE("a set that changes nothing names the latest import of the same files") {
  IntakeFixture f;
  const ImportReport first = f.ImportOk(SmallDistrict());
  const auto corrected = Edit(SmallDistrict(), "attendance.csv", "absent,true,Illness",
                              "absent,true,Medical appointment");
  const ImportReport correction = f.ImportOk(corrected);
  CHECK(f.ImportOk(corrected).import_id == correction.import_id);
  // The first set again changes the row back: an import of its own, which
  // a repeat of the same files then names.
  const ImportReport back = f.ImportOk(SmallDistrict());
  REQUIRE(back.events_appended > 0);
  CHECK(back.import_id != first.import_id);
  const uint64_t size = f.log().size();
  CHECK(f.ImportOk(SmallDistrict()).import_id == back.import_id);
  CHECK(f.log().size() == size);
}

TEST_CASE("a dry run reports what the import would append and appends nothing") {
  IntakeFixture f;
  Intake& intake = *f.domain().services().intake;
  CHECK_FALSE(*intake.HasImports());
  ImportOptions dry;
  dry.dry_run = true;
  const Actor system{"system", "req_test", ""};
  auto planned = Import(f.domain().services(), ParseOk(SmallDistrict()), system, dry);
  REQUIRE(planned);
  CHECK(planned->events_appended == kFirstImportEvents);
  CHECK(planned->import_id.empty());
  CHECK(f.log().size() == 0);
  CHECK_FALSE(*intake.HasImports());

  const ImportReport first = f.ImportOk(SmallDistrict());
  CHECK(*intake.HasImports());
  auto again = Import(f.domain().services(), ParseOk(SmallDistrict()), system, dry);
  REQUIRE(again);
  CHECK(again->events_appended == 0);
  CHECK(again->unchanged == kSmallDistrictRows);
  CHECK(again->import_id == first.import_id);  // as a real import answers
}

TEST_CASE("the same rows in another order or file layout append nothing") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  uint64_t size = f.log().size();
  auto files = SmallDistrict();
  files["attendance.csv"] =
      "studentSourcedId,date,status,excused,reason\n"
      "s-102,2025-09-03,absent,false,\n"
      "s-101,2025-09-04,tardy,false,Bus late\n"
      "s-101,2025-09-03,absent,true,Illness\n";
  const ImportReport report = f.ImportOk(files);
  CHECK(report.events_appended == 0);
  CHECK(report.import_id.empty());  // no import had these files
  CHECK(f.log().size() == size);
}

TEST_CASE("changing one attendance row replaces exactly that row with its new version") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  uint64_t size = f.log().size();
  uint64_t old_seq = 0;
  for (const auto& e : f.EventsFrom(0)) {
    if (e.header.type == EventType::AttendanceRecorded && old_seq == 0) old_seq = e.header.seq;
  }
  auto files = Edit(SmallDistrict(), "attendance.csv", "absent,true,Illness",
                    "absent,true,Medical appointment");
  ImportReport report = f.ImportOk(files);
  CHECK(report.events_appended == 3);
  CHECK(report.unchanged == kSmallDistrictRows - 1);
  CHECK(report.replaced == 1);
  CHECK(report.retracted == 0);
  CHECK(f.CountsFrom(size) ==
        Counts{{"RecordRetracted", 1}, {"AttendanceRecorded", 1}, {"ImportCompleted", 1}});
  auto events = f.EventsFrom(size);
  auto* retracted = PayloadAs<fb::RecordRetractedPayload>(events[0]);
  CHECK(retracted->kind() == fb::RecordKind::Attendance);
  CHECK(retracted->sourced_id()->str().empty());
  CHECK(retracted->row_seq() == old_seq);
  CHECK(retracted->replaced());
  CHECK(events[0].header.subject_id == events[1].header.subject_id);
  auto* p = PayloadAs<fb::AttendanceRecordedPayload>(events[1]);
  CHECK(p->reason()->str() == "Medical appointment");
  CHECK(p->import_id()->str() == report.import_id);
  CHECK(f.ImportOk(files).events_appended == 0);
}

TEST_CASE("rows sharing an identity within one set count once, the last one winning") {
  IntakeFixture f;
  auto files = SmallDistrict();
  files["attendance.csv"] += "s-101,2025-09-03,absent,true,Dentist\n";
  ImportReport first = f.ImportOk(files);
  CHECK(first.superseded == 1);  // and the import says so
  CHECK(f.CountsFrom(0)["AttendanceRecorded"] == 3);
  CHECK(f.ImportOk(files).events_appended == 0);
}

TEST_CASE("a long attendance file is appended in file order, row for row") {
  IntakeFixture f;
  auto files = SmallDistrict();
  // Far more rows than one core builds alone, each on its own day.
  constexpr int kRows = 3 * 4096 + 7;
  const auto first_day = std::chrono::sys_days(std::chrono::year(2000) / 1 / 1);
  for (int i = 0; i < kRows; ++i) {
    std::chrono::year_month_day day(first_day + std::chrono::days(i));
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    files["attendance.csv"] +=
        "s-102," + std::string(date) + ",tardy,false,row " + std::to_string(i) + "\n";
  }
  f.ImportOk(files);
  std::vector<std::string> reasons;
  for (const auto& e : f.EventsFrom(0)) {
    if (e.header.type != EventType::AttendanceRecorded) continue;
    auto* p = PayloadAs<fb::AttendanceRecordedPayload>(e);
    if (p->reason()->str().rfind("row ", 0) == 0) reasons.push_back(p->reason()->str());
  }
  REQUIRE(reasons.size() == kRows);
  for (int i = 0; i < kRows; ++i) {
    INFO("row " << i);
    REQUIRE(reasons[i] == "row " + std::to_string(i));
  }
}

TEST_CASE("a service is discontinued once its end date has come") {
  IntakeFixture f;  // clock: 2026-09-21
  f.ImportOk(SmallDistrict());
  uint64_t size = f.log().size();
  auto files = Edit(SmallDistrict(), "services.csv", "2025-09-10,\n", "2025-09-10,2026-10-01\n");
  f.ImportOk(files);  // a changed row: the earlier version is replaced
  CHECK(f.CountsFrom(size) ==
        Counts{{"RecordRetracted", 1}, {"ServiceRecorded", 1}, {"ImportCompleted", 1}});
  size = f.log().size();
  CHECK(f.ImportOk(files).events_appended == 0);
  f.domain().clock().Advance(30 * kMicrosPerDay);  // 2026-10-21
  f.ImportOk(files);
  CHECK(f.CountsFrom(size) == Counts{{"ServiceDiscontinued", 1}, {"ImportCompleted", 1}});
  CHECK(f.ImportOk(files).events_appended == 0);
}

TEST_CASE("a birthDate after the store's today is refused at its line and nothing is appended") {
  IntakeFixture f;  // clock: 2026-09-21
  auto import = [&](const std::string& birth_date, imports::ImportErrors* refusal) {
    imports::FileSet files = Edit(SmallDistrict(), "demographics.csv", "2013-05-06", birth_date);
    return Import(f.domain().services(), ParseOk(files), Actor{"system", "req_test", ""}, {},
                  refusal);
  };
  imports::ImportErrors refusal;
  auto tomorrow = import("2026-09-22", &refusal);
  REQUIRE_FALSE(tomorrow);
  CHECK(tomorrow.error().code() == StatusCode::kUnprocessable);
  REQUIRE(refusal.errors().size() == 1);
  CHECK(refusal.errors()[0].ToString() == "demographics.csv:2: birthDate: in the future");
  CHECK(f.log().size() == 0);
  imports::ImportErrors none;
  auto today = import("2026-09-21", &none);  // born today: an odd row, but a possible one
  CHECK(today);
  CHECK(none.empty());
}
