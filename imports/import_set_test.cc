// ImportSet from good input: typed rows, hashing, and every input form.
#include "imports/import_set.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "imports/test_util.h"

using namespace backpack;
using namespace backpack::imports;
using namespace backpack::imports::testing;

namespace {

ImportSet MustParse(const FileSet& files) {
  REQUIRE(CryptoInit().ok());
  auto set = ParseImportFiles(files);
  if (!set) FAIL(set.error().ToStatus().message());
  return std::move(*set);
}

// Every file with CRLF line ends and a byte order mark.
FileSet WithBomAndCrlf(const FileSet& files) {
  FileSet out;
  for (const auto& [name, content] : files) {
    std::string converted = "\xEF\xBB\xBF";
    for (char c : content) {
      if (c == '\n') converted += '\r';
      converted += c;
    }
    out[name] = converted;
  }
  return out;
}

}  // namespace

TEST_CASE("a good set parses into typed rows with their lines") {
  ImportSet set = MustParse(GoodFiles());
  CHECK(set.orgs.size() == 2);
  CHECK(set.academic_sessions.size() == 2);
  REQUIRE(set.courses.size() == 1);
  REQUIRE(set.classes.size() == 1);
  REQUIRE(set.students.size() == 2);
  REQUIRE(set.teachers.size() == 1);
  REQUIRE(set.guardians.size() == 1);
  REQUIRE(set.others.size() == 1);
  REQUIRE(set.enrollments.size() == 2);
  REQUIRE(set.demographics.size() == 1);
  REQUIRE(set.attendance.size() == 2);
  REQUIRE(set.assessments.size() == 1);
  REQUIRE(set.grades.size() == 1);
  REQUIRE(set.services.size() == 1);
  REQUIRE(set.teams.size() == 1);
  REQUIRE(set.student_voice.size() == 2);

  CHECK(set.orgs[1].source == SourceLine{"orgs.csv", 3});
  CHECK(set.orgs[1].status == "active");
  CHECK(set.orgs[1].parent_sourced_id == "district-1");
  CHECK(set.academic_sessions[1].school_year == "2025");
  CHECK(set.courses[0].grades == std::vector<std::string>{"07"});
  CHECK(set.classes[0].periods == std::vector<std::string>{"1", "2"});
  CHECK(set.classes[0].term_sourced_ids == std::vector<std::string>{"term-1"});

  const User& second = set.students[1];
  CHECK(second.sourced_id == "stu-2");
  CHECK(second.source == SourceLine{"users.csv", 3});
  CHECK(second.grades == std::vector<std::string>{"KG", "09"});
  CHECK(set.teachers[0].email == "teacher@example.org");
  CHECK(set.guardians[0].role == UserRole::kGuardian);
  CHECK(set.guardians[0].agent_sourced_ids == std::vector<std::string>{"stu-1"});
  CHECK(set.others[0].role == UserRole::kAdministrator);
  CHECK_FALSE(set.others[0].enabled_user);

  CHECK(set.enrollments[0].primary == false);
  CHECK(set.enrollments[1].primary == true);
  CHECK(set.enrollments[1].begin_date.empty());
  CHECK(set.demographics[0].birth_date == "2012-03-04");
  CHECK(set.demographics[0].white == true);
  CHECK_FALSE(set.demographics[0].asian.value());
}

TEST_CASE("a good set's supplemental rows are typed") {
  ImportSet set = MustParse(GoodFiles());
  CHECK(set.attendance[0].status == AttendanceStatus::kAbsent);
  CHECK(set.attendance[0].excused);
  CHECK(set.attendance[1].status == AttendanceStatus::kTardy);
  CHECK(set.attendance[1].reason.empty());
  CHECK(set.assessments[0].score == 212.5);
  CHECK(set.assessments[0].percentile == 64);
  CHECK(set.grades[0].grade == "B+");
  CHECK(set.grades[0].class_sourced_id == "class-math7a");
  CHECK(set.services[0].end_date.empty());
  CHECK(set.teams[0].coach == "Coach B");
  CHECK(set.student_voice[0].answer == "Quiet time, and\n\"worked\" examples");
  CHECK(set.student_voice[1].source == SourceLine{"student_voice.csv", 4});
  CHECK(set.student_voice[1].submitted_at == "2024-09-21T08:00:00-07:00");
}

