#include <catch2/catch.hpp>
#include <shared_mutex>
#include <tuple>

#include "projections/rebuild.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"
#include "projections/roster/roster_test_world.h"

namespace backpack::testing {
namespace {

const Actor kAdmin{"usr_admin", "req_1", ""};

// Every (user, student) decision and access list, for comparing states.
std::vector<std::string> Decisions(Roster& roster, const std::vector<std::string>& users,
                                   const std::vector<std::string>& students, int64_t now) {
  std::vector<std::string> out;
  for (const auto& u : users) {
    for (const auto& s : students) {
      AccessDecision d = roster.Decide(u, s, now);
      out.push_back(u + "/" + s + "=" + (d.allowed ? "allow:" : "deny:") + d.reason);
      out.push_back(roster.IsGuardianOf(u, s) ? "guardian" : "-");
    }
  }
  for (const auto& s : students) {
    for (const auto& entry : roster.AccessList(s, now)) out.push_back(entry.user_id + entry.reason);
  }
  return out;
}

// Every key of every roster family that contains `needle`.
std::vector<std::string> KeysMentioning(Store& store, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& family : roster::ProjectionFamilies()) {
    auto it = store.NewIterator(family);
    REQUIRE(it);
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      std::string key(AsChars((*it)->key()));
      std::string value(AsChars((*it)->value()));
      if (key.find(needle) != std::string::npos || value.find(needle) != std::string::npos) {
        found.push_back(family + ":" + key);
      }
    }
  }
  return found;
}

// Replays the log into a scratch store; the first difference from the live
// roster families, or "" if byte-for-byte equal.
// The district of ImportDistrict with a second guardian (gdn-2) of stu-a,
// both with accounts: {stu-a's id, gdn-1's account, gdn-2's account}.
std::tuple<std::string, std::string, std::string> TwoGuardiansOfStudentA(RosterWorld& w) {
  w.ImportDistrict();
  std::string guardian = w.AddUser("morgan.q@example.test", Role::kGuardian);
  w.Append({GuardianEvent(w.index_key(), "gdn-2", "stu-a", "Jordan", "Quinlan",
                          "jordan.q@example.test")});
  std::string second = w.AddUser("jordan.q@example.test", Role::kGuardian);
  return {w.StudentId("stu-a"), guardian, second};
}

std::string RebuildDifference(RosterWorld& w, const std::filesystem::path& scratch_dir) {
  std::unique_ptr<Store> scratch = w.fx().Rebuilt(scratch_dir);
  auto diff = FirstDifference(w.fx().store(), *scratch, roster::ProjectionFamilies());
  REQUIRE(diff);
  return diff->value_or("");
}

TEST_CASE("imported students are readable and teachers see their class") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  CHECK(teacher == UserIdFor(w.index_key(), "tch-1"));

  std::string a = w.StudentId("stu-a");
  auto info = w.roster().FindStudent(a);
  REQUIRE(info);
  CHECK(info->given_name == "Avery");
  CHECK(info->grade == "07");
  CHECK(info->school_name == "Synthetic Middle School");
  CHECK(info->DisplayName() == "Avery Quinlan");
  CHECK(*w.roster().ResolveStudent("stu-a") == a);
  CHECK(*w.roster().ResolveStudent(a) == a);
  CHECK(w.roster().ResolveStudent("nobody").error().code() == StatusCode::kNotFound);

  CHECK(w.roster().Decide(teacher, a, w.now()).reason == "class:cls-1");
  CHECK_FALSE(w.roster().Decide(teacher, w.StudentId("stu-b"), w.now()).allowed);
  auto accessible = w.roster().AccessibleStudents(teacher, w.now());
  REQUIRE(accessible.size() == 1);
  CHECK(accessible[0].first == a);
}

