#include "projections/audit/internal/audit_projection.h"

#include "projections/audit/internal/payload.h"
#include "projections/audit/internal/scopes.h"

namespace backpack::audit_internal {
namespace {

std::string_view OutcomeName(fb::AccessOutcome outcome) {
  switch (outcome) {
    case fb::AccessOutcome::Allowed:
      return "allowed";
    case fb::AccessOutcome::Gone:
      return "gone";
    case fb::AccessOutcome::Denied:
      return "denied";
    default:
      return "unknown";
  }
}

}  // namespace

AccessEntry EntryHeader(const LoggedEvent& event, std::string_view action) {
  AccessEntry entry;
  entry.seq = event.header.seq;
  entry.at_us = event.header.recorded_at_us;
  entry.action = action;
  entry.actor_id = event.header.actor_id;
  entry.student_id = event.header.subject_id;
  entry.request_id = event.header.request_id;
  return entry;
}

bool CountsTowardsBulkAccess(const AccessEntry& entry) {
  const std::string& scope = entry.scope;
  if (scope == "search") return entry.query == kFeedReadQuery;
  return scope == "profile" || scope == "profile_history" || scope == "restricted_note" ||
         scope == "history" || scope == "export";
}

std::vector<std::string> AuditProjection::ColumnFamilies() const {
  return {std::string(kEventsFamily),  std::string(kByStudentFamily),
          std::string(kByActorFamily), std::string(kByActionFamily),
          std::string(kAlertsFamily),  std::string(kAlertTextFamily),
          std::string(kWindowsFamily), std::string(kSettingsFamily)};
}

Status AuditProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  switch (event.header.type) {
    case EventType::RecordViewed:
      return ApplyViewed(event, txn);
    case EventType::AccessDenied:
      return ApplyDenied(event, txn);
    case EventType::RecordDisclosed:
      return ApplyDisclosed(event, txn);
    case EventType::BreakGlassStarted:
      return ApplyBreakGlass(event, txn);
    case EventType::AlertReviewed:
      RETURN_IF_ERROR(IndexReview(event, txn));
      return ApplyReviewed(event, txn);
    case EventType::LoginSucceeded:
    case EventType::LoginFailed:
      return ApplyLogin(event, txn);
    case EventType::AuditSettingsChanged:
      return ApplySettings(event, txn);
    case EventType::RecordShredded:
      RETURN_IF_ERROR(ForgetSealedEntriesOf(event.header.subject_id, txn));
      return ApplyShredded(event, txn);
    default:
      return OkStatus();
  }
}

Status AuditProjection::ApplyViewed(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = Payload<fb::RecordViewedPayload>(event);
  if (!p) return OkStatus();
  AccessEntry entry = EntryHeader(event, kRecordViewed);
  entry.scope = AccessScopeName(FromFb(p->scope()));
  entry.reason = Str(p->reason());
  entry.outcome = OutcomeName(p->outcome());
  entry.ip = Str(p->client_ip());
  entry.note_id = Str(p->note_id());
  entry.query = Str(p->query());
  if (p->students()) {
    for (const auto* s : *p->students()) {
      if (s && s->student_id() && s->student_id()->size() > 0) {
        entry.students.push_back({Str(s->student_id()), Str(s->reason())});
      }
    }
  }
  entry.result_count = p->result_count();
  Index(entry, txn);
  return TrackBulkAccess(entry, txn);
}

Status AuditProjection::ApplyDenied(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = Payload<fb::AccessDeniedPayload>(event);
  if (!p) return OkStatus();
  AccessEntry entry = EntryHeader(event, kAccessDenied);
  entry.scope = AccessScopeName(FromFb(p->scope()));
  entry.reason = Str(p->reason());
  entry.outcome = "denied";
  entry.ip = Str(p->client_ip());
  entry.route = Str(p->route());
  entry.target_id = Str(p->target_id());
  Index(entry, txn);
  return TrackDenials(entry, txn);
}

// Only who disclosed which record, when: the recipient, interest and
// description are personal (sealed in the log) and stay out of this index;
// the family history shows them.
Status AuditProjection::ApplyDisclosed(const LoggedEvent& event, ProjectionTxn& txn) {
  AccessEntry entry = EntryHeader(event, kRecordDisclosed);
  entry.outcome = "disclosed";
  if (const auto* p = Payload<fb::RecordDisclosedPayload>(event)) entry.ip = Str(p->client_ip());
  Index(entry, txn);
  return OkStatus();
}

