// Roster projection: accounts, grants, break-glass and shredding.
#include "projections/ids.h"
#include "projections/roster/internal/payload.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_projection.h"

namespace backpack::roster {
namespace {

Result<Role> RoleFrom(fb::UserRole role) {
  switch (role) {
    case fb::UserRole::Educator:
      return Role::kEducator;
    case fb::UserRole::PrivacyOfficer:
      return Role::kPrivacyOfficer;
    case fb::UserRole::DistrictAdmin:
      return Role::kDistrictAdmin;
    case fb::UserRole::Guardian:
      return Role::kGuardian;
    default:
      return Err(InvalidArgumentError("user event without a known role"));
  }
}

// Points the username index at `user_id`, unless another account holds the
// name (the first holder keeps it), and drops the index of a former name.
Status IndexUsername(ApplyContext& c, const std::string& user_id,
                     const std::optional<UserRecord>& old, const std::string& username) {
  std::string key = UsernameIndexKey(c.index_key, username);
  if (old && !old->username.empty()) {
    std::string old_key = UsernameIndexKey(c.index_key, old->username);
    ASSIGN_OR_RETURN(auto holder, c.txn.Get(kUserIndex, AsBytes(old_key)));
    if (old_key != key && holder && AsChars(*holder) == user_id) {
      c.txn.Delete(kUserIndex, AsBytes(old_key));
    }
  }
  ASSIGN_OR_RETURN(auto holder, c.txn.Get(kUserIndex, AsBytes(key)));
  if (!holder) c.txn.Put(kUserIndex, AsBytes(key), AsBytes(user_id));
  return OkStatus();
}

// UserCreated and UserUpdated carry the same full state.
template <typename Payload>
Status ApplyUserState(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<Payload>(c.event));
  std::string id = Str(p->user_id());
  std::string username = Str(p->username());
  RETURN_IF_ERROR(RequireId(id, "user"));
  if (username.empty()) return InvalidArgumentError("user event without a username");
  RETURN_IF_ERROR(RequirePersonalAbout(c.event, id));
  ASSIGN_OR_RETURN(Role role, RoleFrom(p->role()));
  ASSIGN_OR_RETURN(auto old, ReadUser(c.txn, id));
  // An account's OneRoster link is set once: a later event naming another
  // person keeps the first (RosterCommands::LinkUser never writes one).
  const bool had_link = old && !old->sourced_id.empty();
  UserRecord record{username,
                    Str(p->display_name()),
                    role,
                    StrSet(p->flags()),
                    StrSet(p->schools()),
                    StrSet(p->grades()),
                    had_link ? old->sourced_id : Str(p->sourced_id()),
                    old ? old->disabled : false};
  RETURN_IF_ERROR(IndexUsername(c, id, old, username));
  RETURN_IF_ERROR(WriteUser(c.txn, id, record));
  c.ops.push_back([id, record](Memory& m) {
    m.access
        .UpsertUser(
            UserFor(id, record.role, record.disabled, record.flags, record.schools, record.grades))
        .IgnoreError();
  });
  if (had_link || record.sourced_id.empty()) return OkStatus();
  return AdoptPerson(c, UserIdFor(c.index_key, record.sourced_id), id);
}

Result<GrantScope> ScopeFrom(const fb::AccessGrantedPayload& p) {
  switch (p.scope()) {
    case fb::GrantScope::Student:
      return GrantScope::ForStudent(Str(p.student_id()));
    case fb::GrantScope::Class:
      return GrantScope::ForClass(Str(p.class_id()));
    case fb::GrantScope::SchoolGrades: {
      IdSet grades;
      for (const std::string& g : StrSet(p.grades())) {
        if (std::string n = NormalizeGrade(g); !n.empty()) grades.insert(n);
      }
      if (grades.empty()) return Err(InvalidArgumentError("school grant without grades"));
      return GrantScope::ForSchoolGrades(Str(p.school_id()), std::move(grades));
    }
    default:
      return Err(InvalidArgumentError("grant without a known scope"));
  }
}

// Deletes every key of `family` for which `doomed(key, value)` holds.
template <typename Pred>
Status DeleteWhere(ProjectionTxn& txn, std::string_view family, ByteView prefix, Pred doomed) {
  std::vector<std::string> keys;
  RETURN_IF_ERROR(txn.Scan(family, prefix, [&](ByteView key, ByteView value) {
    if (doomed(AsChars(key), value)) keys.emplace_back(AsChars(key));
    return true;
  }));
  for (const std::string& key : keys) txn.Delete(family, AsBytes(key));
  return OkStatus();
}

Status ShredEnrollments(ProjectionTxn& txn, const std::string& student_id) {
  std::vector<EnrollmentKey> rows;
  std::string prefix = student_id + '\0';
  RETURN_IF_ERROR(txn.Scan(kEnrollments, AsBytes(prefix), [&](ByteView key, ByteView) {
    if (auto decoded = EnrollmentKey::Decode(key)) rows.push_back(std::move(*decoded));
    return true;
  }));
  for (const EnrollmentKey& row : rows) {
    txn.Delete(kEnrollments, AsBytes(row.Encode()));
    ASSIGN_OR_RETURN(auto indexed, txn.Get(kEnrollmentIndex, AsBytes(row.digest)));
    if (indexed && AsChars(*indexed) == row.Encode()) {
      txn.Delete(kEnrollmentIndex, AsBytes(row.digest));
    }
  }
  return OkStatus();
}

}  // namespace

