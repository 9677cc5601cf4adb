// A corrected supplemental row (same identity, other content) replaces the
// earlier version: the profile, the attendance summary and alert, and the
// home feed show only the new one; the log keeps both.
#include <catch2/catch.hpp>

#include "projections/ids.h"
#include "projections/intake/intake_test_util.h"
#include "projections/rebuild.h"
#include "projections/records/records.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"

using namespace backpack;
using namespace backpack::intake::testing;
using Counts = std::map<std::string, int>;
namespace json = boost::json;

namespace {

// SmallDistrict() with four recent absences of s-102 (the fixture's clock is
// 2026-09-21): enough for an attendance alert.
imports::FileSet WithRecentAbsences() {
  imports::FileSet files = SmallDistrict();
  for (const char* day : {"2026-09-14", "2026-09-15", "2026-09-16", "2026-09-17"}) {
    files["attendance.csv"] += "s-102," + std::string(day) + ",absent,false,\n";
  }
  return files;
}

// A districtwide educator, who may read every profile and sees every feed item.
std::string AddPrincipal(IntakeFixture& f) {
  AddUserRequest r;
  r.username = "principal";
  r.role = Role::kEducator;
  r.display_name = "Synthetic principal";
  r.flags = {std::string(kFlagDistrictwide)};
  r.password_cost = PasswordCost::kMinimal;
  auto id = RosterCommands(f.domain().services())
                .AddUser(Actor{"system", "req_1", ""}, r, "correct horse battery");
  REQUIRE(id);
  return *id;
}

std::string StudentOf(IntakeFixture& f, const std::string& sourced_id) {
  return StudentIdFor(f.domain().keys().index_key, sourced_id);
}

json::object Profile(IntakeFixture& f, const std::string& viewer, const std::string& student) {
  auto user = f.domain().services().roster->FindUser(viewer);
  REQUIRE(user);
  auto profile = f.domain().services().records->Profile(
      student, /*history_all=*/true, f.domain().clock().NowMicros(), "districtwide", *user);
  REQUIRE(profile);
  return std::move(*profile);
}

// The rows of a profile section, recent and older; `live` drops retracted ones.
std::vector<json::object> Rows(const json::object& profile, const std::string& section, bool live) {
  std::vector<json::object> rows;
  for (const json::value* part :
       {profile.if_contains(section), profile.at("older").as_object().if_contains(section)}) {
    if (!part) continue;
    for (const json::value& row : part->as_array()) {
      if (!live || !row.at("retracted").as_bool()) rows.push_back(row.as_object());
    }
  }
  return rows;
}

// The feed items of `type` about `student`.
std::vector<json::object> FeedItems(IntakeFixture& f, const std::string& educator,
                                    const std::string& type, const std::string& student) {
  auto page =
      f.domain().services().records->Feed(educator, 100, "", f.domain().clock().NowMicros());
  REQUIRE(page);
  std::vector<json::object> items;
  for (const json::value& item : page->items) {
    if (item.at("type").as_string() == type && item.at("student").at("id").as_string() == student) {
      items.push_back(item.as_object());
    }
  }
  return items;
}

// The seq of the first event of `type` about `student`.
uint64_t FirstSeqOf(IntakeFixture& f, EventType type, const std::string& student) {
  for (const auto& e : f.EventsFrom(0)) {
    if (e.header.type == type && e.header.subject_id == student) return e.header.seq;
  }
  FAIL("no such event");
  return 0;
}

}  // namespace

TEST_CASE("a corrected absence leaves the profile's live rows, the summary, alert and feed") {
  IntakeFixture f;
  f.ImportOk(WithRecentAbsences());
  const std::string principal = AddPrincipal(f);
  const std::string student = StudentOf(f, "s-102");
  Records& records = *f.domain().services().records;
  const int64_t now = f.domain().clock().NowMicros();
  REQUIRE(*records.HasAttendanceAlert(student, now));
  REQUIRE(FeedItems(f, principal, "attendance_alert", student).size() == 1);

  auto corrected =
      Edit(WithRecentAbsences(), "attendance.csv", "2026-09-17,absent", "2026-09-17,present");
  ImportReport report = f.ImportOk(corrected);
  CHECK(report.replaced == 1);
  json::object profile = Profile(f, principal, student);
  std::vector<std::string> on_the_day;
  for (const auto& row : Rows(profile, "attendance", /*live=*/true)) {
    if (row.at("date").as_string() == "2026-09-17")
      on_the_day.emplace_back(row.at("status").as_string());
  }
  CHECK(on_the_day == std::vector<std::string>{"present"});
  CHECK(Rows(profile, "attendance", /*live=*/false).size() == 6);  // the absence stays, flagged
  const json::object& summary = profile.at("attendance_summary").as_object();
  CHECK(summary.at("absent").as_int64() == 3);
  CHECK(summary.at("present").as_int64() == 1);
  CHECK_FALSE(summary.at("alert").as_bool());
  CHECK_FALSE(*records.HasAttendanceAlert(student, now));
  CHECK(FeedItems(f, principal, "attendance_alert", student).empty());
}

TEST_CASE("a corrected grade is shown once, as corrected") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const std::string principal = AddPrincipal(f);
  f.ImportOk(Edit(SmallDistrict(), "grades.csv", ",Q1,B+,", ",Q1,A-,"));
  auto grades = Rows(Profile(f, principal, StudentOf(f, "s-101")), "grades", /*live=*/true);
  REQUIRE(grades.size() == 1);
  CHECK(grades[0].at("grade").as_string() == "A-");
}

