// Invariant 4 through the import path: after importing a synthetic district,
// no file under the data directory holds any student's name; and the
// "system" actor's window closes once accounts exist.
#include <catch2/catch.hpp>
#include <fstream>

#include "demo/demo_district.h"
#include "projections/intake/intake_test_util.h"

using namespace backpack;
using namespace backpack::intake::testing;

namespace {

// The bytes of every regular file under `root`.
std::vector<std::string> AllFiles(const std::filesystem::path& root) {
  std::vector<std::string> contents;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return contents;
}

// Names of students worth searching for: long enough not to occur by chance
// in ciphertext, and not also the name of a school, class or course, which
// are not personal and stored in the clear.
std::set<std::string> SearchableNames(const imports::ImportSet& set) {
  std::string public_text;
  for (const auto& org : set.orgs) public_text += org.name + "\n";
  for (const auto& c : set.courses) public_text += c.title + "\n";
  for (const auto& c : set.classes) public_text += c.title + "\n" + c.location + "\n";
  for (const auto& s : set.academic_sessions) public_text += s.title + "\n";
  std::set<std::string> names;
  for (const auto& student : set.students) {
    for (const auto& name : {student.given_name, student.family_name}) {
      if (name.size() >= 5 && public_text.find(name) == std::string::npos) names.insert(name);
    }
  }
  return names;
}

// Imports `set` into a fresh store, flushes it to SST files, closes it, and
// returns the names found in any of its files.
std::vector<std::string> NamesAtRest(const imports::ImportSet& set) {
  backpack::testing::TempDir dir;
  {
    backpack::testing::DomainFixture domain(dir.path());
    REQUIRE(Import(domain.services(), set, Actor{"system", "req", ""}));
    REQUIRE(domain.store().FlushAndCompact("in_rows").ok());
  }
  auto files = AllFiles(dir.path());
  std::vector<std::string> found;
  for (const auto& name : SearchableNames(set)) {
    for (const auto& content : files) {
      if (content.find(name) != std::string::npos) {
        found.push_back(name);
        break;
      }
    }
  }
  return found;
}

}  // namespace

TEST_CASE("after importing the small district no stored file holds a student's name") {
  auto set = ParseOk(SmallDistrict());
  REQUIRE(SearchableNames(set).size() == SmallDistrictStudentNames().size());
  CHECK(NamesAtRest(set).empty());
}

TEST_CASE("after a demo import no stored file holds any student's given or family name") {
  backpack::testing::TempDir demo_dir;
  DemoOptions options;
  options.students = 300;
  options.today = "2026-03-02";
  REQUIRE(WriteDemoDistrict(demo_dir.path(), options));
  auto set = ParseOk([&] {
    imports::FileSet files;
    for (const auto& entry : std::filesystem::directory_iterator(demo_dir.path())) {
      std::ifstream in(entry.path(), std::ios::binary);
      files[entry.path().filename().string()] =
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return files;
  }());
  REQUIRE(SearchableNames(set).size() > 100);  // the search is not vacuous
  CHECK(NamesAtRest(set) == std::vector<std::string>{});
}

TEST_CASE("HasUsers turns true with the first UserCreated event") {
  IntakeFixture f;
  Intake& intake = *f.domain().services().intake;
  REQUIRE(intake.HasUsers());
  CHECK_FALSE(*intake.HasUsers());
  f.ImportOk(SmallDistrict());
  CHECK_FALSE(*intake.HasUsers());
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateUserCreatedPayloadDirect(fbb, "usr_test", "admin",
                                                fb::UserRole::DistrictAdmin, "Test Admin"));
  NewEvent e{EventType::UserCreated,
             "system",
             "usr_test",
             "req",
             Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()),
             true};
  REQUIRE(f.log().Append({e}));
  CHECK(*intake.HasUsers());
}
