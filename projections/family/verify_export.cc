// VerifyExport: offline verification of history export bundles.
#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <span>

#include "core/json_keys.h"
#include "events/checkpoint.h"
#include "events/codec.h"
#include "events/merkle.h"
#include "events/payload_view.h"
#include "events/schema/payloads_generated.h"
#include "projections/family/export.h"
#include "projections/family/internal/iso_time.h"
#include "projections/family/internal/manifest.h"
#include "projections/family/internal/opening.h"
#include "projections/family/internal/payload_text.h"

namespace backpack {
namespace {

namespace json = boost::json;

constexpr size_t kMaxBundleBytes = size_t{1} << 30;

// Field readers: kDataLoss naming the field when missing or of the wrong type.
Result<std::string> GetString(const json::object& o, std::string_view key,
                              const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return Err(DataLossError(where + std::string(key) + " is missing"));
  return std::string(v->as_string());
}

Result<uint64_t> GetUint(const json::object& o, std::string_view key, const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return Err(DataLossError(where + std::string(key) + " is missing"));
}

Result<bool> GetBool(const json::object& o, std::string_view key, const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_bool()) return Err(DataLossError(where + std::string(key) + " is missing"));
  return v->as_bool();
}

// Exactly `keys`, no more and no fewer: a renamed or extra field is tampering.
Status RequireExactKeys(const json::object& o, std::span<const std::string_view> keys,
                        const std::string& where) {
  for (std::string_view key : keys) {
    if (!o.contains(key)) return DataLossError(where + std::string(key) + " is missing");
  }
  if (o.size() != keys.size()) return DataLossError(where + "unexpected fields");
  return OkStatus();
}

constexpr std::array<std::string_view, 11> kBundleKeys = {
    "format",      "origin",         "public_key", "checkpoint", "student_id",        "shredded",
    "exported_at", "exported_at_us", "events",     "manifest",   "manifest_signature"};
constexpr std::array<std::string_view, 14> kEventKeys = {
    "leaf_hash", "seq",      "type",   "at",       "at_us",       "actor_id", "subject_id",
    "encrypted", "shredded", "stored", "withheld", "opening_key", "content",  "proof"};

// Bytes from canonical (re-encodes identically) base64 or lowercase hex.
Result<Bytes> CanonicalBase64(const std::string& text, const std::string& what) {
  auto bytes = FromBase64(text);
  if (!bytes || ToBase64(*bytes) != text)
    return Err(DataLossError(what + " is not canonical base64"));
  return std::move(*bytes);
}

template <size_t N>
Result<std::array<uint8_t, N>> FixedHex(const std::string& text, const std::string& what) {
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != N || ToHex(*bytes) != text) {
    return Err(DataLossError(what + " is not " + std::to_string(N) + " bytes of lowercase hex"));
  }
  std::array<uint8_t, N> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// What the whole bundle establishes before its events are checked.
struct BundleContext {
  std::string origin;
  std::string student_id;
  Ed25519PublicKey key{};
  Checkpoint checkpoint;
  bool shredded = false;
};

Result<BundleContext> VerifyHeader(const json::object& b,
                                   const std::optional<Ed25519PublicKey>& override_key) {
  ASSIGN_OR_RETURN(std::string format, GetString(b, "format", ""));
  if (format != kHistoryExportFormat &&
      std::find(std::begin(kHistoryExportEarlierFormats), std::end(kHistoryExportEarlierFormats),
                format) == std::end(kHistoryExportEarlierFormats)) {
    return Err(InvalidArgumentError("not a " + std::string(kHistoryExportFormat) +
                                    " (or /3, /4, /5) bundle"));
  }
  RETURN_IF_ERROR(RequireExactKeys(b, kBundleKeys, ""));
  BundleContext ctx;
  ASSIGN_OR_RETURN(ctx.origin, GetString(b, "origin", ""));
  ASSIGN_OR_RETURN(ctx.student_id, GetString(b, "student_id", ""));
  ASSIGN_OR_RETURN(ctx.shredded, GetBool(b, "shredded", ""));
  ASSIGN_OR_RETURN(std::string key_hex, GetString(b, "public_key", ""));
  ASSIGN_OR_RETURN(ctx.key, FixedHex<kEd25519PublicKeySize>(key_hex, "public_key"));
  if (override_key && *override_key != ctx.key) {
    return Err(DataLossError("public_key is not the key given to verify with"));
  }
  ASSIGN_OR_RETURN(std::string note, GetString(b, "checkpoint", ""));
  auto checkpoint = VerifyCheckpoint(note, ctx.origin, ctx.key);
  if (!checkpoint) return Err(DataLossError("checkpoint: " + checkpoint.error().message()));
  if (checkpoint->origin != ctx.origin)
    return Err(DataLossError("checkpoint: origin does not match"));
  ctx.checkpoint = *checkpoint;
  return ctx;
}

// True if the (plaintext) RecordViewed payload lists `student`.
bool ListsStudent(const codec::DecodedEvent& d, const std::string& student) {
  if (d.header.type != EventType::RecordViewed || d.header.payload_encrypted) return false;
  auto* viewed = VerifiedRoot<fb::RecordViewedPayload>(d.payload);
  auto* students = viewed ? viewed->students() : nullptr;
  if (!students) return false;
  for (const fb::AccessedStudent* s : *students) {
    if (s && s->student_id() && s->student_id()->string_view() == student) return true;
  }
  return false;
}

Status VerifyEnvelope(const json::object& e, const codec::DecodedEvent& d, const BundleContext& ctx,
                      const std::string& where) {
  const EventHeader& h = d.header;
  if (h.subject_id != ctx.student_id && !ListsStudent(d, ctx.student_id)) {
    return DataLossError(where + "the event is not about " + ctx.student_id);
  }
  ASSIGN_OR_RETURN(std::string type, GetString(e, "type", where));
  ASSIGN_OR_RETURN(uint64_t at_us, GetUint(e, "at_us", where));
  ASSIGN_OR_RETURN(std::string at, GetString(e, "at", where));
  ASSIGN_OR_RETURN(std::string actor, GetString(e, "actor_id", where));
  ASSIGN_OR_RETURN(std::string subject, GetString(e, "subject_id", where));
  ASSIGN_OR_RETURN(bool encrypted, GetBool(e, "encrypted", where));
  if (type != EventTypeName(h.type))
    return DataLossError(where + "type does not match the signed event");
  if (static_cast<int64_t>(at_us) != h.recorded_at_us || at != family::IsoTime(h.recorded_at_us)) {
    return DataLossError(where + "time does not match the signed event");
  }
  if (actor != h.actor_id) return DataLossError(where + "actor_id does not match the signed event");
  if (subject != h.subject_id)
    return DataLossError(where + "subject_id does not match the signed event");
  if (encrypted != h.payload_encrypted)
    return DataLossError(where + "encrypted does not match the signed event");
  return OkStatus();
}

Status VerifyProof(const json::object& e, uint64_t seq, const Hash256& leaf_hash,
                   const BundleContext& ctx, const std::string& where) {
  const json::value* proof = e.if_contains("proof");
  if (!proof || !proof->is_array()) return DataLossError(where + "proof is missing");
  std::vector<Hash256> hashes;
  for (const json::value& h : proof->as_array()) {
    if (!h.is_string()) return DataLossError(where + "proof holds a non-string");
    ASSIGN_OR_RETURN(Hash256 hash, FixedHex<32>(std::string(h.as_string()), where + "proof hash"));
    hashes.push_back(hash);
  }
  Status s =
      merkle::VerifyInclusion(seq, ctx.checkpoint.size, leaf_hash, hashes, ctx.checkpoint.root);
  if (!s.ok()) return DataLossError(where + "inclusion proof does not lead to the checkpoint root");
  return OkStatus();
}

// The reason `e` withholds its content but not its signed bytes (a
// restricted note's text, another guardian's contact details), or "".
std::string_view ContentWithheld(const json::object& e) {
  const json::value& withheld = e.at("withheld");
  for (std::string_view reason :
       {kWithheldRestrictedNote, kWithheldOtherGuardianContact, kWithheldPrivateText}) {
    if (withheld == json::value(reason)) return reason;
  }
  return "";
}

// The one kind of live event each reason of ContentWithheld may apply to.
bool MayWithholdContent(std::string_view reason, EventType type) {
  if (reason == kWithheldRestrictedNote) {
    return type == EventType::NoteWritten || type == EventType::NoteRevised;
  }
  if (reason == kWithheldPrivateText) {
    return type == EventType::CorrectionRequested || type == EventType::DeletionRequested ||
           type == EventType::GuardianUnlinked;
  }
  return reason == kWithheldOtherGuardianContact && type == EventType::GuardianLinked;
}

std::string CannotWithhold(std::string_view reason) {
  if (reason == kWithheldRestrictedNote) return "only a live note's text may be withheld";
  if (reason == kWithheldPrivateText) {
    return "only a live family request or guardian unlink may be withheld as " +
           std::string(reason);
  }
  return "only a live guardian link may be withheld as " + std::string(reason);
}

// The readable content the signed payload implies: its JSON rendering, or
// null when there is none (no rendering, shredded, or withheld: a restricted
// note's text, another guardian's contact details).
Result<json::value> ExpectedContent(const json::object& e, const codec::DecodedEvent& d,
                                    const BundleContext& ctx, const std::string& where) {
  ASSIGN_OR_RETURN(bool shredded, GetBool(e, "shredded", where));
  const std::string_view withheld = ContentWithheld(e);
  const json::value* opening = e.if_contains("opening_key");
  bool has_opening = opening && !opening->is_null();
  if (!d.header.payload_encrypted || ctx.shredded) {
    if (has_opening) return Err(DataLossError(where + "unexpected opening_key"));
    if (!withheld.empty()) return Err(DataLossError(where + CannotWithhold(withheld)));
    if (shredded != (d.header.payload_encrypted && ctx.shredded)) {
      return Err(DataLossError(where + "shredded flag does not match the bundle"));
    }
    if (d.header.payload_encrypted) return json::value(nullptr);
    auto content = family::PayloadToJson(d.header.type, d.payload);
    return content ? json::value(std::move(*content)) : json::value(nullptr);
  }
  if (!withheld.empty()) {
    if (!MayWithholdContent(withheld, d.header.type) || shredded || has_opening) {
      return Err(DataLossError(where + CannotWithhold(withheld)));
    }
    return json::value(nullptr);
  }
  if (shredded || !has_opening || !opening->is_string()) {
    return Err(DataLossError(where + "the opening key is missing"));
  }
  ASSIGN_OR_RETURN(AeadKey key, FixedHex<kAeadKeySize>(std::string(opening->as_string()),
                                                       where + "opening_key"));
  auto plain = family::OpenWithOpeningKey(key, d.payload, codec::PayloadAssociatedData(d.header));
  if (!plain) return Err(DataLossError(where + "the opening key does not open the payload"));
  auto content = family::PayloadToJson(d.header.type, *plain);
  return content ? json::value(std::move(*content)) : json::value(nullptr);
}

// Fields appended to a payload table since this bundle format was defined.
// A bundle made before one existed renders its event without it; the field
// then holds its default (false) in the signed payload, as in every event
// logged before it existed.
struct AppendedField {
  EventType type;
  std::string_view name;
};
constexpr AppendedField kAppendedFields[] = {
    {EventType::RecordRetracted, "replaced"},
};

// `expected` as a bundle made before a field was appended renders it: without
// the appended fields that `content` lacks and that hold false.
void DropAbsentAppendedFields(EventType type, const json::value& content, json::value& expected) {
  if (!content.is_object() || !expected.is_object()) return;
  for (const AppendedField& field : kAppendedFields) {
    if (field.type != type || content.as_object().contains(field.name)) continue;
    const json::value* value = expected.as_object().if_contains(field.name);
    if (value && *value == json::value(false)) expected.as_object().erase(field.name);
  }
}

// An event withheld because it names other students, or, in a guardian's
// bundle, because it is another guardian's read or refusal, or a staff audit
// query or breach report (audit_investigation): only its leaf hash and
// inclusion proof are there, so only its place in the signed log is checked
// here. Its envelope fields, which only the signed manifest attests, must be
// those of such an event.
Result<uint64_t> VerifyWithheldRead(const json::object& e, uint64_t seq, const BundleContext& ctx,
                                    const std::string& where) {
  for (std::string_view key : {"stored", "content", "opening_key"}) {
    if (!e.at(key).is_null())
      return Err(DataLossError(where + "a withheld read shows " + std::string(key)));
  }
  ASSIGN_OR_RETURN(std::string type, GetString(e, "type", where));
  ASSIGN_OR_RETURN(bool encrypted, GetBool(e, "encrypted", where));
  ASSIGN_OR_RETURN(bool shredded, GetBool(e, "shredded", where));
  const json::string& withheld = e.at("withheld").as_string();
  const bool other_students = withheld == kWithheldOtherStudents;
  const bool read = type == EventTypeName(EventType::RecordViewed);
  const bool refusal = type == EventTypeName(EventType::AccessDenied);
  if (encrypted || shredded || !(read || (!other_students && refusal))) {
    return Err(DataLossError(where +
                             (other_students ? "only a plain read may be withheld as "
                                             : "only a plain read or refusal may be withheld as ") +
                             std::string(withheld)));
  }
  ASSIGN_OR_RETURN(uint64_t at_us, GetUint(e, "at_us", where));
  ASSIGN_OR_RETURN(std::string at, GetString(e, "at", where));
  if (at != family::IsoTime(static_cast<int64_t>(at_us))) {
    return Err(DataLossError(where + "at does not match at_us"));
  }
  ASSIGN_OR_RETURN(std::string leaf_text, GetString(e, "leaf_hash", where));
  ASSIGN_OR_RETURN(Hash256 leaf, FixedHex<32>(leaf_text, where + "leaf_hash"));
  RETURN_IF_ERROR(VerifyProof(e, seq, leaf, ctx, where));
  return seq;
}

Result<uint64_t> VerifyEvent(const json::value& v, const BundleContext& ctx, size_t index) {
  std::string where = "event #" + std::to_string(index) + ": ";
  if (!v.is_object()) return Err(DataLossError(where + "not an object"));
  const json::object& e = v.as_object();
  ASSIGN_OR_RETURN(uint64_t seq, GetUint(e, "seq", where));
  where = "event " + std::to_string(seq) + ": ";
  RETURN_IF_ERROR(RequireExactKeys(e, kEventKeys, where));
  if (seq >= ctx.checkpoint.size) return Err(DataLossError(where + "beyond the checkpoint"));
  const json::value& withheld = e.at("withheld");
  for (std::string_view read :
       {kWithheldOtherStudents, kWithheldOtherGuardian, kWithheldAuditInvestigation}) {
    if (withheld == json::value(read)) return VerifyWithheldRead(e, seq, ctx, where);
  }
  if (!withheld.is_null() && ContentWithheld(e).empty()) {
    return Err(DataLossError(where + "unknown withheld value"));
  }
  ASSIGN_OR_RETURN(std::string stored_text, GetString(e, "stored", where));
  ASSIGN_OR_RETURN(Bytes stored, CanonicalBase64(stored_text, where + "stored"));
  auto decoded = codec::DecodeSignedEvent(stored);
  if (!decoded) return Err(DataLossError(where + "stored bytes are not a signed event"));
  if (decoded->header.seq != seq)
    return Err(DataLossError(where + "stored bytes hold another seq"));
  if (!VerifyEd25519(ctx.key, Sha256(decoded->body), decoded->signature)) {
    return Err(DataLossError(where + "bad signature"));
  }
  RETURN_IF_ERROR(VerifyEnvelope(e, *decoded, ctx, where));
  const Hash256 leaf = merkle::LeafHash(stored);
  if (e.at("leaf_hash") != json::value(ToHex(leaf))) {
    return Err(DataLossError(where + "leaf_hash does not match the stored bytes"));
  }
  RETURN_IF_ERROR(VerifyProof(e, seq, leaf, ctx, where));
  ASSIGN_OR_RETURN(json::value expected, ExpectedContent(e, *decoded, ctx, where));
  const json::value* content = e.if_contains("content");
  if (content) DropAbsentAppendedFields(decoded->header.type, *content, expected);
  if (!content || *content != expected) {
    return Err(DataLossError(where + "content does not match the signed payload"));
  }
  return seq;
}

Status VerifyManifest(const json::object& b, const BundleContext& ctx,
                      std::vector<family::ManifestEvent> events) {
  ASSIGN_OR_RETURN(std::string text, GetString(b, "manifest", ""));
  ASSIGN_OR_RETURN(std::string signature_text, GetString(b, "manifest_signature", ""));
  ASSIGN_OR_RETURN(uint64_t exported_at_us, GetUint(b, "exported_at_us", ""));
  ASSIGN_OR_RETURN(std::string exported_at, GetString(b, "exported_at", ""));
  if (exported_at != family::IsoTime(static_cast<int64_t>(exported_at_us))) {
    return DataLossError("exported_at does not match exported_at_us");
  }
  family::ManifestFields fields{ctx.origin,
                                ctx.student_id,
                                ctx.checkpoint.size,
                                ctx.shredded,
                                static_cast<int64_t>(exported_at_us),
                                std::move(events)};
  if (text != family::ManifestText(fields)) {
    return DataLossError(
        "manifest does not match the bundle's events (an event added, dropped or changed?)");
  }
  ASSIGN_OR_RETURN(Bytes signature, CanonicalBase64(signature_text, "manifest_signature"));
  if (!VerifyEd25519(ctx.key, AsBytes(text), signature)) {
    return DataLossError("manifest: bad signature");
  }
  return OkStatus();
}

}  // namespace

