#include "projections/family/internal/records.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "projections/family/internal/iso_time.h"
#include "projections/sealed.h"

namespace backpack::family {
namespace {

namespace json = boost::json;

Result<json::object> ParseObject(ByteView bytes, std::string_view what) {
  boost::system::error_code ec;
  json::value value = json::parse(AsChars(bytes), ec);
  if (ec || !value.is_object()) return Err(DataLossError("malformed " + std::string(what)));
  return std::move(value.as_object());
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

uint64_t Uint(const json::object& o, std::string_view key) {
  return static_cast<uint64_t>(Int(o, key));
}

std::optional<FamilyRequestKind> ParseKind(std::string_view name) {
  if (name == "inspection") return FamilyRequestKind::kInspection;
  if (name == "correction") return FamilyRequestKind::kCorrection;
  if (name == "deletion") return FamilyRequestKind::kDeletion;
  return std::nullopt;
}

}  // namespace

std::string SerializeRequest(const FamilyRequest& r) {
  json::object o;
  o["id"] = r.id;
  o["kind"] = FamilyRequestKindName(r.kind);
  o["student_id"] = r.student_id;
  o["status"] = r.status;
  o["requested_by"] = r.requested_by;
  o["requested_at_us"] = r.requested_at_us;
  o["requested_seq"] = r.requested_seq;
  o["due_by_us"] = r.due_by_us;
  o["about_seq"] = r.about_seq;
  o["text"] = r.text;
  o["decided_by"] = r.decided_by;
  o["decided_at_us"] = r.decided_at_us;
  o["decided_seq"] = r.decided_seq;
  o["decision_reason"] = r.decision_reason;
  o["as_of_seq"] = r.as_of_seq;
  o["statement"] = r.statement;
  o["statement_by"] = r.statement_by;
  o["statement_at_us"] = r.statement_at_us;
  o["statement_seq"] = r.statement_seq;
  return json::serialize(o);
}

Result<FamilyRequest> ParseRequest(ByteView bytes) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(bytes, "family request"));
  auto kind = ParseKind(Str(o, "kind"));
  if (!kind) return Err(DataLossError("family request of unknown kind"));
  FamilyRequest r;
  r.id = Str(o, "id");
  r.kind = *kind;
  r.student_id = Str(o, "student_id");
  r.status = Str(o, "status");
  r.requested_by = Str(o, "requested_by");
  r.requested_at_us = Int(o, "requested_at_us");
  r.requested_seq = Uint(o, "requested_seq");
  r.due_by_us = Int(o, "due_by_us");
  r.about_seq = Uint(o, "about_seq");
  r.text = Str(o, "text");
  r.decided_by = Str(o, "decided_by");
  r.decided_at_us = Int(o, "decided_at_us");
  r.decided_seq = Uint(o, "decided_seq");
  r.decision_reason = Str(o, "decision_reason");
  r.as_of_seq = Uint(o, "as_of_seq");
  r.statement = Str(o, "statement");
  r.statement_by = Str(o, "statement_by");
  r.statement_at_us = Int(o, "statement_at_us");
  r.statement_seq = Uint(o, "statement_seq");
  return r;
}

boost::json::object RequestToJson(const FamilyRequest& r) {
  json::object o;
  o["id"] = r.id;
  o["kind"] = FamilyRequestKindName(r.kind);
  o["status"] = r.status;
  o["requested_by"] = r.requested_by;
  o["requested_at"] = IsoTime(r.requested_at_us);
  o["requested_seq"] = r.requested_seq;
  if (r.kind == FamilyRequestKind::kInspection) o["due_by"] = IsoTime(r.due_by_us);
  if (r.kind == FamilyRequestKind::kCorrection) {
    o["about_seq"] = r.about_seq;
    o["text"] = r.text;
  }
  if (r.kind == FamilyRequestKind::kDeletion) o["reason"] = r.text;
  if (!r.decided_by.empty()) {
    o["decided_by"] = r.decided_by;
    o["decided_at"] = IsoTime(r.decided_at_us);
  }
  if ((r.kind == FamilyRequestKind::kCorrection && !r.decided_by.empty()) ||
      (r.kind == FamilyRequestKind::kDeletion && r.status == "refused")) {
    o["decision_reason"] = r.decision_reason;
  }
  if (r.kind == FamilyRequestKind::kInspection && !r.decided_by.empty()) {
    o["as_of_seq"] = r.as_of_seq;
  }
  if (!r.statement.empty()) o["statement"] = r.statement;
  return o;
}

std::string SerializeRequestState(const FamilyRequest& r) {
  json::object o;
  o["kind"] = FamilyRequestKindName(r.kind);
  o["status"] = r.status;
  return json::serialize(o);
}

Result<RequestState> ParseRequestState(ByteView bytes) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(bytes, "family request state"));
  return RequestState{Str(o, "kind"), Str(o, "status")};
}

std::string SerializeDisclosure(const Disclosure& d) {
  json::object o;
  o["seq"] = d.seq;
  o["at_us"] = d.at_us;
  o["type"] = EventTypeName(d.type);
  o["actor_id"] = d.actor_id;
  o["scope"] = d.scope;
  o["reason"] = d.reason;
  o["outcome"] = d.outcome;
  o["recipient"] = d.recipient;
  o["legitimate_interest"] = d.legitimate_interest;
  o["description"] = d.description;
  return json::serialize(o);
}

Result<Disclosure> ParseDisclosure(ByteView bytes) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(bytes, "disclosure"));
  Disclosure d;
  d.seq = Uint(o, "seq");
  d.at_us = Int(o, "at_us");
  std::string type = Str(o, "type");
  d.type = type == "RecordViewed"      ? EventType::RecordViewed
           : type == "AccessDenied"    ? EventType::AccessDenied
           : type == "RecordDisclosed" ? EventType::RecordDisclosed
                                       : EventType::Unknown;
  d.actor_id = Str(o, "actor_id");
  d.scope = Str(o, "scope");
  d.reason = Str(o, "reason");
  d.outcome = Str(o, "outcome");
  d.recipient = Str(o, "recipient");
  d.legitimate_interest = Str(o, "legitimate_interest");
  d.description = Str(o, "description");
  return d;
}

std::string SerializeShredMarker(const ShredMarker& m) {
  json::object o;
  o["seq"] = m.seq;
  o["at_us"] = m.at_us;
  o["reason"] = m.reason;
  o["request_id"] = m.request_id;
  return json::serialize(o);
}

Result<ShredMarker> ParseShredMarker(ByteView bytes) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(bytes, "shred marker"));
  return ShredMarker{Uint(o, "seq"), Int(o, "at_us"), Str(o, "reason"), Str(o, "request_id")};
}

Result<Bytes> OpenSealed(DataKeyRing& data_keys, std::string_view family, ByteView key,
                         ByteView sealed) {
  ASSIGN_OR_RETURN(std::string_view owner, SealedOwner(sealed));
  ASSIGN_OR_RETURN(AeadKey data_key, data_keys.Get(std::string(owner)));
  auto plain = OpenValue(data_key, family, key, sealed);
  SecureWipe(data_key);
  return plain;
}

Result<std::optional<Bytes>> ReadSealed(Store& store, DataKeyRing& data_keys,
                                        std::string_view family, ByteView key) {
  ASSIGN_OR_RETURN(auto sealed, store.Get(family, key));
  if (!sealed) return std::optional<Bytes>();
  ASSIGN_OR_RETURN(Bytes plain, OpenSealed(data_keys, family, key, *sealed));
  return std::optional<Bytes>(std::move(plain));
}

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace backpack::family
