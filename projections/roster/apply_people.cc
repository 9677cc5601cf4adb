// Roster projection: imported people and rosters (OneRoster rows).
#include "projections/ids.h"
#include "projections/roster/internal/payload.h"
#include "projections/roster/internal/records.h"
#include "projections/roster/internal/roster_projection.h"

namespace backpack::roster {
namespace {

// Removes the in-memory row `key`; the member stays enrolled through any
// other row of the same membership.
void DropEnrollmentRow(ApplyContext& c, const EnrollmentKey& key) {
  c.ops.push_back([key](Memory& m) {
    m.access.RemoveEnrollment(key.class_id, key.member_id, key.role, key.digest).IgnoreError();
  });
}

// The enrollment row that an earlier event stored under `digest`.
Result<std::optional<EnrollmentKey>> EnrollmentByDigest(ProjectionTxn& txn,
                                                        std::string_view digest) {
  ASSIGN_OR_RETURN(auto key, txn.Get(kEnrollmentIndex, AsBytes(digest)));
  if (!key) return std::optional<EnrollmentKey>();
  ASSIGN_OR_RETURN(EnrollmentKey decoded, EnrollmentKey::Decode(*key));
  return std::optional<EnrollmentKey>(std::move(decoded));
}

Status RetractEnrollment(ApplyContext& c, std::string_view sourced_id) {
  ASSIGN_OR_RETURN(auto key, EnrollmentByDigest(c.txn, EnrollmentDigest(c.index_key, sourced_id)));
  if (!key) return OkStatus();
  ASSIGN_OR_RETURN(auto record, ReadEnrollment(c.txn, key->Encode()));
  if (!record) return OkStatus();
  record->retracted = true;
  WriteEnrollment(c.txn, key->Encode(), *record);
  DropEnrollmentRow(c, *key);
  return OkStatus();
}

// The row an EnrollmentImported payload with an access role (`role`, lower
// case: "teacher" or "student") describes.
Result<EnrollmentKey> EnrollmentKeyOf(ApplyContext& c, const fb::EnrollmentImportedPayload& p,
                                      std::string_view role) {
  std::string sourced_id = Str(p.sourced_id());
  std::string user_sourced_id = Str(p.user_sourced_id());
  EnrollmentKey key;
  key.class_id = Str(p.class_sourced_id());
  RETURN_IF_ERROR(RequireId(sourced_id, "enrollment"));
  RETURN_IF_ERROR(RequireId(key.class_id, "class"));
  RETURN_IF_ERROR(RequireId(user_sourced_id, "user"));
  key.role = role == "teacher" ? EnrollmentRole::kTeacher : EnrollmentRole::kStudent;
  if (key.role == EnrollmentRole::kTeacher) {
    ASSIGN_OR_RETURN(key.member_id,
                     AccountOfPerson(c.txn, UserIdFor(c.index_key, user_sourced_id)));
  } else {
    key.member_id = StudentIdFor(c.index_key, user_sourced_id);
    RETURN_IF_ERROR(RequirePersonalAbout(c.event, key.member_id));
  }
  key.digest = EnrollmentDigest(c.index_key, sourced_id);
  return key;
}

// True iff the student's record is flagged retracted (false if unknown or
// shredded).
Result<bool> StudentRetracted(ProjectionTxn& txn, std::string_view student_id) {
  auto record = ReadStudent(txn, student_id);
  if (!record && record.error().code() == StatusCode::kGone) return false;
  if (!record) return Err(record.error());
  return *record && (*record)->retracted;
}

// A link's row went missing. If its student was retracted before it (the
// planner retracts students first), the link stays in force while the
// student stays retracted (GuardianLinkState); otherwise it ends now.
Status RetractGuardianLink(ApplyContext& c, const std::string& student_id,
                           const std::string& guardian_id) {
  std::string key = PairKey(student_id, guardian_id);
  ASSIGN_OR_RETURN(auto link, ReadGuardianLink(c.txn, key));
  if (!link || link->retracted) return OkStatus();
  ASSIGN_OR_RETURN(bool student_retracted, StudentRetracted(c.txn, student_id));
  WriteGuardianLink(c.txn, key, {.retracted = true, .while_student_retracted = student_retracted});
  if (student_retracted) return OkStatus();
  c.ops.push_back([guardian_id, student_id](Memory& m) {
    m.access.UnlinkGuardian(guardian_id, student_id).IgnoreError();
  });
  return OkStatus();
}

// A retracted student is imported again: the links kept in force only while
// they were retracted end (a link the export still has is linked again by its
// own GuardianLinked event, which the planner emits for a retracted row).
Status EndLinksKeptForRetractedStudent(ApplyContext& c, const std::string& student_id) {
  const std::string prefix = student_id + '\0';
  std::vector<std::string> guardians;
  Status decoded;
  RETURN_IF_ERROR(c.txn.Scan(kGuardianLinks, AsBytes(prefix), [&](ByteView key, ByteView value) {
    auto link = DecodeGuardianLink(value);
    if (!link) decoded = link.error();
    if (link && link->while_student_retracted) {
      guardians.emplace_back(AsChars(key).substr(prefix.size()));
    }
    return decoded.ok();
  }));
  RETURN_IF_ERROR(decoded);
  for (const std::string& guardian_id : guardians) {
    WriteGuardianLink(c.txn, PairKey(student_id, guardian_id), {.retracted = true});
    c.ops.push_back([guardian_id, student_id](Memory& m) {
      m.access.UnlinkGuardian(guardian_id, student_id).IgnoreError();
    });
  }
  return OkStatus();
}

// A guardian row went missing. With a student subject, only that link is
// retracted; without one, every link of the guardian.
Status RetractGuardian(ApplyContext& c, std::string_view sourced_id) {
  ASSIGN_OR_RETURN(std::string guardian_id,
                   AccountOfPerson(c.txn, UserIdFor(c.index_key, sourced_id)));
  if (!c.event.header.subject_id.empty()) {
    return RetractGuardianLink(c, c.event.header.subject_id, guardian_id);
  }
  std::vector<std::string> students;
  std::string suffix = std::string(1, '\0') + guardian_id;
  RETURN_IF_ERROR(c.txn.Scan(kGuardianLinks, {}, [&](ByteView key, ByteView) {
    std::string_view k = AsChars(key);
    if (k.ends_with(suffix)) students.emplace_back(k.substr(0, k.size() - suffix.size()));
    return true;
  }));
  for (const std::string& student_id : students) {
    RETURN_IF_ERROR(RetractGuardianLink(c, student_id, guardian_id));
  }
  return OkStatus();
}

Status RetractStudent(ApplyContext& c, std::string_view sourced_id) {
  std::string student_id = StudentIdFor(c.index_key, sourced_id);
  auto record = ReadStudent(c.txn, student_id);
  if (!record && record.error().code() == StatusCode::kGone) return OkStatus();
  if (!record) return record.error();
  if (!*record) return OkStatus();
  (*record)->retracted = true;
  RETURN_IF_ERROR(WriteStudent(c.txn, student_id, **record));
  c.ops.push_back([student_id](Memory& m) { m.access.RetractStudent(student_id).IgnoreError(); });
  return OkStatus();
}

template <typename Record, typename Read, typename Write>
Status FlagPlain(ApplyContext& c, std::string_view id, Read read, Write write) {
  ASSIGN_OR_RETURN(std::optional<Record> record, read(c.txn, id));
  if (!record) return OkStatus();
  record->retracted = true;
  write(c.txn, id, *record);
  return OkStatus();
}

// Drops the guardian-email index entry of an older contact if it changed.
void DropStaleEmailIndex(ApplyContext& c, const std::optional<GuardianContact>& old,
                         const GuardianContact& now, const std::string& student_id,
                         const std::string& guardian_id) {
  if (!old || old->email.empty() || ToLowerAscii(old->email) == ToLowerAscii(now.email)) return;
  c.txn.Delete(kGuardianIndex,
               AsBytes(GuardianEmailKey(c.index_key, old->email, student_id, guardian_id)));
}

}  // namespace

Status ApplyOrg(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::OrgImportedPayload>(c.event));
  std::string id = Str(p->sourced_id());
  RETURN_IF_ERROR(RequireId(id, "org"));
  WriteOrg(c.txn, id, {Str(p->name()), Str(p->type()), Str(p->parent_sourced_id()), false});
  return OkStatus();
}

