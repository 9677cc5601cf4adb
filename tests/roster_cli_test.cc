// `backpack user add` and `backpack grant` through the real binary.

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <sstream>

#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "projections/roster/roster_test_events.h"
#include "tests/cli_seed.h"
#include "tests/domain_fixture.h"

namespace backpack::testing {
namespace {

TEST_CASE("the data option is accepted after the subcommand too") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::string data = (tmp.path() / "data").string();
  CliResult after = RunBackpackWords("verify --data " + data);
  CHECK(after.exit_code == 0);
  CHECK(after.out.starts_with("verified "));
  // An unknown option is still refused, after the subcommand or before it,
  // in one line on stderr like every other error.
  CliResult unknown = RunBackpackWords("verify --dta " + data);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--dta") != std::string::npos);
  CHECK(std::count(unknown.err.begin(), unknown.err.end(), '\n') == 1);
  // A mistyped command is named, at the top level and below one.
  for (const char* words : {"frobnicate", "user frobnicate", "bench frobnicate"}) {
    CliResult mistyped = RunBackpackWords(words);
    CHECK(mistyped.exit_code == 2);
    CHECK(mistyped.err.find("unknown command 'frobnicate'") != std::string::npos);
  }
}

TEST_CASE("init creates a missing data directory, and a new store has a size-0 checkpoint") {
  TempDir tmp;
  const std::string data = (tmp.path() / "new" / "data").string();
  const std::string keys = (tmp.path() / "keys").string();
  REQUIRE(RunBackpackWords("--data " + data + " init --keys " + keys).exit_code == 0);
  CliResult checkpoint = RunBackpackWords("--data " + data + " --keys " + keys + " checkpoint");
  REQUIRE(checkpoint.exit_code == 0);
  std::istringstream lines(checkpoint.out);
  std::string origin, size;
  std::getline(lines, origin);
  std::getline(lines, size);
  CHECK(origin.starts_with("backpack.local/"));
  CHECK(size == "0");
  CHECK(RunBackpackWords("--data " + data + " --keys " + keys + " verify").exit_code == 0);
}

TEST_CASE("keys that group or others may read or replace are refused") {
  namespace fs = std::filesystem;
  TempDir tmp;
  const std::string data = (tmp.path() / "data").string();
  const fs::path keys = tmp.path() / "keys";
  fs::create_directories(keys);
  fs::permissions(keys, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  auto run = [&](const std::string& args) {
    return RunBackpackWords("--data " + data + " --keys " + keys.string() + " " + args);
  };
  // An existing directory keeps its mode (0755 here: a home directory, say).
  REQUIRE(run("init").exit_code == 0);
  CHECK((fs::status(keys).permissions() & fs::perms::others_read) != fs::perms::none);
  const fs::perms owner_rw = fs::perms::owner_read | fs::perms::owner_write;
  CHECK((fs::status(keys / "kek.key").permissions() & fs::perms::all) == owner_rw);
  CHECK(run("verify").exit_code == 0);

  fs::permissions(keys / "kek.key", fs::perms::group_read, fs::perm_options::add);
  CliResult readable = run("verify");
  CHECK(readable.exit_code == 3);
  CHECK(readable.err.find("readable by group or others") != std::string::npos);
  fs::permissions(keys / "kek.key", fs::perms::group_read, fs::perm_options::remove);

  fs::permissions(keys, fs::perms::others_write | fs::perms::sticky_bit, fs::perm_options::add);
  CHECK(run("verify").exit_code == 0);  // sticky: others cannot remove or rename our files
  fs::permissions(keys, fs::perms::sticky_bit, fs::perm_options::remove);
  CliResult writable = run("verify");
  CHECK(writable.exit_code == 3);
  CHECK(writable.err.find("writable by group or others") != std::string::npos);
  CliResult second_init = RunBackpackWords("--data " + (tmp.path() / "other").string() +
                                           " init --keys " + keys.string());
  CHECK(second_init.exit_code != 0);
  CHECK(second_init.err.find("writable by group or others") != std::string::npos);
}

TEST_CASE("the store's files are its owner's alone, whatever the umask was") {
  TempDir tmp;
  const std::filesystem::path data = tmp.path() / "data";
  REQUIRE(RunBackpackWords("--data " + data.string() + " init").exit_code == 0);
  using std::filesystem::perms;
  const perms others = perms::group_all | perms::others_all;
  auto open_to_others = [&] {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(data)) {
      if ((entry.status().permissions() & others) != perms::none) {
        found.push_back(entry.path().string());
      }
    }
    if ((std::filesystem::status(data / "db").permissions() & others) != perms::none) {
      found.push_back("db");
    }
    return found;
  };
  CHECK(open_to_others().empty());
  // A store made by an earlier version, its database directory open to all, is
  // closed again by the next command that opens it.
  std::filesystem::permissions(
      data / "db", perms::group_read | perms::group_exec | perms::others_read | perms::others_exec,
      std::filesystem::perm_options::add);
  REQUIRE(RunBackpackWords("--data " + data.string() + " checkpoint").exit_code == 0);
  CHECK((std::filesystem::status(data / "db").permissions() & others) == perms::none);
}

TEST_CASE("user add refuses the names of the built-in actors, in any case") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  const std::string password = "a synthetic long password\n";
  auto size = [&] { return DomainFixture(tmp.path() / "data").log().size(); };
  const uint64_t before = size();
  for (const char* name : {"cli", "system", "CLI", "System"}) {
    CliResult refused =
        RunCli(tmp, std::string("user add --role privacy_officer --username ") + name, password);
    INFO(name);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("is reserved") != std::string::npos);
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  }
  CHECK(size() == before);
  // Names that only contain a built-in name are ordinary usernames.
  CHECK(RunCli(tmp, "user add --role educator --username cli.teacher", password).exit_code == 0);
}

