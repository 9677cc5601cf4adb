// RosterCommands: accounts and credentials.
#include <algorithm>

#include "core/utf8.h"
#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/roster/internal/command_util.h"
#include "projections/roster/internal/passwords.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"
#include "projections/roster/internal/user_state.h"
#include "projections/roster/roster_commands.h"

namespace backpack {
namespace {

using roster::StoreReader;
using roster::UserStatePayload;

constexpr size_t kMaxUsernameLength = 64;
constexpr size_t kMaxDisplayNameLength = 200;

bool UsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '+' || c == '-';
}

Status ValidateAttributes(const IdSet& items, std::string_view what) {
  for (const std::string& item : items) {
    if (item.empty() || item.size() > 256 || item.find('\0') != std::string::npos) {
      return InvalidArgumentError("malformed " + std::string(what) + " entry");
    }
  }
  return OkStatus();
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return InvalidArgumentError("a password needs " + std::to_string(kMinPasswordLength) + " to " +
                                std::to_string(kMaxPasswordLength) + " characters");
  }
  return OkStatus();
}

// A display name others will see: one line without control characters,
// separators or bidirectional controls (IsCleanLine). Checked where a name is
// given, so that an account stored with an older name can still be changed.
Status ValidateDisplayName(std::string_view display_name) {
  if (!IsCleanLine(display_name)) {
    return InvalidArgumentError(
        "a display name is one line of UTF-8 text without control characters, line separators "
        "or bidirectional controls");
  }
  return OkStatus();
}

// The account's attributes (not its password), but for the display name's
// characters (ValidateDisplayName).
Status ValidateAccount(const AddUserRequest& r) {
  if (r.username.empty() || r.username.size() > kMaxUsernameLength ||
      !std::all_of(r.username.begin(), r.username.end(), UsernameChar)) {
    return InvalidArgumentError("a username is 1-64 letters, digits or . _ @ + -");
  }
  if (r.display_name.size() > kMaxDisplayNameLength) {
    return InvalidArgumentError("display name too long");
  }
  RETURN_IF_ERROR(roster::CheckSourcedIdForm(r.sourced_id, "malformed sourced id"));
  RETURN_IF_ERROR(ValidateAttributes(r.flags, "flags"));
  for (const std::string& flag : r.flags) {
    // A misspelt flag would give an account silently without the access meant.
    if (flag != kFlagDistrictwide && flag != kFlagSchoolwide &&
        flag != kFlagCanViewRestrictedNotes) {
      return InvalidArgumentError(
          "unknown flag \"" + flag +
          "\" (known: districtwide, schoolwide, can_view_restricted_notes)");
    }
  }
  RETURN_IF_ERROR(ValidateAttributes(r.schools, "schools"));
  RETURN_IF_ERROR(ValidateAttributes(r.grades, "grades"));
  // Only an educator's access is derived from them (access_policy.cc): on
  // another account they would read as access that is not there.
  if (r.role != Role::kEducator && (!r.flags.empty() || !r.schools.empty() || !r.grades.empty())) {
    return InvalidArgumentError("flags, schools and grades are for educator accounts only");
  }
  return OkStatus();
}

// A username for a new account: not a built-in actor's name (any case), which
// the audit trail's actor filters read as that actor. Checked only where an
// account is made, so that an account made before still works.
Status ValidateNewUsername(std::string_view username) {
  if (BuiltInActor(username)) {
    return InvalidArgumentError("the username \"" + std::string(username) +
                                "\" is reserved for the system's own actions in the audit "
                                "trail (reserved: system, cli)");
  }
  return OkStatus();
}