Status ApplySession(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::AcademicSessionImportedPayload>(c.event));
  std::string id = Str(p->sourced_id());
  RETURN_IF_ERROR(RequireId(id, "academic session"));
  WriteSession(c.txn, id,
               {Str(p->title()), Str(p->type()), Str(p->start_date()), Str(p->end_date()),
                Str(p->parent_sourced_id()), Str(p->school_year()), false});
  return OkStatus();
}

Status ApplyClass(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::ClassImportedPayload>(c.event));
  std::string id = Str(p->sourced_id());
  RETURN_IF_ERROR(RequireId(id, "class"));
  std::string school_id = Str(p->school_sourced_id());
  WriteClass(c.txn, id, {school_id, false});
  c.ops.push_back(
      [id, school_id](Memory& m) { m.access.UpsertClass(id, school_id).IgnoreError(); });
  return OkStatus();
}

Status ApplyStudent(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::StudentImportedPayload>(c.event));
  std::string sourced_id = Str(p->sourced_id());
  RETURN_IF_ERROR(RequireId(sourced_id, "student"));
  std::string id = StudentIdFor(c.index_key, sourced_id);
  RETURN_IF_ERROR(RequirePersonalAbout(c.event, id));
  std::string school_id = Str(p->school_sourced_id());
  if (school_id.empty() && p->org_sourced_ids() && p->org_sourced_ids()->size() > 0) {
    school_id = p->org_sourced_ids()->Get(0)->str();
  }
  StudentRecord record{sourced_id,
                       Str(p->given_name()),
                       Str(p->family_name()),
                       Str(p->preferred_name()),
                       Str(p->grade()),
                       school_id,
                       false};
  ASSIGN_OR_RETURN(bool was_retracted, StudentRetracted(c.txn, id));
  if (was_retracted) RETURN_IF_ERROR(EndLinksKeptForRetractedStudent(c, id));
  RETURN_IF_ERROR(WriteStudent(c.txn, id, record));
  c.ops.push_back([id, school_id, grade = record.grade](Memory& m) {
    m.students.insert(id);
    m.access.UpsertStudent(Student{id, school_id, grade, false}).IgnoreError();
  });
  return OkStatus();
}

