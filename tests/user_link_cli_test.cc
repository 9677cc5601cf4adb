// `backpack user update --sourced-id` through the real binary: an account
// made without a OneRoster sourcedId is linked to its person later, once.

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>

#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_test_events.h"
#include "tests/cli_seed.h"
#include "tests/domain_fixture.h"

namespace backpack::testing {
namespace {

const std::string kPassword = "a synthetic long password\n";

// A school with two families and one class: Avery (guardian gdn-1) is in
// cls-1, taught by tch-1; Blake's guardian is gdn-2.
void SeedDistrict(const TempDir& tmp) {
  REQUIRE(RunCli(tmp, "init").exit_code == 0);
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {OrgEvent("sch-1", "Synthetic School"),
            ClassEvent("cls-1", "sch-1"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1"),
            StudentEvent(k, "stu-b", "Blake", "Okafor", "07", "sch-1"),
            EnrollmentEvent(k, "enr-s1", "cls-1", "stu-a", "student"),
            EnrollmentEvent(k, "enr-t1", "cls-1", "tch-1", "teacher"),
            GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test"),
            GuardianEvent(k, "gdn-2", "stu-b", "Riley", "Okafor", "riley.o@example.test")};
  });
}

// The id of the account `username` makes, which it prints.
std::string AddUser(const TempDir& tmp, const std::string& args) {
  CliResult added = RunCli(tmp, "user add " + args, kPassword);
  REQUIRE(added.exit_code == 0);
  return FirstLine(added.out);
}

uint64_t LogSize(const TempDir& tmp) { return DomainFixture(tmp.path() / "data").log().size(); }

size_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST_CASE("user update --sourced-id links a guardian account made without one to its children") {
  TempDir tmp;
  SeedDistrict(tmp);
  const std::string lee = AddUser(tmp, "--username lee --role guardian");
  const uint64_t before = LogSize(tmp);

  CliResult linked = RunCli(tmp, "user update --username lee --sourced-id gdn-1");
  REQUIRE(linked.exit_code == 0);
  CHECK(linked.out == "linked " + lee + "\n");
  CHECK(linked.err == "");  // the process's own roster sees the link at once: no warning
  {
    DomainFixture after(tmp.path() / "data");
    REQUIRE(after.log().size() == before + 1);
    // One UserUpdated about the account, sealed under its key, naming the person.
    auto event = after.log().Read(before);
    REQUIRE(event);
    CHECK(event->header.type == EventType::UserUpdated);
    CHECK(event->header.subject_id == lee);
    CHECK(event->header.payload_encrypted);
    const auto* payload = VerifiedRoot<fb::UserUpdatedPayload>(event->payload);
    REQUIRE(payload);
    CHECK(payload->sourced_id()->str() == "gdn-1");
    CHECK(payload->username()->str() == "lee");
    // GET /api/me's `students` is the account's guardian_of.
    Roster& roster = *after.services().roster;
    const std::string avery = *roster.ResolveStudent("stu-a");
    CHECK(roster.FindUser(lee)->guardian_of == std::vector<std::string>{avery});
    CHECK(roster.IsGuardianOf(lee, avery));
    CHECK_FALSE(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-b")));
    auto guardians = roster.GuardiansOf(avery);
    REQUIRE(guardians.size() == 1);
    CHECK(guardians[0].id == lee);
    CHECK(guardians[0].email == "morgan.q@example.test");
  }
  // Rows imported after the link are the account's too.
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {StudentEvent(k, "stu-c", "Casey", "Quinlan", "04", "sch-1"),
            GuardianEvent(k, "gdn-1", "stu-c", "Morgan", "Quinlan", "morgan.q@example.test")};
  });
  CliResult again = RunCli(tmp, "user update --username lee --sourced-id gdn-1");
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == "unchanged " + lee + "\n");
  {
    DomainFixture after(tmp.path() / "data");
    Roster& roster = *after.services().roster;
    CHECK(roster.FindUser(lee)->guardian_of.size() == 2);
    CHECK(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-c")));
  }
  // And so is a later export's retraction of one of the person's links.
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {RetractEvent(static_cast<uint8_t>(fb::RecordKind::Guardian), "gdn-1",
                         StudentIdFor(k, "stu-c"))};
  });
  {
    DomainFixture after(tmp.path() / "data");
    Roster& roster = *after.services().roster;
    CHECK_FALSE(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-c")));
    CHECK(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-a")));
  }
  CliResult check = RunCli(tmp, "rebuild --check");
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(RunCli(tmp, "verify").exit_code == 0);
}

TEST_CASE("a linked account is never linked again to another person") {
  TempDir tmp;
  SeedDistrict(tmp);
  const std::string lee = AddUser(tmp, "--username lee --role guardian");
  REQUIRE(RunCli(tmp, "user update --username lee --sourced-id gdn-1").exit_code == 0);
  const uint64_t before = LogSize(tmp);

  CliResult moved = RunCli(tmp, "user update --username lee --sourced-id gdn-2");
  CheckRefused(moved,
               "backpack: lee: the account is already linked to another person in the student "
               "information system, not to sourcedId gdn-2: a link is never changed");
  // Nor one linked when it was made, by --sourced-id or by its email.
  AddUser(tmp, "--username morgan --role guardian --sourced-id gdn-9");
  AddUser(tmp, "--username riley.o@example.test --role guardian");
  const uint64_t added = LogSize(tmp);
  for (const char* username : {"morgan", "riley.o@example.test"}) {
    INFO(username);
    CliResult refused =
        RunCli(tmp, std::string("user update --username ") + username + " --sourced-id gdn-3");
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("already linked to another person") != std::string::npos);
    CHECK(Lines(refused.err) == 1);
  }
  CHECK(LogSize(tmp) == added);
  CHECK(added == before + 2);  // the two accounts; no link was recorded
  DomainFixture after(tmp.path() / "data");
  Roster& roster = *after.services().roster;
  CHECK(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-a")));
  CHECK_FALSE(roster.IsGuardianOf(lee, *roster.ResolveStudent("stu-b")));
}

TEST_CASE("user update --sourced-id refuses a sourcedId another account holds") {
  TempDir tmp;
  SeedDistrict(tmp);
  AddUser(tmp, "--username morgan --role guardian --sourced-id gdn-1");
  const std::string lee = AddUser(tmp, "--username lee --role guardian");
  const std::string pat = AddUser(tmp, "--username pat --role guardian");
  const uint64_t before = LogSize(tmp);

  CliResult taken = RunCli(tmp, "user update --username lee --sourced-id gdn-1");
  CheckRefused(taken, "backpack: lee: another account is already linked to sourcedId gdn-1");
  CHECK(LogSize(tmp) == before);

  // Held by an account linked later: refused by user add and update alike.
  REQUIRE(RunCli(tmp, "user update --username lee --sourced-id gdn-2").exit_code == 0);
  const uint64_t linked = LogSize(tmp);
  CliResult update = RunCli(tmp, "user update --username pat --sourced-id gdn-2");
  CheckRefused(update, "backpack: pat: another account is already linked to sourcedId gdn-2");
  CliResult add =
      RunCli(tmp, "user add --username sam --role guardian --sourced-id gdn-2", kPassword);
  CheckRefused(add, "backpack: that person already has an account");
  CliResult by_email =
      RunCli(tmp, "user add --username riley.o@example.test --role guardian", kPassword);
  CHECK(by_email.exit_code == 1);
  CHECK(LogSize(tmp) == linked);

  // Only a guardian's or a teacher's account has a person to link, and a
  // link is given alone.
  AddUser(tmp, "--username privacy --role privacy_officer");
  CliResult officer = RunCli(tmp, "user update --username privacy --sourced-id gdn-3");
  CHECK(officer.exit_code == 1);
  CHECK(Lines(officer.err) == 1);
  CHECK(RunCli(tmp, "user update --username pat --sourced-id gdn-3 --display-name Pat").exit_code ==
        2);
  CHECK(RunCli(tmp, "user update --username nobody --sourced-id gdn-3").exit_code == 1);
  DomainFixture after(tmp.path() / "data");
  CHECK(after.services().roster->FindUser(pat)->guardian_of.empty());
}

TEST_CASE("user update --sourced-id gives a teacher account its class rosters") {
  TempDir tmp;
  SeedDistrict(tmp);
  const std::string kim = AddUser(tmp, "--username kim --role educator");
  CliResult linked = RunCli(tmp, "user update --username kim --sourced-id tch-1");
  REQUIRE(linked.exit_code == 0);
  CHECK(linked.out == "linked " + kim + "\n");
  CHECK(linked.err == "");
  {
    DomainFixture after(tmp.path() / "data");
    Roster& roster = *after.services().roster;
    CHECK(roster.TeachesAClass(kim));
    const int64_t now = after.clock().NowMicros();
    CHECK(roster.Decide(kim, *roster.ResolveStudent("stu-a"), now).reason == "class:cls-1");
    CHECK_FALSE(roster.Decide(kim, *roster.ResolveStudent("stu-b"), now).allowed);
  }
  // A later export's enrollment of the teacher, and retraction of one, are the account's.
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {ClassEvent("cls-2", "sch-1"), EnrollmentEvent(k, "enr-s2", "cls-2", "stu-b", "student"),
            EnrollmentEvent(k, "enr-t2", "cls-2", "tch-1", "teacher"),
            RetractEvent(static_cast<uint8_t>(fb::RecordKind::Enrollment), "enr-t1", "")};
  });
  {
    DomainFixture after(tmp.path() / "data");
    Roster& roster = *after.services().roster;
    const int64_t now = after.clock().NowMicros();
    CHECK(roster.Decide(kim, *roster.ResolveStudent("stu-b"), now).reason == "class:cls-2");
    CHECK_FALSE(roster.Decide(kim, *roster.ResolveStudent("stu-a"), now).allowed);
  }
  CliResult check = RunCli(tmp, "rebuild --check");
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
}

