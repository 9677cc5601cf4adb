#include "demo/demo_district.h"

#include <catch2/catch.hpp>

#include "demo/demo_test_util.h"

namespace backpack {
namespace {

using demo_test::Csv;
using demo_test::DefaultDistrict;
using demo_test::Generated;
using demo_test::SmallDistrict;

TEST_CASE("the same seed and dates give byte-identical files") {
  const Generated a(SmallDistrict()), b(SmallDistrict());
  CHECK(a.HashFiles() == b.HashFiles());
  CHECK(a.summary.files.size() == 14);
}

TEST_CASE("another seed gives a different district") {
  const Generated a(SmallDistrict(600, 7)), b(SmallDistrict(600, 8));
  const auto ha = a.HashFiles(), hb = b.HashFiles();
  CHECK(ha.at("users.csv") != hb.at("users.csv"));
  CHECK(ha.at("attendance.csv") != hb.at("attendance.csv"));
  CHECK(ha.at("manifest.csv") == hb.at("manifest.csv"));
}

TEST_CASE("a later today extends the records without changing the roster") {
  DemoOptions later = SmallDistrict();
  later.today = "2027-01-29";
  const Generated a(SmallDistrict()), b(later);
  const auto ha = a.HashFiles(), hb = b.HashFiles();
  CHECK(ha.at("users.csv") == hb.at("users.csv"));
  CHECK(ha.at("enrollments.csv") == hb.at("enrollments.csv"));
  CHECK(a.Load("attendance.csv").rows.size() < b.Load("attendance.csv").rows.size());
}

void CheckStudentCount(const Generated& district, int students) {
  INFO("students: " << students);
  CHECK(district.Load("users.csv").IdsWithRole({"student"}).size() ==
        static_cast<size_t>(students));
  CHECK(district.Load("demographics.csv").rows.size() == static_cast<size_t>(students));
  CHECK(district.summary.counts.students == students);
}

TEST_CASE("users.csv holds exactly the requested number of students") {
  CheckStudentCount(DefaultDistrict(), 2000);
  for (int students : {1, 2, 137}) CheckStudentCount(Generated(SmallDistrict(students)), students);
}

TEST_CASE("schools hold roughly 500 to 1,000 students each") {
  const Csv users = DefaultDistrict().Load("users.csv");
  std::map<std::string, int> per_school;
  for (const auto& row : users.rows) {
    if (row[users.Col("role")] == "student") ++per_school[row[users.Col("orgSourcedIds")]];
  }
  CHECK(per_school.size() == 3);
  for (const auto& [school, count] : per_school) {
    INFO(school);
    CHECK(count >= 400);
    CHECK(count <= 1100);
  }
}

TEST_CASE("OneRoster and supplemental headers are exact") {
  const std::map<std::string, std::string> expected = {
      {"manifest.csv", "propertyName,value"},
      {"orgs.csv", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"},
      {"academicSessions.csv",
       "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"},
      {"courses.csv",
       "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
       "orgSourcedId,subjects,subjectCodes"},
      {"classes.csv",
       "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
       "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"},
      {"users.csv",
       "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
       "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
       "password"},
      {"enrollments.csv",
       "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
       "primary,beginDate,endDate"},
      {"demographics.csv",
       "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
       "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
       "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
       "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus"},
      {"attendance.csv", "studentSourcedId,date,status,excused,reason"},
      {"assessments.csv",
       "studentSourcedId,date,assessment,subject,score,percentile,performanceLevel"},
      {"grades.csv", "studentSourcedId,classSourcedId,term,grade,date"},
      {"services.csv", "studentSourcedId,service,provider,startDate,endDate"},
      {"teams.csv", "studentSourcedId,activity,season,coach"},
      {"student_voice.csv", "studentSourcedId,submittedAt,prompt,answer"},
  };
  const Generated& district = DefaultDistrict();
  for (const auto& [file, header] : expected) {
    const std::string text = demo_test::ReadFile(district.dir.path() / file);
    CHECK(text.substr(0, text.find('\n')) == header);
  }
}

TEST_CASE("every row of every file parses back with its header's field count") {
  const Generated& district = DefaultDistrict();
  for (const std::string& file : district.summary.files) {
    INFO(file);
    const Csv csv = district.Load(file);
    CHECK(!csv.rows.empty());
    for (const auto& row : csv.rows) REQUIRE(row.size() == csv.header.size());
  }
}

TEST_CASE("the manifest declares a OneRoster 1.1 bulk set") {
  const Csv manifest = DefaultDistrict().Load("manifest.csv");
  std::map<std::string, std::string> properties;
  for (const auto& row : manifest.rows) properties[row[0]] = row[1];
  CHECK(properties["oneroster.version"] == "1.1");
  CHECK(properties["manifest.version"] == "1.0");
  for (const char* file :
       {"orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"}) {
    CHECK(properties[std::string("file.") + file] == "bulk");
  }
  CHECK(properties["file.results"] == "absent");
}

TEST_CASE("the summary lists principals, teachers and guardians found in users.csv") {
  const Generated& district = DefaultDistrict();
  const DemoSummary& summary = district.summary;
  const Csv users = district.Load("users.csv");
  const std::set<std::string> admins = users.IdsWithRole({"administrator"});
  const std::set<std::string> teachers = users.IdsWithRole({"teacher"});
  const std::set<std::string> guardians = users.IdsWithRole({"parent", "guardian"});
  const std::set<std::string> students = users.IdsWithRole({"student"});
  REQUIRE(summary.principals.size() == summary.school_sourced_ids.size());
  for (const auto& p : summary.principals) CHECK(admins.count(p.sourced_id) == 1);
  CHECK(summary.teachers.size() == teachers.size());
  for (const auto& t : summary.teachers) {
    CHECK(teachers.count(t.account.sourced_id) == 1);
    CHECK(!t.class_sourced_ids.empty());
    CHECK(!t.account.username.empty());
  }
  REQUIRE(summary.guardians.size() == 5);
  CHECK(summary.guardians.front().student_sourced_ids.size() == 2);
  for (const auto& g : summary.guardians) {
    CHECK(guardians.count(g.account.sourced_id) == 1);
    for (const auto& child : g.student_sourced_ids) CHECK(students.count(child) == 1);
  }
  CHECK(summary.counts.guardians == static_cast<int64_t>(guardians.size()));
  CHECK(summary.counts.users == static_cast<int64_t>(users.rows.size()));
}

TEST_CASE("usernames are unique across users.csv") {
  const Csv users = DefaultDistrict().Load("users.csv");
  const auto names = users.Column("username");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
}

TEST_CASE("invalid options are rejected with InvalidArgument") {
  demo_test::TempDir dir;
  auto with = [](auto change) {
    DemoOptions options = SmallDistrict();
    change(options);
    return options;
  };
  for (const DemoOptions& options : {with([](DemoOptions& o) { o.students = 0; }),
                                     with([](DemoOptions& o) { o.students = 600000; }),
                                     with([](DemoOptions& o) { o.today = "2026-02-30"; }),
                                     with([](DemoOptions& o) { o.school_year_start = "26-08-24"; }),
                                     with([](DemoOptions& o) { o.school_days = 5; })}) {
    const auto result = WriteDemoDistrict(dir.path(), options);
    REQUIRE(!result.has_value());
    CHECK(result.error().code() == StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace backpack