// An administrator ended the link: it ends as a retraction does, whether or
// not the student is retracted, until an export links the two again with a
// changed row (an unchanged row is not imported again).
Status ApplyGuardianUnlinked(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::GuardianUnlinkedPayload>(c.event));
  const std::string& student_id = c.event.header.subject_id;
  std::string guardian_id = Str(p->guardian_id());
  RETURN_IF_ERROR(RequireId(guardian_id, "guardian"));
  RETURN_IF_ERROR(RequirePersonalAbout(c.event, student_id));
  std::string key = PairKey(student_id, guardian_id);
  ASSIGN_OR_RETURN(auto link, ReadGuardianLink(c.txn, key));
  if (!link || !link->in_force()) return OkStatus();
  WriteGuardianLink(c.txn, key, {.retracted = true});
  c.ops.push_back([guardian_id, student_id](Memory& m) {
    m.access.UnlinkGuardian(guardian_id, student_id).IgnoreError();
  });
  return OkStatus();
}

Status ApplyGuardianLink(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::GuardianLinkedPayload>(c.event));
  std::string guardian_sourced_id = Str(p->guardian_sourced_id());
  std::string student_sourced_id = Str(p->student_sourced_id());
  RETURN_IF_ERROR(RequireId(guardian_sourced_id, "guardian"));
  RETURN_IF_ERROR(RequireId(student_sourced_id, "student"));
  std::string student_id = StudentIdFor(c.index_key, student_sourced_id);
  ASSIGN_OR_RETURN(std::string guardian_id,
                   AccountOfPerson(c.txn, UserIdFor(c.index_key, guardian_sourced_id)));
  RETURN_IF_ERROR(RequirePersonalAbout(c.event, student_id));
  GuardianContact contact{guardian_sourced_id, Str(p->given_name()), Str(p->family_name()),
                          Str(p->email()),     Str(p->phone()),      Str(p->relationship())};
  ASSIGN_OR_RETURN(auto old, ReadGuardianContact(c.txn, student_id, guardian_id));
  DropStaleEmailIndex(c, old, contact, student_id, guardian_id);
  RETURN_IF_ERROR(WriteGuardianContact(c.txn, student_id, guardian_id, contact));
  WriteGuardianLink(c.txn, PairKey(student_id, guardian_id), {.retracted = false});
  if (!contact.email.empty()) {
    c.txn.Put(kGuardianIndex,
              AsBytes(GuardianEmailKey(c.index_key, contact.email, student_id, guardian_id)),
              AsBytes(guardian_id));
  }
  c.ops.push_back([guardian_id, student_id](Memory& m) {
    m.access.LinkGuardian(guardian_id, student_id).IgnoreError();
  });
  return OkStatus();
}

