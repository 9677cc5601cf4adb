// The family projection's request events and RecordShredded.

#include "projections/family/internal/layout.h"
#include "projections/family/internal/payload_read.h"
#include "projections/family/internal/records.h"
#include "projections/projection.h"

namespace backpack::family {
namespace {

// Writes the request and its plain state entry. A student whose key a later
// shred destroyed gets nothing (see PutSealedUnlessGone in projection.cc).
Status PutRequest(ProjectionTxn& txn, const FamilyRequest& r) {
  Status s = txn.PutSealed(kRequests, AsBytes(r.id), r.student_id, AsBytes(SerializeRequest(r)));
  if (s.code() == StatusCode::kGone) return OkStatus();
  RETURN_IF_ERROR(s);
  txn.Put(kStudentRequests, IdSuffixKey(r.student_id, r.id), AsBytes(SerializeRequestState(r)));
  return OkStatus();
}

// The request `id` of `student`, or nullopt if unknown, shredded or another
// student's (the log is the truth; commands refuse such events up front).
Result<std::optional<FamilyRequest>> GetRequest(ProjectionTxn& txn, const std::string& id,
                                                const std::string& student) {
  auto plain = txn.GetSealed(kRequests, AsBytes(id));
  if (!plain && plain.error().code() == StatusCode::kGone) return std::optional<FamilyRequest>();
  if (!plain) return Err(plain.error());
  if (!*plain) return std::optional<FamilyRequest>();
  ASSIGN_OR_RETURN(FamilyRequest r, ParseRequest(**plain));
  if (r.student_id != student) return std::optional<FamilyRequest>();
  return std::optional<FamilyRequest>(std::move(r));
}

FamilyRequest NewRequest(const EventHeader& h, std::string id, FamilyRequestKind kind,
                         std::string requested_by) {
  FamilyRequest r;
  r.id = std::move(id);
  r.kind = kind;
  r.student_id = h.subject_id;
  r.status = "pending";
  r.requested_by = std::move(requested_by);
  r.requested_at_us = h.recorded_at_us;
  r.requested_seq = h.seq;
  return r;
}

void MarkDecided(const EventHeader& h, std::string by, FamilyRequest& r) {
  r.decided_by = std::move(by);
  r.decided_at_us = h.recorded_at_us;
  r.decided_seq = h.seq;
}

// Applies an update to an existing request of `kind` whose status is
// `status`. Anything else is ignored: an unknown request, or a transition the
// commands refuse (deciding twice, a statement on a request that is not a
// refused correction or already has one). The log may hold such an event
// only if it was appended by an older binary that checked without a lock;
// the first decision stands, in the live projection and in a rebuild alike.
template <typename Payload, typename Update>
Status UpdateRequest(const LoggedEvent& e, ProjectionTxn& txn, FamilyRequestKind kind,
                     std::string_view status, Update update) {
  ASSIGN_OR_RETURN(auto* p, ReadPayload<Payload>(e));
  ASSIGN_OR_RETURN(auto r, GetRequest(txn, Str(p->request_id()), e.header.subject_id));
  if (!r || r->kind != kind || r->status != status) return OkStatus();
  if (!update(*p, *r)) return OkStatus();
  return PutRequest(txn, *r);
}

Status ApplyNewRequest(const LoggedEvent& e, ProjectionTxn& txn) {
  const EventHeader& h = e.header;
  if (h.type == EventType::InspectionRequested) {
    ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::InspectionRequestedPayload>(e));
    FamilyRequest r =
        NewRequest(h, Str(p->request_id()), FamilyRequestKind::kInspection, Str(p->requested_by()));
    r.due_by_us = h.recorded_at_us + kInspectionDueMicros;
    return PutRequest(txn, r);
  }
  if (h.type == EventType::CorrectionRequested) {
    ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::CorrectionRequestedPayload>(e));
    FamilyRequest r =
        NewRequest(h, Str(p->request_id()), FamilyRequestKind::kCorrection, Str(p->requested_by()));
    r.text = Str(p->text());
    r.about_seq = p->about_seq();
    return PutRequest(txn, r);
  }
  ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::DeletionRequestedPayload>(e));
  FamilyRequest r =
      NewRequest(h, Str(p->request_id()), FamilyRequestKind::kDeletion, Str(p->requested_by()));
  r.text = Str(p->reason());
  return PutRequest(txn, r);
}

}  // namespace