// An educator's school and grade-level access, checked as a grant's scope
// is (access_commands.cc): every school in `schools` but those in
// `already` (held before, perhaps since retracted) is an imported org
// (kNotFound), and grades, none of them blank, go with schools
// (kInvalidArgument).
Status ValidateSchoolAccess(Services& s, const IdSet& schools, const IdSet& grades,
                            const IdSet& already = {}) {
  if (!grades.empty() && schools.empty()) {
    return InvalidArgumentError("grades give access within the account's schools: give schools");
  }
  for (const std::string& grade : grades) {
    if (NormalizeGrade(grade).empty()) return InvalidArgumentError("a grade is blank");
  }
  StoreReader reader(*s.store, *s.data_keys);
  for (const std::string& school : schools) {
    if (already.contains(school)) continue;
    ASSIGN_OR_RETURN(auto org, roster::ReadOrg(reader.txn(), school));
    if (!org) return NotFoundError("no such school: " + school);
  }
  return OkStatus();
}

// The guardian whose imported email is `email`, if any (lowest id wins).
std::optional<std::string> GuardianByEmail(Services& s, std::string_view email) {
  StoreReader reader(*s.store, *s.data_keys);
  std::optional<std::string> found;
  std::string prefix = roster::GuardianEmailPrefix(s.keys->index_key, email);
  reader.txn()
      .Scan(roster::kGuardianIndex, AsBytes(prefix),
            [&](ByteView, ByteView value) {
              found = std::string(AsChars(value));
              return false;
            })
      .IgnoreError();
  return found;
}

// The account id for `r` (see AddUserRequest::sourced_id).
std::string AccountIdFor(Services& s, const roster::Memory& m, const AddUserRequest& r) {
  if (!r.sourced_id.empty()) return UserIdFor(s.keys->index_key, r.sourced_id);
  std::string candidate = UserIdFor(s.keys->index_key, r.username);
  bool teacher = !m.access.ClassesOfTeacher(candidate).empty();
  bool guardian = !m.access.StudentsOfGuardian(candidate).empty();
  if ((r.role == Role::kEducator && teacher) || (r.role == Role::kGuardian && guardian)) {
    return candidate;
  }
  if (r.role == Role::kGuardian) {
    if (auto by_email = GuardianByEmail(s, r.username)) return *by_email;
  }
  return NewId("usr");
}

}  // namespace

