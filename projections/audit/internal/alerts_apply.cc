// The derived alerts of the audit projection: break-glass uses, bulk access
// and denial bursts, and their reviews.
#include <algorithm>

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

// A window's expiry key: `time_prefix`, the time (8 bytes big-endian), then
// `suffix`. Keys under one prefix sort by time.
std::string TimeKey(const std::string& time_prefix, int64_t at_us, std::string_view suffix = {}) {
  auto be = EncodeBigEndian64(static_cast<uint64_t>(at_us));
  std::string key = time_prefix + std::string(be.begin(), be.end());
  key += suffix;
  return key;
}

// The expiry keys under `time_prefix` timed at or before `cutoff_us`, from
// `from_us` on (keys too short to hold a time are passed over), each with
// its value, oldest first; and the time of the first key after the cutoff,
// if any. Scanning from the window's oldest time never walks the deletions
// earlier expiries left (all older).
struct ExpiredKeys {
  std::vector<std::pair<std::string, Bytes>> due;
  std::optional<int64_t> first_kept;
};
Result<ExpiredKeys> ScanExpired(ProjectionTxn& txn, const std::string& time_prefix, int64_t from_us,
                                int64_t cutoff_us) {
  ExpiredKeys expired;
  const std::string start = TimeKey(time_prefix, std::max<int64_t>(from_us, 0));
  RETURN_IF_ERROR(txn.ScanFrom(
      kWindowsFamily, AsBytes(time_prefix), AsBytes(start), [&](ByteView key, ByteView value) {
        if (key.size() < time_prefix.size() + 8) return true;
        int64_t at = static_cast<int64_t>(DecodeBigEndian64(key.subspan(time_prefix.size(), 8)));
        if (at > cutoff_us) {
          expired.first_kept = at;
          return false;
        }
        expired.due.emplace_back(AsChars(key), Bytes(value.begin(), value.end()));
        return true;
      }));
  return expired;
}

// A bulk window's entries in a_windows, under the window's header key H:
//   H \0 'r' student            -> 8-byte big-endian time of the latest read
//   H \0 't' time(8 BE) student -> empty: the student's expiry key
// A student's expiry key is written when it enters the window and is not
// moved by later reads (a re-read costs one write, not three): its time is a
// lower bound on the latest read. Expiry moves the key forward to the latest
// read when it finds the student read again since.
class StoredBulkEntries final : public BulkWindowEntries {
 public:
  StoredBulkEntries(ProjectionTxn& txn, const std::string& header_key)
      : txn_(txn),
        read_prefix_(header_key + std::string(1, '\0') + 'r'),
        time_prefix_(header_key + std::string(1, '\0') + 't') {}

  Result<std::optional<int64_t>> LastRead(const std::string& student) override {
    ASSIGN_OR_RETURN(auto stored, txn_.Get(kWindowsFamily, AsBytes(read_prefix_ + student)));
    if (!stored || stored->size() != 8) return std::optional<int64_t>();
    return std::optional<int64_t>(static_cast<int64_t>(DecodeBigEndian64(*stored)));
  }

  Status SetLastRead(const std::string& student, std::optional<int64_t> previous_us,
                     int64_t at_us) override {
    txn_.Put(kWindowsFamily, AsBytes(read_prefix_ + student), EncodeBigEndian64(at_us));
    if (!previous_us) txn_.Put(kWindowsFamily, AsBytes(TimeKey(time_prefix_, at_us, student)), {});
    return OkStatus();
  }

  Result<uint64_t> ForgetUpTo(int64_t cutoff_us, BulkWindowHeader& header) override {
    ASSIGN_OR_RETURN(ExpiredKeys expired,
                     ScanExpired(txn_, time_prefix_, header.oldest_us, cutoff_us));
    std::optional<int64_t> first_kept = expired.first_kept;
    uint64_t forgotten = 0;
    for (const auto& [key, unused] : expired.due) {
      std::string student = key.substr(time_prefix_.size() + 8);
      ASSIGN_OR_RETURN(std::optional<int64_t> latest, LastRead(student));
      txn_.Delete(kWindowsFamily, AsBytes(key));
      if (latest && *latest > cutoff_us) {  // read again since: still in the window
        txn_.Put(kWindowsFamily, AsBytes(TimeKey(time_prefix_, *latest, student)), {});
        first_kept = std::min(first_kept.value_or(*latest), *latest);
        continue;
      }
      txn_.Delete(kWindowsFamily, AsBytes(read_prefix_ + student));
      ++forgotten;
    }
    header.oldest_us = first_kept.value_or(cutoff_us);
    return forgotten;
  }

