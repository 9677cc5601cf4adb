// Roster projection: an account linked to its OneRoster person after it was
// made (`user update --sourced-id`).
//
// Imported rows name a teacher or guardian by their person id (UserIdFor the
// sourcedId), which is also the id of an account made with --sourced-id. An
// account made without one has a random id; once linked, the person's rows
// (guardian links and contacts, teacher enrollments) move to the account's
// id, and rows imported later are written there too (AccountOfPerson), so
// every read by account id sees them.
#include "projections/roster/internal/person_rows.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_projection.h"

namespace backpack::roster {
namespace {

// Moves the contact (sealed under the student) and its email index entry.
Status MoveGuardianContact(ApplyContext& c, const std::string& student_id,
                           const std::string& person_id, const std::string& account_id) {
  auto contact = ReadGuardianContact(c.txn, student_id, person_id);
  if (!contact && contact.error().code() == StatusCode::kGone) return OkStatus();
  if (!contact) return contact.error();
  if (!*contact) return OkStatus();
  c.txn.Delete(kGuardians, AsBytes(PairKey(student_id, person_id)));
  RETURN_IF_ERROR(WriteGuardianContact(c.txn, student_id, account_id, **contact));
  const std::string& email = (*contact)->email;
  if (email.empty()) return OkStatus();
  c.txn.Delete(kGuardianIndex,
               AsBytes(GuardianEmailKey(c.index_key, email, student_id, person_id)));
  c.txn.Put(kGuardianIndex, AsBytes(GuardianEmailKey(c.index_key, email, student_id, account_id)),
            AsBytes(account_id));
  return OkStatus();
}

Status MoveGuardianLinks(ApplyContext& c, const std::string& person_id,
                         const std::string& account_id) {
  ASSIGN_OR_RETURN(auto links, GuardianLinksOf(c.txn, person_id));
  for (const auto& [student_id, link] : links) {
    RETURN_IF_ERROR(MoveGuardianContact(c, student_id, person_id, account_id));
    c.txn.Delete(kGuardianLinks, AsBytes(PairKey(student_id, person_id)));
    WriteGuardianLink(c.txn, PairKey(student_id, account_id), link);
    if (!link.in_force()) continue;
    c.ops.push_back([person_id, account_id, student_id](Memory& m) {
      m.access.UnlinkGuardian(person_id, student_id).IgnoreError();
      m.access.LinkGuardian(account_id, student_id).IgnoreError();
    });
  }
  return OkStatus();
}

Status MoveTeacherEnrollments(ApplyContext& c, const std::string& person_id,
                              const std::string& account_id) {
  ASSIGN_OR_RETURN(auto rows, TeacherRowsOf(c.txn, person_id));
  for (const auto& [old_row, record] : rows) {
    EnrollmentKey row = old_row;
    row.member_id = account_id;
    c.txn.Delete(kEnrollments, AsBytes(old_row.Encode()));
    WriteEnrollment(c.txn, row.Encode(), record);
    ASSIGN_OR_RETURN(auto indexed, c.txn.Get(kEnrollmentIndex, AsBytes(row.digest)));
    if (indexed && AsChars(*indexed) == old_row.Encode()) {
      c.txn.Put(kEnrollmentIndex, AsBytes(row.digest), AsBytes(row.Encode()));
    }
    if (record.retracted) continue;
    ASSIGN_OR_RETURN(EnrollmentPeriod period,
                     EnrollmentPeriod::FromDates(record.begin_date, record.end_date));
    c.ops.push_back([old_row, row, period](Memory& m) {
      m.access.RemoveEnrollment(old_row.class_id, old_row.member_id, old_row.role, old_row.digest)
          .IgnoreError();
      AddEnrollmentTo(m, row, period);
    });
  }
  return OkStatus();
}

}  // namespace

Result<std::string> AccountOfPerson(ProjectionTxn& txn, const std::string& person_id) {
  ASSIGN_OR_RETURN(auto account, txn.Get(kUserIndex, AsBytes(PersonIndexKey(person_id))));
  if (!account) return person_id;
  return std::string(AsChars(*account));
}

Status AdoptPerson(ApplyContext& c, const std::string& person_id, const std::string& account_id) {
  if (person_id == account_id) return OkStatus();
  ASSIGN_OR_RETURN(auto holder, c.txn.Get(kUserIndex, AsBytes(PersonIndexKey(person_id))));
  if (holder) return OkStatus();  // the first account linked to the person keeps them
  ASSIGN_OR_RETURN(auto own_account, c.txn.Get(kUsers, AsBytes(person_id)));
  if (own_account) return OkStatus();  // made with --sourced-id: the rows are its own
  c.txn.Put(kUserIndex, AsBytes(PersonIndexKey(person_id)), AsBytes(account_id));
  RETURN_IF_ERROR(MoveGuardianLinks(c, person_id, account_id));
  return MoveTeacherEnrollments(c, person_id, account_id);
}

}  // namespace backpack::roster
