// `backpack import`, `backpack demo` and `backpack bench import` through the
// real binary (BACKPACK_BIN).
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/crypto.h"
#include "imports/import_set.h"
#include "projections/intake/intake_test_data.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "tests/domain_fixture.h"
#include "tests/test_util.h"

using namespace backpack;
using namespace backpack::intake::testing;

namespace {

using backpack::testing::CliResult;
using backpack::testing::ReadFile;

// Runs `backpack --data TMP/data <args>` with `input` on stdin.
CliResult RunCli(const backpack::testing::TempDir& tmp, const std::string& args,
                 const std::string& input = "") {
  return backpack::testing::RunBackpackWords(
      "--data " + (tmp.path() / "data").string() + " " + args, input);
}

// The number of events `backpack verify` counts.
uint64_t LogSize(const backpack::testing::TempDir& tmp) {
  CliResult verified = RunCli(tmp, "verify");
  INFO(verified.out << verified.err);
  REQUIRE(verified.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(verified.out, m, std::regex("verified (\\d+) events")));
  return std::stoull(m[1]);
}

std::string ImportFolder(const backpack::testing::TempDir& tmp, const imports::FileSet& files,
                         const std::string& name) {
  std::filesystem::path folder = tmp.path() / name;
  std::filesystem::remove_all(folder);
  WriteFolder(folder, files);
  return folder.string();
}

struct BadSet {
  std::string what;
  imports::FileSet files;
  std::vector<std::string> errors;  // each must start a line of stderr
};

std::vector<BadSet> BadSets() {
  auto base = SmallDistrict();
  auto with = [&](const std::string& file, const std::string& content) {
    auto files = SmallDistrict();
    files[file] = content;
    return files;
  };
  auto without = [&](const std::string& file) {
    auto files = SmallDistrict();
    files.erase(file);
    return files;
  };
  auto dup = SmallDistrict();
  dup["orgs.csv"] += "sch-a,,,Again,school,SX,dist-9\n";
  auto several =
      Edit(Edit(base, "attendance.csv", "2025-09-03,absent,true", "2025-09-31,absent,true"),
           "users.csv", "oh102,,Ottoline,", "oh102,,,");
  return {
      {"unknown column",
       with("teams.csv", "studentSourcedId,activity,season,coach,mascot\n"),
       {"teams.csv:1: unknown column"}},
      {"field count",
       with("teams.csv", "studentSourcedId,activity,season,coach\ns-102,Chess\n"),
       {"teams.csv:2: expected 4 fields, found 2"}},
      {"empty required field",
       Edit(base, "users.csv", "oh102,,Ottoline,", "oh102,,,"),
       {"users.csv:3: givenName: required field is empty"}},
      {"bad date",
       Edit(base, "attendance.csv", "2025-09-04", "2025-02-30"),
       {"attendance.csv:3: date: not a date"}},
      {"bad datetime",
       Edit(base, "student_voice.csv", "2025-09-20T14:05:00Z", "yesterday"),
       {"student_voice.csv:2: submittedAt: not a datetime"}},
      {"bad enumeration",
       Edit(base, "attendance.csv", "absent,true", "away,true"),
       {"attendance.csv:2: status: unknown value"}},
      {"bad number",
       Edit(base, "assessments.csv", "212.5", "lots"),
       {"assessments.csv:2: score: not a number"}},
      {"duplicate sourcedId", dup, {"orgs.csv:5: sourcedId: duplicate"}},
      {"unknown class",
       Edit(base, "enrollments.csv", "e-1,,,cls-sci7a", "e-1,,,cls-none"),
       {"enrollments.csv:2: classSourcedId: no class"}},
      {"record of nobody",
       Edit(base, "grades.csv", "s-101,", "s-999,"),
       {"grades.csv:2: studentSourcedId: no user"}},
      {"missing users.csv", without("users.csv"), {"users.csv: required file is missing"}},
      {"delta manifest",
       Edit(base, "manifest.csv", "file.users,bulk", "file.users,delta"),
       {"manifest.csv:10: file.users: delta files are not supported"}},
      {"unterminated quote",
       Edit(base, "teams.csv", "Robotics club", "\"Robotics club"),
       {"teams.csv:2: unterminated quoted field"}},
      {"invalid UTF-8",
       Edit(base, "attendance.csv", "Illness", "Ill\xFFness"),
       {"attendance.csv:2: invalid UTF-8"}},
      {"every problem at once",
       several,
       {"attendance.csv:2: date: not a date", "users.csv:3: givenName: required field is empty"}},
  };
}

}  // namespace