TEST_CASE("backpack user add and grant create an account and an explicit grant") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1")};
  });
  const std::string password = "a synthetic long password\n";
  auto added =
      RunCli(tmp, "user add --username alice --role educator --display-name Alice", password);
  REQUIRE(added.exit_code == 0);
  std::string alice = FirstLine(added.out);
  CHECK(alice.starts_with("usr_"));

  CHECK(RunCli(tmp, "user add --username alice --role educator", password).exit_code == 1);
  CHECK(RunCli(tmp, "user add --username bob --role educator", "short\n").exit_code == 2);
  CHECK(RunCli(tmp, "user add --username bob --role educator", "").exit_code == 2);
  CHECK(RunCli(tmp, "user add --username bob --role wizard", password).exit_code == 2);
  CliResult typo =
      RunCli(tmp, "user add --username bob --role educator --flags districtwid", password);
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("unknown flag") != std::string::npos);

  auto granted = RunBackpack({"--data", (tmp.path() / "data").string(), "grant", "--educator",
                              "alice", "--student", "stu-a", "--reason", "covering a class",
                              "--expires", "2099-01-01T00:00:00Z"});
  REQUIRE(granted.exit_code == 0);
  std::string grant = FirstLine(granted.out);
  CHECK(grant.starts_with("grant_"));
  CHECK(RunCli(tmp, "grant --educator alice --student stu-a --class c --reason r").exit_code == 2);
  CHECK(RunCli(tmp, "grant --educator alice --school sch-1 --reason r").exit_code == 2);
  CHECK(RunCli(tmp, "grant --educator alice --student stu-zz --reason r").exit_code == 1);
  // No such educator, whether no account or another role's: refused alike.
  REQUIRE(RunCli(tmp, "user add --username priv --role privacy_officer", password).exit_code == 0);
  CliResult nobody = RunCli(tmp, "grant --educator nobody --student stu-a --reason r");
  CHECK(nobody.exit_code == 1);
  CHECK(nobody.err == "backpack: no educator account nobody\n");
  CliResult officer = RunCli(tmp, "grant --educator priv --student stu-a --reason r");
  CHECK(officer.exit_code == 1);
  CHECK(officer.err ==
        "backpack: priv is a privacy_officer account, not an educator's: only educators hold "
        "grants\n");
  // A reason that is not UTF-8 text would make every later history export of
  // the student unreadable JSON: refused, nothing appended.
  CliResult not_text =
      RunBackpack({"--data", (tmp.path() / "data").string(), "grant", "--educator", "alice",
                   "--student", "stu-a", "--reason", "covering\xff a class"});
  CHECK(not_text.exit_code != 0);
  CHECK(not_text.err.find("UTF-8") != std::string::npos);
  CHECK(RunCli(tmp, "grant --educator alice --student stu-a --reason r --expires soon").exit_code ==
        2);
  // The same ISO 8601 forms as everywhere else: fractions and offsets. (To
  // another educator: a second grant of alice's would make her reason vary.)
  REQUIRE(RunCli(tmp, "user add --username carol --role educator", password).exit_code == 0);
  CHECK(RunCli(tmp,
               "grant --educator carol --student stu-a --reason r --expires "
               "2099-01-01T10:00:00.250+02:00")
            .exit_code == 0);

  {
    DomainFixture check(tmp.path() / "data");
    Roster& roster = *check.services().roster;
    std::string student = *roster.ResolveStudent("stu-a");
    CHECK(roster.Decide(alice, student, check.clock().NowMicros()).reason == "grant:" + grant);
    CHECK(RosterCommands(check.services()).Authenticate("alice", "a synthetic long password"));
  }
  CHECK(RunCli(tmp, "user disable --username nobody --reason r").exit_code == 1);
  CHECK(RunCli(tmp, "user disable --username alice").exit_code == 2);  // no --reason
  CliResult disabled = RunCli(tmp, "user disable --username alice --reason left");
  REQUIRE(disabled.exit_code == 0);
  CHECK(disabled.out == "disabled " + alice + "\n");
  CliResult to_disabled = RunCli(tmp, "grant --educator alice --student stu-a --reason r");
  CHECK(to_disabled.exit_code == 1);
  CHECK(to_disabled.err == "backpack: alice is a disabled educator account\n");
  DomainFixture after(tmp.path() / "data");
  CHECK_FALSE(RosterCommands(after.services()).Authenticate("alice", "a synthetic long password"));
}