namespace roster {

std::mutex& CommandMutex() {
  static std::mutex mu;
  return mu;
}

Status CheckSourcedIdForm(std::string_view sourced_id, std::string_view message) {
  if (sourced_id.size() > 256 || sourced_id.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(std::string(message));
  }
  return OkStatus();
}

Status RequireReason(std::string_view reason, size_t min_length) {
  if (!IsCleanText(reason, /*multiline=*/true)) {
    return InvalidArgumentError("the reason must be UTF-8 text without control characters");
  }
  const size_t needed = std::max<size_t>(min_length, 1);
  if (VisibleLength(reason) < needed) {
    return InvalidArgumentError("the reason needs at least " + std::to_string(needed) +
                                (needed == 1 ? " visible character" : " visible characters"));
  }
  if (Utf8Length(reason) > kMaxReasonChars) {
    return InvalidArgumentError("the reason is longer than " + std::to_string(kMaxReasonChars) +
                                " characters");
  }
  return OkStatus();
}

std::string_view TrimSpace(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace roster

std::vector<std::string> RosterMutableColumnFamilies() {
  return {std::string(roster::kCredentials)};
}

Result<std::string> RosterCommands::AddUser(const Actor& actor, const AddUserRequest& request,
                                            std::string_view password) {
  RETURN_IF_ERROR(ValidateAccount(request));
  RETURN_IF_ERROR(ValidateNewUsername(request.username));
  RETURN_IF_ERROR(ValidateDisplayName(request.display_name));
  RETURN_IF_ERROR(ValidatePassword(password));
  RETURN_IF_ERROR(ValidateSchoolAccess(services_, request.schools, request.grades));
  ASSIGN_OR_RETURN(std::string hash, roster::HashPassword(password, request.password_cost));
  auto& impl = RosterInternals::Of(*services_.roster);
  std::lock_guard lock(roster::CommandMutex());
  auto existing = services_.roster->FindUserByUsername(request.username);
  if (existing) return Err(AlreadyExistsError("username already taken"));
  if (existing.error().code() != StatusCode::kNotFound) return Err(existing.error());
  std::string id;
  IdSet guardian_of;
  {
    std::shared_lock memory_lock(impl.shared.mu);
    id = AccountIdFor(services_, impl.shared.state, request);
    guardian_of = impl.shared.state.access.StudentsOfGuardian(id);
  }
  ASSIGN_OR_RETURN(bool taken, roster::PersonHasAccount(services_, id));
  if (taken) return Err(AlreadyExistsError("that person already has an account"));
  RETURN_IF_ERROR(roster::PutCredential(*services_.store, id, hash));
  Status appended = roster::AppendOne(
      services_,
      roster::MakeEvent(EventType::UserCreated, actor, id,
                        UserStatePayload<fb::UserCreatedPayload>(id, request, guardian_of), true));
  if (!appended.ok()) {
    roster::DeleteCredential(*services_.store, id).IgnoreError();
    return Err(appended);
  }
  return id;
}

Result<UserInfo> RosterCommands::Authenticate(std::string_view username,
                                              std::string_view password) {
  auto user = services_.roster->FindUserByUsername(username);
  if (!user && user.error().code() != StatusCode::kNotFound) return Err(user.error());
  std::optional<std::string> hash;
  if (user) {
    ASSIGN_OR_RETURN(hash, roster::GetCredential(*services_.store, user->id));
  }
  if (!hash) {
    roster::VerifyAgainstDummy(password);
    return Err(UnauthenticatedError(std::string(kLoginNoSuchUser)));
  }
  if (!roster::VerifyPassword(*hash, password)) {
    return Err(UnauthenticatedError(std::string(kLoginBadPassword)));
  }
  if (user->disabled) return Err(UnauthenticatedError(std::string(kLoginDisabled)));
  return *user;
}

Result<AccountChange> RosterCommands::DisableUser(const Actor& actor, std::string_view user_id,
                                                  std::string_view reason) {
  RETURN_IF_ERROR(roster::RequireReason(reason, 1));
  std::lock_guard lock(roster::CommandMutex());  // the checks below hold until appended
  ASSIGN_OR_RETURN(UserInfo user, services_.roster->FindUser(user_id));
  if (user.disabled) return AccountChange::kAlreadySo;
  if (user.role == Role::kDistrictAdmin && EnabledDistrictAdmins() <= 1) {
    return Err(FailedPreconditionError(
        "this is the only enabled district admin account: add another before disabling it"));
  }
  // The reason is an admin's free text about a person (why they left, were
  // suspended): sealed under the account's data key, as UserCreated is.
  // Earlier stores hold these events in plaintext; the projection reads both.
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(
      fb::CreateUserDisabledPayloadDirect(fbb, user.id.c_str(), std::string(reason).c_str()));
  RETURN_IF_ERROR(roster::AppendOne(
      services_, roster::MakeEvent(EventType::UserDisabled, actor, user.id,
                                   roster::FinishPayload(fbb), /*personal=*/true)));
  return AccountChange::kChanged;
}

Result<AccountChange> RosterCommands::EnableUser(const Actor& actor, std::string_view user_id,
                                                 std::string_view reason) {
  RETURN_IF_ERROR(roster::RequireReason(reason, 1));
  std::lock_guard lock(roster::CommandMutex());
  ASSIGN_OR_RETURN(UserInfo user, services_.roster->FindUser(user_id));
  if (!user.disabled) return AccountChange::kAlreadySo;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateUserEnabledPayloadDirect(fbb, user.id.c_str(), std::string(reason).c_str()));
  RETURN_IF_ERROR(roster::AppendOne(
      services_, roster::MakeEvent(EventType::UserEnabled, actor, user.id,
                                   roster::FinishPayload(fbb), /*personal=*/true)));
  return AccountChange::kChanged;
}

Result<AccountChange> RosterCommands::UpdateUser(const Actor& actor, std::string_view user_id,
                                                 const UserChanges& changes) {
  std::lock_guard lock(roster::CommandMutex());
  std::optional<roster::UserRecord> record;
  {
    StoreReader reader(*services_.store, *services_.data_keys);
    ASSIGN_OR_RETURN(record, roster::ReadUser(reader.txn(), user_id));
  }
  if (!record) return Err(NotFoundError("no such account"));
  AddUserRequest next{record->username,
                      record->role,
                      changes.display_name.value_or(record->display_name),
                      changes.flags.value_or(record->flags),
                      changes.schools.value_or(record->schools),
                      changes.grades.value_or(record->grades),
                      record->sourced_id};
  RETURN_IF_ERROR(ValidateAccount(next));
  if (changes.display_name) RETURN_IF_ERROR(ValidateDisplayName(*changes.display_name));
  if (changes.schools || changes.grades) {
    RETURN_IF_ERROR(ValidateSchoolAccess(services_, next.schools, next.grades, record->schools));
  }
  if (next.display_name == record->display_name && next.flags == record->flags &&
      next.schools == record->schools && next.grades == record->grades) {
    return AccountChange::kAlreadySo;
  }
  const std::string id(user_id);
  IdSet guardian_of;
  {
    auto& shared = RosterInternals::Of(*services_.roster).shared;
    std::shared_lock memory_lock(shared.mu);
    guardian_of = shared.state.access.StudentsOfGuardian(id);
  }
  RETURN_IF_ERROR(roster::AppendOne(
      services_,
      roster::MakeEvent(EventType::UserUpdated, actor, id,
                        UserStatePayload<fb::UserUpdatedPayload>(id, next, guardian_of), true)));
  return AccountChange::kChanged;
}

Status RosterCommands::UnlinkGuardian(const Actor& actor, std::string_view guardian_id,
                                      std::string_view student_id, std::string_view reason) {
  RETURN_IF_ERROR(roster::RequireReason(reason, 1));
  std::lock_guard lock(roster::CommandMutex());
  if (!services_.roster->IsGuardianOf(guardian_id, student_id)) {
    return NotFoundError("that account is not a guardian of that student");
  }
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateGuardianUnlinkedPayloadDirect(fbb, std::string(guardian_id).c_str(),
                                                     std::string(reason).c_str()));
  return roster::AppendOne(
      services_, roster::MakeEvent(EventType::GuardianUnlinked, actor, std::string(student_id),
                                   roster::FinishPayload(fbb), /*personal=*/true));
}

