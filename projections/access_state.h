// The facts the access policy decides from (SPEC §1): users, students,
// classes with their OneRoster enrollment rows and the days each is in
// effect, explicit grants, break-glass records and guardian links.
//
// AccessState is a plain in-memory value. A projection maintains it
// incrementally from log events through the mutators below (one per event
// kind); the pure decision functions in access_policy.h read it. It holds
// opaque ids and access attributes only: no names or other personal data.
//
// Mutators perform no I/O and are deterministic: replaying the same events in
// the same order yields an equal state (operator==), as `backpack rebuild`
// requires. AccessState is copyable, so a projection can stage a commit group
// on a copy and discard it if the group fails.
//
// Thread-safety: none inside. Const members may run concurrently with each
// other; a mutator needs exclusive access (the owning projection holds the
// lock). Pointers and references returned by lookups stay valid until the
// next mutator call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace backpack {

// A break-glass lasts one hour from its start (SPEC §6).
inline constexpr int64_t kBreakGlassDurationMicros = 3'600'000'000;

// User flags (SPEC §5 `user add --flags`). Unknown flags are kept and ignored.
inline constexpr std::string_view kFlagDistrictwide = "districtwide";
inline constexpr std::string_view kFlagSchoolwide = "schoolwide";
inline constexpr std::string_view kFlagCanViewRestrictedNotes = "can_view_restricted_notes";

enum class Role { kEducator, kPrivacyOfficer, kDistrictAdmin, kGuardian };

// The SPEC §1 name of `role`: "educator", "privacy_officer", ...
std::string_view RoleName(Role role);
// The role named `name` exactly as RoleName spells it; nullopt otherwise.
std::optional<Role> ParseRole(std::string_view name);

// The canonical form of a OneRoster grade, so that "07", "7" and " 7 " all
// become "7": surrounding whitespace trimmed, leading zeros of a numeric grade
// dropped, letters upper-cased, and "K" spelled "KG". "" stays "" and never
// matches any grade.
std::string NormalizeGrade(std::string_view grade);

// Sorted, so that a decision with several qualifying classes, grants or
// break-glass records deterministically names the lowest id.
using IdSet = std::set<std::string, std::less<>>;

// Hashes ids for maps that accept std::string_view lookups.
struct IdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const noexcept {
    return std::hash<std::string_view>{}(id);
  }
};
template <typename V>
using IdMap = std::unordered_map<std::string, V, IdHash, std::equal_to<>>;

struct User {
  std::string id;
  Role role = Role::kGuardian;  // Least privilege unless set.
  bool disabled = false;
  IdSet flags;    // kFlag* names.
  IdSet schools;  // Org ids: the scope of `schoolwide` and of `grades`.
  IdSet grades;   // Grade-level access within `schools`; normalized when stored.
  bool operator==(const User&) const = default;
};

struct Student {
  std::string id;
  std::string school_id;
  std::string grade;  // Normalized when stored.
  // Set by RetractStudent, cleared by UpsertStudent; ignored as input.
  bool retracted = false;
  bool operator==(const Student&) const = default;
};

// Only these OneRoster enrollment roles matter for access; importers drop
// the others (aide, proctor, administrator).
enum class EnrollmentRole { kTeacher, kStudent };

// The days one OneRoster enrollment row is in effect, as days since
// 1970-01-01, both bounds inclusive; an absent bound is open-ended.
struct EnrollmentPeriod {
  std::optional<int64_t> first_day;  // beginDate
  std::optional<int64_t> last_day;   // endDate: its last day still counts

  // The period of a row's OneRoster `beginDate` and `endDate` ("YYYY-MM-DD",
  // or "" for open-ended). InvalidArgument for any other text, or an end
  // before the beginning.
  static Result<EnrollmentPeriod> FromDates(std::string_view begin_date, std::string_view end_date);
  // first_day <= the UTC calendar day of `now_us` <= last_day.
  bool InEffectAt(int64_t now_us) const;
  bool operator==(const EnrollmentPeriod&) const = default;
};

// One member's enrollment rows in one class, by row id (an opaque id of the
// row's OneRoster sourcedId). A member may hold several rows in one class.
using EnrollmentRows = std::map<std::string, EnrollmentPeriod, std::less<>>;
// Member id -> that member's rows; members without rows are erased.
using ClassMembers = std::map<std::string, EnrollmentRows, std::less<>>;

struct Class {
  std::string id;
  std::string school_id;
  ClassMembers teachers;  // Users with `teacher` enrollment rows.
  ClassMembers students;  // Students with `student` enrollment rows.

  // True iff one of `member_id`'s `role` rows in this class is in effect at
  // `now_us`. Access decisions go through this, never through membership
  // alone: a row that has ended (or not begun) grants nothing.
  bool EnrolledAt(std::string_view member_id, EnrollmentRole role, int64_t now_us) const;
  bool operator==(const Class&) const = default;
};

enum class GrantScopeKind { kStudent, kClass, kSchoolGrades };

// What a grant covers: one student, every student enrolled in one class, or
// every student of some grades in one school.
struct GrantScope {
  GrantScopeKind kind = GrantScopeKind::kStudent;
  std::string id;  // Student, class or school id, per `kind`.
  IdSet grades;    // kSchoolGrades only, never empty there; normalized when stored.