TEST_CASE("import rejects every bad set with file:line, exit 1, and appends nothing") {
  REQUIRE(CryptoInit().ok());
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  CliResult first =
      RunCli(tmp, "import --actor system " + ImportFolder(tmp, SmallDistrict(), "ok"));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(std::regex_match(first.out, std::regex("imported 25 events \\(import imp_[0-9a-f]+\\)\n")));
  uint64_t size = LogSize(tmp);
  for (const auto& bad : BadSets()) {
    INFO(bad.what);
    CliResult r = RunCli(tmp, "import --actor system " + ImportFolder(tmp, bad.files, "bad"));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    for (const auto& error : bad.errors)
      CHECK(("\n" + r.err).find("\n" + error) != std::string::npos);
    CHECK(r.err.find("nothing was imported") != std::string::npos);
    CHECK(r.out.empty());
  }
  std::ofstream(tmp.path() / "bad.zip") << "this is not a zip archive";
  CliResult zip = RunCli(tmp, "import --actor system " + (tmp.path() / "bad.zip").string());
  CHECK(zip.exit_code == 1);
  CHECK(zip.err.find("bad.zip") != std::string::npos);
  CHECK(LogSize(tmp) == size);
}

TEST_CASE("import twice: the second appends nothing and says so") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  std::string folder = ImportFolder(tmp, SmallDistrict(), "set");
  CliResult first = RunCli(tmp, "import --actor system " + folder);
  REQUIRE(first.exit_code == 0);
  const size_t id_at = first.out.find("(import ");
  REQUIRE(id_at != std::string::npos);
  const std::string import_id = first.out.substr(id_at + 8, first.out.find(')') - id_at - 8);
  uint64_t size = LogSize(tmp);
  CliResult again = RunCli(tmp, "import --actor system " + folder);
  CHECK(again.exit_code == 0);
  CHECK(again.out.starts_with("nothing to import: all "));
  CHECK(again.out.find(" rows were imported before (the same files as import " + import_id +
                       ")\n") != std::string::npos);
  CHECK(LogSize(tmp) == size);
}

TEST_CASE("every command calls a path it cannot read or write a usage error, in one line") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  REQUIRE(
      RunCli(tmp, "import --actor system " + ImportFolder(tmp, SmallDistrict(), "set")).exit_code ==
      0);
  const std::string missing = (tmp.path() / "missing").string();
  const std::string fifo = (tmp.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string not_zip = (tmp.path() / "set.txt").string();
  std::ofstream(not_zip) << "not a zip archive";
  const uint64_t size = LogSize(tmp);
  struct Row {
    std::string args;
    int exit_code;
    std::string message;  // on stderr
  };
  const Row rows[] = {
      {"import --actor system " + missing, 2, "cannot read " + missing + ": No such file"},
      {"import --actor system " + fifo, 2, fifo + " is neither a folder nor a zip file"},
      {"verify --checkpoint " + missing, 2, "cannot read " + missing + ": No such file"},
      {"verify --checkpoint /dev/null", 2, "/dev/null is not a signed checkpoint (malformed"},
      {"verify --checkpoint " + not_zip, 2, not_zip + " is not a signed checkpoint"},
      {"verify --checkpoint " + tmp.path().string(), 2, "cannot read " + tmp.path().string()},
      {"verify-export " + missing, 2, "cannot read " + missing + ": No such file"},
      {"export-history --student s-101 --out " + missing + "/bundle.json", 2, missing},
  };
  for (const Row& row : rows) {
    CliResult result = RunCli(tmp, row.args);
    INFO(row.args << ": " << result.err);
    CHECK(result.exit_code == row.exit_code);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(result.err.find(row.message) != std::string::npos);
  }
  // A path that exists but is no OneRoster set: the set's problems, exit 1.
  CliResult bad_set = RunCli(tmp, "import --actor system " + not_zip);
  CHECK(bad_set.exit_code == 1);
  CHECK(bad_set.err.starts_with("set.txt: not a readable zip archive"));
  CHECK(LogSize(tmp) == size);
}

