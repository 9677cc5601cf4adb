// RosterCommands: accounts and credentials.
#include <algorithm>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/roster/internal/command_util.h"
#include "projections/roster/internal/passwords.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"
#include "projections/roster/roster_commands.h"

namespace backpack {
namespace {

using roster::StoreReader;

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

Status ValidateAddUser(const AddUserRequest& r, std::string_view password) {
  if (r.username.empty() || r.username.size() > kMaxUsernameLength ||
      !std::all_of(r.username.begin(), r.username.end(), UsernameChar)) {
    return InvalidArgumentError("a username is 1-64 letters, digits or . _ @ + -");
  }
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return InvalidArgumentError("a password needs at least " + std::to_string(kMinPasswordLength) +
                                " characters");
  }
  if (r.display_name.size() > kMaxDisplayNameLength) {
    return InvalidArgumentError("display name too long");
  }
  if (r.sourced_id.size() > 256 || r.sourced_id.find('\0') != std::string::npos) {
    return InvalidArgumentError("malformed sourced id");
  }
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
  return ValidateAttributes(r.grades, "grades");
}

fb::UserRole ToFbRole(Role role) {
  switch (role) {
    case Role::kEducator:
      return fb::UserRole::Educator;
    case Role::kPrivacyOfficer:
      return fb::UserRole::PrivacyOfficer;
    case Role::kDistrictAdmin:
      return fb::UserRole::DistrictAdmin;
    case Role::kGuardian:
      return fb::UserRole::Guardian;
  }
  return fb::UserRole::Unknown;
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

Bytes UserCreatedPayload(const std::string& id, const AddUserRequest& r, const IdSet& guardian_of) {
  flatbuffers::FlatBufferBuilder fbb;
  auto user_id = fbb.CreateString(id);
  auto username = fbb.CreateString(r.username);
  auto display_name = fbb.CreateString(r.display_name);
  auto flags = roster::StringVector(fbb, r.flags);
  auto schools = roster::StringVector(fbb, r.schools);
  auto grades = roster::StringVector(fbb, r.grades);
  auto children = roster::StringVector(fbb, guardian_of);
  auto sourced_id = fbb.CreateString(r.sourced_id);
  fbb.Finish(fb::CreateUserCreatedPayload(fbb, user_id, username, ToFbRole(r.role), display_name,
                                          flags, schools, grades, children, sourced_id));
  return roster::FinishPayload(fbb);
}

}  // namespace

namespace roster {

std::mutex& CommandMutex() {
  static std::mutex mu;
  return mu;
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
  RETURN_IF_ERROR(ValidateAddUser(request, password));
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
  if (services_.roster->FindUser(id)) {
    return Err(AlreadyExistsError("that person already has an account"));
  }
  RETURN_IF_ERROR(roster::PutCredential(*services_.store, id, hash));
  Status appended = roster::AppendOne(
      services_, roster::MakeEvent(EventType::UserCreated, actor, id,
                                   UserCreatedPayload(id, request, guardian_of), true));
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

Status RosterCommands::DisableUser(const Actor& actor, std::string_view user_id,
                                   std::string_view reason) {
  ASSIGN_OR_RETURN(UserInfo user, services_.roster->FindUser(user_id));
  if (user.disabled) return OkStatus();
  if (user.role == Role::kDistrictAdmin && EnabledDistrictAdmins() <= 1) {
    return FailedPreconditionError(
        "this is the only enabled district admin account: add another before disabling it");
  }
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(
      fb::CreateUserDisabledPayloadDirect(fbb, user.id.c_str(), std::string(reason).c_str()));
  return roster::AppendOne(services_, roster::MakeEvent(EventType::UserDisabled, actor, user.id,
                                                        roster::FinishPayload(fbb), false));
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