  static GrantScope ForStudent(std::string student_id);
  static GrantScope ForClass(std::string class_id);
  static GrantScope ForSchoolGrades(std::string school_id, IdSet grades);
  bool operator==(const GrantScope&) const = default;
};

struct Grant {
  std::string id;
  std::string educator_id;
  GrantScope scope;
  std::optional<int64_t> expires_at_us;  // Unix microseconds; none: until revoked.
  bool revoked = false;

  // Not revoked, and `now_us` strictly before any expiry.
  bool IsActiveAt(int64_t now_us) const;
  bool operator==(const Grant&) const = default;
};

struct BreakGlass {
  std::string id;
  std::string educator_id;
  std::string student_id;
  int64_t started_at_us = 0;
  int64_t expires_at_us = 0;

  // A record starting at `started_at_us` that lasts kBreakGlassDurationMicros.
  static BreakGlass Start(std::string id, std::string educator_id, std::string student_id,
                          int64_t started_at_us);
  // started_at_us <= now_us < expires_at_us.
  bool IsActiveAt(int64_t now_us) const;
  bool operator==(const BreakGlass&) const = default;
};

class AccessState {
 public:
  // --- Mutators. Each leaves the state unchanged when it returns an error.
  // Those that add records or links reject an empty id as InvalidArgument.

  // UserCreated / UserUpdated: replaces every attribute, `disabled` included;
  // to change some attributes, start from a copy of FindUser's record.
  Status UpsertUser(User user);
  // UserDisabled. NotFound for an unknown user.
  Status DisableUser(std::string_view user_id);
  // UserEnabled. NotFound for an unknown user.
  Status EnableUser(std::string_view user_id);

  // StudentImported: replaces the student's school and grade, and clears a
  // retraction (the student is back in the roster). Enrollments, grants and
  // guardian links are kept.
  Status UpsertStudent(Student student);
  // RecordRetracted for a student: every educator is denied from now on; the
  // facts are kept. NotFound for an unknown student.
  Status RetractStudent(std::string_view student_id);

  // ClassImported: sets the class's school, keeping its enrollments.
  Status UpsertClass(std::string_view class_id, std::string_view school_id);
  // EnrollmentImported: adds the row `row_id` of `member_id`'s `role`
  // membership in the class, or replaces its period. Idempotent. NotFound for
  // an unknown class.
  Status AddEnrollment(std::string_view class_id, std::string_view member_id, EnrollmentRole role,
                       std::string_view row_id, EnrollmentPeriod period);
  // RecordRetracted for an enrollment row, or a row that moved to another
  // class, member or role: removes that row only; the member stays enrolled
  // through any other row. Idempotent. NotFound for an unknown class.
  Status RemoveEnrollment(std::string_view class_id, std::string_view member_id,
                          EnrollmentRole role, std::string_view row_id);

  // AccessGranted. AlreadyExists for a reused grant id; InvalidArgument for
  // a scope without an id, or with grades missing (school scope) or present
  // (other scopes).
  Status ApplyGrant(Grant grant);
  // AccessRevoked. Idempotent. NotFound for an unknown grant.
  Status ApplyRevoke(std::string_view grant_id);
  // BreakGlassStarted. AlreadyExists for a reused id; InvalidArgument unless
  // it expires after it starts.
  Status ApplyBreakGlass(BreakGlass record);

  // GuardianLinked. Idempotent.
  Status LinkGuardian(std::string_view guardian_id, std::string_view student_id);
  // RecordRetracted for a guardian link. Idempotent.
  Status UnlinkGuardian(std::string_view guardian_id, std::string_view student_id);

  // --- Lookups. Find* return nullptr for an unknown id; the set lookups
  // return an empty set.

  const User* FindUser(std::string_view user_id) const;
  const Student* FindStudent(std::string_view student_id) const;
  const Class* FindClass(std::string_view class_id) const;
  const Grant* FindGrant(std::string_view grant_id) const;
  const BreakGlass* FindBreakGlass(std::string_view break_glass_id) const;
  const IdMap<User>& users() const { return users_; }

  // Classes in which the member holds an enrollment row, whether or not it
  // is in effect now: check Class::EnrolledAt before granting anything.
  const IdSet& ClassesOfStudent(std::string_view student_id) const;
  const IdSet& ClassesOfTeacher(std::string_view user_id) const;
  const IdSet& GrantsOfEducator(std::string_view user_id) const;      // Revoked ones too.
  const IdSet& BreakGlassOfEducator(std::string_view user_id) const;  // Expired ones too.
  const IdSet& StudentsOfGuardian(std::string_view guardian_id) const;
  const IdSet& GuardiansOfStudent(std::string_view student_id) const;

  bool operator==(const AccessState&) const = default;

 private:
  IdMap<User> users_;
  IdMap<Student> students_;
  IdMap<Class> classes_;
  IdMap<Grant> grants_;
  IdMap<BreakGlass> break_glass_;
  // Indexes: owner id -> ids. Entries whose set becomes empty are erased.
  // A class is in a member's index while the member holds a row in it.
  IdMap<IdSet> classes_of_student_;
  IdMap<IdSet> classes_of_teacher_;
  IdMap<IdSet> grants_of_educator_;
  IdMap<IdSet> break_glass_of_educator_;
  IdMap<IdSet> students_of_guardian_;
  IdMap<IdSet> guardians_of_student_;
};

}  // namespace backpack