 private:
  ProjectionTxn& txn_;
  const std::string read_prefix_;
  const std::string time_prefix_;
};

// A denial window's entries in a_windows, under the window's header key H:
//   H \0 't' time(8 BE) -> 8-byte big-endian count of the denials at that time
// Times only grow (they are the log's), so expiry takes keys from the front.
class StoredDenialEntries final : public DenialWindowEntries {
 public:
  StoredDenialEntries(ProjectionTxn& txn, const std::string& header_key)
      : txn_(txn), time_prefix_(header_key + std::string(1, '\0') + 't') {}

  Status AddAt(int64_t at_us) override {
    const std::string key = TimeKey(time_prefix_, at_us);
    ASSIGN_OR_RETURN(auto stored, txn_.Get(kWindowsFamily, AsBytes(key)));
    uint64_t count = stored && stored->size() == 8 ? DecodeBigEndian64(*stored) : 0;
    txn_.Put(kWindowsFamily, AsBytes(key), EncodeBigEndian64(count + 1));
    return OkStatus();
  }

  Result<uint64_t> ForgetUpTo(int64_t cutoff_us, DenialWindowHeader& header) override {
    ASSIGN_OR_RETURN(ExpiredKeys expired,
                     ScanExpired(txn_, time_prefix_, header.oldest_us, cutoff_us));
    uint64_t forgotten = 0;
    for (const auto& [key, count] : expired.due) {
      if (key.size() != time_prefix_.size() + 8) continue;
      if (count.size() == 8) forgotten += DecodeBigEndian64(count);
      txn_.Delete(kWindowsFamily, AsBytes(key));
    }
    header.oldest_us = expired.first_kept.value_or(cutoff_us);
    return forgotten;
  }

 private:
  ProjectionTxn& txn_;
  const std::string time_prefix_;
};

// The actor's alert of `kind` that an event at `at_us` may continue: the one
// the window's header names (`alert_seq`), while its quiet period lasts;
// nullopt if none (or it is not stored, or not of that kind).
Result<std::optional<Alert>> OpenAlert(uint64_t alert_seq, int64_t quiet_until_us,
                                       std::string_view kind, int64_t at_us, ProjectionTxn& txn) {
  if (alert_seq == 0 || at_us >= quiet_until_us) return std::optional<Alert>();
  ASSIGN_OR_RETURN(auto stored, txn.Get(kAlertsFamily, AsBytes(SeqKey(alert_seq))));
  if (!stored) return std::optional<Alert>();
  auto alert = DecodeAlert(*stored);
  if (!alert || alert->kind != kind) return std::optional<Alert>();
  return std::optional<Alert>(std::move(*alert));
}

bool Reviewed(const std::optional<Alert>& alert) { return alert && alert->reviewed; }

// Brings the open, unreviewed `alert` up to date with an event at `at_us`, its
// count becoming `count` (a reviewed alert stays as the reviewer saw it: the
// windows raise a new one instead).
void ContinueOpenAlert(std::optional<Alert>& alert, uint64_t count, int64_t at_us,
                       ProjectionTxn& txn) {
  if (!alert || alert->reviewed) return;
  alert->count = count;
  alert->last_read_at_us = at_us;
  PutAlert(*alert, txn);
}

