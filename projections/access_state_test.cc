#include "projections/access_state.h"

#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/civil_date.h"
#include "core/clock.h"

using namespace backpack;

namespace {

void Must(const Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

Grant StudentGrant(std::string id, std::string educator, std::string student) {
  return {std::move(id), std::move(educator), GrantScope::ForStudent(std::move(student)),
          std::nullopt, false};
}

}  // namespace

TEST_CASE("grades normalize so that 07 and 7 are the same grade") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"07", "7"},  {"7", "7"},   {" 7 ", "7"},       {"12", "12"}, {"00", "0"},
      {"0", "0"},   {"KG", "KG"}, {"kg", "KG"},       {"K", "KG"},  {"k", "KG"},
      {"PK", "PK"}, {"pk", "PK"}, {"Other", "OTHER"}, {"", ""},     {"  ", ""},
  };
  for (const auto& [raw, normalized] : cases) {
    INFO("grade '" << raw << "'");
    CHECK(NormalizeGrade(raw) == normalized);
  }
}

TEST_CASE("role names round-trip and unknown names are rejected") {
  for (Role role :
       {Role::kEducator, Role::kPrivacyOfficer, Role::kDistrictAdmin, Role::kGuardian}) {
    CHECK(ParseRole(RoleName(role)) == role);
  }
  CHECK(RoleName(Role::kPrivacyOfficer) == "privacy_officer");
  for (const char* bad : {"", "Educator", "teacher", "admin", "parent"}) {
    INFO(bad);
    CHECK_FALSE(ParseRole(bad).has_value());
  }
}

TEST_CASE("stored users, students and school grants hold normalized grades") {
  AccessState state;
  Must(state.UpsertUser({"u", Role::kEducator, false, {}, {"sch"}, {"07", "k", " "}}));
  Must(state.UpsertStudent({"s", "sch", "07", true}));
  Must(state.ApplyGrant(
      {"g", "u", GrantScope::ForSchoolGrades("sch", {"06", "6"}), std::nullopt, false}));
  CHECK(state.FindUser("u")->grades == IdSet{"7", "KG"});
  CHECK(state.FindStudent("s")->grade == "7");
  CHECK_FALSE(state.FindStudent("s")->retracted);
  CHECK(state.FindGrant("g")->scope.grades == IdSet{"6"});
}

