// Referential integrity and realism of the generated district.
#include <algorithm>
#include <catch2/catch.hpp>

#include "demo/demo_district.h"
#include "demo/demo_test_util.h"

namespace backpack {
namespace {

using demo_test::Csv;
using demo_test::DefaultDistrict;
using demo_test::SplitList;

std::set<std::string> Ids(const Csv& csv, const std::string& column = "sourcedId") {
  const auto values = csv.Column(column);
  return {values.begin(), values.end()};
}

TEST_CASE("every enrollment references an existing class, school and user of its role") {
  const auto& d = DefaultDistrict();
  const Csv users = d.Load("users.csv"), classes = d.Load("classes.csv");
  const Csv enrollments = d.Load("enrollments.csv");
  const auto students = users.IdsWithRole({"student"}), teachers = users.IdsWithRole({"teacher"});
  const auto class_ids = Ids(classes), schools = Ids(d.Load("orgs.csv"));
  std::set<std::string> taught, attended;
  for (const auto& row : enrollments.rows) {
    const std::string& user = row[enrollments.Col("userSourcedId")];
    const std::string& role = row[enrollments.Col("role")];
    REQUIRE(class_ids.count(row[enrollments.Col("classSourcedId")]) == 1);
    REQUIRE(schools.count(row[enrollments.Col("schoolSourcedId")]) == 1);
    REQUIRE((role == "student" ? students : teachers).count(user) == 1);
    (role == "student" ? attended : taught).insert(row[enrollments.Col("classSourcedId")]);
  }
  CHECK(taught == class_ids);    // every class has a teacher
  CHECK(attended == class_ids);  // and students
  CHECK(Ids(enrollments).size() == enrollments.rows.size());
}

TEST_CASE("students take four to seven classes") {
  const Csv enrollments = DefaultDistrict().Load("enrollments.csv");
  std::map<std::string, int> per_student;
  for (const auto& row : enrollments.rows) {
    if (row[enrollments.Col("role")] == "student")
      ++per_student[row[enrollments.Col("userSourcedId")]];
  }
  CHECK(per_student.size() == 2000);
  for (const auto& [student, count] : per_student) {
    INFO(student);
    CHECK(count >= 4);
    CHECK(count <= 7);
  }
}

TEST_CASE("classes, courses and sessions reference existing rows") {
  const auto& d = DefaultDistrict();
  const Csv classes = d.Load("classes.csv"), courses = d.Load("courses.csv");
  const Csv orgs = d.Load("orgs.csv"), sessions = d.Load("academicSessions.csv");
  const auto course_ids = Ids(courses), org_ids = Ids(orgs), session_ids = Ids(sessions);
  for (const auto& row : classes.rows) {
    CHECK(course_ids.count(row[classes.Col("courseSourcedId")]) == 1);
    CHECK(org_ids.count(row[classes.Col("schoolSourcedId")]) == 1);
    CHECK(session_ids.count(row[classes.Col("termSourcedIds")]) == 1);
  }
  for (const auto& row : courses.rows) {
    CHECK(org_ids.count(row[courses.Col("orgSourcedId")]) == 1);
    CHECK(session_ids.count(row[courses.Col("schoolYearSourcedId")]) == 1);
  }
  for (const auto& row : sessions.rows) {
    const std::string& parent = row[sessions.Col("parentSourcedId")];
    CHECK((parent.empty() || session_ids.count(parent) == 1));
  }
  for (const auto& row : orgs.rows) {
    const std::string& parent = row[orgs.Col("parentSourcedId")];
    CHECK((parent.empty() || org_ids.count(parent) == 1));
  }
}

TEST_CASE("guardians and students name each other in agentSourcedIds") {
  const Csv users = DefaultDistrict().Load("users.csv");
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> by_id;
  for (const auto& row : users.rows) {
    by_id[row[users.Col("sourcedId")]] = {row[users.Col("role")],
                                          SplitList(row[users.Col("agentSourcedIds")])};
  }
  auto names = [&](const std::string& from, const std::string& to) {
    const auto& agents = by_id.at(from).second;
    return std::find(agents.begin(), agents.end(), to) != agents.end();
  };
  for (const auto& [id, entry] : by_id) {
    const auto& [role, agents] = entry;
    if (role == "student") {
      CHECK(agents.size() >= 1);
      CHECK(agents.size() <= 2);
    }
    if (role != "student" && role != "parent" && role != "guardian") CHECK(agents.empty());
    for (const auto& agent : agents) {
      REQUIRE(by_id.count(agent) == 1);
      const std::string& other = by_id.at(agent).first;
      CHECK((role == "student" ? other != "student" : other == "student"));
      CHECK(names(agent, id));
    }
  }
}

TEST_CASE("every supplemental row belongs to a student") {
  const auto& d = DefaultDistrict();
  const auto students = d.Load("users.csv").IdsWithRole({"student"});
  for (const char* file : {"attendance.csv", "assessments.csv", "grades.csv", "services.csv",
                           "teams.csv", "student_voice.csv"}) {
    INFO(file);
    const Csv csv = d.Load(file);
    CHECK(!csv.rows.empty());
    for (const auto& id : csv.Column("studentSourcedId")) REQUIRE(students.count(id) == 1);
  }
  for (const auto& id : d.Load("demographics.csv").Column("sourcedId")) {
    REQUIRE(students.count(id) == 1);
  }
}

TEST_CASE("grades are for classes the student is enrolled in, by grading period") {
  const auto& d = DefaultDistrict();
  const Csv enrollments = d.Load("enrollments.csv"), grades = d.Load("grades.csv");
  const auto sessions = Ids(d.Load("academicSessions.csv"));
  std::set<std::pair<std::string, std::string>> enrolled;
  for (const auto& row : enrollments.rows) {
    enrolled.insert(
        {row[enrollments.Col("userSourcedId")], row[enrollments.Col("classSourcedId")]});
  }
  std::set<std::tuple<std::string, std::string, std::string>> keys;
  for (const auto& row : grades.rows) {
    const std::string& student = row[grades.Col("studentSourcedId")];
    const std::string& klass = row[grades.Col("classSourcedId")];
    REQUIRE(enrolled.count({student, klass}) == 1);
    CHECK(sessions.count(row[grades.Col("term")]) == 1);
    CHECK(keys.insert({student, klass, row[grades.Col("term")]}).second);  // one grade per term
  }
}

}  // namespace
}  // namespace backpack
