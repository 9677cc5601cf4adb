// ImportSet from bad input: every problem reported as file:line: message.
#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "imports/import_set.h"
#include "imports/test_util.h"

using namespace backpack;
using namespace backpack::imports;
using namespace backpack::imports::testing;

namespace {

using Strings = std::vector<std::string>;

// GoodFiles() with the first `from` in `file` replaced by `to`.
FileSet Edit(FileSet files, const std::string& file, const std::string& from,
             const std::string& to) {
  std::string& content = files.at(file);
  size_t at = content.find(from);
  REQUIRE(at != std::string::npos);
  content.replace(at, from.size(), to);
  return files;
}
FileSet Edit(const std::string& file, const std::string& from, const std::string& to) {
  return Edit(GoodFiles(), file, from, to);
}

Strings ErrorsOf(const FileSet& files, const ImportLimits& limits = {}) {
  REQUIRE(CryptoInit().ok());
  auto set = ParseImportFiles(files, limits);
  REQUIRE_FALSE(set.has_value());
  return Messages(set.error());
}

FileSet With(const std::string& file, const std::string& content) {
  FileSet files = GoodFiles();
  files[file] = content;
  return files;
}

FileSet Without(const std::string& file) {
  FileSet files = GoodFiles();
  files.erase(file);
  return files;
}

}  // namespace

TEST_CASE("header problems: unknown, repeated and missing columns") {
  CHECK(ErrorsOf(With("teams.csv",
                      "studentSourcedId,activity,season,coach,mascot\n"
                      "stu-2,Chess club,Fall 2024,Coach B,Owl\n")) ==
        Strings{"teams.csv:1: unknown column \"mascot\""});
  CHECK(ErrorsOf(With("teams.csv", "studentSourcedId,activity\nstu-2,Chess\n")) ==
        Strings{"teams.csv:1: missing required column \"season\""});
  CHECK(ErrorsOf(With("teams.csv", "studentSourcedId,activity,season,season\nstu-2,a,b,c\n")) ==
        Strings{"teams.csv:1: column \"season\" appears more than once"});
  CHECK(ErrorsOf(Edit("orgs.csv", "name,type,", "name,")) ==
        Strings{"orgs.csv:1: missing required column \"type\""});
}

TEST_CASE("metadata extension columns are ignored, other unknown columns are not") {
  REQUIRE(CryptoInit().ok());
  FileSet files = Edit("orgs.csv", "parentSourcedId\n", "parentSourcedId,metadata.sis.region\n");
  files = Edit(files, "orgs.csv", "D1,\n", "D1,,North\n");
  files = Edit(files, "orgs.csv", "district-1\n", "district-1,\n");
  auto set = ParseImportFiles(files);
  CHECK(set.has_value());
  CHECK(ErrorsOf(Edit(files, "orgs.csv", "metadata.sis.region", "metadata")) ==
        Strings{"orgs.csv:1: unknown column \"metadata\""});
}

TEST_CASE("records with the wrong number of fields are reported and skipped") {
  CHECK(ErrorsOf(With("teams.csv",
                      "studentSourcedId,activity,season,coach\n"
                      "stu-2,Chess club\n"
                      "stu-1,Art,Spring,,extra\n"
                      "stu-1,Art,Spring,\n")) ==
        Strings{"teams.csv:2: expected 4 fields, found 2",
                "teams.csv:3: expected 4 fields, found 5"});
}

TEST_CASE("a short row is the only problem reported about it, not each reference to it") {
  // school-1, which courses, classes, users and enrollments all name, loses two fields.
  CHECK(ErrorsOf(Edit("orgs.csv", "Example Middle School,school,S1,district-1",
                      "Example Middle School,school")) ==
        Strings{"orgs.csv:3: expected 7 fields, found 5"});
}

TEST_CASE("a bidirectional control in an imported name is refused at its file and line") {
  CHECK(ErrorsOf(Edit("users.csv", "stu2,,Sample,", "stu2,,Sa\xe2\x80\xaemple,")) ==
        Strings{"users.csv:3: bidirectional control character in field 9"});
}

