// RosterCommands::LinkUser: links an account made without a OneRoster
// sourcedId to its teacher or guardian (`user update --sourced-id`).
#include "projections/ids.h"
#include "projections/roster/internal/command_util.h"
#include "projections/roster/internal/person_rows.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"
#include "projections/roster/internal/user_state.h"
#include "projections/roster/roster_commands.h"

namespace backpack {
namespace {

using roster::StoreReader;

Status ValidateSourcedId(std::string_view sourced_id) {
  constexpr std::string_view kForm = "a sourcedId is 1-256 bytes without NUL";
  if (sourced_id.empty()) return InvalidArgumentError(std::string(kForm));
  return roster::CheckSourcedIdForm(sourced_id, kForm);
}

// Which kinds of imported rows (guardian links, teacher enrollment rows; in
// force or ended) are stored under `member_id`.
struct RowKinds {
  bool guardian = false, teacher = false;
};

Result<RowKinds> RowKindsOf(ProjectionTxn& txn, const std::string& member_id) {
  ASSIGN_OR_RETURN(auto links, roster::GuardianLinksOf(txn, member_id));
  ASSIGN_OR_RETURN(auto rows, roster::TeacherRowsOf(txn, member_id));
  return RowKinds{.guardian = !links.empty(), .teacher = !rows.empty()};
}

// True if an imported row names account `id`: it was linked by its username
// or email when it was made.
Result<bool> RosterRowsName(ProjectionTxn& txn, const std::string& id) {
  ASSIGN_OR_RETURN(RowKinds kinds, RowKindsOf(txn, id));
  return kinds.guardian || kinds.teacher;
}

// Whether account `id` (its stored record `user`) is linked to a OneRoster
// person: by its sourcedId, or by its username or email when it was made.
Result<bool> LinkedToAPerson(Services& s, ProjectionTxn& txn, const std::string& id,
                             const roster::UserRecord& user) {
  if (!user.sourced_id.empty()) return true;
  if (id == UserIdFor(s.keys->index_key, user.username)) return true;
  return RosterRowsName(txn, id);
}

// OK if imported rows of the account's kind name the person `person_id` (a
// guardian's links for a guardian account, a teacher's enrollment rows for an
// educator's) and none of the other kind do. A link is never changed, so a
// typo must neither hand one person's rows to an account of the other kind (a
// parent's children to a teacher) nor reserve a person no import names yet.
// The refusal names only the sourcedId the operator typed.
Status RequireRowsOfAccountsKind(ProjectionTxn& txn, Role role, const std::string& person_id,
                                 std::string_view sourced_id) {
  ASSIGN_OR_RETURN(RowKinds kinds, RowKindsOf(txn, person_id));
  const bool guardian = role == Role::kGuardian;
  const std::string kind = guardian ? "guardian" : "teacher";
  const std::string id(sourced_id);
  if (guardian ? kinds.teacher : kinds.guardian) {
    return FailedPreconditionError(
        "sourcedId " + id + " is imported as a " + (guardian ? "teacher" : "guardian") + ", and " +
        (guardian ? "a guardian" : "an educator") + " account is linked only to a " + kind);
  }
  if (!(guardian ? kinds.guardian : kinds.teacher)) {
    return NotFoundError("no imported " + std::string(guardian ? "student" : "class") +
                         " names sourcedId " + id + " as its " + kind +
                         ": link the account once an import does (a link is never changed)");
  }
  return OkStatus();
}

// The students the person `person_id`'s imported rows link as their
// guardian's (UserUpdated's guardian_of).
IdSet ChildrenOf(Services& s, const std::string& person_id) {
  const auto& shared = RosterInternals::Of(*s.roster).shared;
  std::shared_lock lock(shared.mu);
  return shared.state.access.StudentsOfGuardian(person_id);
}

}  // namespace

namespace roster {

Result<bool> PersonHasAccount(Services& services, const std::string& person_id) {
  StoreReader reader(*services.store, *services.data_keys);
  ASSIGN_OR_RETURN(auto own, reader.txn().Get(kUsers, AsBytes(person_id)));
  if (own) return true;
  ASSIGN_OR_RETURN(auto linked, reader.txn().Get(kUserIndex, AsBytes(PersonIndexKey(person_id))));
  return linked.has_value();
}

}  // namespace roster

Result<AccountChange> RosterCommands::LinkUser(const Actor& actor, std::string_view user_id,
                                               std::string_view sourced_id) {
  RETURN_IF_ERROR(ValidateSourcedId(sourced_id));
  std::lock_guard lock(roster::CommandMutex());  // the checks below hold until appended
  const std::string id(user_id);
  StoreReader reader(*services_.store, *services_.data_keys);
  ASSIGN_OR_RETURN(auto record, roster::ReadUser(reader.txn(), id));
  if (!record) return Err(NotFoundError("no such account"));
  if (record->role != Role::kGuardian && record->role != Role::kEducator) {
    return Err(FailedPreconditionError(
        "only guardian and educator accounts are linked to the student information system"));
  }
  const std::string person = UserIdFor(services_.keys->index_key, sourced_id);
  if (person == id || record->sourced_id == sourced_id) return AccountChange::kAlreadySo;
  ASSIGN_OR_RETURN(bool linked, LinkedToAPerson(services_, reader.txn(), id, *record));
  if (linked) {
    return Err(FailedPreconditionError(
        "the account is already linked to another person in the student information system, "
        "not to sourcedId " +
        std::string(sourced_id) + ": a link is never changed"));
  }
  ASSIGN_OR_RETURN(bool taken, roster::PersonHasAccount(services_, person));
  if (taken) {
    return Err(AlreadyExistsError("another account is already linked to sourcedId " +
                                  std::string(sourced_id)));
  }
  RETURN_IF_ERROR(RequireRowsOfAccountsKind(reader.txn(), record->role, person, sourced_id));
  AddUserRequest next{record->username, record->role,   record->display_name,   record->flags,
                      record->schools,  record->grades, std::string(sourced_id)};
  RETURN_IF_ERROR(roster::AppendOne(
      services_, roster::MakeEvent(EventType::UserUpdated, actor, id,
                                   roster::UserStatePayload<fb::UserUpdatedPayload>(
                                       id, next, ChildrenOf(services_, person)),
                                   /*personal=*/true)));
  return AccountChange::kChanged;
}

}  // namespace backpack
