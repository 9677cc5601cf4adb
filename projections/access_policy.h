// The access decision of SPEC §1, as pure functions of an AccessState and an
// injected time: no I/O, no clock, no locks. Callers (HTTP handlers, the
// feed and search projections) write the returned reason into the access or
// AccessDenied event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/access_state.h"

namespace backpack {

// Machine reasons for denials.
inline constexpr std::string_view kDeniedUnknownUser = "denied:unknown_user";
inline constexpr std::string_view kDeniedDisabled = "denied:disabled";
inline constexpr std::string_view kDeniedNotEducator = "denied:not_educator";
inline constexpr std::string_view kDeniedUnknownStudent = "denied:unknown_student";
inline constexpr std::string_view kDeniedRetractedStudent = "denied:retracted_student";
inline constexpr std::string_view kDeniedNoRelationship = "denied:no_relationship";
inline constexpr std::string_view kDeniedNoRestrictedNotesFlag = "denied:no_restricted_notes_flag";
// Decided by the HTTP API itself, outside the access policy.
inline constexpr std::string_view kDeniedWrongRole = "denied:wrong_role";
inline constexpr std::string_view kDeniedNotAuthor = "denied:not_author";
// A privacy officer reviewing an alert about their own account.
inline constexpr std::string_view kDeniedOwnAlert = "denied:own_alert";
// A request about a student whose record was shredded (answered 410 gone).
inline constexpr std::string_view kDeniedGone = "denied:gone";
// A cookie-authenticated write without a JSON or zip body (IsCrossSiteSafe).
inline constexpr std::string_view kDeniedCrossSite = "denied:cross_site_content_type";

struct AccessDecision {
  bool allowed = false;
  // Allowed: exactly one of `districtwide`, `schoolwide:SCHOOL`,
  // `grade:SCHOOL:GRADE` (GRADE normalized, e.g. "7" or "KG"), `class:CLASS`,
  // `grant:GRANT`, `break_glass:ID`. Denied: one of the kDenied* reasons.
  std::string reason;
  bool operator==(const AccessDecision&) const = default;
};

// May `user_id` read the profile of `student_id` at `now_us` (unix
// microseconds)? Denies an unknown, disabled or non-educator user, and an
// unknown or retracted student. Otherwise the first rule that applies, in
// SPEC order, gives the reason:
//   1. the `districtwide` flag;
//   2. the `schoolwide` flag, with the student's school among the user's;
//   3. grade-level: the student's school among the user's and grade among
//      the user's grades;
//   4. a `teacher` enrollment in a class the student is enrolled in, both
//      in effect at `now_us` (beginDate <= the UTC day of now <= endDate,
//      an empty date being open-ended; see EnrollmentPeriod);
//   5. a grant that is active at `now_us` (unrevoked, now < expiry) and
//      covers the student: by id, by an enrollment in the class in effect at
//      `now_us`, or by school and grade;
//   6. a break-glass for this student active at `now_us`
//      (started_at <= now < expires_at).
// Within rules 4-6 the lowest qualifying id is named. No rule: denied.
AccessDecision DecideAccess(const AccessState& state, std::string_view user_id,
                            std::string_view student_id, int64_t now_us);

// True iff `user` is an enabled educator with `can_view_restricted_notes`.
bool CanViewRestrictedNotes(const User& user);

// Access to a student's restricted note text: DecideAccess, and then
// CanViewRestrictedNotes (denied as kDeniedNoRestrictedNotesFlag). When
// allowed, the reason is DecideAccess's.
AccessDecision DecideRestrictedNoteAccess(const AccessState& state, std::string_view user_id,
                                          std::string_view student_id, int64_t now_us);

// True iff `user_id` is an enabled guardian linked to the known student
// `student_id`. A retracted student stays readable by their guardians: FERPA
// rights cover every record the district still holds.
bool IsGuardianOf(const AccessState& state, std::string_view user_id, std::string_view student_id);

struct AccessListEntry {
  std::string user_id;
  std::string reason;  // As DecideAccess gives it.
  bool operator==(const AccessListEntry&) const = default;
};

// Every user whom DecideAccess allows to read `student_id` at `now_us`, with
// the reason, ordered by user id (GET /api/students/{id}/access). Empty for
// an unknown or retracted student. Costs one DecideAccess per user.
std::vector<AccessListEntry> AccessList(const AccessState& state, std::string_view student_id,
                                        int64_t now_us);

}  // namespace backpack