TEST_CASE("rows naming an org or class marked tobedeleted are errors unless marked so too") {
  const std::string deleted_class =
      "classSourcedId: the class in classes.csv with that sourcedId is marked tobedeleted, and is "
      "not imported";
  FileSet files = Edit("classes.csv", "class-math7a,,", "class-math7a,tobedeleted,");
  CHECK(ErrorsOf(files) == Strings{"enrollments.csv:2: " + deleted_class,
                                   "enrollments.csv:3: " + deleted_class,
                                   "grades.csv:2: " + deleted_class});
  files = Edit(files, "enrollments.csv", "enr-1,,", "enr-1,tobedeleted,");
  files = Edit(files, "enrollments.csv", "enr-2,,", "enr-2,tobedeleted,");
  files = Edit(files, "grades.csv", "stu-1,class-math7a,Q1,B+,2024-11-01\n", "");
  REQUIRE(CryptoInit().ok());
  CHECK(ParseImportFiles(files).has_value());
  const std::string deleted_org =
      ": the org in orgs.csv with that sourcedId is marked tobedeleted, and is not imported";
  CHECK(ErrorsOf(Edit("orgs.csv", "district-1,,,", "district-1,tobedeleted,,")) ==
        Strings{"orgs.csv:3: parentSourcedId" + deleted_org,
                "users.csv:6: orgSourcedIds" + deleted_org});
}

TEST_CASE("empty required fields are reported by column") {
  CHECK(ErrorsOf(Edit("users.csv", "stu2,,Sample,", "stu2,,,")) ==
        Strings{"users.csv:3: givenName: required field is empty"});
  CHECK(ErrorsOf(Edit("attendance.csv", "stu-2,2024-09-04,tardy", "stu-2,,")) ==
        Strings{"attendance.csv:3: date: required field is empty",
                "attendance.csv:3: status: required field is empty"});
}

TEST_CASE("bad dates and datetimes") {
  CHECK(ErrorsOf(Edit("attendance.csv", "2024-09-03", "2024-02-30")) ==
        Strings{"attendance.csv:2: date: not a date (expected YYYY-MM-DD)"});
  CHECK(ErrorsOf(Edit("demographics.csv", "2012-03-04", "03/04/2012")) ==
        Strings{"demographics.csv:2: birthDate: not a date (expected YYYY-MM-DD)"});
  CHECK(ErrorsOf(Edit("academicSessions.csv", "2024-08-15,2024-12-20", "2024-12-21,2024-12-20")) ==
        Strings{"academicSessions.csv:3: endDate: before startDate"});
  CHECK(ErrorsOf(Edit("services.csv", "2024-09-10,", "2024-09-10,2024-09-01")) ==
        Strings{"services.csv:2: endDate: before startDate"});
  CHECK(ErrorsOf(Edit("student_voice.csv", "2024-09-20T14:05:00Z", "2024-09-20 14:05")) ==
        Strings{"student_voice.csv:2: submittedAt: not a datetime (expected "
                "YYYY-MM-DDTHH:MM:SS and a zone)"});
  CHECK(ErrorsOf(Edit("student_voice.csv", "2024-09-20T14:05:00Z", "2024-09-20T14:05:00")) ==
        Strings{"student_voice.csv:2: submittedAt: not a datetime (expected "
                "YYYY-MM-DDTHH:MM:SS and a zone)"});
  CHECK(ErrorsOf(Edit("orgs.csv", "2024-08-01T00:00:00.000Z", "last week")) ==
        Strings{"orgs.csv:3: dateLastModified: not a datetime (expected YYYY-MM-DDTHH:MM:SS)"});
}

