#include "projections/access_policy.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace backpack {
namespace {

// A rule of SPEC §1: the reason it allows `user` to read `student`, or
// nullopt. Called only for an enabled educator and a present student.
using Rule = std::optional<std::string> (*)(const AccessState& state, const User& user,
                                            const Student& student, int64_t now_us);

std::optional<std::string> ByDistrictwide(const AccessState&, const User& user, const Student&,
                                          int64_t) {
  if (!user.flags.contains(kFlagDistrictwide)) return std::nullopt;
  return "districtwide";
}

bool InUserSchool(const User& user, const Student& student) {
  return !student.school_id.empty() && user.schools.contains(student.school_id);
}

std::optional<std::string> BySchoolwide(const AccessState&, const User& user,
                                        const Student& student, int64_t) {
  if (!user.flags.contains(kFlagSchoolwide) || !InUserSchool(user, student)) return std::nullopt;
  return "schoolwide:" + student.school_id;
}

std::optional<std::string> ByGradeLevel(const AccessState&, const User& user,
                                        const Student& student, int64_t) {
  if (!InUserSchool(user, student) || student.grade.empty()) return std::nullopt;
  if (!user.grades.contains(student.grade)) return std::nullopt;
  return "grade:" + student.school_id + ":" + student.grade;
}

// A class the student and the user are both enrolled in at `now_us`, as
// student and as teacher: ended and future enrollments grant nothing.
std::optional<std::string> ByClass(const AccessState& state, const User& user,
                                   const Student& student, int64_t now_us) {
  for (const std::string& class_id : state.ClassesOfStudent(student.id)) {
    const Class* c = state.FindClass(class_id);
    if (c && c->EnrolledAt(user.id, EnrollmentRole::kTeacher, now_us) &&
        c->EnrolledAt(student.id, EnrollmentRole::kStudent, now_us)) {
      return "class:" + class_id;
    }
  }
  return std::nullopt;
}

bool Covers(const AccessState& state, const GrantScope& scope, const Student& student,
            int64_t now_us) {
  switch (scope.kind) {
    case GrantScopeKind::kStudent:
      return scope.id == student.id;
    case GrantScopeKind::kClass: {
      const Class* c = state.FindClass(scope.id);
      return c && c->EnrolledAt(student.id, EnrollmentRole::kStudent, now_us);
    }
    case GrantScopeKind::kSchoolGrades:
      return scope.id == student.school_id && !student.grade.empty() &&
             scope.grades.contains(student.grade);
  }
  return false;
}

std::optional<std::string> ByGrant(const AccessState& state, const User& user,
                                   const Student& student, int64_t now_us) {
  for (const std::string& grant_id : state.GrantsOfEducator(user.id)) {
    const Grant* grant = state.FindGrant(grant_id);
    if (grant && grant->IsActiveAt(now_us) && Covers(state, grant->scope, student, now_us)) {
      return "grant:" + grant_id;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ByBreakGlass(const AccessState& state, const User& user,
                                        const Student& student, int64_t now_us) {
  for (const std::string& id : state.BreakGlassOfEducator(user.id)) {
    const BreakGlass* record = state.FindBreakGlass(id);
    if (record && record->student_id == student.id && record->IsActiveAt(now_us)) {
      return "break_glass:" + id;
    }
  }
  return std::nullopt;
}

constexpr Rule kRulesInSpecOrder[] = {ByDistrictwide, BySchoolwide, ByGradeLevel,
                                      ByClass,        ByGrant,      ByBreakGlass};

AccessDecision Deny(std::string_view reason) { return {false, std::string(reason)}; }

// The denial for a user who may never read profiles, or nullopt.
std::optional<AccessDecision> CheckUser(const User* user) {
  if (!user) return Deny(kDeniedUnknownUser);
  if (user->disabled) return Deny(kDeniedDisabled);
  if (user->role != Role::kEducator) return Deny(kDeniedNotEducator);
  return std::nullopt;
}

// The denial for a student nobody may read, or nullopt.
std::optional<AccessDecision> CheckStudent(const Student* student) {
  if (!student) return Deny(kDeniedUnknownStudent);
  if (student->retracted) return Deny(kDeniedRetractedStudent);
  return std::nullopt;
}

}  // namespace

AccessDecision DecideAccess(const AccessState& state, std::string_view user_id,
                            std::string_view student_id, int64_t now_us) {
  const User* user = state.FindUser(user_id);
  if (auto denial = CheckUser(user)) return *std::move(denial);
  const Student* student = state.FindStudent(student_id);
  if (auto denial = CheckStudent(student)) return *std::move(denial);
  for (Rule rule : kRulesInSpecOrder) {
    if (auto reason = rule(state, *user, *student, now_us)) return {true, *std::move(reason)};
  }
  return Deny(kDeniedNoRelationship);
}

bool CanViewRestrictedNotes(const User& user) {
  return !user.disabled && user.role == Role::kEducator &&
         user.flags.contains(kFlagCanViewRestrictedNotes);
}

AccessDecision DecideRestrictedNoteAccess(const AccessState& state, std::string_view user_id,
                                          std::string_view student_id, int64_t now_us) {
  const User* user = state.FindUser(user_id);
  if (auto denial = CheckUser(user)) return *std::move(denial);
  if (!CanViewRestrictedNotes(*user)) return Deny(kDeniedNoRestrictedNotesFlag);
  return DecideAccess(state, user_id, student_id, now_us);
}

bool IsGuardianOf(const AccessState& state, std::string_view user_id, std::string_view student_id) {
  const User* user = state.FindUser(user_id);
  if (!user || user->disabled || user->role != Role::kGuardian) return false;
  if (!state.FindStudent(student_id)) return false;
  return state.StudentsOfGuardian(user_id).contains(student_id);
}

bool SeesEveryRecord(Role role, const IdSet& flags, RouteReach reach) {
  switch (reach) {
    case RouteReach::kEducator:
      return role == Role::kEducator && flags.contains(kFlagDistrictwide);
    case RouteReach::kRestrictedNote:
      return role == Role::kEducator && flags.contains(kFlagDistrictwide) &&
             flags.contains(kFlagCanViewRestrictedNotes);
    case RouteReach::kStaffOrGuardian:
      return role == Role::kPrivacyOfficer || role == Role::kDistrictAdmin;
  }
  return false;
}

MissingDecision DecideMissing(Role role, const IdSet& flags, RouteReach reach, RecordKind kind,
                              MissingRecord state, bool had_right) {
  const bool shredded = state == MissingRecord::kShredded;
  if (SeesEveryRecord(role, flags, reach)) {
    return {shredded ? MissingAnswer::kGone : MissingAnswer::kNotFound, ""};
  }
  if (shredded && had_right) return {MissingAnswer::kGone, ""};
  if (reach == RouteReach::kRestrictedNote && !flags.contains(kFlagCanViewRestrictedNotes)) {
    return {MissingAnswer::kForbidden, std::string(kDeniedNoRestrictedNotesFlag)};
  }
  if (shredded) return {MissingAnswer::kForbidden, std::string(kDeniedNoRelationship)};
  switch (kind) {
    case RecordKind::kStudent:
      return {MissingAnswer::kForbidden, std::string(kDeniedUnknownStudent)};
    case RecordKind::kNote:
      return {MissingAnswer::kForbidden, std::string(kDeniedUnknownNote)};
    case RecordKind::kRequest:
      return {MissingAnswer::kForbidden, std::string(kDeniedUnknownRequest)};
  }
  return {MissingAnswer::kForbidden, std::string(kDeniedNoRelationship)};
}

std::vector<AccessListEntry> AccessList(const AccessState& state, std::string_view student_id,
                                        int64_t now_us) {
  std::vector<AccessListEntry> entries;
  if (CheckStudent(state.FindStudent(student_id))) return entries;
  for (const auto& [user_id, user] : state.users()) {
    AccessDecision decision = DecideAccess(state, user_id, student_id, now_us);
    if (decision.allowed) entries.push_back({user_id, std::move(decision.reason)});
  }
  std::sort(entries.begin(), entries.end(), [](const AccessListEntry& a, const AccessListEntry& b) {
    return a.user_id < b.user_id;
  });
  return entries;
}

}  // namespace backpack