Result<ExportVerification> VerifyExport(const json::value& bundle,
                                        const std::optional<Ed25519PublicKey>& public_key) {
  if (!bundle.is_object()) return Err(InvalidArgumentError("not a history export bundle"));
  const json::object& b = bundle.as_object();
  ASSIGN_OR_RETURN(BundleContext ctx, VerifyHeader(b, public_key));
  const json::value* events = b.if_contains("events");
  if (!events || !events->is_array()) return Err(DataLossError("events are missing"));
  std::vector<family::ManifestEvent> attested;
  for (const json::value& event : events->as_array()) {
    ASSIGN_OR_RETURN(uint64_t seq, VerifyEvent(event, ctx, attested.size()));
    if (!attested.empty() && seq <= attested.back().seq) {
      return Err(DataLossError("event " + std::to_string(seq) + ": out of order or repeated"));
    }
    auto entry = family::ManifestEventOf(event.as_object());
    if (!entry) {
      return Err(DataLossError("event " + std::to_string(seq) + ": malformed envelope fields"));
    }
    attested.push_back(std::move(*entry));
  }
  size_t count = attested.size();
  RETURN_IF_ERROR(VerifyManifest(b, ctx, std::move(attested)));
  return ExportVerification{ctx.origin, ctx.student_id, count, ctx.checkpoint.size, ctx.shredded};
}

Result<ExportVerification> VerifyExportText(std::string_view text,
                                            const std::optional<Ed25519PublicKey>& public_key) {
  if (text.size() > kMaxBundleBytes) return Err(InvalidArgumentError("the bundle is too large"));
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value bundle = json::parse(text, ec, {}, options);
  if (ec) return Err(InvalidArgumentError("the bundle is not JSON: " + ec.message()));
  // A reader keeping the first of a repeated key would see other content
  // than the one verified (json::parse keeps the last).
  if (DuplicateJsonKey(text, options)) {
    return Err(DataLossError("the bundle holds a key twice in one object"));
  }
  return VerifyExport(bundle, public_key);
}

}  // namespace backpack