TEST_CASE("dates and datetimes outside 1900 to 2100 are refused") {
  CHECK(ErrorsOf(Edit("attendance.csv", "2024-09-03", "0001-01-01")) ==
        Strings{"attendance.csv:2: date: year outside 1900 to 2100"});
  CHECK(ErrorsOf(Edit("services.csv", "2024-09-10,", "2024-09-10,9999-12-31")) ==
        Strings{"services.csv:2: endDate: year outside 1900 to 2100"});
  CHECK(ErrorsOf(Edit("demographics.csv", "2012-03-04", "1899-12-31")) ==
        Strings{"demographics.csv:2: birthDate: year outside 1900 to 2100"});
  CHECK(ErrorsOf(Edit("student_voice.csv", "2024-09-20T14:05:00Z", "2999-09-20T14:05:00Z")) ==
        Strings{"student_voice.csv:2: submittedAt: year outside 1900 to 2100"});
  CHECK(ErrorsOf(Edit("academicSessions.csv", "2025-06-10,,2025", "2025-06-10,,2999")) ==
        Strings{"academicSessions.csv:2: schoolYear: not a whole number from 1900 to 2100"});
  REQUIRE(CryptoInit().ok());
  CHECK(ParseImportFiles(Edit("attendance.csv", "2024-09-03", "1900-01-01")).has_value());
  CHECK(ParseImportFiles(Edit("services.csv", "2024-09-10,", "2024-09-10,2100-12-31")).has_value());
}

TEST_CASE("bad enumeration values") {
  CHECK(ErrorsOf(Edit("users.csv", "guardian,guard1", "wizard,guard1")) ==
        Strings{"users.csv:5: role: unknown value (expected one of administrator, aide, guardian, "
                "parent, proctor, relative, student, teacher)"});
  CHECK(ErrorsOf(Edit("attendance.csv", "absent,true", "late,yes")) ==
        Strings{"attendance.csv:2: status: unknown value (expected one of absent, tardy, present)",
                "attendance.csv:2: excused: not a boolean (expected true or false)"});
  CHECK(
      ErrorsOf(Edit("orgs.csv", "Example Middle School,school", "Example Middle School,campus")) ==
      Strings{"orgs.csv:3: type: unknown value (expected one of department, district, local, "
              "national, school, state)"});
  CHECK(ErrorsOf(Edit("orgs.csv", "school-1,active", "school-1,deleted")) ==
        Strings{"orgs.csv:3: status: unknown value (expected one of active, tobedeleted)"});
  CHECK(ErrorsOf(Edit("classes.csv", "scheduled", "lecture")) ==
        Strings{"classes.csv:2: classType: unknown value (expected one of homeroom, scheduled)"});
  CHECK(ErrorsOf(Edit("enrollments.csv", "tch-1,teacher,true", "tch-1,coach,maybe")) ==
        Strings{"enrollments.csv:3: role: unknown value (expected one of administrator, proctor, "
                "student, teacher)",
                "enrollments.csv:3: primary: not a boolean (expected true or false)"});
  CHECK(ErrorsOf(Edit("users.csv", "stu-1,,,true", "stu-1,,,yes")) ==
        Strings{"users.csv:2: enabledUser: not a boolean (expected true or false)"});
}

TEST_CASE("numbers and grade levels that are not") {
  CHECK(ErrorsOf(Edit("assessments.csv", "212.5,64", "high,150")) ==
        Strings{"assessments.csv:2: score: not a number",
                "assessments.csv:2: percentile: not a whole number from 0 to 100"});
  CHECK(ErrorsOf(Edit("academicSessions.csv", "2025-06-10,,2025", "2025-06-10,,twenty")) ==
        Strings{"academicSessions.csv:2: schoolYear: not a whole number from 1900 to 2100"});
  CHECK(ErrorsOf(Edit("users.csv", "guard-1,07,", "guard-1,7,")) ==
        Strings{"users.csv:2: grades: not a grade level (expected KG, 01 to 13, PK, ...)"});
  CHECK(ErrorsOf(Edit("users.csv", "\"KG,09\"", "\"KG,,09\"")) ==
        Strings{"users.csv:3: grades: empty item in list"});
}