TEST_CASE("a cached student or school read gives way to a later import") {
  RosterWorld w;
  w.ImportDistrict();
  std::string a = w.StudentId("stu-a");
  REQUIRE(w.roster().FindStudent(a)->given_name == "Avery");  // now cached
  REQUIRE(w.roster().FindStudent(a)->school_name == "Synthetic Middle School");

  w.Append({StudentEvent(w.index_key(), "stu-a", "Avery", "Quinlan", "08", "sch-1", "Ave")});
  auto info = w.roster().FindStudent(a);
  REQUIRE(info);
  CHECK(info->grade == "08");
  CHECK(info->DisplayName() == "Ave Quinlan");

  w.Append({OrgEvent("sch-1", "Renamed Middle School")});
  CHECK(w.roster().FindStudent(a)->school_name == "Renamed Middle School");
}

TEST_CASE("an enrollment imported before its class grants access once recorded") {
  RosterWorld w;
  const AeadKey& k = w.index_key();
  w.Append({StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1"),
            EnrollmentEvent(k, "enr-t1", "cls-9", "tch-1", "teacher"),
            EnrollmentEvent(k, "enr-s1", "cls-9", "stu-a", "student")});
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  CHECK(w.roster().Decide(teacher, w.StudentId("stu-a"), w.now()).reason == "class:cls-9");
  w.Append({ClassEvent("cls-9", "sch-1")});
  w.Reopen();
  CHECK(w.roster().Decide(teacher, w.StudentId("stu-a"), w.now()).reason == "class:cls-9");
}

TEST_CASE("retracted students and enrollments lose access but stay flagged") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  std::string a = w.StudentId("stu-a");

  w.Append({RetractEvent(kKindEnrollment, "enr-s1", a)});
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedNoRelationship));
  w.Append({EnrollmentEvent(w.index_key(), "enr-s1", "cls-1", "stu-a", "student")});
  CHECK(w.roster().Decide(teacher, a, w.now()).allowed);

  w.Append({RetractEvent(kKindStudent, "stu-a", a)});
  CHECK(w.roster().FindStudent(a)->retracted);
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedRetractedStudent));
  w.Reopen();
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedRetractedStudent));
}

// Load over the committed families builds the very state the live path did.
void CheckLoadEqualsLive(RosterWorld& w) {
  auto loaded = roster::LoadMemory(w.fx().store(), w.fx().data_keys());
  REQUIRE(loaded);
  const roster::SharedMemory& shared = RosterInternals::Of(w.roster()).shared;
  std::shared_lock lock(shared.mu);
  const roster::Memory& live = shared.state;
  CHECK(loaded->access == live.access);
  CHECK(loaded->students == live.students);
}

TEST_CASE("enrollment dates decide class access live, after reopening and in a rebuild") {
  RosterWorld w;                    // now: 2026-09-21
  const AeadKey k = w.index_key();  // a copy: Reopen replaces the fixture's keys
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  const std::string a = w.StudentId("stu-a"), b = w.StudentId("stu-b");
  // Last school year's class: both enrollments ended in June.
  w.Append({ClassEvent("cls-2", "sch-1"),
            EnrollmentEvent(k, "enr-t2", "cls-2", "tch-1", "teacher", "2025-08-25", "2026-06-12"),
            EnrollmentEvent(k, "enr-s2", "cls-2", "stu-b", "student", "2025-08-25", "2026-06-12")});
  CHECK(w.roster().Decide(teacher, b, w.now()).reason == std::string(kDeniedNoRelationship));
  // stu-a's row is re-imported with an end date: transferred out yesterday.
  w.Append({EnrollmentEvent(k, "enr-s1", "cls-1", "stu-a", "student", "", "2026-09-20")});
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedNoRelationship));
  CHECK(w.roster().AccessibleStudents(teacher, w.now()).empty());
  CheckLoadEqualsLive(w);
  w.Reopen();
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedNoRelationship));
  CHECK(w.roster().Decide(teacher, b, w.now()).reason == std::string(kDeniedNoRelationship));

  // Back from today in a row of its own: the ended row no longer matters.
  w.Append({EnrollmentEvent(k, "enr-s1b", "cls-1", "stu-a", "student", "2026-09-21", "")});
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == "class:cls-1");
  CheckLoadEqualsLive(w);
  w.Reopen();
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == "class:cls-1");
  // Yesterday, the old row's last day, it held too.
  CHECK(w.roster().Decide(teacher, a, w.now() - 24 * kHour).reason == "class:cls-1");
  TempDir scratch;
  CHECK(RebuildDifference(w, scratch.path() / "db") == "");
}

