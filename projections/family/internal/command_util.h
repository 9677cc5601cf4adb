// Shared steps of the family commands: who is acting, may they, is the
// student there, and appending. Internal to projections/family/.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <initializer_list>
#include <optional>
#include <string_view>

#include "projections/family/family.h"
#include "projections/roster/roster.h"

namespace backpack::family {

// The enabled user behind `actor`; kPermissionDenied if unknown or disabled,
// kUnavailable if the roster is not wired.
Result<UserInfo> ActingUser(const Services& services, const Actor& actor);
// kPermissionDenied unless `user` has one of `roles`.
Status RequireRole(const UserInfo& user, std::initializer_list<Role> roles, std::string_view what);
// A guardian linked to the student, or (when `or_role` is given) that role.
Status RequireGuardianOr(const Services& services, const UserInfo& user, std::string_view student,
                         std::optional<Role> or_role, std::string_view what);
// The student exists and is not shredded (kNotFound / kGone otherwise).
Status CheckStudent(const Services& services, std::string_view student);
// UTF-8 text without control characters (but line breaks and tabs), with a
// visible character, of at most kMaxFamilyTextChars; kInvalidArgument otherwise.
Status CheckText(std::string_view text, std::string_view what);

// The request `id`, which must be of `kind` and in state `status`
// (kInvalidArgument / kFailedPrecondition otherwise).
Result<FamilyRequest> RequestIn(const Family& family, std::string_view id, FamilyRequestKind kind,
                                std::string_view status);

// Appends `events` in one commit; kUnavailable if the log is not open.
Result<AppendResult> AppendAll(const Services& services, std::vector<NewEvent> events);
Result<AppendResult> AppendOne(const Services& services, NewEvent event);
Status AppendStatus(const Services& services, NewEvent event);

}  // namespace backpack::family
