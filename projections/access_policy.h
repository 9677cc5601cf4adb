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
// A note or family request id that names none (DecideMissing).
inline constexpr std::string_view kDeniedUnknownNote = "denied:unknown_note";
inline constexpr std::string_view kDeniedUnknownRequest = "denied:unknown_request";
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

// Access to a student's restricted note text: an enabled educator (denied as
// DecideAccess denies other users), then CanViewRestrictedNotes (denied as
// kDeniedNoRestrictedNotesFlag, whatever the access to the student, so that
// the refusal says nothing about whose note it is, or whether it exists:
// DecideMissing refuses such a caller the same way), then DecideAccess. When
// allowed, the reason is DecideAccess's.
AccessDecision DecideRestrictedNoteAccess(const AccessState& state, std::string_view user_id,
                                          std::string_view student_id, int64_t now_us);

// True iff `user_id` is an enabled guardian linked to the known student
// `student_id`. A retracted student stays readable by their guardians: FERPA
// rights cover every record the district still holds.
bool IsGuardianOf(const AccessState& state, std::string_view user_id, std::string_view student_id);

// Requests about an id that names no live record: none ever (unknown), or a
// shredded student's (the student, their note or family request). So that
// the answer tells a caller who could not have seen the record nothing about
// which ids exist or were shredded (SPEC §1: unknown cases are denied), only
// a caller who could read any record through the route is told "unknown"
// (404); "gone" (410) goes to them and to a caller who had a right to the
// shredded record; everyone else is refused as for a live record they may
// not see (403, recorded).
enum class MissingRecord { kUnknown, kShredded };
enum class MissingAnswer { kNotFound, kGone, kForbidden };
// What the id names.
enum class RecordKind { kStudent, kNote, kRequest };
// Whom a route serves any record to, whatever their relationship to it:
//   kEducator        (profile, notes, break-glass, note changes): districtwide educators;
//   kRestrictedNote  (a restricted note's text): districtwide educators with
//                    can_view_restricted_notes;
//   kStaffOrGuardian (history, family requests and their decisions, the access
//                    list, disclosures, unlinks): privacy officers and district
//                    admins; a guardian, only their own child's.
enum class RouteReach { kEducator, kRestrictedNote, kStaffOrGuardian };

struct MissingDecision {
  MissingAnswer answer = MissingAnswer::kForbidden;
  // kForbidden: the reason recorded in the AccessDenied event: kDeniedUnknown*
  // for an unknown id, kDeniedNoRestrictedNotesFlag for a caller without the
  // flag on kRestrictedNote, else kDeniedNoRelationship (a shredded record).
  std::string reason;
  bool operator==(const MissingDecision&) const = default;
};

// True iff a caller of `role` with `flags` may read every record through a
// route of `reach`, so that an answer about an id tells them nothing new.
bool SeesEveryRecord(Role role, const IdSet& flags, RouteReach reach);

// The answer to a caller of `role` with `flags`, whom a route of `reach`
// serves, about an id of `kind` that names no live record (`state`).
// `had_right`: the caller had a right to the shredded record that can still
// be decided (a guardian linked to the child when it was shredded); ignored
// for an unknown id. Pure: the caller looks the facts up.
MissingDecision DecideMissing(Role role, const IdSet& flags, RouteReach reach, RecordKind kind,
                              MissingRecord state, bool had_right);

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