TEST_CASE("import refuses a set lacking most of the students unless told to allow it") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::string full = ImportFolder(tmp, SmallDistrictWithMoreStudents(27), "full");
  REQUIRE(RunCli(tmp, "import --actor system " + full).exit_code == 0);
  const uint64_t size = LogSize(tmp);
  const std::string partial = ImportFolder(tmp, SmallDistrict(), "partial");
  CliResult refused = RunCli(tmp, "import --actor system " + partial);
  CHECK(refused.exit_code == 1);
  // `file: message` as for the set's other problems (the whole file: no line),
  // then the same summary.
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 2);
  CHECK(refused.err.starts_with(
      "users.csv: would retract more than half of what is held: 27 of the 30 students."));
  CHECK(refused.err.ends_with("\nbackpack: import rejected (1 problem); nothing was imported\n"));
  CHECK(refused.err.find("partial export") != std::string::npos);
  CHECK(refused.err.find("--allow-mass-retraction") != std::string::npos);
  CHECK(LogSize(tmp) == size);
  CliResult allowed = RunCli(tmp, "import --actor system --allow-mass-retraction " + partial);
  INFO(allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK(LogSize(tmp) > size);
}

TEST_CASE("import refuses a set that empties enrollments.csv, naming the enrollments") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  imports::FileSet files = SmallDistrictWithFamilies(20);
  REQUIRE(RunCli(tmp, "import --actor system " + ImportFolder(tmp, files, "full")).exit_code == 0);
  const uint64_t size = LogSize(tmp);
  std::string& enrollments = files.at("enrollments.csv");
  enrollments.resize(enrollments.find('\n') + 1);  // the header line only
  const std::string partial = ImportFolder(tmp, files, "partial");
  CliResult refused = RunCli(tmp, "import --actor system " + partial);
  CHECK(refused.exit_code == 1);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 2);
  CHECK(
      refused.err.starts_with("enrollments.csv: would retract more than half of what "
                              "is held: 23 of the 23 enrollments."));
  CHECK(refused.err.find("--allow-mass-retraction") != std::string::npos);
  CHECK(LogSize(tmp) == size);
  {                                     // two files refused: one line each, then the summary
    imports::FileSet unlinked = files;  // the parents' links to their children left out too
    for (int i = 0; i < 20; ++i) {
      const std::string link = ",,,,,,s-" + std::to_string(500 + i) + ",,\n";
      unlinked = Edit(unlinked, "users.csv", link, ",,,,,,,,\n");
    }
    CliResult twice = RunCli(tmp, "import --actor system " + ImportFolder(tmp, unlinked, "both"));
    INFO(twice.err);
    CHECK(twice.exit_code == 1);
    CHECK(std::count(twice.err.begin(), twice.err.end(), '\n') == 3);
    CHECK(twice.err.starts_with("enrollments.csv: would retract "));
    CHECK(twice.err.find("\nusers.csv: would retract ") != std::string::npos);
    CHECK(twice.err.ends_with("\nbackpack: import rejected (2 problems); nothing was imported\n"));
    CHECK(LogSize(tmp) == size);
  }
  CliResult allowed = RunCli(tmp, "import --actor system --allow-mass-retraction " + partial);
  INFO(allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK(LogSize(tmp) == size + 24);  // 23 RecordRetracted, ImportCompleted
}

TEST_CASE("import says how many rows about tobedeleted students it left out") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  auto files = Edit(SmallDistrict(), "users.csv", "s-101,,", "s-101,tobedeleted,");
  CliResult imported = RunCli(tmp, "import --actor system " + ImportFolder(tmp, files, "set"));
  INFO(imported.err);
  CHECK(imported.exit_code == 0);
  CHECK(imported.out.find("\n8 rows (enrollments, guardian links, records) about students whose "
                          "users.csv status is tobedeleted were not imported\n") !=
        std::string::npos);
}

TEST_CASE("import says how many rows about shredded students it left out") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::string password = "a synthetic long password\n";
  REQUIRE(RunCli(tmp, "user add --username boss --role district_admin", password).exit_code == 0);
  REQUIRE(RunCli(tmp, "user add --username priv --role privacy_officer", password).exit_code == 0);
  std::string folder = ImportFolder(tmp, SmallDistrict(), "set");
  REQUIRE(RunCli(tmp, "import --actor boss " + folder).exit_code == 0);
  REQUIRE(RunCli(tmp, "shred --student s-101 --reason retention --actor priv").exit_code == 0);
  CliResult again = RunCli(tmp, "import --actor boss " + folder);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find(" rows about students whose records were shredded were not imported") !=
        std::string::npos);
}

