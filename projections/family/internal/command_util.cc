#include "projections/family/internal/command_util.h"

#include "core/utf8.h"
#include "projections/family/internal/reads.h"

namespace backpack::family {

Result<UserInfo> ActingUser(const Services& services, const Actor& actor) {
  if (!services.roster) return Err(UnavailableError("the roster is not available"));
  auto user = services.roster->FindUser(actor.user_id);
  if (!user) return Err(PermissionDeniedError("unknown user"));
  if (user->disabled) return Err(PermissionDeniedError("the account is disabled"));
  return std::move(*user);
}

Status RequireRole(const UserInfo& user, std::initializer_list<Role> roles, std::string_view what) {
  for (Role role : roles) {
    if (user.role == role) return OkStatus();
  }
  return PermissionDeniedError(std::string(RoleName(user.role)) + " may not " + std::string(what));
}

Status RequireGuardianOr(const Services& services, const UserInfo& user, std::string_view student,
                         std::optional<Role> or_role, std::string_view what) {
  if (or_role && user.role == *or_role) return OkStatus();
  if (user.role == Role::kGuardian && services.roster->IsGuardianOf(user.id, student)) {
    return OkStatus();
  }
  return PermissionDeniedError("only a guardian of the student may " + std::string(what));
}

Status CheckStudent(const Services& services, std::string_view student) {
  ASSIGN_OR_RETURN(bool shredded, family::ReadShredded(*services.store, student));
  if (shredded) return GoneError("the record was shredded");
  auto info = services.roster->FindStudent(student);
  return info ? OkStatus() : info.error();
}

Status CheckText(std::string_view text, std::string_view what) {
  if (VisibleLength(text) == 0) return InvalidArgumentError(std::string(what) + " is empty");
  if (!IsCleanText(text, /*multiline=*/true)) {
    return InvalidArgumentError(std::string(what) +
                                " must be UTF-8 text without control characters");
  }
  if (Utf8Length(text) > kMaxFamilyTextChars) {
    return InvalidArgumentError(std::string(what) + " is longer than " +
                                std::to_string(kMaxFamilyTextChars) + " characters");
  }
  return OkStatus();
}

Result<AppendResult> AppendAll(const Services& services, std::vector<NewEvent> events) {
  if (!services.log) return Err(UnavailableError("the event log is not open"));
  return services.log->Append(std::move(events));
}

Result<AppendResult> AppendOne(const Services& services, NewEvent event) {
  std::vector<NewEvent> events;
  events.push_back(std::move(event));
  return AppendAll(services, std::move(events));
}

Status AppendStatus(const Services& services, NewEvent event) {
  auto appended = AppendOne(services, std::move(event));
  return appended ? OkStatus() : appended.error();
}

Result<FamilyRequest> RequestIn(const Family& family, std::string_view id, FamilyRequestKind kind,
                                std::string_view status) {
  ASSIGN_OR_RETURN(FamilyRequest request, family.FindRequest(id));
  if (request.kind != kind) {
    return Err(InvalidArgumentError("request " + request.id + " is not a " +
                                    std::string(FamilyRequestKindName(kind)) + " request"));
  }
  if (request.status != status) {
    return Err(FailedPreconditionError("request " + request.id + " is " + request.status +
                                       ", not " + std::string(status) +
                                       (status == "pending" ? ": it was decided already" : "")));
  }
  return request;
}

}  // namespace backpack::family
