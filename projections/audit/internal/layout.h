// The audit projection's column families, key encodings and value types
// (docs/storage-format.md, "Audit projection"). Internal to projections/audit.
//
// Every key that orders events ends with the inverted sequence number
// (~seq, 8 bytes big-endian), so a forward scan yields newest first.
// Values are Boost.JSON objects serialised with a fixed field order, so a
// rebuild reproduces them byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "projections/audit/audit.h"

namespace backpack::audit_internal {

inline constexpr std::string_view kEventsFamily = "a_events";         // ~seq -> AccessEntry
inline constexpr std::string_view kByStudentFamily = "a_by_student";  // student 0 ~seq -> ""
inline constexpr std::string_view kByActorFamily = "a_by_actor";      // actor 0 ~seq -> ""
inline constexpr std::string_view kByActionFamily = "a_by_action";    // action 0 scope 0 ~seq -> ""
inline constexpr std::string_view kAlertsFamily = "a_alerts";         // ~seq -> Alert
inline constexpr std::string_view kAlertTextFamily = "a_alert_text";  // ~seq field -> sealed
inline constexpr std::string_view kWindowsFamily = "a_windows";       // kind 0 actor -> window
inline constexpr std::string_view kSettingsFamily = "a_settings";     // name -> value
inline constexpr std::string_view kBulkAccessThresholdKey = "bulk_access_threshold";
// The seq of the AuditSettingsChanged that set the threshold (8 bytes big-endian).
inline constexpr std::string_view kBulkAccessThresholdChangeKey = "bulk_access_threshold.seq";
// The threshold a_settings holds (`stored`, 8 bytes big-endian), or
// `fallback` (the option's default) if it holds none.
size_t BulkAccessThresholdOr(const std::optional<Bytes>& stored, size_t fallback);

inline constexpr std::string_view kRecordViewed = "RecordViewed";
inline constexpr std::string_view kAccessDenied = "AccessDenied";
inline constexpr std::string_view kLoginSucceeded = "LoginSucceeded";
inline constexpr std::string_view kLoginFailed = "LoginFailed";
inline constexpr std::string_view kRecordDisclosed = "RecordDisclosed";
inline constexpr std::string_view kRecordShredded = "RecordShredded";
inline constexpr std::string_view kAlertReviewed = "AlertReviewed";
inline constexpr std::string_view kAuditSettingsChanged = "AuditSettingsChanged";

// Alert kinds and the sealed text fields of a_alert_text.
inline constexpr std::string_view kBreakGlassAlert = "break_glass";
inline constexpr std::string_view kBulkAccessAlert = "bulk_access";
inline constexpr std::string_view kDenialBurstAlert = "denial_burst";
inline constexpr std::string_view kReasonField = "reason";
inline constexpr std::string_view kReviewNoteField = "review_note";

std::string SeqKey(uint64_t seq);         // ~seq, 8 bytes big-endian
uint64_t SeqFromKeySuffix(ByteView key);  // the seq of a key ending in SeqKey
std::string StudentPrefix(std::string_view student_id);
std::string ActorPrefix(std::string_view actor_id);
// action 0 scope 0, where an unknown scope ("") is spelled "none".
std::string ActionPrefix(std::string_view action, std::string_view scope);
std::string AlertTextKey(uint64_t alert_seq, std::string_view field);
std::string WindowKey(std::string_view kind, std::string_view actor_id);

// One RecordViewed, AccessDenied, RecordDisclosed, LoginSucceeded,
// One RecordViewed, AccessDenied, RecordDisclosed, LoginSucceeded,
// LoginFailed, RecordShredded, AlertReviewed or AuditSettingsChanged event, as
// a_events stores it.
struct AccessEntry {
  uint64_t seq = 0;
  int64_t at_us = 0;
  // kRecordViewed, kAccessDenied, kRecordDisclosed, kLogin*, kRecordShredded,
  // kAlertReviewed, kAuditSettingsChanged
  std::string action;
  std::string actor_id;
  std::string scope;       // AccessScopeName; "" if unknown
  std::string student_id;  // the envelope subject; "" for multi-student reads
  std::string reason;
  // "allowed", "gone", "denied", "disclosed", "shredded", "reviewed" or "changed"
  std::string outcome;
  std::string request_id;
  std::string ip;
  std::string note_id;
  std::string query;
  std::string route;
  std::string target_id;                // the id in a refused path; a review's alert id
  std::vector<StudentAccess> students;  // multi-student reads
  uint64_t result_count = 0;
  std::string change;  // AuditSettingsChanged: "name=value", e.g. "bulk_access_threshold=20"

  // The students this entry covers, each with its reason.
  std::vector<StudentAccess> Covered() const;
};

std::string EncodeEntry(const AccessEntry& entry);
Result<AccessEntry> DecodeEntry(ByteView value);

// A derived alert, as a_alerts stores it. Its id is AlertId(seq), where seq
// is the event that raised it.
struct Alert {
  uint64_t seq = 0;
  std::string kind;
  int64_t at_us = 0;
  std::string actor_id;
  std::string student_id;      // break_glass
  std::string break_glass_id;  // break_glass
  int64_t expires_at_us = 0;   // break_glass
  // break_glass: kept from a RecordShredded of the student (reason and note
  // were sealed under the destroyed key).
  bool student_shredded = false;
  // Distinct students (bulk: the most seen in the window while the alert was
  // open) or denials (burst: those in the window when it was raised, and
  // every one after while it was open).
  uint64_t count = 0;
  int64_t window_start_us = 0;  // bulk, burst: the oldest counted event
  // The latest read (bulk) or denial (burst) that counted towards it.
  int64_t last_read_at_us = 0;
  bool reviewed = false;
  std::string reviewed_by;
  int64_t reviewed_at_us = 0;
  uint64_t review_seq = 0;
};

std::string EncodeAlert(const Alert& alert);
Result<Alert> DecodeAlert(ByteView value);

// "alr_" + 16 lowercase hex digits of the raising event's seq.
std::string AlertId(uint64_t seq);
std::optional<uint64_t> ParseAlertId(std::string_view id);

}  // namespace backpack::audit_internal
