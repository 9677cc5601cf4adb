// The derived alerts of the audit projection: break-glass uses, bulk access
// and denial bursts, and their reviews.
#include "projections/audit/internal/audit_projection.h"
#include "projections/audit/internal/payload.h"
#include "projections/audit/internal/windows.h"

namespace backpack::audit_internal {
namespace {

void PutAlert(const Alert& alert, ProjectionTxn& txn) {
  txn.Put(kAlertsFamily, AsBytes(SeqKey(alert.seq)), AsBytes(EncodeAlert(alert)));
}

Alert RaisedBy(const AccessEntry& entry, std::string_view kind, const Trigger& trigger) {
  Alert alert;
  alert.seq = entry.seq;
  alert.kind = kind;
  alert.at_us = entry.at_us;
  alert.actor_id = entry.actor_id;
  alert.count = trigger.count;
  alert.window_start_us = trigger.window_start_us;
  return alert;
}

}  // namespace

Status AuditProjection::ApplyBreakGlass(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = Payload<fb::BreakGlassStartedPayload>(event);
  if (!p || event.header.subject_id.empty()) return OkStatus();
  Alert alert;
  alert.seq = event.header.seq;
  alert.kind = kBreakGlassAlert;
  alert.at_us = event.header.recorded_at_us;
  alert.actor_id = p->educator_id() && p->educator_id()->size() > 0 ? Str(p->educator_id())
                                                                    : event.header.actor_id;
  alert.student_id = event.header.subject_id;
  alert.break_glass_id = Str(p->break_glass_id());
  alert.expires_at_us = p->expires_at_us();
  PutAlert(alert, txn);
  // The reason describes the student's situation: sealed under the student.
  return txn.PutSealed(kAlertTextFamily, AsBytes(AlertTextKey(alert.seq, kReasonField)),
                       alert.student_id, AsBytes(Str(p->reason())));
}

Status AuditProjection::ApplyReviewed(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = Payload<fb::AlertReviewedPayload>(event);
  if (!p) return OkStatus();
  std::optional<uint64_t> seq = ParseAlertId(Str(p->alert_id()));
  if (!seq) return OkStatus();
  ASSIGN_OR_RETURN(auto stored, txn.Get(kAlertsFamily, AsBytes(SeqKey(*seq))));
  if (!stored) return OkStatus();
  auto alert = DecodeAlert(*stored);
  // A review counts once, and only with the alert's student as its subject
  // (so that a replay after shredding sees the same reviews).
  if (!alert || alert->reviewed || event.header.subject_id != alert->student_id) {
    return OkStatus();
  }
  alert->reviewed = true;
  alert->reviewed_by = event.header.actor_id;
  alert->reviewed_at_us = event.header.recorded_at_us;
  alert->review_seq = event.header.seq;
  PutAlert(*alert, txn);
  // The note is free text: sealed under the student, or else the reviewer.
  const std::string& owner = alert->student_id.empty() ? event.header.actor_id : alert->student_id;
  if (owner.empty()) return OkStatus();
  Status sealed = txn.PutSealed(kAlertTextFamily, AsBytes(AlertTextKey(*seq, kReviewNoteField)),
                                owner, AsBytes(Str(p->note())));
  return sealed.code() == StatusCode::kGone ? OkStatus() : sealed;
}

Status AuditProjection::TrackBulkAccess(const AccessEntry& entry, ProjectionTxn& txn) {
  if (entry.outcome != "allowed" || !CountsTowardsBulkAccess(entry.scope)) return OkStatus();
  std::vector<std::string> students;
  for (const auto& s : entry.Covered()) students.push_back(s.student_id);
  if (students.empty()) return OkStatus();
  const std::string key = WindowKey(kBulkAccessAlert, entry.actor_id);
  BulkWindow window;
  ASSIGN_OR_RETURN(auto stored, txn.Get(kWindowsFamily, AsBytes(key)));
  if (stored) {
    // A malformed window restarts empty rather than failing every commit.
    if (auto decoded = DecodeBulkWindow(*stored)) window = std::move(*decoded);
  }
  auto trigger = AddReads(window, students, entry.at_us, options_.bulk_access_threshold);
  txn.Put(kWindowsFamily, AsBytes(key), AsBytes(EncodeBulkWindow(window)));
  if (trigger) PutAlert(RaisedBy(entry, kBulkAccessAlert, *trigger), txn);
  return OkStatus();
}

Status AuditProjection::TrackDenials(const AccessEntry& entry, ProjectionTxn& txn) {
  const std::string key = WindowKey(kDenialBurstAlert, entry.actor_id);
  DenialWindow window;
  ASSIGN_OR_RETURN(auto stored, txn.Get(kWindowsFamily, AsBytes(key)));
  if (stored) {
    if (auto decoded = DecodeDenialWindow(*stored)) window = std::move(*decoded);
  }
  auto trigger = AddDenial(window, entry.at_us, options_.denial_burst_threshold,
                           options_.denial_burst_window_us);
  txn.Put(kWindowsFamily, AsBytes(key), AsBytes(EncodeDenialWindow(window)));
  if (trigger) PutAlert(RaisedBy(entry, kDenialBurstAlert, *trigger), txn);
  return OkStatus();
}

}  // namespace backpack::audit_internal