Status ApplyRequestEvent(const LoggedEvent& e, ProjectionTxn& txn) {
  const EventHeader& h = e.header;
  ASSIGN_OR_RETURN(auto marker, txn.Get(kShredded, AsBytes(h.subject_id)));
  if (marker) return OkStatus();
  switch (h.type) {
    case EventType::InspectionFulfilled:
      return UpdateRequest<fb::InspectionFulfilledPayload>(
          e, txn, FamilyRequestKind::kInspection, "pending", [&](auto& p, FamilyRequest& r) {
            r.status = "fulfilled";
            r.as_of_seq = p.as_of_seq();
            MarkDecided(h, Str(p.fulfilled_by()), r);
            return true;
          });
    case EventType::CorrectionDecided:
      return UpdateRequest<fb::CorrectionDecidedPayload>(
          e, txn, FamilyRequestKind::kCorrection, "pending", [&](auto& p, FamilyRequest& r) {
            r.status = p.decision() == fb::CorrectionDecision::Refuse
                           ? "refused"
                           : std::string(kCorrectionAmended);
            r.decision_reason = Str(p.reason());
            MarkDecided(h, Str(p.decided_by()), r);
            return true;
          });
    case EventType::StatementAttached:
      return UpdateRequest<fb::StatementAttachedPayload>(e, txn, FamilyRequestKind::kCorrection,
                                                         "refused", [&](auto& p, FamilyRequest& r) {
                                                           if (!r.statement.empty()) return false;
                                                           r.statement = Str(p.text());
                                                           r.statement_by = Str(p.attached_by());
                                                           r.statement_at_us = h.recorded_at_us;
                                                           r.statement_seq = h.seq;
                                                           return true;
                                                         });
    case EventType::DeletionApproved:
      return UpdateRequest<fb::DeletionApprovedPayload>(e, txn, FamilyRequestKind::kDeletion,
                                                        "pending", [&](auto& p, FamilyRequest& r) {
                                                          r.status = "approved";
                                                          MarkDecided(h, Str(p.approved_by()), r);
                                                          return true;
                                                        });
    case EventType::DeletionRefused:
      return UpdateRequest<fb::DeletionRefusedPayload>(e, txn, FamilyRequestKind::kDeletion,
                                                       "pending", [&](auto& p, FamilyRequest& r) {
                                                         r.status = "refused";
                                                         r.decision_reason = Str(p.reason());
                                                         MarkDecided(h, Str(p.refused_by()), r);
                                                         return true;
                                                       });
    default:
      return ApplyNewRequest(e, txn);
  }
}

namespace {

// Keeps the ids of the requests the shred of `student` made unreadable, as
// its payload lists them (and the approved one).
void MarkRequestsShredded(const fb::RecordShreddedPayload& p, const std::string& student,
                          ProjectionTxn& txn) {
  if (p.request_ids()) {
    for (const auto* id : *p.request_ids()) {
      if (id && id->size() > 0) txn.Put(kShreddedRequests, AsBytes(id->str()), AsBytes(student));
    }
  }
  if (p.request_id() && p.request_id()->size() > 0) {
    txn.Put(kShreddedRequests, AsBytes(p.request_id()->str()), AsBytes(student));
  }
}

}  // namespace

// Deletes everything the projection holds about the student except the
// subject index (envelope fields the log keeps anyway), then marks the
// student shredded and their requests (listed by the payload alone, as a
// replay, which never sees the sealed ones, must derive the same) as
// shredded; Family::Shred and Recover destroy the key.
Status ApplyShredded(const LoggedEvent& e, ProjectionTxn& txn) {
  ASSIGN_OR_RETURN(auto* p, ReadPayload<fb::RecordShreddedPayload>(e));
  const std::string& student = e.header.subject_id;
  Bytes prefix = IdPrefix(student);
  std::vector<Bytes> request_keys;
  std::vector<Bytes> disclosure_keys;
  RETURN_IF_ERROR(txn.Scan(kStudentRequests, prefix, [&](ByteView key, ByteView) {
    request_keys.emplace_back(key.begin(), key.end());
    return true;
  }));
  RETURN_IF_ERROR(txn.Scan(kDisclosures, prefix, [&](ByteView key, ByteView) {
    disclosure_keys.emplace_back(key.begin(), key.end());
    return true;
  }));
  for (const Bytes& key : request_keys) {
    txn.Delete(kRequests, AsBytes(SuffixOfKey(key, prefix.size())));
    txn.Delete(kStudentRequests, key);
  }
  for (const Bytes& key : disclosure_keys) txn.Delete(kDisclosures, key);
  ShredMarker marker{e.header.seq, e.header.recorded_at_us, Str(p->reason()), Str(p->request_id())};
  txn.Put(kShredded, AsBytes(student), AsBytes(SerializeShredMarker(marker)));
  MarkRequestsShredded(*p, student, txn);
  if (p->guardian_ids()) {
    for (const auto* id : *p->guardian_ids()) {
      txn.Put(kShreddedGuardians, IdSuffixKey(student, id->str()), {});
    }
  }
  return OkStatus();
}

}  // namespace backpack::family