TEST_CASE("backpack user enable, password and update manage an existing account") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey&) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School")};
  });
  auto added = RunCli(tmp, "user add --username alice --role educator --flags schoolwide",
                      "a synthetic long password\n");
  REQUIRE(added.exit_code == 0);
  const std::string alice = FirstLine(added.out);
  REQUIRE(RunCli(tmp, "user disable --username alice --reason leave").exit_code == 0);

  CHECK(RunCli(tmp, "user enable --username alice").exit_code == 2);  // no --reason
  CHECK(RunCli(tmp, "user enable --username nobody --reason back").exit_code == 1);
  CliResult enabled = RunCli(tmp, "user enable --username alice --reason back");
  REQUIRE(enabled.exit_code == 0);
  CHECK(enabled.out == "enabled " + alice + "\n");
  CliResult again = RunCli(tmp, "user enable --username alice --reason back");
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == "already enabled " + alice + "\n");

  CHECK(RunCli(tmp, "user password --username alice", "short\n").exit_code == 2);
  CHECK(RunCli(tmp, "user password --username nobody", "another long password\n").exit_code == 1);
  CliResult reset = RunCli(tmp, "user password --username alice", "another long password\n");
  REQUIRE(reset.exit_code == 0);
  CHECK(reset.out == "password reset for " + alice + "\n");

  CHECK(RunCli(tmp, "user update --username alice").exit_code == 2);  // nothing to change
  CliResult typo = RunCli(tmp, "user update --username alice --flags districtwid");
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("unknown flag") != std::string::npos);
  CliResult updated =
      RunCli(tmp, "user update --username alice --flags can_view_restricted_notes --schools sch-1");
  REQUIRE(updated.exit_code == 0);
  CHECK(updated.out == "updated " + alice + "\n");
  CliResult same = RunCli(tmp, "user update --username alice --schools sch-1");
  REQUIRE(same.exit_code == 0);
  CHECK(same.out == "unchanged " + alice + "\n");
  CliResult renamed = RunBackpack({"--data", (tmp.path() / "data").string(), "user", "update",
                                   "--username", "alice", "--display-name", "Alice\x1b[2J"});
  CHECK(renamed.exit_code == 2);
  CHECK(renamed.err.find("control characters") != std::string::npos);

  DomainFixture after(tmp.path() / "data");
  auto commands = RosterCommands(after.services());
  CHECK_FALSE(commands.Authenticate("alice", "a synthetic long password"));
  auto user = commands.Authenticate("alice", "another long password");
  REQUIRE(user);
  CHECK(user->flags == IdSet{"can_view_restricted_notes"});
  CHECK(user->schools == IdSet{"sch-1"});
}

TEST_CASE("user add and update check schools and grades as grant does") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey&) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School")};
  });
  const std::string password = "a synthetic long password\n";
  const std::string add = "user add --role educator --username ";
  CliResult unknown = RunCli(tmp, add + "ann --schools nosuchschool --grades 99", password);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err == "backpack: no such school: nosuchschool\n");
  CliResult no_schools = RunCli(tmp, add + "ann --grades 6,7", password);
  CHECK(no_schools.exit_code == 2);
  CHECK(no_schools.err.find("give schools") != std::string::npos);
  CliResult blank =
      RunBackpack({"--data", (tmp.path() / "data").string(), "user", "add", "--role", "educator",
                   "--username", "ann", "--schools", "sch-1", "--grades", "7, "},
                  password);
  CHECK(blank.exit_code == 2);
  CHECK(blank.err.find("blank") != std::string::npos);
  REQUIRE(RunCli(tmp, add + "ann --schools sch-1 --grades 07", password).exit_code == 0);

  CHECK(RunCli(tmp, "user update --username ann --schools sch-1,nosuchschool").exit_code == 1);
  CliResult no_school = RunBackpack({"--data", (tmp.path() / "data").string(), "user", "update",
                                     "--username", "ann", "--schools", ""});
  CHECK(no_school.exit_code == 2);  // ann's grades would be within no school
  CHECK(no_school.err.find("give schools") != std::string::npos);
  DomainFixture after(tmp.path() / "data");
  auto ann = after.services().roster->FindUserByUsername("ann");
  REQUIRE(ann);
  CHECK(ann->schools == IdSet{"sch-1"});
  CHECK(ann->grades == IdSet{"07"});
}

