// A small synthetic district over a DomainFixture, for the roster tests.
// Test-only.
#pragma once

#include <catch2/catch.hpp>

#include "projections/ids.h"
#include "projections/roster/roster.h"
#include "projections/roster/roster_commands.h"
#include "projections/roster/roster_test_events.h"
#include "tests/domain_fixture.h"

namespace backpack::testing {

inline constexpr uint8_t kKindStudent = 4, kKindGuardian = 5, kKindEnrollment = 6;
inline constexpr int64_t kHour = 3'600 * kMicrosPerSecond;

class RosterWorld {
 public:
  RosterWorld() : fx_(std::make_unique<DomainFixture>(dir_.path())) {}

  DomainFixture& fx() { return *fx_; }
  Roster& roster() { return *fx_->services().roster; }
  RosterCommands commands() { return RosterCommands(fx_->services()); }
  const AeadKey& index_key() const { return fx_->keys().index_key; }
  int64_t now() { return fx_->clock().NowMicros(); }
  std::string StudentId(const std::string& sourced_id) const {
    return StudentIdFor(index_key(), sourced_id);
  }

  void Append(std::vector<NewEvent> events) {
    auto appended = fx_->log().Append(std::move(events));
    REQUIRE(appended);
  }

  // School "sch-1" with class "cls-1", students stu-a (grade 07) and stu-b
  // (grade 08), teacher "tch-1" teaching cls-1 where stu-a is enrolled, and
  // guardian "gdn-1" of stu-a.
  void ImportDistrict() {
    const AeadKey& k = index_key();
    Append({OrgEvent("sch-1", "Synthetic Middle School"), ClassEvent("cls-1", "sch-1"),
            StudentEvent(k, "stu-a", "Avery", "Quinlan", "07", "sch-1"),
            StudentEvent(k, "stu-b", "Blake", "Rowntree", "08", "sch-1", "Bee"),
            EnrollmentEvent(k, "enr-t1", "cls-1", "tch-1", "teacher"),
            EnrollmentEvent(k, "enr-s1", "cls-1", "stu-a", "student"),
            GuardianEvent(k, "gdn-1", "stu-a", "Morgan", "Quinlan", "morgan.q@example.test")});
  }

  std::string AddUser(const std::string& username, Role role, IdSet flags = {}, IdSet schools = {},
                      IdSet grades = {}, const std::string& sourced_id = "") {
    AddUserRequest r;
    r.username = username;
    r.role = role;
    r.display_name = "Synthetic " + username;
    r.flags = std::move(flags);
    r.schools = std::move(schools);
    r.grades = std::move(grades);
    r.sourced_id = sourced_id;
    r.password_cost = PasswordCost::kMinimal;
    auto id = commands().AddUser(Actor{"usr_admin", "req_1", ""}, r, "correct horse battery");
    REQUIRE(id);
    return *id;
  }

  void Reopen() { fx_->Reopen(); }

 private:
  TempDir dir_;
  std::unique_ptr<DomainFixture> fx_;
};

}  // namespace backpack::testing
