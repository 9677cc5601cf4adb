#include "projections/roster/roster.h"

#include <mutex>

#include "projections/ids.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_impl.h"

namespace backpack {
namespace {

using roster::StoreReader;

StudentInfo ToStudentInfo(std::string id, roster::StudentRecord r, std::string school_name) {
  return StudentInfo{std::move(id),
                     std::move(r.sourced_id),
                     std::move(r.given_name),
                     std::move(r.family_name),
                     std::move(r.preferred_name),
                     std::move(r.grade),
                     std::move(r.school_id),
                     std::move(school_name),
                     r.retracted};
}

}  // namespace

std::string StudentInfo::DisplayName() const {
  const std::string& first = preferred_name.empty() ? given_name : preferred_name;
  if (first.empty()) return family_name;
  if (family_name.empty()) return first;
  return first + " " + family_name;
}

Roster::Roster(Services& services) : impl_(std::make_unique<Impl>(services)) {}
Roster::~Roster() = default;

Projection* Roster::projection() { return &impl_->projection; }

namespace {

Result<StudentInfo> ReadStudentInfo(Services& s, const std::string& id) {
  StoreReader reader(*s.store, *s.data_keys);
  ASSIGN_OR_RETURN(auto record, roster::ReadStudent(reader.txn(), id));
  if (!record) {
    if (s.data_keys->IsShredded(id)) return Err(GoneError("the student's record was deleted"));
    return Err(NotFoundError("no such student"));
  }
  std::string school_name;
  if (!record->school_id.empty()) {
    ASSIGN_OR_RETURN(auto org, roster::ReadOrg(reader.txn(), record->school_id));
    if (org) school_name = org->name;
  }
  return ToStudentInfo(id, std::move(*record), std::move(school_name));
}

Result<UserInfo> ReadUserInfo(Services& s, const std::string& id) {
  StoreReader reader(*s.store, *s.data_keys);
  ASSIGN_OR_RETURN(auto record, roster::ReadUser(reader.txn(), id));
  if (!record) return Err(NotFoundError("no such user"));
  return UserInfo{id,
                  record->username,
                  record->display_name,
                  record->role,
                  record->flags,
                  record->schools,
                  record->grades,
                  record->disabled,
                  {}};
}

}  // namespace

Result<StudentInfo> Roster::FindStudent(std::string_view student_id) const {
  Services& s = impl_->services;
  const std::string id(student_id);
  // A shred commits (and so empties the cache) before the key is destroyed;
  // a shredded student is read from the store anyway, so no cached name
  // outlives its key.
  if (s.data_keys->IsShredded(id)) return ReadStudentInfo(s, id);
  return impl_->shared.students.FindOrRead(id, [&] { return ReadStudentInfo(s, id); });
}

Result<std::string> Roster::ResolveStudentEvenShredded(std::string_view id_or_sourced_id) const {
  Services& s = impl_->services;
  StoreReader reader(*s.store, *s.data_keys);
  // The sourcedId first: a district's sourcedIds may themselves start with
  // "stu_", while Backpack's own ids are keyed digests no sourcedId matches.
  std::string derived = StudentIdFor(s.keys->index_key, id_or_sourced_id);
  for (const std::string& candidate : {derived, std::string(id_or_sourced_id)}) {
    if (!candidate.starts_with("stu_")) continue;
    ASSIGN_OR_RETURN(auto present, reader.txn().Get(roster::kStudents, AsBytes(candidate)));
    if (present || s.data_keys->IsShredded(candidate)) return candidate;
  }
  return Err(NotFoundError("no such student"));
}

Result<std::string> Roster::ResolveStudent(std::string_view id_or_sourced_id) const {
  ASSIGN_OR_RETURN(std::string id, ResolveStudentEvenShredded(id_or_sourced_id));
  if (impl_->services.data_keys->IsShredded(id)) {
    return Err(GoneError("the student's record was deleted"));
  }
  return id;
}

Result<UserInfo> Roster::FindUser(std::string_view user_id) const {
  Services& s = impl_->services;
  const std::string id(user_id);
  ASSIGN_OR_RETURN(UserInfo info,
                   impl_->shared.users.FindOrRead(id, [&] { return ReadUserInfo(s, id); }));
  std::shared_lock lock(impl_->shared.mu);
  for (const std::string& student : impl_->shared.state.access.StudentsOfGuardian(user_id)) {
    info.guardian_of.push_back(student);
  }
  return info;
}

Result<UserInfo> Roster::FindUserByUsername(std::string_view username) const {
  Services& s = impl_->services;
  StoreReader reader(*s.store, *s.data_keys);
  std::string key = roster::UsernameIndexKey(s.keys->index_key, username);
  ASSIGN_OR_RETURN(auto id, reader.txn().Get(roster::kUserIndex, AsBytes(key)));
  if (!id) return Err(NotFoundError("no such user"));
  return FindUser(AsChars(*id));
}

Result<std::string> Roster::ResolveUser(std::string_view id_or_username) const {
  if (auto by_id = FindUser(id_or_username)) return by_id->id;
  ASSIGN_OR_RETURN(UserInfo by_name, FindUserByUsername(id_or_username));
  return by_name.id;
}

std::vector<GuardianInfo> Roster::GuardiansOf(std::string_view student_id) const {
  Services& s = impl_->services;
  StoreReader reader(*s.store, *s.data_keys);
  std::vector<std::string> guardian_ids;
  std::string prefix = std::string(student_id) + '\0';
  Status scanned =
      reader.txn().Scan(roster::kGuardianLinks, AsBytes(prefix), [&](ByteView key, ByteView value) {
        auto link = roster::DecodeGuardianLink(value);
        if (link && link->in_force()) {
          guardian_ids.emplace_back(AsChars(key).substr(prefix.size()));
        }
        return true;
      });
  std::vector<GuardianInfo> out;
  if (!scanned.ok()) return out;
  for (const std::string& id : guardian_ids) {
    auto contact = roster::ReadGuardianContact(reader.txn(), student_id, id);
    if (!contact || !*contact) continue;
    roster::GuardianContact& c = **contact;
    out.push_back(GuardianInfo{id, std::move(c.given_name), std::move(c.family_name),
                               std::move(c.email), std::move(c.phone), std::move(c.relationship)});
  }
  return out;
}

Result<std::string> Roster::AccountOf(std::string_view sourced_id) const {
  Services& s = impl_->services;
  StoreReader reader(*s.store, *s.data_keys);
  return roster::AccountOfPerson(reader.txn(), UserIdFor(s.keys->index_key, sourced_id));
}

AccessDecision Roster::Decide(std::string_view user_id, std::string_view student_id,
                              int64_t now_us) const {
  std::shared_lock lock(impl_->shared.mu);
  return DecideAccess(impl_->shared.state.access, user_id, student_id, now_us);
}

AccessDecision Roster::DecideRestricted(std::string_view user_id, std::string_view student_id,
                                        int64_t now_us) const {
  std::shared_lock lock(impl_->shared.mu);
  return DecideRestrictedNoteAccess(impl_->shared.state.access, user_id, student_id, now_us);
}

bool Roster::IsGuardianOf(std::string_view user_id, std::string_view student_id) const {
  std::shared_lock lock(impl_->shared.mu);
  return backpack::IsGuardianOf(impl_->shared.state.access, user_id, student_id);
}

bool Roster::TeachesAClass(std::string_view user_id) const {
  std::shared_lock lock(impl_->shared.mu);
  return !impl_->shared.state.access.ClassesOfTeacher(user_id).empty();
}

bool Roster::WasEverGuardianOf(std::string_view user_id, std::string_view student_id) const {
  Services& s = impl_->services;
  StoreReader reader(*s.store, *s.data_keys);
  auto link = roster::ReadGuardianLink(reader.txn(), roster::PairKey(student_id, user_id));
  return link && link->has_value();
}

std::vector<std::string> Roster::GuardianAccountsOf(std::string_view student_id) const {
  std::shared_lock lock(impl_->shared.mu);
  const IdSet& ids = impl_->shared.state.access.GuardiansOfStudent(student_id);
  return {ids.begin(), ids.end()};
}

std::vector<AccessListEntry> Roster::AccessList(std::string_view student_id, int64_t now_us) const {
  std::shared_lock lock(impl_->shared.mu);
  return backpack::AccessList(impl_->shared.state.access, student_id, now_us);
}

std::vector<std::pair<std::string, std::string>> Roster::AccessibleStudents(
    std::string_view user_id, int64_t now_us) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::shared_lock lock(impl_->shared.mu);
  const roster::Memory& m = impl_->shared.state;
  const User* user = m.access.FindUser(user_id);
  if (!user || user->disabled || user->role != Role::kEducator) return out;
  for (const std::string& student_id : m.students) {
    AccessDecision d = DecideAccess(m.access, user_id, student_id, now_us);
    if (d.allowed) out.emplace_back(student_id, std::move(d.reason));
  }
  return out;
}

}  // namespace backpack