// The alert `kept` of a RecordShredded names, about `student`.
Alert ShreddedAlert(const fb::ShreddedBreakGlassAlert& kept, const std::string& student) {
  Alert alert;
  alert.seq = kept.alert_seq();
  alert.kind = kBreakGlassAlert;
  alert.at_us = kept.at_us();
  alert.actor_id = Str(kept.actor_id());
  alert.student_id = student;
  alert.break_glass_id = Str(kept.break_glass_id());
  alert.expires_at_us = kept.expires_at_us();
  alert.student_shredded = true;
  alert.reviewed = kept.reviewed();
  alert.reviewed_by = Str(kept.reviewed_by());
  alert.reviewed_at_us = kept.reviewed_at_us();
  alert.review_seq = kept.review_seq();
  return alert;
}

// Whether a review by `header` counts for `alert`: its subject must be the
// key that seals the note. That is the alert's student; for an alert about
// an account or a shredded student, the reviewer (or, for an account's,
// none, as reviews recorded before 2026-11-24 have). So a replay after a
// shred, which skips what was sealed under the student, sees the same reviews.
bool ReviewSubjectFits(const Alert& alert, const EventHeader& header) {
  const std::string& subject = header.subject_id;
  if (alert.student_shredded) return subject == header.actor_id;
  return subject == alert.student_id || (alert.student_id.empty() && subject == header.actor_id);
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
  // A review counts once.
  if (!alert || alert->reviewed || !ReviewSubjectFits(*alert, event.header)) return OkStatus();
  alert->reviewed = true;
  alert->reviewed_by = event.header.actor_id;
  alert->reviewed_at_us = event.header.recorded_at_us;
  alert->review_seq = event.header.seq;
  PutAlert(*alert, txn);
  // The note is free text: sealed under the student, or else the reviewer.
  const std::string& owner = alert->student_id.empty() || alert->student_shredded
                                 ? event.header.actor_id
                                 : alert->student_id;
  if (owner.empty()) return OkStatus();
  Status sealed = txn.PutSealed(kAlertTextFamily, AsBytes(AlertTextKey(*seq, kReviewNoteField)),
                                owner, AsBytes(Str(p->note())));
  return sealed.code() == StatusCode::kGone ? OkStatus() : sealed;
}

// A replay no longer sees the student's BreakGlassStarted and AlertReviewed
// events (sealed under the destroyed key), so both it and the live
// projection take the alerts from the RecordShredded alone. One without the
// list (older shreds) leaves none.
Status AuditProjection::KeepShreddedAlerts(const LoggedEvent& event, ProjectionTxn& txn) {
  const std::string& student = event.header.subject_id;
  std::vector<std::string> doomed;
  RETURN_IF_ERROR(txn.Scan(kAlertsFamily, {}, [&](ByteView key, ByteView value) {
    auto alert = DecodeAlert(value);
    if (alert && alert->student_id == student) doomed.emplace_back(AsChars(key));
    return true;
  }));
  for (const auto& key : doomed) txn.Delete(kAlertsFamily, AsBytes(key));
  const auto* p = Payload<fb::RecordShreddedPayload>(event);
  if (!p || !p->break_glass_alerts()) return OkStatus();
  for (const auto* kept : *p->break_glass_alerts()) {
    // Only alerts raised before the shred (a seq names its alert).
    if (!kept || kept->alert_seq() == 0 || kept->alert_seq() >= event.header.seq) continue;
    PutAlert(ShreddedAlert(*kept, student), txn);
  }
  return OkStatus();
}

Status AuditProjection::ApplySettings(const LoggedEvent& event, ProjectionTxn& txn) {
  const auto* p = Payload<fb::AuditSettingsChangedPayload>(event);
  if (!p || p->bulk_access_threshold() == 0) return OkStatus();
  txn.Put(kSettingsFamily, AsBytes(kBulkAccessThresholdKey),
          EncodeBigEndian64(p->bulk_access_threshold()));
  txn.Put(kSettingsFamily, AsBytes(kBulkAccessThresholdChangeKey),
          EncodeBigEndian64(event.header.seq));
  // Who changed it, when, to what: in the trail beside the reads it governs.
  // The change has no subject: no student in the entry.
  AccessEntry entry = EntryHeader(event, kAuditSettingsChanged);
  entry.outcome = "changed";
  entry.change =
      std::string(kBulkAccessThresholdKey) + "=" + std::to_string(p->bulk_access_threshold());
  Index(entry, txn);
  return OkStatus();
}