TEST_CASE("import --actor must be an enabled district_admin once accounts exist") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::string password = "a synthetic long password\n";
  REQUIRE(RunCli(tmp, "user add --username boss --role district_admin", password).exit_code == 0);
  REQUIRE(RunCli(tmp, "user add --username teach --role educator", password).exit_code == 0);
  std::string folder = ImportFolder(tmp, SmallDistrict(), "set");
  uint64_t size = LogSize(tmp);
  for (std::string actor : {"system", "teach", "nobody"}) {
    INFO(actor);
    CliResult refused = RunCli(tmp, "import --actor " + actor + " " + folder);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.starts_with("backpack: "));
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  }
  CHECK(LogSize(tmp) == size);
  CHECK(RunCli(tmp, "import --actor boss " + folder).exit_code == 0);
  CHECK(RunCli(tmp, "import " + folder).exit_code == 2);  // --actor is required
}

namespace {

// Lines of demo-credentials.txt as {username: {password, role}}.
std::map<std::string, std::pair<std::string, std::string>> Credentials(
    const std::filesystem::path& file) {
  std::map<std::string, std::pair<std::string, std::string>> users;
  std::istringstream lines(ReadFile(file));
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    REQUIRE(std::regex_match(line, m, std::regex("([^\t]+)\t([^\t]+)\t([a-z_]+)")));
    REQUIRE(users.emplace(m[1], std::make_pair(m[2], m[3])).second);  // no duplicates
  }
  return users;
}

// Student names (5+ letters, not also a school, course or class name) of a set.
std::set<std::string> StudentNames(const imports::ImportSet& set) {
  std::string public_text;
  for (const auto& org : set.orgs) public_text += org.name + "\n";
  for (const auto& c : set.courses) public_text += c.title + "\n";
  for (const auto& c : set.classes) public_text += c.title + "\n" + c.location + "\n";
  std::set<std::string> names;
  for (const auto& s : set.students) {
    for (const auto& name : {s.given_name, s.family_name}) {
      if (name.size() >= 5 && public_text.find(name) == std::string::npos) names.insert(name);
    }
  }
  return names;
}

}  // namespace

TEST_CASE("demo creates the district, the SPEC accounts and a 0600 credentials file") {
  REQUIRE(CryptoInit().ok());
  backpack::testing::TempDir tmp;
  std::filesystem::path data = tmp.path() / "data";
  CliResult demo = RunCli(tmp, "demo --students 60 --seed 7 --keep-files --listen 127.0.0.1:18123");
  INFO(demo.out << demo.err);
  REQUIRE(demo.exit_code == 0);
  CHECK(std::regex_search(demo.out, std::regex("imported \\d+ events \\(import imp_")));
  CHECK(demo.out.find("demo-credentials.txt") != std::string::npos);
  // How to serve it, where tools/demo serves it (BACKPACK_LISTEN).
  CHECK(demo.out.find("serve --listen 127.0.0.1:18123") != std::string::npos);
  CHECK(demo.out.find("http://127.0.0.1:18123/api/session") != std::string::npos);

  std::filesystem::path file = data / "demo-credentials.txt";
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto users = Credentials(file);
  CHECK(users["admin"].second == "district_admin");
  CHECK(users["privacy"].second == "privacy_officer");
  CHECK(users["principal"].second == "educator");
  std::map<std::string, int> roles;
  for (const auto& [name, entry] : users) {
    ++roles[entry.second];
    CHECK(entry.first.size() >= 16);
  }
  CHECK(roles["educator"] >= 3);  // the principal and teachers
  CHECK(roles["guardian"] >= 1);

  // Invariant 4: with the generated CSV files gone, no stored file names a student.
  auto set = imports::ParseImportSet(data / "demo-import");
  REQUIRE(set);
  std::filesystem::remove_all(data / "demo-import");
  std::set<std::string> names = StudentNames(*set);
  REQUIRE(names.size() > 20);
  for (const auto& name : names) {
    INFO(name);
    CHECK_FALSE(backpack::testing::AnyFileContains(data, name));
  }

  CliResult again = RunCli(tmp, "demo --students 60 --seed 7");
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("nothing to import") != std::string::npos);
  CHECK(Credentials(file) == users);
  CHECK_FALSE(std::filesystem::exists(data / "demo-import"));
  CHECK(RunCli(tmp, "verify").exit_code == 0);
}

