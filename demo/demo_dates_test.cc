// Dates of the generated records: within the school year, up to `today`.
#include <catch2/catch.hpp>

#include "demo/demo_district.h"
#include "demo/demo_test_util.h"

namespace backpack {
namespace {

using demo_test::Csv;
using demo_test::DefaultDistrict;

// ISO dates compare correctly as strings.
TEST_CASE("attendance lies within the school year, on or before today") {
  const auto& d = DefaultDistrict();
  CHECK(d.summary.school_year_start == "2026-08-24");
  CHECK(d.summary.today == "2026-11-20");
  const Csv attendance = d.Load("attendance.csv");
  std::set<std::string> dates;
  for (const auto& row : attendance.rows) {
    const std::string& date = row[attendance.Col("date")];
    REQUIRE(date >= d.summary.school_year_start);
    REQUIRE(date <= d.summary.today);
    CHECK((row[attendance.Col("status")] == "absent" || row[attendance.Col("status")] == "tardy"));
    CHECK((row[attendance.Col("excused")] == "true" || row[attendance.Col("excused")] == "false"));
    dates.insert(date);
  }
  CHECK(dates.count("2026-11-20") == 1);  // a Friday: records reach today
  CHECK(dates.count("2026-11-21") == 0);  // Saturday
  CHECK(dates.count("2026-09-07") == 0);  // Labor Day
  CHECK(*dates.begin() == "2026-08-24");
  CHECK(dates.size() > 50);
}

TEST_CASE("no record is dated after today") {
  const auto& d = DefaultDistrict();
  const std::string today = d.summary.today;
  const std::pair<const char*, const char*> dated[] = {{"assessments.csv", "date"},
                                                       {"grades.csv", "date"},
                                                       {"services.csv", "startDate"},
                                                       {"services.csv", "endDate"},
                                                       {"student_voice.csv", "submittedAt"}};
  for (const auto& [file, column] : dated) {
    INFO(file << " " << column);
    for (const auto& value : d.Load(file).Column(column)) REQUIRE(value.substr(0, 10) <= today);
  }
}

TEST_CASE("most students miss a handful of days and a few are chronically absent") {
  const auto& d = DefaultDistrict();
  const Csv attendance = d.Load("attendance.csv");
  std::map<std::string, int> absences, recent;
  for (const auto& row : attendance.rows) {
    if (row[attendance.Col("status")] != "absent") continue;
    ++absences[row[attendance.Col("studentSourcedId")]];
    if (row[attendance.Col("date")] >= "2026-10-06")
      ++recent[row[attendance.Col("studentSourcedId")]];
  }
  int few = 0, chronic = 0, alerts = 0;
  for (const auto& [student, count] : absences) {
    few += count <= 4;
    chronic += count >= 7;  // over 10% of the ~60 school days so far
  }
  for (const auto& [student, count] : recent) alerts += count >= 4;  // SPEC §6 feed alert
  few += 2000 - static_cast<int>(absences.size());
  CHECK(few > 1400);
  CHECK(chronic > 60);
  CHECK(chronic < 400);
  CHECK(alerts > 20);
}

TEST_CASE("services include some discontinued ones and the usual kinds") {
  const Csv services = DefaultDistrict().Load("services.csv");
  std::set<std::string> kinds;
  int ended = 0;
  for (const auto& row : services.rows) {
    kinds.insert(row[services.Col("service")]);
    ended += !row[services.Col("endDate")].empty();
  }
  CHECK(kinds.count("Reading intervention") == 1);
  CHECK(kinds.count("ELL support") == 1);
  CHECK(ended > 0);
  CHECK(ended < static_cast<int>(services.rows.size()));
}

TEST_CASE("birth dates match grades") {
  const auto& d = DefaultDistrict();
  const Csv users = d.Load("users.csv"), demographics = d.Load("demographics.csv");
  std::map<std::string, std::string> grade_of;
  for (const auto& row : users.rows)
    grade_of[row[users.Col("sourcedId")]] = row[users.Col("grades")];
  for (const auto& row : demographics.rows) {
    const std::string grade = grade_of.at(row[demographics.Col("sourcedId")]);
    const int g = grade == "KG" ? 0 : std::stoi(grade);
    const int year = std::stoi(row[demographics.Col("birthDate")].substr(0, 4));
    CHECK(year >= 2020 - g);  // kindergartners of 2026-27 were born 2020-21
    CHECK(year <= 2021 - g);
  }
}

// Access through a class needs enrollments in effect (SPEC §1), so the demo's
// teachers see their classes whenever the demo is made: in term time, and in
// the summer after the last school day.
TEST_CASE("every enrollment and the school year hold the day the demo is made") {
  for (const char* today : {"2026-11-20", "2027-06-30", "2027-08-22", "2027-08-23"}) {
    INFO(today);
    DemoOptions options = demo_test::SmallDistrict(50);
    options.today = today;
    const demo_test::Generated district(options);
    const Csv enrollments = district.Load("enrollments.csv");
    REQUIRE_FALSE(enrollments.rows.empty());
    for (const auto& row : enrollments.rows) {
      REQUIRE(row[enrollments.Col("beginDate")] <= today);
      REQUIRE(row[enrollments.Col("endDate")] >= today);
    }
    const Csv sessions = district.Load("academicSessions.csv");
    int years = 0;
    for (const auto& row : sessions.rows) {
      if (row[sessions.Col("type")] != "schoolYear") continue;
      ++years;
      CHECK(row[sessions.Col("startDate")] <= today);
      CHECK(row[sessions.Col("endDate")] >= today);
    }
    CHECK(years == 1);
  }
}

TEST_CASE("a school year with no days recorded yet still writes valid empty files") {
  DemoOptions options = demo_test::SmallDistrict(50);
  options.school_year_start = "2026-12-07";
  const demo_test::Generated district(options);
  CHECK(district.Load("attendance.csv").rows.empty());
  CHECK(district.Load("grades.csv").rows.empty());
  CHECK(district.Load("users.csv").rows.size() > 50);
}

}  // namespace
}  // namespace backpack