TEST_CASE("user update --sourced-id refuses to link an account to a person of the other kind") {
  TempDir tmp;
  SeedDistrict(tmp);
  // dual-1 is imported both as Blake's guardian and as a teacher of cls-1.
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {GuardianEvent(k, "dual-1", "stu-b", "Drew", "Okafor", "drew.o@example.test"),
            EnrollmentEvent(k, "enr-t9", "cls-1", "dual-1", "teacher")};
  });
  const std::string typo = AddUser(tmp, "--username typo.teacher --role educator");
  const std::string pat = AddUser(tmp, "--username pat --role guardian");
  const uint64_t before = LogSize(tmp);

  CliResult educator = RunCli(tmp, "user update --username typo.teacher --sourced-id gdn-1");
  CheckRefused(educator,
               "backpack: typo.teacher: sourcedId gdn-1 is imported as a guardian, and an "
               "educator account is linked only to a teacher");
  CliResult guardian = RunCli(tmp, "user update --username pat --sourced-id tch-1");
  CheckRefused(guardian,
               "backpack: pat: sourcedId tch-1 is imported as a teacher, and a guardian account "
               "is linked only to a guardian");
  for (const char* username : {"typo.teacher", "pat"}) {
    INFO(username);
    CliResult dual =
        RunCli(tmp, std::string("user update --username ") + username + " --sourced-id dual-1");
    CHECK(dual.exit_code == 1);
    CHECK(dual.err.find("sourcedId dual-1 is imported as a ") != std::string::npos);
    CHECK(Lines(dual.err) == 1);
  }
  CHECK(LogSize(tmp) == before);

  // Each person can still be linked to an account of their own kind.
  const std::string lee = AddUser(tmp, "--username lee --role guardian");
  REQUIRE(RunCli(tmp, "user update --username lee --sourced-id gdn-1").out ==
          "linked " + lee + "\n");
  const std::string kim = AddUser(tmp, "--username kim --role educator");
  REQUIRE(RunCli(tmp, "user update --username kim --sourced-id tch-1").out ==
          "linked " + kim + "\n");
  DomainFixture after(tmp.path() / "data");
  Roster& roster = *after.services().roster;
  const std::string avery = *roster.ResolveStudent("stu-a");
  CHECK(roster.FindUser(lee)->guardian_of == std::vector<std::string>{avery});
  CHECK(roster.GuardiansOf(avery).at(0).id == lee);
  CHECK(roster.TeachesAClass(kim));
  CHECK(roster.FindUser(typo)->guardian_of.empty());
  CHECK_FALSE(roster.TeachesAClass(typo));
  CHECK(roster.FindUser(pat)->guardian_of.empty());
  CHECK_FALSE(roster.TeachesAClass(pat));
}

