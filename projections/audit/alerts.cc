// Audit::Alerts and Audit::ReviewAlert.
#include <flatbuffers/flatbuffers.h>

#include "core/utf8.h"
#include "events/schema/payloads_generated.h"
#include "projections/audit/audit.h"
#include "projections/audit/audit_time.h"
#include "projections/audit/internal/reading.h"
#include "projections/roster/roster.h"
#include "projections/sealed.h"

namespace backpack {
namespace json = boost::json;
using namespace audit_internal;

namespace {

// The sealed text at `key` of a_alert_text: null if absent or shredded.
Result<json::value> SealedText(const Services& services, const std::string& key) {
  ASSIGN_OR_RETURN(auto sealed, services.store->Get(kAlertTextFamily, AsBytes(key)));
  if (!sealed) return json::value(nullptr);
  ASSIGN_OR_RETURN(std::string_view owner, SealedOwner(*sealed));
  auto data_key = services.data_keys->Get(std::string(owner));
  if (!data_key) {
    if (data_key.error().code() == StatusCode::kGone) return json::value(nullptr);
    return Err(data_key.error());
  }
  auto plain = OpenValue(*data_key, kAlertTextFamily, AsBytes(key), *sealed);
  SecureWipe(*data_key);
  if (!plain) return Err(plain.error());
  return json::value(std::string(AsChars(*plain)));
}

void AddKindFields(const Alert& a, json::object& o) {
  if (a.kind == kBreakGlassAlert) {
    o["student_id"] = a.student_id;
    o["break_glass_id"] = a.break_glass_id;
    o["expires_at"] = FormatIsoTime(a.expires_at_us);
    o["student_shredded"] = a.student_shredded;
  } else if (a.kind == kBulkAccessAlert) {
    o["distinct_students"] = a.count;
    o["window_start"] = FormatIsoTime(a.window_start_us);
    o["last_read_at"] = FormatIsoTime(a.last_read_at_us);
  } else {
    o["denials"] = a.count;
    o["window_start"] = FormatIsoTime(a.window_start_us);
    o["last_denial_at"] = FormatIsoTime(a.last_read_at_us);
  }
}

Result<json::object> AlertJson(const Services& services, const Alert& a,
                               std::map<std::string, json::object>& actors) {
  json::object o;
  o["id"] = AlertId(a.seq);
  o["kind"] = a.kind;
  o["at"] = FormatIsoTime(a.at_us);
  o["actor"] = ActorJson(services, a.actor_id, actors);
  AddKindFields(a, o);
  if (a.kind == kBreakGlassAlert) {  // a shredded student's: sealed under the destroyed key
    o["reason"] = nullptr;
    if (!a.student_shredded) {
      ASSIGN_OR_RETURN(o["reason"], SealedText(services, AlertTextKey(a.seq, kReasonField)));
    }
  }
  o["reviewed"] = a.reviewed;
  json::value review = nullptr;
  if (a.reviewed) {
    ASSIGN_OR_RETURN(json::value note, SealedText(services, AlertTextKey(a.seq, kReviewNoteField)));
    review = json::object{{"by", ActorJson(services, a.reviewed_by, actors)},
                          {"at", FormatIsoTime(a.reviewed_at_us)},
                          {"seq", a.review_seq},
                          {"note", std::move(note)}};
  }
  o["review"] = std::move(review);
  return o;
}

KeptBreakGlassAlert Kept(const Alert& a) {
  return {a.seq,      a.actor_id,    a.at_us,          a.expires_at_us, a.break_glass_id,
          a.reviewed, a.reviewed_by, a.reviewed_at_us, a.review_seq};
}

// {by, at, seq} of the change whose seq a_settings holds at `key`; null for a
// setting never changed (the default is in force).
Result<json::value> SettingChange(const Services& services, std::string_view key) {
  ASSIGN_OR_RETURN(auto stored, services.store->Get(kSettingsFamily, AsBytes(key)));
  if (!stored || stored->size() != 8) return json::value(nullptr);
  ASSIGN_OR_RETURN(auto entry, LoadEntry(*services.store, DecodeBigEndian64(*stored)));
  if (!entry) return json::value(nullptr);
  std::map<std::string, json::object> actors;
  return json::value(json::object{{"by", ActorJson(services, entry->actor_id, actors)},
                                  {"at", FormatIsoTime(entry->at_us)},
                                  {"seq", entry->seq}});
}

Result<Alert> LoadAlert(Store& store, std::string_view alert_id) {
  std::optional<uint64_t> seq = ParseAlertId(alert_id);
  if (!seq) return Err(NotFoundError("no such alert"));
  ASSIGN_OR_RETURN(auto stored, store.Get(kAlertsFamily, AsBytes(SeqKey(*seq))));
  if (!stored) return Err(NotFoundError("no such alert"));
  return DecodeAlert(*stored);
}

}  // namespace

Result<json::object> Audit::Alerts(bool unreviewed_only, size_t limit,
                                   std::string_view cursor) const {
  if (limit == 0) return Err(InvalidArgumentError("limit must be at least 1"));
  limit = std::min(limit, kMaxQueryLimit);
  ASSIGN_OR_RETURN(auto it, services_.store->NewIterator(kAlertsFamily));
  if (cursor.empty()) {
    it->SeekToFirst();
  } else {
    std::optional<uint64_t> after = ParseAlertId(cursor);
    if (!after) return Err(InvalidArgumentError("cursor must be a next_cursor from a page"));
    const std::string key = SeqKey(*after);  // keys run newest first
    it->Seek(AsBytes(key));
    if (it->Valid() && AsChars(it->key()) == key) it->Next();
  }
  std::map<std::string, json::object> actors;
  json::array alerts;
  std::string last_id;
  bool more = false;
  for (; it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(Alert alert, DecodeAlert(it->value()));
    if (unreviewed_only && alert.reviewed) continue;
    if (alerts.size() == limit) {
      more = true;
      break;
    }
    ASSIGN_OR_RETURN(json::object o, AlertJson(services_, alert, actors));
    last_id = AlertId(alert.seq);
    alerts.push_back(std::move(o));
  }
  RETURN_IF_ERROR(it->status());
  ASSIGN_OR_RETURN(json::object settings, Settings());
  json::object page{{"alerts", std::move(alerts)}, {"settings", std::move(settings)}};
  if (more) page["next_cursor"] = last_id;
  return page;
}

Result<json::object> Audit::Settings() const {
  ASSIGN_OR_RETURN(auto stored,
                   services_.store->Get(kSettingsFamily, AsBytes(kBulkAccessThresholdKey)));
  const uint64_t threshold = BulkAccessThresholdOr(stored, options_.bulk_access_threshold);
  ASSIGN_OR_RETURN(json::value change, SettingChange(services_, kBulkAccessThresholdChangeKey));
  return json::object{{"bulk_access_threshold", threshold},
                      {"bulk_access_threshold_change", std::move(change)}};
}

Status Audit::ChangeBulkAccessThreshold(const Actor& actor, size_t threshold) {
  if (threshold < 1 || threshold > kMaxBulkAccessThreshold) {
    return InvalidArgumentError("the bulk-access threshold must be between 1 and " +
                                std::to_string(kMaxBulkAccessThreshold));
  }
  if (!services_.roster || !services_.log) return UnavailableError("the store is not open");
  auto user = services_.roster->FindUser(actor.user_id);
  if (!user || user->disabled || user->role != Role::kPrivacyOfficer) {
    return PermissionDeniedError("only a privacy officer may change the alert settings");
  }
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAuditSettingsChangedPayload(fbb, static_cast<uint32_t>(threshold)));
  std::vector<NewEvent> events;
  events.push_back(MakeEvent(EventType::AuditSettingsChanged, actor, "", fbb, /*personal=*/false));
  auto appended = services_.log->Append(std::move(events));
  return appended ? OkStatus() : appended.error();
}