Status ApplyUser(ApplyContext& c) {
  if (c.event.header.type == EventType::UserUpdated) {
    return ApplyUserState<fb::UserUpdatedPayload>(c);
  }
  return ApplyUserState<fb::UserCreatedPayload>(c);
}

// UserDisabled and UserEnabled: the account's `disabled` flag becomes
// `disabled`.
template <typename Payload>
Status ApplyUserDisabledFlag(ApplyContext& c, bool disabled) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<Payload>(c.event));
  std::string id = Str(p->user_id());
  RETURN_IF_ERROR(RequireId(id, "user"));
  ASSIGN_OR_RETURN(auto record, ReadUser(c.txn, id));
  if (!record || record->disabled == disabled) return OkStatus();
  record->disabled = disabled;
  RETURN_IF_ERROR(WriteUser(c.txn, id, *record));
  c.ops.push_back([id, disabled](Memory& m) {
    (disabled ? m.access.DisableUser(id) : m.access.EnableUser(id)).IgnoreError();
  });
  return OkStatus();
}

Status ApplyUserDisabled(ApplyContext& c) {
  return ApplyUserDisabledFlag<fb::UserDisabledPayload>(c, true);
}

Status ApplyUserEnabled(ApplyContext& c) {
  return ApplyUserDisabledFlag<fb::UserEnabledPayload>(c, false);
}

Status ApplyGrant(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::AccessGrantedPayload>(c.event));
  std::string id = Str(p->grant_id());
  GrantRecord record;
  record.educator_id = Str(p->educator_id());
  RETURN_IF_ERROR(RequireId(id, "grant"));
  RETURN_IF_ERROR(RequireId(record.educator_id, "educator"));
  ASSIGN_OR_RETURN(record.scope, ScopeFrom(*p));
  RETURN_IF_ERROR(RequireId(record.scope.id, "grant scope"));
  if (record.scope.kind == GrantScopeKind::kStudent) {
    RETURN_IF_ERROR(RequirePersonalAbout(c.event, record.scope.id));
  }
  if (p->expires_at_us() != 0) record.expires_at_us = p->expires_at_us();
  ASSIGN_OR_RETURN(auto existing, ReadGrant(c.txn, id));
  if (existing) return OkStatus();  // a grant id is used once; later reuses are ignored
  WriteGrant(c.txn, id, record);
  c.ops.push_back([id, record](Memory& m) {
    m.access.ApplyGrant(Grant{id, record.educator_id, record.scope, record.expires_at_us, false})
        .IgnoreError();
  });
  return OkStatus();
}