Result<size_t> AuditProjection::BulkAccessThreshold(ProjectionTxn& txn) const {
  ASSIGN_OR_RETURN(auto stored, txn.Get(kSettingsFamily, AsBytes(kBulkAccessThresholdKey)));
  return BulkAccessThresholdOr(stored, options_.bulk_access_threshold);
}

Status AuditProjection::TrackBulkAccess(const AccessEntry& entry, ProjectionTxn& txn) {
  if (entry.outcome != "allowed" || !CountsTowardsBulkAccess(entry)) return OkStatus();
  std::vector<std::string> students;
  for (const auto& s : entry.Covered()) students.push_back(s.student_id);
  if (students.empty()) return OkStatus();
  const std::string key = WindowKey(kBulkAccessAlert, entry.actor_id);
  BulkWindowHeader header;
  ASSIGN_OR_RETURN(auto stored, txn.Get(kWindowsFamily, AsBytes(key)));
  if (stored) {
    // A malformed header restarts the count rather than failing every commit.
    if (auto decoded = DecodeBulkWindowHeader(*stored)) header = *decoded;
  }
  StoredBulkEntries entries(txn, key);
  ASSIGN_OR_RETURN(size_t threshold, BulkAccessThreshold(txn));
  ASSIGN_OR_RETURN(auto open, OpenAlert(header.alert_seq, header.quiet_until_us, kBulkAccessAlert,
                                        entry.at_us, txn));
  ASSIGN_OR_RETURN(auto trigger, AddReads(header, entries, students, entry.at_us, entry.seq,
                                          threshold, Reviewed(open)));
  // A re-read of a student already in the window leaves the header as it
  // was: rewriting it anyway filled the memtable with copies of it.
  const std::string encoded = EncodeBulkWindowHeader(header);
  if (!stored || AsChars(*stored) != encoded) {
    txn.Put(kWindowsFamily, AsBytes(key), AsBytes(encoded));
  }
  if (!trigger) return OkStatus();
  if (trigger->continues_open_alert) {
    // Reads that keep more than the threshold in the window: the larger count.
    const uint64_t count = open ? std::max(open->count, trigger->count) : 0;
    ContinueOpenAlert(open, count, entry.at_us, txn);
    return OkStatus();
  }
  Alert alert = RaisedBy(entry, kBulkAccessAlert, *trigger);
  alert.last_read_at_us = entry.at_us;
  PutAlert(alert, txn);
  return OkStatus();
}

Status AuditProjection::TrackDenials(const AccessEntry& entry, ProjectionTxn& txn) {
  const std::string key = WindowKey(kDenialBurstAlert, entry.actor_id);
  DenialWindowHeader header;
  ASSIGN_OR_RETURN(auto stored, txn.Get(kWindowsFamily, AsBytes(key)));
  if (stored) {
    // A malformed header restarts the count rather than failing every commit.
    if (auto decoded = DecodeDenialWindowHeader(*stored)) header = *decoded;
  }
  StoredDenialEntries entries(txn, key);
  ASSIGN_OR_RETURN(auto open, OpenAlert(header.alert_seq, header.quiet_until_us, kDenialBurstAlert,
                                        entry.at_us, txn));
  ASSIGN_OR_RETURN(auto trigger, AddDenial(header, entries, entry.at_us, entry.seq,
                                           options_.denial_burst_threshold,
                                           options_.denial_burst_window_us, Reviewed(open)));
  txn.Put(kWindowsFamily, AsBytes(key), AsBytes(EncodeDenialWindowHeader(header)));
  if (!trigger) return OkStatus();
  if (trigger->continues_open_alert) {
    ContinueOpenAlert(open, open ? open->count + 1 : 0, entry.at_us, txn);  // one more denial
    return OkStatus();
  }
  Alert alert = RaisedBy(entry, kDenialBurstAlert, *trigger);
  alert.last_read_at_us = entry.at_us;
  PutAlert(alert, txn);
  return OkStatus();
}

}  // namespace backpack::audit_internal
