// AuditProjection: turns RecordViewed, AccessDenied, RecordDisclosed, sign-ins, BreakGlassStarted,
// AlertReviewed, AuditSettingsChanged and RecordShredded events into the a_* families
// (docs/storage-format.md, "Audit projection"). Deterministic: reads only the event and the
// transaction (invariant 6).
//
// Thread-safety: Apply runs on the log's writer thread (or a rebuild) only;
// the projection has no in-memory state.
#pragma once

#include "projections/audit/audit.h"
#include "projections/audit/internal/layout.h"
#include "projections/projection.h"

namespace backpack::audit_internal {

// The access entry's fields every event's envelope gives: seq, time,
// `action`, actor, subject (as student_id) and request id.
AccessEntry EntryHeader(const LoggedEvent& event, std::string_view action);

class AuditProjection final : public Projection {
 public:
  explicit AuditProjection(const AuditOptions& options) : options_(options) {}
  std::string_view name() const override { return "audit"; }
  std::vector<std::string> ColumnFamilies() const override;
  Status Apply(const LoggedEvent& event, ProjectionTxn& txn) override;

 private:
  Status ApplyViewed(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyDenied(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyDisclosed(const LoggedEvent& event, ProjectionTxn& txn);
  // Sign-ins: indexed by actor (the account, if the username named one) and
  // action; failures count towards denial bursts as refusals do.
  Status ApplyLogin(const LoggedEvent& event, ProjectionTxn& txn);
  // Writes `entry` to a_events and every index.
  void Index(const AccessEntry& entry, ProjectionTxn& txn);
  // Deletes what Index wrote for `entry`.
  void Unindex(const AccessEntry& entry, ProjectionTxn& txn);
  // A review's entry in the trail: who reviewed which alert, when (the note
  // is free text and stays out).
  Status IndexReview(const LoggedEvent& event, ProjectionTxn& txn);
  // Removes the trail entries of a shredded student's events whose payloads
  // were sealed under the student (alert reviews, disclosures): a replay skips
  // those events, since the student's key is destroyed.
  Status ForgetSealedEntriesOf(const std::string& student_id, ProjectionTxn& txn);

  // Alerts (alerts_apply.cc).
  Status ApplyBreakGlass(const LoggedEvent& event, ProjectionTxn& txn);
  Status ApplyReviewed(const LoggedEvent& event, ProjectionTxn& txn);
  Status TrackBulkAccess(const AccessEntry& entry, ProjectionTxn& txn);
  // Settings (alerts_apply.cc): a_settings holds each changed setting and the
  // seq of its change, which is in the trail too.
  Status ApplySettings(const LoggedEvent& event, ProjectionTxn& txn);
  // The bulk-access threshold in force: the last AuditSettingsChanged's,
  // else options_'s.
  Result<size_t> BulkAccessThreshold(ProjectionTxn& txn) const;
  Status TrackDenials(const AccessEntry& entry, ProjectionTxn& txn);
  // Indexes the shred and deletes the sealed texts the student owns.
  Status ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn);
  // Replaces the student's break-glass alerts with those the RecordShredded
  // keeps (alerts_apply.cc).
  Status KeepShreddedAlerts(const LoggedEvent& event, ProjectionTxn& txn);

  AuditOptions options_;
};

// The reads that count towards bulk-access alerts: those that show a
// student's record (one student's, or a home-feed page's), not search
// listings of names or audit reads.
bool CountsTowardsBulkAccess(const AccessEntry& entry);

}  // namespace backpack::audit_internal
