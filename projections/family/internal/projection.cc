#include "projections/family/internal/projection.h"

#include <spdlog/spdlog.h>

#include "projections/family/internal/layout.h"
#include "projections/family/internal/payload_read.h"
#include "projections/family/internal/records.h"

namespace backpack::family {
namespace {

// PutSealed, except that a student shredded by a later event (a rebuild
// replays earlier events after the key is gone) gets nothing: the live
// state deletes the value at RecordShredded, so both end up equal.
Status PutSealedUnlessGone(ProjectionTxn& txn, std::string_view family, ByteView key,
                           const std::string& owner, std::string_view value) {
  Status s = txn.PutSealed(family, key, owner, AsBytes(value));
  return s.code() == StatusCode::kGone ? OkStatus() : s;
}

Result<bool> Shredded(ProjectionTxn& txn, const std::string& student) {
  ASSIGN_OR_RETURN(auto marker, txn.Get(kShredded, AsBytes(student)));
  return marker.has_value();
}

void IndexEvent(const EventHeader& h, const std::string& subject, bool listed, ProjectionTxn& txn) {
  IndexEntry entry{h.seq, h.type, h.recorded_at_us, h.payload_encrypted, listed};
  txn.Put(kSubjectEvents, IdSeqKey(subject, h.seq), EncodeIndexEntry(entry));
}

Status PutDisclosure(ProjectionTxn& txn, const std::string& student, const Disclosure& d) {
  ASSIGN_OR_RETURN(bool shredded, Shredded(txn, student));
  if (shredded) return OkStatus();
  return PutSealedUnlessGone(txn, kDisclosures, IdSeqKey(student, d.seq), student,
                             SerializeDisclosure(d));
}

Disclosure DisclosureBase(const EventHeader& h) {
  Disclosure d;
  d.seq = h.seq;
  d.at_us = h.recorded_at_us;
  d.type = h.type;
  d.actor_id = h.actor_id;
  return d;
}

// RecordViewed: indexed and disclosed for its subject and for every student
// it lists (searches, audit queries and breach reports have no subject).
Status ApplyViewed(const LoggedEvent& e, ProjectionTxn& txn) {
  ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::RecordViewedPayload>(e));
  Disclosure d = DisclosureBase(e.header);
  d.scope = SnakeCase(fb::EnumNameReadScope(p->scope()));
  d.outcome = SnakeCase(fb::EnumNameAccessOutcome(p->outcome()));
  d.reason = Str(p->reason());
  d.legitimate_interest = d.reason;
  const std::string& subject = e.header.subject_id;
  if (IsStudentId(subject)) RETURN_IF_ERROR(PutDisclosure(txn, subject, d));
  if (!p->students()) return OkStatus();
  for (const fb::AccessedStudent* s : *p->students()) {
    std::string student = s ? Str(s->student_id()) : "";
    if (student.empty() || student == subject) continue;
    IndexEvent(e.header, student, /*listed=*/true, txn);
    Disclosure listed = d;
    if (s->reason() && s->reason()->size() > 0) {
      listed.reason = listed.legitimate_interest = s->reason()->str();
    }
    if (IsStudentId(student)) RETURN_IF_ERROR(PutDisclosure(txn, student, listed));
  }
  return OkStatus();
}

Status ApplyDenied(const LoggedEvent& e, ProjectionTxn& txn) {
  ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::AccessDeniedPayload>(e));
  Disclosure d = DisclosureBase(e.header);
  d.scope =
      p->scope() == fb::ReadScope::Unknown ? "" : SnakeCase(fb::EnumNameReadScope(p->scope()));
  d.reason = Str(p->reason());
  d.outcome = "denied";
  d.description = Str(p->route());
  return PutDisclosure(txn, e.header.subject_id, d);
}

Status ApplyDisclosed(const LoggedEvent& e, ProjectionTxn& txn) {
  ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::RecordDisclosedPayload>(e));
  Disclosure d = DisclosureBase(e.header);
  d.outcome = "disclosed";
  d.recipient = Str(p->recipient());
  d.legitimate_interest = Str(p->legitimate_interest());
  d.reason = d.legitimate_interest;
  d.description = Str(p->description());
  return PutDisclosure(txn, e.header.subject_id, d);
}

}  // namespace

// Defined in projection_requests.cc.
Status ApplyRequestEvent(const LoggedEvent& e, ProjectionTxn& txn);
Status ApplyShredded(const LoggedEvent& e, ProjectionTxn& txn);

std::vector<std::string> FamilyProjection::ColumnFamilies() const {
  return {std::string(kRequests), std::string(kStudentRequests),  std::string(kDisclosures),
          std::string(kShredded), std::string(kShreddedRequests), std::string(kShreddedGuardians)};
}

std::vector<std::string> FamilyProjection::TouchedFamilies() const {
  std::vector<std::string> families = ColumnFamilies();
  families.emplace_back(kSubjectEvents);
  return families;
}

Status FamilyProjection::Apply(const LoggedEvent& e, ProjectionTxn& txn) {
  const std::string& subject = e.header.subject_id;
  if (!subject.empty()) IndexEvent(e.header, subject, /*listed=*/false, txn);
  switch (e.header.type) {
    case EventType::RecordViewed:
      return ApplyViewed(e, txn);
    case EventType::AccessDenied:
      return IsStudentId(subject) ? ApplyDenied(e, txn) : OkStatus();
    case EventType::RecordDisclosed:
      return IsStudentId(subject) ? ApplyDisclosed(e, txn) : OkStatus();
    case EventType::InspectionRequested:
    case EventType::InspectionFulfilled:
    case EventType::CorrectionRequested:
    case EventType::CorrectionDecided:
    case EventType::StatementAttached:
    case EventType::DeletionRequested:
    case EventType::DeletionApproved:
    case EventType::DeletionRefused:
      return IsStudentId(subject) ? ApplyRequestEvent(e, txn) : OkStatus();
    case EventType::RecordShredded:
      return subject.empty() ? OkStatus() : ApplyShredded(e, txn);
    default:
      return OkStatus();
  }
}

Status FamilyProjection::Load(Store& store, DataKeyRing& data_keys) {
  size_t completed = 0;
  RETURN_IF_ERROR(CompleteShreds(store, data_keys, &completed));
  if (completed > 0) spdlog::warn("family: completed {} interrupted shred(s)", completed);
  return OkStatus();
}

Status EnsureSubjectIndex(Store& store) { return store.EnsureColumnFamily(kSubjectEvents); }

Status CompleteShreds(Store& store, DataKeyRing& data_keys, size_t* completed) {
  *completed = 0;
  std::vector<std::string> students;
  ASSIGN_OR_RETURN(auto it, store.NewIterator(kShredded));
  for (it->SeekToFirst(); it->Valid(); it->Next()) students.emplace_back(AsChars(it->key()));
  RETURN_IF_ERROR(it->status());
  for (const auto& student : students) {
    // A crash may have come after the tombstone but before the old key was
    // compacted away: "shredded" is not enough.
    ASSIGN_OR_RETURN(bool complete, data_keys.ShredComplete(student));
    if (complete) continue;
    RETURN_IF_ERROR(data_keys.Shred(student));
    ++*completed;
  }
  return OkStatus();
}

}  // namespace backpack::family