Status RosterCommands::ResetPassword(const Actor& actor, std::string_view user_id,
                                     std::string_view password, PasswordCost cost) {
  RETURN_IF_ERROR(ValidatePassword(password));
  ASSIGN_OR_RETURN(UserInfo user, services_.roster->FindUser(user_id));
  ASSIGN_OR_RETURN(std::string hash, roster::HashPassword(password, cost));
  std::lock_guard lock(roster::CommandMutex());
  ASSIGN_OR_RETURN(std::optional<std::string> old_hash,
                   roster::GetCredential(*services_.store, user.id));
  RETURN_IF_ERROR(roster::PutCredential(*services_.store, user.id, hash));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreatePasswordResetPayloadDirect(fbb, user.id.c_str()));
  Status appended =
      roster::AppendOne(services_, roster::MakeEvent(EventType::PasswordReset, actor, user.id,
                                                     roster::FinishPayload(fbb), false));
  if (!appended.ok()) {  // the old password stays the one that works
    (old_hash ? roster::PutCredential(*services_.store, user.id, *old_hash)
              : roster::DeleteCredential(*services_.store, user.id))
        .IgnoreError();
  }
  return appended;
}

size_t RosterCommands::EnabledDistrictAdmins() const {
  const auto& shared = RosterInternals::Of(*services_.roster).shared;
  std::shared_lock lock(shared.mu);
  size_t admins = 0;
  for (const auto& [id, user] : shared.state.access.users()) {
    if (user.role == Role::kDistrictAdmin && !user.disabled) ++admins;
  }
  return admins;
}

}  // namespace backpack