TEST_CASE("duplicate sourcedIds within a file") {
  FileSet files = GoodFiles();
  files["users.csv"] += "stu-1,,,true,school-1,teacher,again,,Other,Person,,,,,,,,\n";
  files["orgs.csv"] += "district-1,,,Second District,district,D2,\n";
  CHECK(ErrorsOf(files) == Strings{"orgs.csv:4: sourcedId: duplicate (first at line 2)",
                                   "users.csv:7: sourcedId: duplicate (first at line 2)"});
}

TEST_CASE("unknown references from rosters") {
  CHECK(ErrorsOf(Edit("enrollments.csv", "enr-1,,,class-math7a", "enr-1,,,class-x")) ==
        Strings{"enrollments.csv:2: classSourcedId: no class in classes.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("enrollments.csv", "school-1,tch-1,", "school-9,tch-9,")) ==
        Strings{"enrollments.csv:3: schoolSourcedId: no org in orgs.csv has that sourcedId",
                "enrollments.csv:3: userSourcedId: no user in users.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("enrollments.csv", "stu-1,student", "tch-1,student")) ==
        Strings{"enrollments.csv:2: userSourcedId: refers to a user who is not a student"});
  CHECK(ErrorsOf(Edit("classes.csv", "course-math7,M7A,scheduled,Room 101,school-1,term-1",
                      "course-x,M7A,scheduled,Room 101,school-x,\"term-1,term-x\"")) ==
        Strings{"classes.csv:2: courseSourcedId: no course in courses.csv has that sourcedId",
                "classes.csv:2: schoolSourcedId: no org in orgs.csv has that sourcedId",
                "classes.csv:2: termSourcedIds: no academic session in academicSessions.csv has "
                "that sourcedId"});
  CHECK(ErrorsOf(Edit("courses.csv", "year-2025,Math 7,M7,07,school-1", "year-9,Math 7,M7,07,x")) ==
        Strings{"courses.csv:2: schoolYearSourcedId: no academic session in academicSessions.csv "
                "has that sourcedId",
                "courses.csv:2: orgSourcedId: no org in orgs.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("orgs.csv", "S1,district-1", "S1,district-2")) ==
        Strings{"orgs.csv:3: parentSourcedId: no org in orgs.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("academicSessions.csv", "2024-12-20,year-2025", "2024-12-20,year-2024")) ==
        Strings{"academicSessions.csv:3: parentSourcedId: no academic session in "
                "academicSessions.csv has that sourcedId"});
}

TEST_CASE("unknown references from users and demographics") {
  CHECK(
      ErrorsOf(Edit("users.csv", "school-1,student,stu1", "\"school-1,school-9\",student,stu1")) ==
      Strings{"users.csv:2: orgSourcedIds: no org in orgs.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("users.csv", "555-0100,stu-1", "555-0100,\"stu-1,tch-1\"")) ==
        Strings{"users.csv:5: agentSourcedIds: refers to a user who is not a student"});
  CHECK(ErrorsOf(Edit("users.csv", "555-0100,stu-1", "555-0100,stu-9")) ==
        Strings{"users.csv:5: agentSourcedIds: no user in users.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("users.csv", "1001,,,,guard-1", "1001,,,,guard-7")) ==
        Strings{"users.csv:2: agentSourcedIds: no user in users.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("demographics.csv", "stu-1,", "stu-4,")) ==
        Strings{"demographics.csv:2: sourcedId: no user in users.csv has that sourcedId"});
}

TEST_CASE("supplemental rows must name students, and grades a class") {
  CHECK(ErrorsOf(Edit("attendance.csv", "stu-2,", "stu-7,")) ==
        Strings{"attendance.csv:3: studentSourcedId: no user in users.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("teams.csv", "stu-2,", "tch-1,")) ==
        Strings{"teams.csv:2: studentSourcedId: refers to a user who is not a student"});
  CHECK(ErrorsOf(Edit("grades.csv", "stu-1,class-math7a", "guard-1,class-zz")) ==
        Strings{"grades.csv:2: studentSourcedId: refers to a user who is not a student",
                "grades.csv:2: classSourcedId: no class in classes.csv has that sourcedId"});
  CHECK(ErrorsOf(Edit("assessments.csv", "stu-1", "nobody")).size() == 1);
  CHECK(ErrorsOf(Edit("services.csv", "stu-1", "nobody")).size() == 1);
  CHECK(ErrorsOf(Edit("student_voice.csv", "stu-2", "nobody")) ==
        Strings{"student_voice.csv:4: studentSourcedId: no user in users.csv has that sourcedId"});
}

TEST_CASE("references into a missing optional file say so") {
  FileSet files =
      Edit(Without("courses.csv"), "manifest.csv", "file.courses,bulk", "file.courses,absent");
  CHECK(ErrorsOf(files) ==
        Strings{"classes.csv:2: courseSourcedId: no course in courses.csv has that sourcedId "
                "(the file is missing)"});
}

TEST_CASE("required files") {
  CHECK(ErrorsOf(Without("users.csv")) == Strings{"users.csv: required file is missing"});
  CHECK(ErrorsOf(Without("orgs.csv")) == Strings{"orgs.csv: required file is missing"});
  CHECK(ErrorsOf(Without("manifest.csv")) == Strings{"manifest.csv: required file is missing"});
  CHECK(ErrorsOf(FileSet{}) == Strings{"manifest.csv: required file is missing",
                                       "orgs.csv: required file is missing",
                                       "users.csv: required file is missing"});
}

TEST_CASE("the manifest must be OneRoster 1.1 bulk and agree with the files") {
  CHECK(ErrorsOf(Edit("manifest.csv", "oneroster.version,1.1", "oneroster.version,1.0")) ==
        Strings{"manifest.csv:3: oneroster.version: expected 1.1"});
  CHECK(ErrorsOf(Edit("manifest.csv", "oneroster.version,1.1\n", "")) ==
        Strings{"manifest.csv: missing property oneroster.version"});
  CHECK(
      ErrorsOf(Edit("manifest.csv", "file.users,bulk", "file.users,delta")) ==
      Strings{"manifest.csv:11: file.users: delta files are not supported (export in bulk mode)"});
  CHECK(ErrorsOf(Edit("manifest.csv", "file.categories,absent", "file.categories,sometimes")) ==
        Strings{"manifest.csv:5: file.categories: unknown value (expected one of absent, bulk, "
                "delta)"});
  CHECK(ErrorsOf(Edit("manifest.csv", "file.courses,bulk", "file.courses,absent")) ==
        Strings{"manifest.csv:7: file.courses: absent, but courses.csv is present"});
  CHECK(ErrorsOf(Edit("manifest.csv", "file.classes,bulk\n", "")) ==
        Strings{"manifest.csv: missing property file.classes, but classes.csv is present"});
  CHECK(ErrorsOf(Without("demographics.csv")) ==
        Strings{"demographics.csv: missing, but manifest.csv lists it as bulk"});
  CHECK(ErrorsOf(Edit("manifest.csv", "source.systemName,", "file.orgs,")) ==
        Strings{"manifest.csv:12: propertyName: repeated (first at line 10)"});
}

TEST_CASE("CSV errors skip their record and silence references into the file") {
  FileSet files = GoodFiles();
  files["users.csv"] += "stu-3,,,true,school-1,student,stu3,,\"Unclosed,Name\n";
  CHECK(ErrorsOf(files) == Strings{"users.csv:7: unterminated quoted field"});
  CHECK(ErrorsOf(Edit("attendance.csv", "Illness", "Ill\xFFness")) ==
        Strings{"attendance.csv:2: invalid UTF-8 in field 5"});
  CHECK(ErrorsOf(Edit("student_voice.csv", "Friends", std::string(64 * 1024 + 1, 'x'))) ==
        Strings{"student_voice.csv:4: field longer than 65536 bytes"});
  CHECK(ErrorsOf(With("teams.csv", "")) == Strings{"teams.csv:1: missing header row"});
}

TEST_CASE("every bad record of a file is reported, CSV errors and field errors alike") {
  CHECK(ErrorsOf(With("attendance.csv",
                      "studentSourcedId,date,status,excused,reason\n"
                      "stu-2,2024-09-03,absent,false,Ill\xFFness\n"
                      "stu-2,2024-09-04,absent,false,Stray\"quote\n"
                      "stu-2,2024-09-31,absent,false,\n"
                      "stu-2,2024-09-05,absent,maybe,\n")) ==
        Strings{"attendance.csv:2: invalid UTF-8 in field 5",
                "attendance.csv:3: quote inside an unquoted field",
                "attendance.csv:4: date: not a date (expected YYYY-MM-DD)",
                "attendance.csv:5: excused: not a boolean (expected true or false)"});
}

TEST_CASE("all problems are reported together, sorted by file and line") {
  FileSet files = Edit("users.csv", "guardian,guard1", "wizard,guard1");
  files = Edit(files, "attendance.csv", "2024-09-03", "2024-09-31");
  files = Edit(files, "users.csv", "stu2,,Sample,", "stu2,,,");
  files = Edit(files, "assessments.csv", "212.5", "A lot");
  CHECK(ErrorsOf(files) ==
        Strings{"assessments.csv:2: score: not a number",
                "attendance.csv:2: date: not a date (expected YYYY-MM-DD)",
                "users.csv:3: givenName: required field is empty",
                "users.csv:5: role: unknown value (expected one of administrator, aide, guardian, "
                "parent, proctor, relative, student, teacher)"});
}

TEST_CASE("the Status form joins every error, one per line") {
  REQUIRE(CryptoInit().ok());
  TempDir dir;
  FileSet files = Edit("attendance.csv", "absent", "gone");
  files = Edit(files, "teams.csv", "stu-2", "stu-0");
  WriteFolder(dir.path(), files);
  auto set = ReadImportSet(dir.path());
  REQUIRE_FALSE(set);
  CHECK(set.error().code() == StatusCode::kUnprocessable);
  CHECK(set.error().message() ==
        "attendance.csv:2: status: unknown value (expected one of absent, tardy, present)\n"
        "teams.csv:2: studentSourcedId: no user in users.csv has that sourcedId");
}

TEST_CASE("error reports are bounded") {
  FileSet files = GoodFiles();
  for (int i = 0; i < 5; ++i) files["teams.csv"] += "nobody,Chess,Fall,\n";
  ImportLimits limits;
  limits.max_errors = 2;
  auto set = ParseImportFiles(files, limits);
  REQUIRE_FALSE(set);
  CHECK(set.error().total() == 5);
  CHECK(set.error().errors().size() == 2);
  CHECK(set.error().ToStatus().message().ends_with("\n... and 3 more"));
}

// The OneRoster and the supplemental files are read side by side: the errors
// kept must still be the first ones in reading order (OneRoster files first).
TEST_CASE("a bounded report keeps the OneRoster errors before the supplemental ones") {
  FileSet files = Edit("users.csv", "guardian,guard1", "wizard,guard1");
  files = Edit(files, "users.csv", "stu2,,Sample,", "stu2,,,");
  files = Edit(files, "attendance.csv", "2024-09-03", "2024-09-31");
  files = Edit(files, "assessments.csv", "212.5", "A lot");
  ImportLimits limits;
  limits.max_errors = 2;
  REQUIRE(CryptoInit().ok());
  auto set = ParseImportFiles(files, limits);
  REQUIRE_FALSE(set);
  CHECK(set.error().total() == 4);
  CHECK(Messages(set.error()) ==
        Strings{"users.csv:3: givenName: required field is empty",
                "users.csv:5: role: unknown value (expected one of administrator, aide, guardian, "
                "parent, proctor, relative, student, teacher)"});
}

TEST_CASE("too many rows in a file is a limit") {
  ImportLimits limits;
  limits.max_rows_per_file = 4;
  auto set = ParseImportFiles(GoodFiles(), limits);
  REQUIRE_FALSE(set);
  CHECK(set.error().code() == StatusCode::kResourceExhausted);
  CHECK(Messages(set.error()) ==
        Strings{"manifest.csv:6: more than 4 rows", "users.csv:6: more than 4 rows"});
}