// A row's dates are part of it: a re-import with other dates replaces them,
// and malformed dates refuse the event, as a malformed id does.
Status ApplyEnrollment(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::EnrollmentImportedPayload>(c.event));
  std::string role = ToLowerAscii(Str(p->role()));
  if (role != "student" && role != "teacher") return OkStatus();  // no access meaning
  ASSIGN_OR_RETURN(EnrollmentKey key, EnrollmentKeyOf(c, *p, role));
  EnrollmentRecord record{false, Str(p->begin_date()), Str(p->end_date())};
  ASSIGN_OR_RETURN(EnrollmentPeriod period,
                   EnrollmentPeriod::FromDates(record.begin_date, record.end_date));
  ASSIGN_OR_RETURN(auto previous, EnrollmentByDigest(c.txn, key.digest));
  if (previous && previous->Encode() != key.Encode()) {
    c.txn.Delete(kEnrollments, AsBytes(previous->Encode()));
    DropEnrollmentRow(c, *previous);
  }
  WriteEnrollment(c.txn, key.Encode(), record);
  c.txn.Put(kEnrollmentIndex, AsBytes(key.digest), AsBytes(key.Encode()));
  c.ops.push_back([key, period](Memory& m) { AddEnrollmentTo(m, key, period); });
  return OkStatus();
}

Status ApplyRetraction(ApplyContext& c) {
  ASSIGN_OR_RETURN(auto* p, PayloadAs<fb::RecordRetractedPayload>(c.event));
  std::string id = Str(p->sourced_id());
  if (id.empty()) return OkStatus();  // supplemental rows: not the roster's
  switch (p->kind()) {
    case fb::RecordKind::Org:
      return FlagPlain<OrgRecord>(c, id, ReadOrg, WriteOrg);
    case fb::RecordKind::AcademicSession:
      return FlagPlain<SessionRecord>(c, id, ReadSession, WriteSession);
    case fb::RecordKind::Class:
      return FlagPlain<ClassRecord>(c, id, ReadClass, WriteClass);
    case fb::RecordKind::Student:
      return RetractStudent(c, id);
    case fb::RecordKind::Guardian:
      return RetractGuardian(c, id);
    case fb::RecordKind::Enrollment:
      return RetractEnrollment(c, id);
    default:
      return OkStatus();
  }
}

}  // namespace backpack::roster