TEST_CASE("an enrollment with a malformed date is refused and appends nothing") {
  RosterWorld w;
  w.ImportDistrict();
  const uint64_t size = w.fx().log().size();
  for (const auto& [begin, end] : std::vector<std::pair<std::string, std::string>>{
           {"2026-02-30", ""}, {"", "20-12-2026"}, {"2026-09-22", "2026-09-21"}}) {
    INFO(begin << ".." << end);
    CHECK_FALSE(w.fx().log().Append(
        {EnrollmentEvent(w.index_key(), "enr-x", "cls-1", "stu-b", "student", begin, end)}));
  }
  CHECK(w.fx().log().size() == size);
}

TEST_CASE("guardians are linked by import and lose the link when retracted") {
  RosterWorld w;
  w.ImportDistrict();
  std::string a = w.StudentId("stu-a");
  std::string guardian = w.AddUser("morgan.q@example.test", Role::kGuardian);
  CHECK(guardian == UserIdFor(w.index_key(), "gdn-1"));
  CHECK(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().FindUser(guardian)->guardian_of == std::vector<std::string>{a});
  auto guardians = w.roster().GuardiansOf(a);
  REQUIRE(guardians.size() == 1);
  CHECK(guardians[0].email == "morgan.q@example.test");
  CHECK(guardians[0].relationship == "parent");

  w.Append({RetractEvent(kKindGuardian, "gdn-1", a)});
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().GuardiansOf(a).empty());
}

TEST_CASE("a guardian keeps the link to a retracted student until the student returns without it") {
  RosterWorld w;
  const AeadKey k = w.index_key();  // a copy: Reopen replaces the fixture's keys
  const auto [a, guardian, second] = TwoGuardiansOfStudentA(w);

  // A full export without the family: the student, then both links (the
  // order the import planner retracts in).
  w.Append({RetractEvent(kKindStudent, "stu-a", a), RetractEvent(kKindGuardian, "gdn-1", a),
            RetractEvent(kKindGuardian, "gdn-2", a)});
  CHECK(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().IsGuardianOf(second, a));
  CHECK(w.roster().GuardiansOf(a).size() == 2);  // still the parents to notify of a breach
  w.Reopen();
  CHECK(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().IsGuardianOf(second, a));
  TempDir scratch_1;
  CHECK(RebuildDifference(w, scratch_1.path() / "db") == "");

  // The student returns, linked to the first guardian only: the second's
  // link ends, live and after reopening.
  w.Append({GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1")});
  CHECK(w.roster().IsGuardianOf(guardian, a));
  CHECK_FALSE(w.roster().IsGuardianOf(second, a));
  CHECK(w.roster().GuardiansOf(a).size() == 1);
  w.Reopen();
  CHECK(w.roster().IsGuardianOf(guardian, a));
  CHECK_FALSE(w.roster().IsGuardianOf(second, a));
  TempDir scratch_2;
  CHECK(RebuildDifference(w, scratch_2.path() / "db") == "");
}

TEST_CASE("a link retracted while its student is enrolled ends even if the student leaves later") {
  RosterWorld w;
  w.ImportDistrict();
  std::string a = w.StudentId("stu-a");
  std::string guardian = w.AddUser("morgan.q@example.test", Role::kGuardian);
  w.Append({RetractEvent(kKindGuardian, "gdn-1", a)});
  w.Append({RetractEvent(kKindStudent, "stu-a", a)});
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  w.Reopen();
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
}

TEST_CASE("an administrator ends one guardian's link, also while the student is retracted") {
  RosterWorld w;
  const auto [a, guardian, second] = TwoGuardiansOfStudentA(w);
  auto cmd = w.commands();

  CHECK(cmd.UnlinkGuardian(kAdmin, guardian, a, " ").code() == StatusCode::kInvalidArgument);
  CHECK(
      cmd.UnlinkGuardian(kAdmin, guardian, w.StudentId("stu-b"), "Synthetic court order").code() ==
      StatusCode::kNotFound);
  const uint64_t size = w.fx().log().size();
  REQUIRE(cmd.UnlinkGuardian(kAdmin, guardian, a, "Synthetic court order 5521").ok());
  CHECK(w.fx().log().size() == size + 1);
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().IsGuardianOf(second, a));  // the other guardian keeps theirs
  // The reason is sealed under the student's key, like every personal payload.
  auto event = w.fx().log().Read(w.fx().log().size() - 1);
  REQUIRE(event);
  CHECK(event->header.type == EventType::GuardianUnlinked);
  CHECK(event->header.subject_id == a);
  CHECK(event->header.payload_encrypted);
  CHECK(cmd.UnlinkGuardian(kAdmin, guardian, a, "again").code() == StatusCode::kNotFound);

  // The student leaves with the family: the ended link stays ended, the
  // other is kept in force while the student is retracted; the second
  // guardian's can be ended then too.
  w.Append({RetractEvent(kKindStudent, "stu-a", a), RetractEvent(kKindGuardian, "gdn-1", a),
            RetractEvent(kKindGuardian, "gdn-2", a)});
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().IsGuardianOf(second, a));
  REQUIRE(w.commands().UnlinkGuardian(kAdmin, second, a, "Synthetic custody change").ok());
  CHECK_FALSE(w.roster().IsGuardianOf(second, a));
  w.Reopen();
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  CHECK_FALSE(w.roster().IsGuardianOf(second, a));
  TempDir scratch;
  CHECK(RebuildDifference(w, scratch.path() / "db") == "");
}