Status Audit::ReviewAlert(const Actor& actor, std::string_view alert_id, std::string_view note) {
  if (note.empty()) return InvalidArgumentError("a review needs a note");
  if (Utf8Length(note) > kMaxReviewNoteChars) {
    return InvalidArgumentError("the note is longer than " + std::to_string(kMaxReviewNoteChars) +
                                " characters");
  }
  if (!services_.log) return UnavailableError("the audit log is not open");
  std::lock_guard lock(review_mu_);
  ASSIGN_OR_RETURN(Alert alert, LoadAlert(*services_.store, alert_id));
  if (alert.actor_id == actor.user_id) {
    return PermissionDeniedError(
        "the alert is about your own account: another privacy officer must review it");
  }
  if (alert.reviewed) return AlreadyExistsError("the alert was already reviewed");
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAlertReviewedPayloadDirect(
      fbb, std::string(alert_id).c_str(), std::string(note).c_str(), actor.client_ip.c_str()));
  // The note is free text, encrypted under the alert's student, or, for an
  // alert about an account (bulk access, denial burst) or a shredded
  // student (whose key is gone), under the reviewer.
  const std::string& subject =
      alert.student_id.empty() || alert.student_shredded ? actor.user_id : alert.student_id;
  std::vector<NewEvent> events;
  events.push_back(
      MakeEvent(EventType::AlertReviewed, actor, subject, fbb, /*personal=*/!subject.empty()));
  auto appended = services_.log->Append(std::move(events));
  if (!appended) return appended.error();
  return OkStatus();
}

Status Audit::WithBreakGlassAlertsAbout(
    std::string_view student_id,
    const std::function<Status(const std::vector<KeptBreakGlassAlert>&)>& append) {
  std::lock_guard lock(review_mu_);
  std::vector<KeptBreakGlassAlert> kept;
  ASSIGN_OR_RETURN(auto it, services_.store->NewIterator(kAlertsFamily));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(Alert alert, DecodeAlert(it->value()));
    if (alert.kind == kBreakGlassAlert && alert.student_id == student_id) {
      kept.push_back(Kept(alert));
    }
  }
  RETURN_IF_ERROR(it->status());
  return append(kept);
}

}  // namespace backpack