namespace {

// PREFIX, N and SUFFIX. (Not "literal" + std::to_string(n), which GCC 12's
// -Wrestrict misreads as an overlapping copy.)
std::string Counted(std::string prefix, size_t n, std::string_view suffix) {
  prefix += std::to_string(n);
  prefix += suffix;
  return prefix;
}

// Checks that every line of `file` about an account in the store signs it
// in; returns how many lines name an account that exists.
size_t CheckCredentialsWork(const std::filesystem::path& data, const std::filesystem::path& file) {
  backpack::testing::DomainFixture fx(data);
  RosterCommands commands(fx.services());
  size_t existing = 0;
  for (const auto& [username, entry] : Credentials(file)) {
    if (!fx.services().roster->FindUserByUsername(username)) continue;
    ++existing;
    INFO(username);
    CHECK(commands.Authenticate(username, entry.first));
  }
  return existing;
}

}  // namespace

TEST_CASE("demo gives a demo account whose password the credentials file lacks a new one") {
  backpack::testing::TempDir tmp;
  const std::filesystem::path data = tmp.path() / "data";
  const std::filesystem::path file = data / "demo-credentials.txt";
  REQUIRE(RunCli(tmp, "demo --students 60 --seed 7").exit_code == 0);
  const auto first = Credentials(file);

  std::filesystem::remove(file);
  CliResult renewed = RunCli(tmp, "demo --students 60 --seed 7");
  INFO(renewed.out << renewed.err);
  REQUIRE(renewed.exit_code == 0);
  CHECK(renewed.out.find(Counted(", ", first.size(), " passwords reset")) != std::string::npos);
  auto second = Credentials(file);
  REQUIRE(second.size() == first.size());
  for (const auto& [username, entry] : first) {
    INFO(username);
    CHECK(second[username].second == entry.second);
    CHECK(second[username].first != entry.first);
  }
  CHECK(CheckCredentialsWork(data, file) == first.size());

  // A line that does not sign its account in, and a missing line.
  std::string edited;
  for (const auto& [username, entry] : second) {
    if (username == "privacy") continue;
    const std::string password = username == "admin" ? "not the right password" : entry.first;
    edited += username + "\t" + password + "\t" + entry.second + "\n";
  }
  std::ofstream(file, std::ios::trunc) << edited;
  CliResult healed = RunCli(tmp, "demo --students 60 --seed 7");
  INFO(healed.out << healed.err);
  REQUIRE(healed.exit_code == 0);
  CHECK(healed.out.find(" 2 passwords reset") != std::string::npos);
  auto third = Credentials(file);
  CHECK(third.size() == first.size());
  CHECK(third["principal"] == second["principal"]);
  CHECK(third["admin"].first != "not the right password");
  CHECK(CheckCredentialsWork(data, file) == first.size());
}

TEST_CASE("a demo killed while creating accounts has written every account's password first") {
  backpack::testing::TempDir tmp;
  const std::filesystem::path data = tmp.path() / "data";
  const std::filesystem::path file = data / "demo-credentials.txt";
  CliResult killed = RunCli(tmp, "demo --students 60 --seed 7 --crash-after-accounts 5");
  REQUIRE(killed.exit_code != 0);
  REQUIRE(std::filesystem::exists(file));
  CHECK(CheckCredentialsWork(data, file) == 5);
  // The next run creates the rest and has no password to reset.
  CliResult rest = RunCli(tmp, "demo --students 60 --seed 7");
  INFO(rest.out << rest.err);
  REQUIRE(rest.exit_code == 0);
  const size_t accounts = Credentials(file).size();
  CHECK(rest.out.find(Counted("; ", accounts - 5, " new accounts\n")) != std::string::npos);
  CHECK(rest.out.find("reset") == std::string::npos);
  CHECK(CheckCredentialsWork(data, file) == accounts);
}

TEST_CASE("demo over a demo of other settings refuses and says to use a new data directory") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "demo --students 60 --seed 7").exit_code == 0);
  const uint64_t size = LogSize(tmp);
  CliResult other = RunCli(tmp, "demo --students 30 --seed 8");
  CHECK(other.exit_code == 1);
  CHECK(other.out.empty());
  CHECK(std::count(other.err.begin(), other.err.end(), '\n') == 1);
  CHECK(other.err.find("already holds a district made with other settings") != std::string::npos);
  CHECK(other.err.find("new --data directory") != std::string::npos);
  CHECK(other.err.find("--allow-mass-retraction") == std::string::npos);
  CHECK(LogSize(tmp) == size);
}