TEST_CASE("a service whose provider changed appears once in the feed and the profile") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  const std::string principal = AddPrincipal(f);
  const std::string student = StudentOf(f, "s-101");
  f.ImportOk(Edit(SmallDistrict(), "services.csv", "Specialist R", "Specialist Q"));
  auto feed = FeedItems(f, principal, "service", student);
  REQUIRE(feed.size() == 1);
  CHECK(feed[0].at("provider").as_string() == "Specialist Q");
  auto services = Rows(Profile(f, principal, student), "services", /*live=*/true);
  REQUIRE(services.size() == 1);
  CHECK(services[0].at("provider").as_string() == "Specialist Q");
}

TEST_CASE("a service reaching its end date stays one record, discontinued, not replaced") {
  IntakeFixture f;  // clock: 2026-09-21
  imports::FileSet ended;
  SECTION("with the end date exported while it was ahead") {
    auto planned =
        Edit(SmallDistrict(), "services.csv", "2025-09-10,\n", "2025-09-10,2026-10-01\n");
    f.ImportOk(planned);
    f.domain().clock().Advance(30 * kMicrosPerDay);  // 2026-10-21
    ended = planned;
  }
  SECTION("with the end date first exported once it has come") {
    f.ImportOk(SmallDistrict());
    ended = Edit(SmallDistrict(), "services.csv", "2025-09-10,\n", "2025-09-10,2026-09-01\n");
  }
  const std::string principal = AddPrincipal(f);
  const std::string student = StudentOf(f, "s-101");
  uint64_t size = f.log().size();
  ImportReport report = f.ImportOk(ended);
  CHECK(report.replaced == 0);
  CHECK(f.CountsFrom(size) == Counts{{"ServiceDiscontinued", 1}, {"ImportCompleted", 1}});
  auto services = Rows(Profile(f, principal, student), "services", /*live=*/false);
  REQUIRE(services.size() == 1);
  CHECK_FALSE(services[0].at("retracted").as_bool());
  CHECK(services[0].at("discontinued_reason").as_string() == "end_date_reached");
  CHECK(f.ImportOk(ended).events_appended == 0);
}

TEST_CASE("a discontinued service later corrected is replaced") {
  IntakeFixture f;  // s-103's speech therapy ended on 2025-10-31: discontinued at once
  f.ImportOk(SmallDistrict());
  const std::string principal = AddPrincipal(f);
  const std::string student = StudentOf(f, "s-103");
  const uint64_t recorded = FirstSeqOf(f, EventType::ServiceRecorded, student);
  imports::FileSet corrected;
  std::string provider = "Specialist S";
  SECTION("its provider") {
    corrected = Edit(SmallDistrict(), "services.csv", "Specialist S", "Specialist T");
    provider = "Specialist T";
  }
  SECTION("its end date") {
    corrected = Edit(SmallDistrict(), "services.csv", "2025-10-31", "2025-10-15");
  }
  uint64_t size = f.log().size();
  f.ImportOk(corrected);
  CHECK(f.CountsFrom(size) == Counts{{"RecordRetracted", 1},
                                     {"ServiceRecorded", 1},
                                     {"ServiceDiscontinued", 1},
                                     {"ImportCompleted", 1}});
  auto events = f.EventsFrom(size);
  auto* retracted = PayloadAs<fb::RecordRetractedPayload>(events[0]);
  CHECK(retracted->row_seq() == recorded);  // the record, not its ServiceDiscontinued
  CHECK(retracted->replaced());
  auto services = Rows(Profile(f, principal, student), "services", /*live=*/true);
  REQUIRE(services.size() == 1);
  CHECK(services[0].at("provider").as_string() == provider);
  CHECK(services[0].at("discontinued_reason").as_string() == "end_date_reached");
  CHECK(Rows(Profile(f, principal, student), "services", /*live=*/false).size() == 2);
}

TEST_CASE("a corrected set imported again appends nothing, the original again corrects back") {
  IntakeFixture f;
  f.ImportOk(SmallDistrict());
  auto corrected = Edit(SmallDistrict(), "grades.csv", ",Q1,B+,", ",Q1,A-,");
  corrected = Edit(corrected, "teams.csv", "Coach K", "Coach L");
  CHECK(f.ImportOk(corrected).replaced == 2);
  CHECK(f.ImportOk(corrected).events_appended == 0);
  ImportReport back = f.ImportOk(SmallDistrict());
  CHECK(back.replaced == 2);
  CHECK(f.ImportOk(SmallDistrict()).events_appended == 0);
}

TEST_CASE("after corrections a rebuild equals the incremental projections byte for byte") {
  IntakeFixture f;
  f.ImportOk(WithRecentAbsences());
  AddPrincipal(f);
  auto corrected =
      Edit(WithRecentAbsences(), "attendance.csv", "2026-09-17,absent", "2026-09-17,present");
  corrected = Edit(corrected, "grades.csv", ",Q1,B+,", ",Q1,A-,");
  corrected = Edit(corrected, "services.csv", "Specialist R", "Specialist Q");
  corrected = Edit(corrected, "services.csv", "Specialist S", "Specialist T");
  corrected = Edit(corrected, "student_voice.csv", "Quiet mornings", "Calm mornings");
  f.ImportOk(corrected);
  f.ImportOk(Edit(corrected, "services.csv", "2025-09-10,\n", "2025-09-10,2026-09-01\n"));
  backpack::testing::TempDir scratch_dir;
  std::unique_ptr<Store> scratch = f.domain().Rebuilt(scratch_dir.path() / "db");
  auto difference =
      FirstDifference(f.domain().store(), *scratch, f.domain().domain().ColumnFamilies());
  REQUIRE(difference);
  CHECK(*difference == std::nullopt);
}