TEST_CASE("a guardian whose link ended was still once the student's guardian") {
  RosterWorld w;
  const auto [a, guardian, second] = TwoGuardiansOfStudentA(w);
  const std::string b = w.StudentId("stu-b");
  REQUIRE(w.commands().UnlinkGuardian(kAdmin, guardian, a, "Synthetic court order").ok());
  CHECK_FALSE(w.roster().IsGuardianOf(guardian, a));
  CHECK(w.roster().WasEverGuardianOf(guardian, a));
  CHECK(w.roster().WasEverGuardianOf(second, a));
  CHECK_FALSE(w.roster().WasEverGuardianOf(guardian, b));
  CHECK_FALSE(w.roster().WasEverGuardianOf(w.AddUser("tch-1", Role::kEducator), a));
}

TEST_CASE("Load after reopening gives the same decisions as the live state") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  std::string principal = w.AddUser("principal", Role::kEducator, {"districtwide"});
  std::string grade_lead = w.AddUser("lead7", Role::kEducator, {}, {"sch-1"}, {"7"});
  std::string guardian = w.AddUser("gdn-1", Role::kGuardian);
  std::string other = w.AddUser("helper", Role::kEducator);
  std::string gone = w.AddUser("leaver", Role::kEducator, {"districtwide"});
  std::string a = w.StudentId("stu-a"), b = w.StudentId("stu-b");
  auto cmd = w.commands();
  REQUIRE(cmd.Grant(
      kAdmin, GrantRequest{other, GrantScope::ForStudent(b), w.now() + kHour, "covering a class"}));
  auto revoked = cmd.Grant(kAdmin, GrantRequest{other, GrantScope::ForClass("cls-1"), {}, "x"});
  REQUIRE(revoked);
  REQUIRE(cmd.Revoke(kAdmin, *revoked).ok());
  REQUIRE(cmd.StartBreakGlass(kAdmin, teacher, b, "urgent safeguarding concern raised"));
  REQUIRE(cmd.DisableUser(kAdmin, gone, "left the district").has_value());

  std::vector<std::string> users{teacher, principal, grade_lead, guardian, other, gone};
  auto before = Decisions(w.roster(), users, {a, b}, w.now());
  CheckLoadEqualsLive(w);
  w.Reopen();
  CHECK(Decisions(w.roster(), users, {a, b}, w.now()) == before);
  CHECK(w.roster().Decide(other, b, w.now()).reason.starts_with("grant:"));
  CHECK(w.roster().Decide(teacher, b, w.now()).reason.starts_with("break_glass:"));
  CHECK(w.roster().Decide(gone, a, w.now()).reason == std::string(kDeniedDisabled));
}

