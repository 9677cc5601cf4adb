// Family::ExportHistory: the offline-verifiable bundle (docs/history-export.md).
#include "projections/family/export.h"

#include <boost/json/array.hpp>
#include <optional>
#include <set>

#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/merkle.h"
#include "projections/family/family.h"
#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/manifest.h"
#include "projections/family/internal/opening.h"
#include "projections/family/internal/payload_text.h"
#include "projections/family/internal/reads.h"
#include "projections/ids.h"
#include "projections/roster/roster.h"

namespace backpack {
namespace {

namespace json = boost::json;

// What every event of one export shares.
struct ExportContext {
  EventLog& log;
  uint64_t tree_size = 0;
  const AeadKey* data_key = nullptr;  // null: no key (none yet, or shredded)
  bool shredded = false;
  std::string student_id;
  std::string for_guardian;            // the guardian the bundle is for; "" for staff
  const Roster* roster = nullptr;      // to tell guardians' reads from staff's
  const AeadKey* index_key = nullptr;  // to tell the guardian's own links from others'
};

// True if `content` (a rendered RecordViewed or AccessDenied) is of an audit
// query or a breach report: its filters say whom the privacy officer looked
// into, and over what window.
bool IsAuditInvestigation(const json::value& content) {
  const json::value* scope =
      content.is_object() ? content.as_object().if_contains("scope") : nullptr;
  return scope && (*scope == "AuditQuery" || *scope == "BreachReport");
}

// What a bundle for a guardian withholds of `h`, a plain event with `content`
// (rendered), if anything. Another guardian's read or refusal: its address,
// which the family's guardians are not to learn of each other (SPEC §2 keeps
// who and when in the history; the signed bytes stay in the log). Staff's
// audit query or breach report: its filters, which say whom the privacy
// officer looked into. Staff's other reads and refusals are shown in full,
// address and all: who read the child's record, from where and why is what
// the family's bundle lets them check against the signed log.
std::optional<std::string_view> WithheldFromGuardian(const ExportContext& ctx, const EventHeader& h,
                                                     const json::value& content) {
  if (ctx.for_guardian.empty() || h.payload_encrypted || h.actor_id == ctx.for_guardian) {
    return std::nullopt;
  }
  if (h.type != EventType::RecordViewed && h.type != EventType::AccessDenied) return std::nullopt;
  if (ctx.roster) {
    auto actor = ctx.roster->FindUser(h.actor_id);
    if (actor && actor->role == Role::kGuardian) return kWithheldOtherGuardian;
  }
  if (IsAuditInvestigation(content)) return kWithheldAuditInvestigation;
  return std::nullopt;
}

// True if `content` (a rendered multi-student RecordViewed) lists a student
// other than `student`.
bool NamesOtherStudents(const json::value& content, const std::string& student) {
  const json::value* students =
      content.is_object() ? content.as_object().if_contains("students") : nullptr;
  if (!students || !students->is_array()) return false;
  for (const json::value& s : students->as_array()) {
    const json::value* id = s.is_object() ? s.as_object().if_contains("student_id") : nullptr;
    if (!id || !id->is_string() || id->as_string() != student) return true;
  }
  return false;
}

json::value ContentOrNull(EventType type, ByteView payload) {
  auto content = family::PayloadToJson(type, payload);
  if (!content) return nullptr;
  return json::value(std::move(*content));
}

// Decrypts an encrypted payload with its opening key, recording both.
Status AddOpenedContent(const ExportContext& ctx, const codec::DecodedEvent& decoded,
                        json::object& item) {
  ASSIGN_OR_RETURN(AeadKey opening, family::OpeningKey(*ctx.data_key, decoded.payload));
  auto plain = family::OpenWithOpeningKey(opening, decoded.payload,
                                          codec::PayloadAssociatedData(decoded.header));
  if (!plain) return plain.error();
  item["opening_key"] = ToHex(opening);
  item["content"] = ContentOrNull(decoded.header.type, *plain);
  SecureWipe(opening);
  return OkStatus();
}

Result<json::object> ExportEvent(const ExportContext& ctx, const family::IndexEntry& entry) {
  const uint64_t seq = entry.seq;
  ASSIGN_OR_RETURN(Bytes stored, ctx.log.ReadStored(seq));
  ASSIGN_OR_RETURN(codec::DecodedEvent decoded, codec::DecodeSignedEvent(stored));
  ASSIGN_OR_RETURN(auto proof, ctx.log.InclusionProof(seq, ctx.tree_size));
  const EventHeader& h = decoded.header;
  bool unreadable = h.payload_encrypted && (ctx.shredded || ctx.data_key == nullptr);
  json::object item;
  item["seq"] = h.seq;
  item["type"] = EventTypeName(h.type);
  item["at"] = family::IsoTime(h.recorded_at_us);
  item["at_us"] = h.recorded_at_us;
  item["actor_id"] = h.actor_id;
  item["subject_id"] = h.subject_id;
  item["encrypted"] = h.payload_encrypted;
  item["shredded"] = unreadable;
  item["stored"] = ToBase64(stored);
  item["leaf_hash"] = ToHex(merkle::LeafHash(stored));
  item["opening_key"] = nullptr;
  item["content"] = nullptr;
  item["withheld"] = nullptr;
  if (!h.payload_encrypted) {
    item["content"] = ContentOrNull(h.type, decoded.payload);
  } else if (!unreadable) {
    RETURN_IF_ERROR(AddOpenedContent(ctx, decoded, item));
  }
  // A read of many students (a search, a feed page, an audit query) that
  // lists this one: its bytes name the others and why they were read, which
  // is not the family's to see. Only its inclusion in the log is shown; the
  // family's history (GET .../history) shows what it says about this student.
  if (entry.listed && NamesOtherStudents(item["content"], ctx.student_id)) {
    item["stored"] = nullptr;
    item["content"] = nullptr;
    item["withheld"] = kWithheldOtherStudents;
  } else if (auto reason = WithheldFromGuardian(ctx, h, item["content"])) {
    item["stored"] = nullptr;
    item["content"] = nullptr;
    item["withheld"] = *reason;
  }
  json::array hashes;
  for (const Hash256& hash : proof) hashes.emplace_back(ToHex(hash));
  item["proof"] = std::move(hashes);
  return item;
}

// The student's data key: nullopt if they never had one or were shredded.
Result<std::optional<AeadKey>> StudentKey(DataKeyRing& data_keys, const std::string& student,
                                          bool* shredded) {
  auto key = data_keys.Get(student);
  if (key) return std::optional<AeadKey>(*key);
  if (key.error().code() == StatusCode::kGone) *shredded = true;
  if (key.error().code() == StatusCode::kGone || key.error().code() == StatusCode::kNotFound) {
    return std::optional<AeadKey>();
  }
  return Err(key.error());
}

// The student's data key, wiped when the export is done.
struct ScopedKey {
  std::optional<AeadKey> key;
  ~ScopedKey() {
    if (key) SecureWipe(*key);
  }
};

// The note an exported note event is about, or "" (not a note event, or
// its content is unreadable).
std::string NoteIdOf(const json::object& item) {
  const json::value& content = item.at("content");
  if (!content.is_object()) return "";
  const json::value* id = content.as_object().if_contains("note_id");
  return id && id->is_string() ? std::string(id->as_string()) : "";
}

bool IsRestrictingEvent(const json::object& item) {
  const json::string& type = item.at("type").as_string();
  if (type == EventTypeName(EventType::NoteRestricted)) return true;
  if (type != EventTypeName(EventType::NoteWritten)) return false;
  const json::value* restricted = item.at("content").as_object().if_contains("restricted");
  return restricted && restricted->is_bool() && restricted->as_bool();
}

// A restricted note's text needs can_view_restricted_notes and is read only
// through its own audited route (SPEC §1, §6): the bundle keeps the signed
// bytes and proofs of every NoteWritten and NoteRevised of a note that is
// (or became) restricted, but not their opening keys or content. The other
// events that name the note (NoteRestricted, a read of its text) hold no text.
void WithholdRestrictedNotes(json::array& events) {
  std::set<std::string, std::less<>> restricted;
  for (const json::value& v : events) {
    const json::object& item = v.as_object();
    if (std::string id = NoteIdOf(item); !id.empty() && IsRestrictingEvent(item)) {
      restricted.insert(std::move(id));
    }
  }
  for (json::value& v : events) {
    json::object& item = v.as_object();
    const json::string& type = item.at("type").as_string();
    bool holds_text = type == EventTypeName(EventType::NoteWritten) ||
                      type == EventTypeName(EventType::NoteRevised);
    if (!holds_text || !restricted.contains(NoteIdOf(item))) continue;
    item["opening_key"] = nullptr;
    item["content"] = nullptr;
    item["withheld"] = kWithheldRestrictedNote;
  }
}

// True if `item` is a readable GuardianLinked of a guardian other than the
// one the bundle is for (whose account stands for their sourcedId: its id is
// UserIdFor it, or the account was linked to it later). A link whose account
// cannot be told counts as another's.
bool IsOtherGuardiansLink(const ExportContext& ctx, const json::object& item) {
  if (item.at("type").as_string() != EventTypeName(EventType::GuardianLinked)) return false;
  const json::value& content = item.at("content");
  const json::value* sourced =
      content.is_object() ? content.as_object().if_contains("guardian_sourced_id") : nullptr;
  if (!sourced || !sourced->is_string()) return false;
  if (!ctx.roster) return UserIdFor(*ctx.index_key, sourced->as_string()) != ctx.for_guardian;
  auto account = ctx.roster->AccountOf(sourced->as_string());
  return !account || *account != ctx.for_guardian;
}

// A GuardianLinked holds the guardian's email and phone numbers as the SIS
// had them. Co-parents are each entitled to the child's record, not to each
// other's contact details (one may be under a protective order): a bundle
// for a guardian keeps the signed bytes and proof of another guardian's
// link, but not its opening key or content. Their own link stays open; the
// family's history still names the other guardian.
void WithholdOtherGuardiansContacts(const ExportContext& ctx, json::array& events) {
  if (ctx.for_guardian.empty()) return;
  for (json::value& v : events) {
    json::object& item = v.as_object();
    if (!IsOtherGuardiansLink(ctx, item)) continue;
    item["opening_key"] = nullptr;
    item["content"] = nullptr;
    item["withheld"] = kWithheldOtherGuardianContact;
  }
}

// True if `item` is an opened event whose content is another adult's own
// words about the family: another guardian account's correction or deletion
// request, or a GuardianUnlinked (why a guardian's link ended, such as a
// court order). A staff member's deletion request stays open.
bool IsPrivateText(const ExportContext& ctx, const json::object& item) {
  if (item.at("opening_key").is_null()) return false;  // unreadable, or withheld already
  const json::string& type = item.at("type").as_string();
  if (type == EventTypeName(EventType::GuardianUnlinked)) return true;
  if (type != EventTypeName(EventType::CorrectionRequested) &&
      type != EventTypeName(EventType::DeletionRequested)) {
    return false;
  }
  const json::string& actor = item.at("actor_id").as_string();
  if (actor == ctx.for_guardian || !ctx.roster) return false;
  auto user = ctx.roster->FindUser(actor);
  return !user || user->role == Role::kGuardian;  // an account that cannot be told counts
}

// A guardian is entitled to the child's record and to know that a link
// ended or that another guardian asked for something, not to another
// adult's private words: a bundle for a guardian keeps the signed bytes and
// proof of such an event, but not its opening key or content. The family's
// history still shows the event (who, when, what kind).
void WithholdPrivateText(const ExportContext& ctx, json::array& events) {
  if (ctx.for_guardian.empty()) return;
  for (json::value& v : events) {
    json::object& item = v.as_object();
    if (!IsPrivateText(ctx, item)) continue;
    item["opening_key"] = nullptr;
    item["content"] = nullptr;
    item["withheld"] = kWithheldPrivateText;
  }
}

// The exported events, and the manifest's entry of each.
Result<json::array> ExportEvents(const ExportContext& ctx,
                                 const std::vector<family::IndexEntry>& entries,
                                 std::vector<family::ManifestEvent>& attested) {
  json::array events;
  for (const family::IndexEntry& entry : entries) {
    ASSIGN_OR_RETURN(json::object item, ExportEvent(ctx, entry));
    events.emplace_back(std::move(item));
  }
  WithholdRestrictedNotes(events);
  WithholdOtherGuardiansContacts(ctx, events);
  WithholdPrivateText(ctx, events);
  for (const json::value& item : events) {
    auto event = family::ManifestEventOf(item.as_object());
    if (!event) return Err(InternalError("an exported event has a malformed envelope"));
    attested.push_back(std::move(*event));
  }
  return events;
}

json::object Bundle(EventLog& log, const SigningKey& signing, const std::string& note,
                    const family::ManifestFields& manifest, json::array events) {
  std::string manifest_text = family::ManifestText(manifest);
  json::object bundle;
  bundle["format"] = kHistoryExportFormat;
  bundle["origin"] = log.origin();
  bundle["public_key"] = ToHex(log.public_key());
  bundle["checkpoint"] = note;
  bundle["student_id"] = manifest.student_id;
  bundle["shredded"] = manifest.shredded;
  bundle["exported_at"] = family::IsoTime(manifest.exported_at_us);
  bundle["exported_at_us"] = manifest.exported_at_us;
  bundle["events"] = std::move(events);
  bundle["manifest"] = manifest_text;
  bundle["manifest_signature"] = ToBase64(signing.Sign(AsBytes(manifest_text)));
  return bundle;
}

}  // namespace

Result<json::object> Family::ExportHistory(std::string_view student_id,
                                           std::string_view for_guardian) const {
  if (!services_.log) return Err(UnavailableError("the event log is not open"));
  EventLog& log = *services_.log;
  std::string student(student_id);
  RETURN_IF_ERROR(log.WriteCheckpoint());
  ASSIGN_OR_RETURN(std::string note, log.LatestCheckpoint());
  ASSIGN_OR_RETURN(Checkpoint checkpoint, VerifyCheckpoint(note, log.origin(), log.public_key()));
  ASSIGN_OR_RETURN(bool shredded, family::ReadShredded(*services_.store, student));
  ASSIGN_OR_RETURN(auto entries,
                   family::ReadSubjectIndex(*services_.store, student, checkpoint.size));
  if (entries.empty() && !shredded) return Err(NotFoundError("no record of this student"));
  ScopedKey key;
  ASSIGN_OR_RETURN(key.key, StudentKey(*services_.data_keys, student, &shredded));
  ExportContext ctx{log,
                    checkpoint.size,
                    key.key && !shredded ? &*key.key : nullptr,
                    shredded,
                    student,
                    std::string(for_guardian),
                    services_.roster,
                    &services_.keys->index_key};
  family::ManifestFields manifest{
      log.origin(), student, checkpoint.size, shredded, services_.clock->NowMicros(), {}};
  ASSIGN_OR_RETURN(json::array events, ExportEvents(ctx, entries, manifest.events));
  return Bundle(log, services_.keys->signing, note, manifest, std::move(events));
}

}  // namespace backpack