namespace {

// Runs `demo ARGS` over a district it must refuse: exit 1, one line naming
// `held`, advising a new directory, and nothing appended.
void CheckDemoRefused(const backpack::testing::TempDir& tmp, const std::string& args,
                      const std::string& held) {
  const uint64_t size = LogSize(tmp);
  CliResult refused = RunCli(tmp, "demo " + args);
  INFO(args << ": " << refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.out.empty());
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  CHECK(refused.err.find("other settings (" + held) != std::string::npos);
  CHECK(refused.err.find("new --data directory") != std::string::npos);
  CHECK(LogSize(tmp) == size);
}

// Runs `demo ARGS` over the district it made: exit 0 and nothing appended.
void CheckDemoRerun(const backpack::testing::TempDir& tmp, const std::string& args) {
  const uint64_t size = LogSize(tmp);
  CliResult again = RunCli(tmp, "demo " + args);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("nothing to import") != std::string::npos);
  CHECK(LogSize(tmp) == size);
}

}  // namespace

TEST_CASE("demo refuses a district of any other --students or --seed, appending nothing") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "demo --students 20 --seed 7").exit_code == 0);
  CheckDemoRefused(tmp, "--students 21 --seed 7", "demo --students 20 --seed 7");
  CheckDemoRefused(tmp, "--students 19 --seed 7", "demo --students 20 --seed 7");
  CheckDemoRefused(tmp, "--students 20 --seed 8", "demo --students 20 --seed 7");
  CheckDemoRerun(tmp, "--students 20 --seed 7");
}

TEST_CASE("a demo district from before demos recorded their settings takes only the same ones") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "demo --students 20 --seed 7").exit_code == 0);
  {  // As a demo of an earlier version left it: no meta/demo_settings.
    backpack::testing::DomainFixture fx(tmp.path() / "data");
    WriteBatch forget;
    forget.Delete(cf::kMeta, AsBytes("demo_settings"));
    REQUIRE(fx.store().Write(forget, true).ok());
  }
  CheckDemoRefused(tmp, "--students 21 --seed 7", "unrecorded");
  // Too few students to keep most of the 20 held: refused by import's
  // mass-retraction guard, which demo words as the same advice.
  CheckDemoRefused(tmp, "--students 5 --seed 7", "unrecorded");
  CheckDemoRerun(tmp, "--students 20 --seed 7");
  // The rerun recorded them.
  CheckDemoRefused(tmp, "--students 21 --seed 7", "demo --students 20 --seed 7");
}

TEST_CASE("bench import ends with events_per_second and leaves no scratch files") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  CliResult bench = RunCli(tmp, "bench import --students 40");
  INFO(bench.err);
  REQUIRE(bench.exit_code == 0);
  std::smatch m;
  REQUIRE(
      std::regex_search(bench.out, m, std::regex("events: (\\d+)\nevents_per_second: (\\d+)\n$")));
  CHECK(std::stoull(m[1]) > 100);
  CHECK(std::stoull(m[2]) > 0);
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path() / "data")) {
    CHECK_FALSE(entry.path().filename().string().starts_with("bench-import-"));
  }
}

TEST_CASE("bench append and bench import refuse a store with events unless told to write there") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  REQUIRE(
      RunCli(tmp, "user add --username boss --role district_admin", "a synthetic long password\n")
          .exit_code == 0);
  const uint64_t size = LogSize(tmp);
  for (const std::string bench : {"bench append --events 10", "bench import --students 5"}) {
    INFO(bench);
    CliResult refused = RunCli(tmp, bench);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.empty());
    CHECK(refused.err.starts_with("backpack: "));
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
    CHECK(refused.err.find("can never be removed") != std::string::npos);
    CHECK(refused.err.find("init") != std::string::npos);
    CHECK(refused.err.find("--into-existing-store") != std::string::npos);
    CHECK(LogSize(tmp) == size);
  }
  CliResult told = RunCli(tmp, "bench append --events 10 --into-existing-store");
  INFO(told.err);
  CHECK(told.exit_code == 0);
  CHECK(LogSize(tmp) == size + 10);
}

TEST_CASE("bench import over another district refuses without naming a flag it lacks") {
  backpack::testing::TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  REQUIRE(RunCli(tmp, "bench import --students 40").exit_code == 0);
  const uint64_t size = LogSize(tmp);
  // A fresh district would retract the one held: a smaller one certainly
  // retracts the students it lacks (30 of 40), whatever seed each run draws.
  CliResult refused = RunCli(tmp, "bench import --students 10 --into-existing-store");
  CHECK(refused.exit_code == 1);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  CHECK(refused.err.find("fresh store") != std::string::npos);
  CHECK(refused.err.find("--allow-mass-retraction") == std::string::npos);
  CHECK(LogSize(tmp) == size);
}