TEST_CASE("user update --sourced-id refuses a sourcedId no import names yet") {
  TempDir tmp;
  SeedDistrict(tmp);
  const std::string ash = AddUser(tmp, "--username ash --role educator");
  const std::string pat = AddUser(tmp, "--username pat --role guardian");
  const uint64_t before = LogSize(tmp);

  CliResult educator = RunCli(tmp, "user update --username ash --sourced-id tch-9");
  CheckRefused(educator,
               "backpack: ash: no imported class names sourcedId tch-9 as its teacher: link the "
               "account once an import does (a link is never changed)");
  CliResult guardian = RunCli(tmp, "user update --username pat --sourced-id gdn-9");
  CheckRefused(guardian,
               "backpack: pat: no imported student names sourcedId gdn-9 as its guardian: link "
               "the account once an import does (a link is never changed)");
  CHECK(LogSize(tmp) == before);

  // Nothing was reserved: once an import names them, the same accounts link.
  Seed(tmp, [](const AeadKey& k) -> std::vector<NewEvent> {
    return {EnrollmentEvent(k, "enr-t9", "cls-1", "tch-9", "teacher"),
            GuardianEvent(k, "gdn-9", "stu-b", "Sky", "Okafor", "sky.o@example.test")};
  });
  CliResult teacher = RunCli(tmp, "user update --username ash --sourced-id tch-9");
  CHECK(teacher.exit_code == 0);
  CHECK(teacher.out == "linked " + ash + "\n");
  CliResult parent = RunCli(tmp, "user update --username pat --sourced-id gdn-9");
  CHECK(parent.exit_code == 0);
  CHECK(parent.out == "linked " + pat + "\n");
  DomainFixture after(tmp.path() / "data");
  Roster& roster = *after.services().roster;
  CHECK(roster.TeachesAClass(ash));
  CHECK(roster.IsGuardianOf(pat, *roster.ResolveStudent("stu-b")));
}

}  // namespace
}  // namespace backpack::testing