TEST_CASE("row counts and the manifest are reported") {
  ImportSet set = MustParse(GoodFiles());
  CHECK(set.row_counts.size() == 14);
  CHECK(set.row_counts.at("users.csv") == 5);
  CHECK(set.row_counts.at("student_voice.csv") == 2);
  CHECK(set.row_counts.at("manifest.csv") == 11);
  CHECK(set.manifest.at("source.systemName") == "Synthetic SIS");
}

TEST_CASE("only manifest, orgs and users are required") {
  FileSet files;
  files["manifest.csv"] =
      "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
      "file.orgs,bulk\nfile.users,bulk\n";
  files["orgs.csv"] = GoodFiles().at("orgs.csv");
  files["users.csv"] = GoodFiles().at("users.csv");
  ImportSet set = MustParse(files);
  CHECK(set.students.size() == 2);
  CHECK(set.classes.empty());
}

TEST_CASE("BOM and CRLF files parse like plain LF files") {
  ImportSet plain = MustParse(GoodFiles());
  ImportSet crlf = MustParse(WithBomAndCrlf(GoodFiles()));
  CHECK(crlf.row_counts == plain.row_counts);
  CHECK(crlf.students[1].source == plain.students[1].source);
  CHECK(crlf.students[1].grades == plain.students[1].grades);
  CHECK(crlf.student_voice[1].source == plain.student_voice[1].source);
  CHECK(crlf.student_voice[0].answer == "Quiet time, and\r\n\"worked\" examples");
  CHECK(crlf.file_set_hash != plain.file_set_hash);
}

TEST_CASE("folder, zip file and zip bytes read the same set with the same hash") {
  REQUIRE(CryptoInit().ok());
  TempDir dir;
  WriteFolder(dir.path() / "folder", GoodFiles());
  ZipEntries entries = EntriesOf(GoodFiles(), "export");
  std::reverse(entries.begin(), entries.end());  // archive order must not matter
  WriteZip(dir.path() / "set.zip", entries);

  auto from_folder = ReadImportSet(dir.path() / "folder");
  auto from_zip_file = ReadImportSet(dir.path() / "set.zip");
  Bytes bytes = ReadBytes(dir.path() / "set.zip");
  auto from_bytes = ReadImportZip(bytes);
  REQUIRE(from_folder);
  REQUIRE(from_zip_file);
  REQUIRE(from_bytes);
  CHECK(from_zip_file->file_set_hash == from_folder->file_set_hash);
  CHECK(from_bytes->file_set_hash == from_folder->file_set_hash);
  CHECK(from_bytes->row_counts == from_folder->row_counts);
  CHECK(from_bytes->student_voice[0].answer == from_folder->student_voice[0].answer);
}

TEST_CASE("file_set_hash covers names and contents") {
  ImportSet base = MustParse(GoodFiles());
  FileSet changed = GoodFiles();
  changed["teams.csv"] += "stu-1,Band,Spring 2025,\n";
  CHECK(MustParse(changed).file_set_hash != base.file_set_hash);
  FileSet extra = GoodFiles();
  extra["notes.txt"] = "not part of the set";
  CHECK(MustParse(extra).file_set_hash == base.file_set_hash);
  CHECK(MustParse(GoodFiles()).file_set_hash == base.file_set_hash);
}

TEST_CASE("file_set_hash follows its documented layout") {
  FileSet files;
  files["users.csv"] = GoodFiles().at("users.csv");
  files["orgs.csv"] = GoodFiles().at("orgs.csv");
  files["manifest.csv"] =
      "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
      "file.orgs,bulk\nfile.users,bulk\n";
  Sha256Builder expected;
  for (const char* name : {"manifest.csv", "orgs.csv", "users.csv"}) {  // name order
    const std::string& content = files.at(name);
    expected.Add(ByteView(EncodeBigEndian64(std::string_view(name).size())))
        .Add(AsBytes(name))
        .Add(ByteView(EncodeBigEndian64(content.size())))
        .Add(AsBytes(content));
  }
  CHECK(MustParse(files).file_set_hash == expected.Finish());
}

TEST_CASE("a zip with a bad set reports file:line errors through Status") {
  TempDir dir;
  FileSet files = GoodFiles();
  files["teams.csv"] = "studentSourcedId,activity,season,coach\nstu-9,Chess,Fall,\n";
  WriteZip(dir.path() / "set.zip", EntriesOf(files));
  Bytes bytes = ReadBytes(dir.path() / "set.zip");
  auto set = ReadImportZip(bytes);
  REQUIRE_FALSE(set);
  CHECK(set.error().code() == StatusCode::kUnprocessable);
  CHECK(set.error().message() ==
        "teams.csv:2: studentSourcedId: no user in users.csv has that sourcedId");
}