TEST_CASE("user add warns, in one line, of a guardian or teacher account no roster row links") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School"),
            ClassEvent("cls-1", "sch-1"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1"),
            EnrollmentEvent(k, "enr-t1", "cls-1", "tch-1", "teacher"),
            GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test"),
            GuardianEvent(k, "gdn-2", "stu-a", "Riley", "Quinlan", "riley.q@example.test")};
  });
  const std::string password = "a synthetic long password\n";
  struct Row {
    std::string args;
    std::string warning;  // "" for none
  };
  const Row rows[] = {
      {"--username morgan --role guardian --sourced-id gdn-1", ""},
      {"--username taylor --role educator --sourced-id tch-1", ""},
      {"--username riley.q@example.test --role guardian", ""},  // linked by its email
      {"--username privacy --role privacy_officer", ""},
      {"--username principal --role educator --flags districtwide", ""},
      {"--username counselor --role educator --flags schoolwide --schools sch-1", ""},
      {"--username gradelead --role educator --schools sch-1 --grades 07", ""},
      {"--username lee --role guardian",
       "backpack: warning: lee sees no students, and no import will link it: that takes "
       "--sourced-id with the guardian's users.csv sourcedId\n"},
      {"--username kim --role educator",
       "backpack: warning: kim has no class rosters, and no import will link it: that takes "
       "--sourced-id with the teacher's users.csv sourcedId\n"},
      {"--username sam --role guardian --sourced-id gdn-9",
       "backpack: warning: no imported student names sourcedId gdn-9 as its guardian (yet): sam "
       "sees no students until an import does\n"},
      {"--username ash --role educator --sourced-id tch-9",
       "backpack: warning: no imported class names sourcedId tch-9 as its teacher (yet): ash "
       "has no class rosters until an import does\n"},
  };
  for (const Row& row : rows) {
    INFO(row.args);
    CliResult added = RunCli(tmp, "user add " + row.args, password);
    CHECK(added.exit_code == 0);  // created all the same
    CHECK(FirstLine(added.out).starts_with("usr_"));
    CHECK(added.err == row.warning);
  }
  DomainFixture after(tmp.path() / "data");
  Roster& roster = *after.services().roster;
  CHECK(roster.FindUserByUsername("morgan")->guardian_of.size() == 1);
  CHECK(roster.TeachesAClass(roster.FindUserByUsername("taylor")->id));
  CHECK(roster.FindUserByUsername("sam")->guardian_of.empty());
}

TEST_CASE("backpack guardian unlink ends one guardian's link to one student") {
  TempDir tmp;
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1"),
            GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test")};
  });
  auto added = RunCli(tmp, "user add --username morgan.q@example.test --role guardian",
                      "a synthetic long password\n");
  REQUIRE(added.exit_code == 0);
  const std::string morgan = FirstLine(added.out);

  CHECK(RunCli(tmp, "guardian unlink --guardian morgan.q@example.test --student stu-a").exit_code ==
        2);  // no --reason
  CHECK(RunCli(tmp, "guardian unlink --guardian nobody --student stu-a --reason order").exit_code ==
        1);
  CliResult unlinked = RunCli(
      tmp, "guardian unlink --guardian morgan.q@example.test --student stu-a --reason order");
  REQUIRE(unlinked.exit_code == 0);
  CHECK(unlinked.out.starts_with("unlinked " + morgan + " from stu_"));
  CliResult again = RunCli(
      tmp, "guardian unlink --guardian morgan.q@example.test --student stu-a --reason order");
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("not a guardian of that student") != std::string::npos);

  DomainFixture after(tmp.path() / "data");
  Roster& roster = *after.services().roster;
  CHECK_FALSE(roster.IsGuardianOf(morgan, *roster.ResolveStudent("stu-a")));
}

}  // namespace
}  // namespace backpack::testing