TEST_CASE("shredding a student removes every roster value about them") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  std::string a = w.StudentId("stu-a");
  REQUIRE(w.commands().Grant(kAdmin, GrantRequest{teacher, GrantScope::ForStudent(a), {}, "r"}));
  REQUIRE(w.commands().StartBreakGlass(kAdmin, teacher, a, "a reason of twenty chars+"));
  CHECK_FALSE(KeysMentioning(w.fx().store(), a).empty());

  REQUIRE(w.fx().data_keys().Shred(a).ok());
  w.Append({ShredEvent(a)});
  CHECK(KeysMentioning(w.fx().store(), a).empty());
  CHECK(w.roster().FindStudent(a).error().code() == StatusCode::kGone);
  CHECK(w.roster().ResolveStudent("stu-a").error().code() == StatusCode::kGone);
  CHECK(w.roster().GuardiansOf(a).empty());
  CHECK(w.roster().Decide(teacher, a, w.now()).reason == std::string(kDeniedUnknownStudent));
  CHECK(w.roster().AccessibleStudents(teacher, w.now()).empty());
  CHECK(w.roster().FindStudent(w.StudentId("stu-b")));  // others untouched
  TempDir scratch;
  CHECK(RebuildDifference(w, scratch.path() / "db") == "");
}

TEST_CASE("a rebuild reproduces the roster families byte for byte") {
  RosterWorld w;
  w.ImportDistrict();
  std::string teacher = w.AddUser("tch-1", Role::kEducator);
  w.AddUser("gdn-1", Role::kGuardian);
  REQUIRE(w.commands().Grant(
      kAdmin,
      GrantRequest{teacher, GrantScope::ForSchoolGrades("sch-1", {"8"}), {}, "grade team"}));
  // Every kind of access event, so that a projection reading anything but
  // the event and the transaction (the clock, say) shows up as a difference.
  std::string helper = w.AddUser("helper", Role::kEducator);
  std::string leaver = w.AddUser("leaver", Role::kEducator);
  const std::string a = w.StudentId("stu-a"), b = w.StudentId("stu-b");
  auto revoked =
      w.commands().Grant(kAdmin, GrantRequest{helper, GrantScope::ForStudent(a), {}, "r"});
  REQUIRE(revoked);
  REQUIRE(w.commands().Revoke(kAdmin, *revoked).ok());
  REQUIRE(w.commands().StartBreakGlass(kAdmin, helper, a, "urgent safeguarding concern raised"));
  REQUIRE(w.commands().StartBreakGlass(kAdmin, teacher, b, "urgent safeguarding concern raised"));
  REQUIRE(w.commands().DisableUser(kAdmin, leaver, "left the district").has_value());
  w.Append({RetractEvent(kKindStudent, "stu-b", b)});
  REQUIRE(w.fx().data_keys().Shred(a).ok());
  w.Append({ShredEvent(a)});
  TempDir scratch;
  CHECK(RebuildDifference(w, scratch.path() / "db") == "");
}

TEST_CASE("roster families hold no plaintext names") {
  RosterWorld w;
  w.ImportDistrict();
  w.AddUser("gdn-1", Role::kGuardian);
  for (const char* secret : {"Avery", "Quinlan", "Rowntree", "Morgan", "morgan.q@", "stu-a",
                             "Synthetic gdn-1", "555-0100"}) {
    INFO(secret);
    CHECK(KeysMentioning(w.fx().store(), secret).empty());
  }
}

TEST_CASE("a malformed roster payload is refused and appends nothing") {
  RosterWorld w;
  NewEvent bad = ShredEvent("");
  bad.type = EventType::AccessRevoked;  // a roster-only event type
  bad.payload.resize(3);
  uint64_t size = w.fx().log().size();
  CHECK_FALSE(w.fx().log().Append({bad}));
  CHECK(w.fx().log().size() == size);
}

}  // namespace
}  // namespace backpack::testing