Status ApplyRevoke(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::AccessRevokedPayload>(c.event));
  std::string id = Str(p->grant_id());
  RETURN_IF_ERROR(RequireId(id, "grant"));
  ASSIGN_OR_RETURN(auto record, ReadGrant(c.txn, id));
  if (!record || record->revoked) return OkStatus();  // unknown (or shredded) grants
  record->revoked = true;
  WriteGrant(c.txn, id, *record);
  c.ops.push_back([id](Memory& m) { m.access.ApplyRevoke(id).IgnoreError(); });
  return OkStatus();
}

Status ApplyBreakGlass(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::BreakGlassStartedPayload>(c.event));
  std::string id = Str(p->break_glass_id());
  BreakGlassRecord record{Str(p->educator_id()), Str(p->student_id()),
                          c.event.header.recorded_at_us, 0};
  RETURN_IF_ERROR(RequireId(id, "break-glass"));
  RETURN_IF_ERROR(RequireId(record.educator_id, "educator"));
  RETURN_IF_ERROR(RequireId(record.student_id, "student"));
  RETURN_IF_ERROR(RequirePersonalAbout(c.event, record.student_id));
  // The requested expiry, capped at one hour from the recorded start.
  int64_t latest = record.started_at_us + kBreakGlassDurationMicros;
  int64_t asked = p->expires_at_us();
  record.expires_at_us = (asked > record.started_at_us && asked <= latest) ? asked : latest;
  ASSIGN_OR_RETURN(auto existing, ReadBreakGlass(c.txn, id));
  if (existing) return OkStatus();
  WriteBreakGlass(c.txn, id, record);
  c.ops.push_back([id, record](Memory& m) {
    m.access
        .ApplyBreakGlass(BreakGlass{id, record.educator_id, record.student_id, record.started_at_us,
                                    record.expires_at_us})
        .IgnoreError();
  });
  return OkStatus();
}

// Deletes every value the roster holds about the shredded subject, exactly
// what a replay without the subject's events would not have written.
Status ApplyShred(ApplyContext& c) {
  const std::string& id = c.event.header.subject_id;
  if (id.empty()) return OkStatus();
  ProjectionTxn& txn = c.txn;
  auto all = [](auto, auto) { return true; };
  std::string pair_prefix = id + '\0';
  txn.Delete(kStudents, AsBytes(id));
  RETURN_IF_ERROR(DeleteWhere(txn, kGuardians, AsBytes(pair_prefix), all));
  RETURN_IF_ERROR(DeleteWhere(txn, kGuardianLinks, AsBytes(pair_prefix), all));
  std::string infix = "/" + id + "/";
  RETURN_IF_ERROR(DeleteWhere(txn, kGuardianIndex, {}, [&](std::string_view key, ByteView) {
    return key.find(infix) != std::string_view::npos;
  }));
  RETURN_IF_ERROR(ShredEnrollments(txn, id));
  RETURN_IF_ERROR(DeleteWhere(txn, kGrants, {}, [&](std::string_view, ByteView value) {
    auto grant = DecodeGrant(value);
    return grant && grant->scope.kind == GrantScopeKind::kStudent && grant->scope.id == id;
  }));
  RETURN_IF_ERROR(DeleteWhere(txn, kBreakGlass, {}, [&](std::string_view, ByteView value) {
    auto record = DecodeBreakGlass(value);
    return record && record->student_id == id;
  }));
  // Sealed values of the subject anywhere else in the roster (belt and braces).
  RETURN_IF_ERROR(txn.DeleteOwnedBy(kGuardians, id));
  c.reload = true;
  return OkStatus();
}

}  // namespace backpack::roster
