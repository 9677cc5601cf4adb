#include "projections/audit/internal/layout.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>

namespace backpack::audit_internal {
namespace json = boost::json;
namespace {

std::string Text(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

bool Bool(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v && v->is_bool() && v->get_bool();
}

Result<json::object> ParseObject(ByteView value, std::string_view what) {
  json::error_code ec;
  json::value v = json::parse(AsChars(value), ec);
  if (ec || !v.is_object()) {
    return Err(DataLossError("malformed " + std::string(what) + " in the audit projection"));
  }
  return std::move(v.get_object());
}

std::string Serialize(const json::object& o) { return json::serialize(o); }

}  // namespace

std::string SeqKey(uint64_t seq) {
  auto bytes = EncodeBigEndian64(~seq);
  return std::string(AsChars(bytes));
}

uint64_t SeqFromKeySuffix(ByteView key) {
  if (key.size() < 8) return 0;
  return ~DecodeBigEndian64(key.subspan(key.size() - 8));
}

std::string StudentPrefix(std::string_view student_id) { return std::string(student_id) + '\0'; }

std::string ActorPrefix(std::string_view actor_id) { return std::string(actor_id) + '\0'; }

std::string ActionPrefix(std::string_view action, std::string_view scope) {
  return std::string(action) + '\0' + std::string(scope.empty() ? "none" : scope) + '\0';
}

std::string AlertTextKey(uint64_t alert_seq, std::string_view field) {
  return SeqKey(alert_seq) + std::string(field);
}

size_t BulkAccessThresholdOr(const std::optional<Bytes>& stored, size_t fallback) {
  if (!stored || stored->size() != 8) return fallback;
  return static_cast<size_t>(DecodeBigEndian64(*stored));
}

std::string WindowKey(std::string_view kind, std::string_view actor_id) {
  return std::string(kind) + '\0' + std::string(actor_id);
}

std::vector<StudentAccess> AccessEntry::Covered() const {
  if (!student_id.empty()) return {StudentAccess{student_id, reason}};
  return students;
}

std::string EncodeEntry(const AccessEntry& e) {
  json::object o;
  o["seq"] = e.seq;
  o["at_us"] = e.at_us;
  o["action"] = e.action;
  o["actor_id"] = e.actor_id;
  o["scope"] = e.scope;
  o["student_id"] = e.student_id;
  o["reason"] = e.reason;
  o["outcome"] = e.outcome;
  o["request_id"] = e.request_id;
  o["ip"] = e.ip;
  o["note_id"] = e.note_id;
  o["query"] = e.query;
  o["route"] = e.route;
  o["target_id"] = e.target_id;
  json::array students;
  for (const auto& s : e.students) {
    students.push_back(json::object{{"id", s.student_id}, {"reason", s.reason}});
  }
  o["students"] = std::move(students);
  o["result_count"] = e.result_count;
  if (!e.change.empty()) o["change"] = e.change;  // only settings changes have one
  return Serialize(o);
}

Result<AccessEntry> DecodeEntry(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value, "access entry"));
  AccessEntry e;
  e.seq = static_cast<uint64_t>(Int(o, "seq"));
  e.at_us = Int(o, "at_us");
  e.action = Text(o, "action");
  e.actor_id = Text(o, "actor_id");
  e.scope = Text(o, "scope");
  e.student_id = Text(o, "student_id");
  e.reason = Text(o, "reason");
  e.outcome = Text(o, "outcome");
  e.request_id = Text(o, "request_id");
  e.ip = Text(o, "ip");
  e.note_id = Text(o, "note_id");
  e.query = Text(o, "query");
  e.route = Text(o, "route");
  e.target_id = Text(o, "target_id");
  if (const json::value* list = o.if_contains("students"); list && list->is_array()) {
    for (const json::value& s : list->get_array()) {
      if (!s.is_object()) continue;
      e.students.push_back({Text(s.get_object(), "id"), Text(s.get_object(), "reason")});
    }
  }
  e.result_count = static_cast<uint64_t>(Int(o, "result_count"));
  e.change = Text(o, "change");
  return e;
}

std::string EncodeAlert(const Alert& a) {
  json::object o;
  o["seq"] = a.seq;
  o["kind"] = a.kind;
  o["at_us"] = a.at_us;
  o["actor_id"] = a.actor_id;
  o["student_id"] = a.student_id;
  o["break_glass_id"] = a.break_glass_id;
  o["expires_at_us"] = a.expires_at_us;
  o["student_shredded"] = a.student_shredded;
  o["count"] = a.count;
  o["window_start_us"] = a.window_start_us;
  o["last_read_at_us"] = a.last_read_at_us;
  o["reviewed"] = a.reviewed;
  o["reviewed_by"] = a.reviewed_by;
  o["reviewed_at_us"] = a.reviewed_at_us;
  o["review_seq"] = a.review_seq;
  return Serialize(o);
}

Result<Alert> DecodeAlert(ByteView value) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(value, "alert"));
  Alert a;
  a.seq = static_cast<uint64_t>(Int(o, "seq"));
  a.kind = Text(o, "kind");
  a.at_us = Int(o, "at_us");
  a.actor_id = Text(o, "actor_id");
  a.student_id = Text(o, "student_id");
  a.break_glass_id = Text(o, "break_glass_id");
  a.expires_at_us = Int(o, "expires_at_us");
  a.student_shredded = Bool(o, "student_shredded");
  a.count = static_cast<uint64_t>(Int(o, "count"));
  a.window_start_us = Int(o, "window_start_us");
  a.last_read_at_us = Int(o, "last_read_at_us");
  a.reviewed = Bool(o, "reviewed");
  a.reviewed_by = Text(o, "reviewed_by");
  a.reviewed_at_us = Int(o, "reviewed_at_us");
  a.review_seq = static_cast<uint64_t>(Int(o, "review_seq"));
  return a;
}

std::string AlertId(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "alr_%016llx", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<uint64_t> ParseAlertId(std::string_view id) {
  if (id.size() != 20 || id.substr(0, 4) != "alr_") return std::nullopt;
  uint64_t seq = 0;
  for (char c : id.substr(4)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    seq = seq << 4 | static_cast<uint64_t>(digit);
  }
  return seq;
}

}  // namespace backpack::audit_internal