TEST_CASE("mutators reject unknown targets, reused ids and malformed records unchanged") {
  AccessState state;
  Must(state.UpsertUser({"u", Role::kEducator, false, {}, {}, {}}));
  Must(state.UpsertClass("c", "sch"));
  Must(state.ApplyGrant(StudentGrant("g", "u", "s")));
  Must(state.ApplyBreakGlass(BreakGlass::Start("bg", "u", "s", 0)));
  const AccessState before = state;

  struct Case {
    std::string name;
    Status status;
    StatusCode code;
  };
  const std::vector<Case> cases = {
      {"empty user id", state.UpsertUser({}), StatusCode::kInvalidArgument},
      {"empty student id", state.UpsertStudent({}), StatusCode::kInvalidArgument},
      {"empty class id", state.UpsertClass("", "sch"), StatusCode::kInvalidArgument},
      {"disable unknown user", state.DisableUser("x"), StatusCode::kNotFound},
      {"retract unknown student", state.RetractStudent("x"), StatusCode::kNotFound},
      {"enroll in unknown class", state.AddEnrollment("x", "s", EnrollmentRole::kStudent, "r", {}),
       StatusCode::kNotFound},
      {"unenroll from unknown class",
       state.RemoveEnrollment("x", "s", EnrollmentRole::kStudent, "r"), StatusCode::kNotFound},
      {"enroll empty user", state.AddEnrollment("c", "", EnrollmentRole::kTeacher, "r", {}),
       StatusCode::kInvalidArgument},
      {"enroll without a row id", state.AddEnrollment("c", "s", EnrollmentRole::kStudent, "", {}),
       StatusCode::kInvalidArgument},
      {"revoke unknown grant", state.ApplyRevoke("x"), StatusCode::kNotFound},
      {"reused grant id", state.ApplyGrant(StudentGrant("g", "u", "s2")),
       StatusCode::kAlreadyExists},
      {"grant without educator", state.ApplyGrant(StudentGrant("g2", "", "s")),
       StatusCode::kInvalidArgument},
      {"grant scope without id", state.ApplyGrant(StudentGrant("g2", "u", "")),
       StatusCode::kInvalidArgument},
      {"school grant without grades",
       state.ApplyGrant({"g2", "u", GrantScope::ForSchoolGrades("sch", {}), std::nullopt, false}),
       StatusCode::kInvalidArgument},
      {"student grant with grades",
       state.ApplyGrant({"g2", "u", {GrantScopeKind::kStudent, "s", {"7"}}, std::nullopt, false}),
       StatusCode::kInvalidArgument},
      {"reused break-glass id", state.ApplyBreakGlass(BreakGlass::Start("bg", "u", "s2", 5)),
       StatusCode::kAlreadyExists},
      {"break-glass ending at its start", state.ApplyBreakGlass({"bg2", "u", "s", 10, 10}),
       StatusCode::kInvalidArgument},
      {"break-glass without student", state.ApplyBreakGlass(BreakGlass::Start("bg2", "u", "", 0)),
       StatusCode::kInvalidArgument},
      {"link without guardian", state.LinkGuardian("", "s"), StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    INFO(c.name << ": " << c.status.ToString());
    CHECK(c.status.code() == c.code);
  }
  CHECK(state == before);
}

TEST_CASE("enrollments keep class, teacher and student indexes in step") {
  AccessState state;
  Must(state.UpsertClass("c1", "sch"));
  Must(state.UpsertClass("c2", "sch"));
  for (const char* c : {"c1", "c2"}) {
    Must(state.AddEnrollment(c, "t", EnrollmentRole::kTeacher, "rt", {}));
    Must(state.AddEnrollment(c, "s", EnrollmentRole::kStudent, "rs", {}));
  }
  Must(state.AddEnrollment("c1", "s", EnrollmentRole::kStudent, "rs", {}));  // Idempotent.
  CHECK(state.ClassesOfTeacher("t") == IdSet{"c1", "c2"});
  CHECK(state.ClassesOfStudent("s") == IdSet{"c1", "c2"});
  CHECK(state.FindClass("c1")->students == ClassMembers{{"s", {{"rs", {}}}}});

  Must(state.UpsertClass("c1", "other-school"));
  CHECK(state.FindClass("c1")->teachers.contains("t"));  // Re-import keeps enrollments.
  CHECK(state.FindClass("c1")->school_id == "other-school");

  Must(state.RemoveEnrollment("c1", "t", EnrollmentRole::kTeacher, "rt"));
  Must(state.RemoveEnrollment("c1", "t", EnrollmentRole::kTeacher, "rt"));  // Idempotent.
  CHECK(state.ClassesOfTeacher("t") == IdSet{"c2"});
  CHECK(state.FindClass("c1")->teachers.empty());
  CHECK(state.ClassesOfStudent("s") == IdSet{"c1", "c2"});  // Role-specific removal.
  CHECK(state.ClassesOfStudent("nobody").empty());
}

TEST_CASE("a member stays in a class while any of its enrollment rows remains") {
  const EnrollmentPeriod ended{std::nullopt, 100};
  const EnrollmentPeriod open{};
  AccessState state;
  Must(state.UpsertClass("c", "sch"));
  Must(state.AddEnrollment("c", "s", EnrollmentRole::kStudent, "r1", ended));
  Must(state.AddEnrollment("c", "s", EnrollmentRole::kStudent, "r2", open));
  CHECK(state.FindClass("c")->students.at("s").size() == 2);
  CHECK(state.FindClass("c")->EnrolledAt("s", EnrollmentRole::kStudent, 200 * kMicrosPerDay));
  CHECK_FALSE(state.FindClass("c")->EnrolledAt("s", EnrollmentRole::kTeacher, 0));

  Must(state.RemoveEnrollment("c", "s", EnrollmentRole::kStudent, "r2"));
  CHECK(state.ClassesOfStudent("s") == IdSet{"c"});  // r1 still holds it, ended or not
  CHECK_FALSE(state.FindClass("c")->EnrolledAt("s", EnrollmentRole::kStudent, 200 * kMicrosPerDay));
  CHECK(state.FindClass("c")->EnrolledAt("s", EnrollmentRole::kStudent, 100 * kMicrosPerDay));

  // A re-import of a row with other dates replaces its period.
  Must(state.AddEnrollment("c", "s", EnrollmentRole::kStudent, "r1", open));
  CHECK(state.FindClass("c")->EnrolledAt("s", EnrollmentRole::kStudent, 200 * kMicrosPerDay));

  Must(state.RemoveEnrollment("c", "s", EnrollmentRole::kStudent, "r1"));
  CHECK(state.ClassesOfStudent("s").empty());
  CHECK(state.FindClass("c")->students.empty());
}

TEST_CASE("an enrollment period reads OneRoster dates and includes its last day") {
  auto period = EnrollmentPeriod::FromDates("2024-08-26", "2024-12-20");
  REQUIRE(period);
  const int64_t first = *DaysFromIsoDate("2024-08-26"), last = *DaysFromIsoDate("2024-12-20");
  CHECK(*period == EnrollmentPeriod{first, last});
  CHECK_FALSE(period->InEffectAt(first * kMicrosPerDay - 1));
  CHECK(period->InEffectAt(first * kMicrosPerDay));
  CHECK(period->InEffectAt((last + 1) * kMicrosPerDay - 1));  // 2024-12-20T23:59:59.999999Z
  CHECK_FALSE(period->InEffectAt((last + 1) * kMicrosPerDay));

  auto open = EnrollmentPeriod::FromDates("", "");
  REQUIRE(open);
  CHECK(*open == EnrollmentPeriod{});
  CHECK(open->InEffectAt(INT64_MIN));
  CHECK(open->InEffectAt(INT64_MAX));
  // Before 1970 the UTC day still rounds down: 1969-12-31 ends before 0.
  auto old = EnrollmentPeriod::FromDates("", "1969-12-31");
  REQUIRE(old);
  CHECK(old->InEffectAt(-1));
  CHECK_FALSE(old->InEffectAt(0));

  for (const auto& [begin, end] : std::vector<std::pair<std::string, std::string>>{
           {"2024-02-30", ""},
           {"", "2024-13-01"},
           {"2024-8-26", ""},
           {"2024/08/26", ""},
           {"", "2024-12-20T00:00:00Z"},
           {"", "tomorrow"},
           {"2024-12-21", "2024-12-20"},
       }) {
    INFO(begin << ".." << end);
    CHECK(EnrollmentPeriod::FromDates(begin, end).error().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("grants, revocations, break-glass and guardian links are indexed by owner") {
  AccessState state;
  Must(state.ApplyGrant(StudentGrant("g2", "u", "s")));
  Must(state.ApplyGrant(StudentGrant("g1", "u", "s")));
  Must(state.ApplyRevoke("g2"));
  Must(state.ApplyRevoke("g2"));  // Idempotent.
  Must(state.ApplyBreakGlass(BreakGlass::Start("bg", "u", "s", 100)));
  Must(state.LinkGuardian("p", "s"));
  Must(state.LinkGuardian("p", "s2"));
  Must(state.UnlinkGuardian("p", "s2"));
  CHECK(state.GrantsOfEducator("u") == IdSet{"g1", "g2"});
  CHECK(state.FindGrant("g2")->revoked);
  CHECK_FALSE(state.FindGrant("g1")->revoked);
  CHECK(state.BreakGlassOfEducator("u") == IdSet{"bg"});
  CHECK(state.FindBreakGlass("bg")->expires_at_us == 100 + kBreakGlassDurationMicros);
  CHECK(state.StudentsOfGuardian("p") == IdSet{"s"});
  CHECK(state.GuardiansOfStudent("s") == IdSet{"p"});
  CHECK(state.GuardiansOfStudent("s2").empty());
}

TEST_CASE("disabling, re-importing and retracting keep the other facts") {
  AccessState state;
  Must(state.UpsertUser({"u", Role::kEducator, false, {"districtwide"}, {"a"}, {"7"}}));
  Must(state.DisableUser("u"));
  CHECK(state.FindUser("u")->disabled);
  CHECK(state.FindUser("u")->flags == IdSet{"districtwide"});

  Must(state.UpsertStudent({"s", "a", "7", false}));
  Must(state.LinkGuardian("p", "s"));
  Must(state.RetractStudent("s"));
  CHECK(state.FindStudent("s")->retracted);
  CHECK(state.GuardiansOfStudent("s") == IdSet{"p"});
  Must(state.UpsertStudent({"s", "b", "8", false}));
  CHECK(*state.FindStudent("s") == Student{"s", "b", "8", false});
}

TEST_CASE("grant and break-glass activity is half-open at expiry") {
  Grant grant = StudentGrant("g", "u", "s");
  CHECK(grant.IsActiveAt(INT64_MAX));
  grant.expires_at_us = 1000;
  CHECK(grant.IsActiveAt(999));
  CHECK_FALSE(grant.IsActiveAt(1000));
  grant.expires_at_us.reset();
  grant.revoked = true;
  CHECK_FALSE(grant.IsActiveAt(0));

  const BreakGlass glass = BreakGlass::Start("bg", "u", "s", 1000);
  CHECK_FALSE(glass.IsActiveAt(999));
  CHECK(glass.IsActiveAt(1000));
  CHECK(glass.IsActiveAt(1000 + kBreakGlassDurationMicros - 1));
  CHECK_FALSE(glass.IsActiveAt(1000 + kBreakGlassDurationMicros));
}

TEST_CASE("replaying the same events yields an equal state") {
  auto replay = [] {
    AccessState state;
    Must(state.UpsertUser({"u", Role::kEducator, false, {}, {"a"}, {"7"}}));
    Must(state.UpsertStudent({"s", "a", "07", false}));
    Must(state.UpsertClass("c", "a"));
    Must(state.AddEnrollment("c", "s", EnrollmentRole::kStudent, "r", {std::nullopt, 100}));
    Must(state.ApplyGrant(StudentGrant("g", "u", "s")));
    return state;
  };
  AccessState first = replay();
  CHECK(first == replay());
  Must(first.ApplyRevoke("g"));
  CHECK_FALSE(first == replay());

  AccessState other_dates = replay();
  Must(other_dates.AddEnrollment("c", "s", EnrollmentRole::kStudent, "r", {std::nullopt, 101}));
  CHECK_FALSE(other_dates == replay());
}