Status AuditProjection::ApplyLogin(const LoggedEvent& event, ProjectionTxn& txn) {
  const bool failed = event.header.type == EventType::LoginFailed;
  AccessEntry entry = EntryHeader(event, failed ? kLoginFailed : kLoginSucceeded);
  entry.student_id.clear();
  if (failed) {
    const auto* p = Payload<fb::LoginFailedPayload>(event);
    if (!p) return OkStatus();
    entry.actor_id = Str(p->user_id());  // "" when no account has that username
    entry.reason = fb::EnumNameLoginFailure(p->reason());
    entry.outcome = "denied";
    entry.ip = Str(p->client_ip());
  } else {
    const auto* p = Payload<fb::LoginSucceededPayload>(event);
    if (!p) return OkStatus();
    entry.actor_id = Str(p->user_id());
    entry.outcome = "allowed";
    entry.ip = Str(p->client_ip());
  }
  Index(entry, txn);
  return failed ? TrackDenials(entry, txn) : OkStatus();
}

// Every review is in the trail, whether or not it was the alert's first. Its
// subject is the alert's student, or the reviewer (for an alert about an
// account), which is no student.
Status AuditProjection::IndexReview(const LoggedEvent& event, ProjectionTxn& txn) {
  AccessEntry entry = EntryHeader(event, kAlertReviewed);
  if (entry.student_id == entry.actor_id) entry.student_id.clear();
  entry.outcome = "reviewed";
  if (const auto* p = Payload<fb::AlertReviewedPayload>(event)) {
    entry.target_id = Str(p->alert_id());
    entry.ip = Str(p->client_ip());
  }
  Index(entry, txn);
  return OkStatus();
}

Status AuditProjection::ForgetSealedEntriesOf(const std::string& student_id, ProjectionTxn& txn) {
  if (student_id.empty()) return OkStatus();
  std::vector<uint64_t> seqs;
  RETURN_IF_ERROR(
      txn.Scan(kByStudentFamily, AsBytes(StudentPrefix(student_id)), [&](ByteView key, ByteView) {
        seqs.push_back(SeqFromKeySuffix(key));
        return true;
      }));
  for (uint64_t seq : seqs) {
    const std::string key = SeqKey(seq);
    ASSIGN_OR_RETURN(auto stored, txn.Get(kEventsFamily, AsBytes(key)));
    if (!stored) continue;
    auto entry = DecodeEntry(*stored);
    // Reviews of the student's alerts and disclosures: sealed under the student.
    if (!entry || (entry->action != kAlertReviewed && entry->action != kRecordDisclosed)) continue;
    Unindex(*entry, txn);
  }
  return OkStatus();
}

void AuditProjection::Index(const AccessEntry& entry, ProjectionTxn& txn) {
  const std::string seq = SeqKey(entry.seq);
  const Bytes empty;
  txn.Put(kEventsFamily, AsBytes(seq), AsBytes(EncodeEntry(entry)));
  for (const auto& student : entry.Covered()) {
    txn.Put(kByStudentFamily, AsBytes(StudentPrefix(student.student_id) + seq), empty);
  }
  txn.Put(kByActorFamily, AsBytes(ActorPrefix(entry.actor_id) + seq), empty);
  txn.Put(kByActionFamily, AsBytes(ActionPrefix(entry.action, entry.scope) + seq), empty);
}

void AuditProjection::Unindex(const AccessEntry& entry, ProjectionTxn& txn) {
  const std::string seq = SeqKey(entry.seq);
  txn.Delete(kEventsFamily, AsBytes(seq));
  for (const auto& student : entry.Covered()) {
    txn.Delete(kByStudentFamily, AsBytes(StudentPrefix(student.student_id) + seq));
  }
  txn.Delete(kByActorFamily, AsBytes(ActorPrefix(entry.actor_id) + seq));
  txn.Delete(kByActionFamily, AsBytes(ActionPrefix(entry.action, entry.scope) + seq));
}

// The student's entries stay in every index, a_by_student included: they
// hold opaque ids only, and the RecordViewed events they index are plaintext,
// so a replay indexes them again. The shred itself joins them.
Status AuditProjection::ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn) {
  const std::string& student = event.header.subject_id;
  if (student.empty()) return OkStatus();
  AccessEntry entry = EntryHeader(event, kRecordShredded);
  entry.outcome = "shredded";
  if (const auto* p = Payload<fb::RecordShreddedPayload>(event)) {
    entry.ip = Str(p->client_ip());
    entry.target_id = Str(p->request_id());  // the approved deletion request, if any
  }
  Index(entry, txn);
  RETURN_IF_ERROR(KeepShreddedAlerts(event, txn));
  return txn.DeleteOwnedBy(kAlertTextFamily, student);
}

}  // namespace backpack::audit_internal
